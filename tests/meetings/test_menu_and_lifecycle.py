"""What each person meets from the menu's Meetings and Site visits (a page that says why not
yet, never a bare 403), the expert directory's "Ask to meet" links for every role, the rule
that a schedule is published only after requests close, the run figures in words, check-in
wording and the confirmation step before removing a meeting."""

import re

import pytest
from django.urls import reverse

from fusionforum.events.models import TeamMembership
from fusionforum.meetings import publishing, services
from fusionforum.meetings.models import Meeting, MeetingOutcome, MeetingRelease, ScheduleRun
from fusionforum.visits.models import VisitSettings

from .conftest import login_verified, paris

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    body = response.content.decode()
    return body.split('id="main"', 1)[-1].split("</main>")[0]


@pytest.fixture
def visits(event):
    return VisitSettings.objects.create(event=event, signup_opens_at=paris(2027, 5, 1),
                                        signup_closes_at=paris(2027, 5, 22))


def registration_open(event):
    from fusionforum.registration.models import RegistrationSettings

    return RegistrationSettings.objects.create(
        event=event, opens_at=paris(2027, 4, 1), closes_at=paris(2027, 5, 25), capacity=30,
        delegates_per_organisation=5, requires_approval=True, offer_hold_hours=48)


@pytest.fixture
def cast(orgs, make_delegate, make_user, event, experts, organiser):
    """One person of every kind the menu shows Meetings and Site visits to."""
    a, _ = orgs
    registration_open(event)
    people = {
        "pending": make_delegate(a, "pending@alpha.invalid", status="pending"),
        "waitlisted": make_delegate(a, "wait@alpha.invalid", status="waitlisted"),
        "offered": make_delegate(a, "offered@alpha.invalid", status="offered"),
        "cancelled": make_delegate(a, "gone@alpha.invalid", status="cancelled"),
        "unregistered": make_user("nobody@x.invalid"),
        "reviewer": make_user("reviewer@host.invalid"),
        "security": make_user("security@host.invalid"),
        "confirmed": make_delegate(a, "alice@alpha.invalid", "Alice Alpha"),
        "expert": experts["mara"].user,
        "organiser": organiser,
    }
    TeamMembership.objects.create(event=event, user=people["reviewer"],
                                  role=TeamMembership.Role.REVIEWER)
    TeamMembership.objects.create(event=event, user=people["security"],
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    return people


def _login(client, user):
    if user.event_roles.exists():
        return login_verified(client, user)
    client.force_login(user)
    return client


# (who, words on the page, a link on the page)
NOT_YET = [
    ("pending", "yours is pending approval", "registration:mine"),
    ("waitlisted", "you are on the waiting list", "registration:mine"),
    ("offered", "a seat is offered to you", "registration:mine"),
    ("cancelled", "your registration is cancelled", "registration:mine"),
    ("unregistered", "you are not registered for this event", "registration:mine"),
    ("reviewer", "member of its team", "review:home"),
    ("security", "member of its team", "vault_security:overview"),
]


@pytest.mark.parametrize("who, words, link", NOT_YET)
def test_menu_meetings_and_visits_explain_why_not_yet(client, event, cast, visits, who, words,
                                                      link):
    _login(client, cast[who])
    for name, purpose in (("meetings:home", "Meetings with experts are"),
                          ("visits:home", "Site visits are")):
        response = client.get(reverse(name, args=[event.slug]))
        main = _main(response)
        assert response.status_code == 200, (who, name)
        assert f"{purpose} for participants with a confirmed registration" in main
        assert words in main, (who, name)
        assert f'href="{reverse(link, args=[event.slug])}"' in main, (who, name)
    # A deeper page is really forbidden, but says why in words too.
    response = client.get(reverse("meetings:directory", args=[event.slug]))
    assert response.status_code == 403 and words in _main(response)


def _links(response):
    return re.findall(r'href="([^"]+)"', _main(response))


@pytest.mark.parametrize("who, sees_links", [
    ("confirmed", True), ("expert", False), ("organiser", False)])
def test_directory_ask_to_meet_for_every_role(client, event, cast, who, sees_links):
    _login(client, cast[who])
    response = client.get(reverse("meetings:directory", args=[event.slug]))
    assert response.status_code == 200
    asks = [u for u in _links(response) if "/requests/new/" in u]
    assert bool(asks) == sees_links
    # Every link the page shows works for this person.
    for url in set(_links(response)):
        if url.startswith("/") and not url.endswith(".ics"):
            assert client.get(url.replace("&amp;", "&")).status_code == 200, (who, url)
    # The address typed by hand: a page that explains (403), never a 404.
    response = client.get(reverse("meetings:request_new", args=[event.slug]) + "?expert=1")
    if sees_links:
        assert response.status_code == 200 and "<form" in _main(response)
    else:
        assert response.status_code == 403
        assert "delegates of participating organisations" in _main(response)


def test_directory_hides_ask_links_when_requests_are_closed(client, clock, event, cast):
    clock.set(paris(2027, 5, 26, 9))
    _login(client, cast["confirmed"])
    response = client.get(reverse("meetings:directory", args=[event.slug]))
    assert not [u for u in _links(response) if "/requests/new/" in u]
    assert "The deadline for meeting requests has passed (25 May 2027, 18:00)" in _main(response)
    response = client.get(reverse("meetings:request_new", args=[event.slug]))
    assert response.status_code == 200 and "<form" not in _main(response)


@pytest.fixture
def scheduled(event, people, experts, organiser, fake_solver,
              django_capture_on_commit_callbacks):
    services.submit_request(event, people["alice"], expert=experts["mara"], topic="Quench",
                            priority=1, attendees=[people["alice"]])
    services.submit_request(event, people["bea"], discipline="cryogenics", topic="Cold box",
                            priority=1, attendees=[people["bea"]])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(event, by=organiser)
    return run


def test_no_schedule_is_published_while_requests_are_open(client, event, scheduled,
                                                          organiser, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Requests are open until 25 May 2027, 18:00"):
        publishing.publish(event, by=organiser)
    assert not MeetingRelease.objects.filter(event=event).exists()
    # The organiser's page offers the choice; ticking it closes requests and publishes.
    login_verified(client, organiser)
    overview = client.get(reverse("meetings_manage:overview", args=[event.slug]))
    assert 'name="close_requests"' in overview.content.decode()
    url = reverse("meetings_manage:publish", args=[event.slug])
    assert client.post(url, {"comment": ""}).status_code == 409
    response = client.post(url, {"comment": "", "close_requests": "on"})
    assert response.status_code == 302
    event.meeting_settings.refresh_from_db()
    assert event.meeting_settings.requests_close_at <= services.clock.now()
    # The participant's page: a published version and no "open until".
    client.force_login(people["alice"])
    main = _main(client.get(reverse("meetings:home", args=[event.slug])))
    assert "Schedule version 1" in main and "Requests are open until" not in main
    assert "The deadline for requests has passed" in main


def test_requests_cannot_reopen_after_publication(client, event, scheduled, organiser):
    publishing.publish(event, by=organiser, close_requests=True)
    login_verified(client, organiser)
    url = reverse("meetings_manage:settings", args=[event.slug])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["requests_close_at"] = "2027-05-27T18:00"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "requests stay closed" in response.content.decode()
    event.meeting_settings.refresh_from_db()
    assert event.meeting_settings.requests_close_at <= services.clock.now()


def test_run_figures_in_words(event, organiser):
    meta = {"status": "optimal", "proven_optimal": True,
            "objective": {"covered_orgs": 46, "weight": 890, "scalar": 1},
            "bound": {"covered_orgs": 46, "weight": 890, "scalar": 1, "method": "flow"},
            "gap": {"covered_orgs": 0, "weight": 0, "relative": 0.0}}
    done = ScheduleRun.objects.create(
        event=event, created_at=services.clock.now(), status=ScheduleRun.Status.DONE,
        solution={"meetings": [], "meta": meta},
        progress=services._readable(meta))
    figures = services.run_figures(done)
    assert figures["best"] == "46 organisations, weight 890"
    assert figures["bound"] == "46 organisations, weight 890"
    assert figures["gap"] == "none: proven best" and figures["proven"]
    assert figures["covered_orgs"] == 46
    running = ScheduleRun.objects.create(
        event=event, created_at=services.clock.now(), status=ScheduleRun.Status.RUNNING,
        progress=services._readable({"phase": "flow", "best": [46, 874], "bound": [46, 890],
                                     "gap": "16 weight"}))
    figures = services.run_figures(running)
    assert figures["best"] == "46 organisations, weight 874"
    assert figures["gap"] == "at most 16 weight"


def test_run_page_shows_the_figures(client, event, scheduled, organiser):
    from fusionforum.scheduling.api import solve  # the real optimiser, on a tiny instance

    run = scheduled
    solution = solve(run.instance, time_limit=2)
    # What the job stores when it finishes (services.execute_run).
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=ScheduleRun.Status.DONE, solution=solution,
        progress=services._readable(solution["meta"]))
    login_verified(client, organiser)
    main = _main(client.get(reverse("meetings_manage:run", args=[event.slug, run.pk])))
    for key in ("run-best", "run-bound", "run-gap"):
        value = re.search(rf'id="{key}">([^<]*)<', main).group(1)
        assert value and value != "—", key
    assert "with two meetings, weight" in main and "proven the best possible" in main
    # The objective in plain words, the four levels with their bounds, and first come,
    # first served on the same requests beside them.
    assert "Every organisation first, then a second meeting for as many as possible" in main
    assert 'id="run-levels"' in main and "First come, first served" in main
    assert re.search(r'id="run-comparison">[^<]*would have had no meeting', main)
    progress = client.get(reverse("meetings_manage:run_progress",
                                  args=[event.slug, run.pk])).json()
    assert progress["best"] and progress["bound"] and progress["gap"]


def test_check_in_reads_as_state_then_actions(client, event, scheduled, organiser, experts):
    release = publishing.publish(event, by=organiser, close_requests=True)
    mara_meeting = next(m for m in release.snapshot["meetings"]
                        if m["expert"] == experts["mara"].pk)
    client.force_login(experts["mara"].user)
    home = reverse("meetings_expert:home", args=[event.slug])
    main = _main(client.get(home))
    assert "Not checked in yet" in main and "Mark as held" in main
    client.post(reverse("meetings_expert:checkin", args=[event.slug, mara_meeting["request"]]),
                {"attendance": "held"})
    main = _main(client.get(home))
    state = re.search(r'class="checkin-state">(.*?)</p>', main).group(1)
    assert state == "<strong>Held</strong>"
    assert "Change to no-show" in main and "Mark as held" not in main
    assert ">Held<" not in main.replace("<strong>Held</strong>", "")
    # The organisers' meeting-day check-in reads the same.
    login_verified(client, organiser)
    main = _main(client.get(reverse("meetings_manage:day", args=[event.slug])))
    assert "<strong>Held</strong>" in main and "Change to no-show" in main
    assert "Not checked in yet" in main and "Mark as no-show" in main
    assert MeetingOutcome.objects.get(request_id=mara_meeting["request"]).attendance == "held"


@pytest.mark.parametrize("name, args, back", [
    ("remove", "meeting", "schedule"), ("lose_slot", 0, "schedule"),
    ("expert_cancel", "expert", "experts"), ("participant_leave", "person", "requests")])
def test_destructive_actions_ask_for_confirmation_first(client, event, scheduled, organiser,
                                                        people, experts, name, args, back):
    meeting = Meeting.objects.filter(event=event).first()
    arg = {"meeting": meeting.request_id, "expert": meeting.expert_id,
           "person": people["alice"].pk}.get(args, args)
    login_verified(client, organiser)
    url = reverse(f"meetings_manage:{name}", args=[event.slug, arg])
    before = (Meeting.objects.count(), event.meeting_settings.lost_slots)
    # The page that lists it links to the confirmation, not to a one-click POST.
    listing = _main(client.get(reverse(f"meetings_manage:{back}", args=[event.slug])))
    assert f'href="{url}"' in listing
    response = client.get(url)
    main = _main(response)
    assert response.status_code == 200
    assert f'<form method="post" action="{url}">' in main
    assert f'href="{reverse(f"meetings_manage:{back}", args=[event.slug])}"' in main
    event.meeting_settings.refresh_from_db()
    assert (Meeting.objects.count(), event.meeting_settings.lost_slots) == before
    assert client.post(url).status_code == 302
    event.meeting_settings.refresh_from_db()
    assert (Meeting.objects.count(), event.meeting_settings.lost_slots) != before or \
        name == "participant_leave"


def test_no_registration_page_no_link_to_it(client, event, make_user, experts):
    client.force_login(make_user("nobody@x.invalid"))
    response = client.get(reverse("meetings:home", args=[event.slug]))
    assert response.status_code == 200
    assert reverse("registration:mine", args=[event.slug]) not in _main(response)


def test_expert_and_organiser_on_the_meetings_page_are_not_told_they_have_no_meeting(
        client, event, scheduled, organiser, experts):
    publishing.publish(event, by=organiser, close_requests=True)
    client.force_login(experts["mara"].user)
    main = _main(client.get(reverse("meetings:home", args=[event.slug])))
    assert "You have no meeting" not in main
    assert f'href="{reverse("meetings_expert:home", args=[event.slug])}"' in main
    login_verified(client, organiser)
    main = _main(client.get(reverse("meetings:home", args=[event.slug])))
    assert "You have no meeting" not in main and "Schedule version 1 was published" in main


@pytest.mark.parametrize("purpose, french", [
    ("meetings", "Les rencontres avec les experts sont réservées aux participants"),
    ("visits", "Les visites du site sont réservées aux participants"),
])
def test_where_you_stand_is_one_whole_sentence_in_french(event, make_user, purpose, french):
    # The sentence was once built from a fragment ("Site visits are"), which one page passed
    # untranslated: French readers got English in the middle of a French sentence.
    from django.utils import translation

    from fusionforum.registration.standing import standing

    with translation.override("fr"):
        reason = standing(event, make_user(), purpose=purpose).reason
    assert reason.startswith(french) and " are " not in reason
