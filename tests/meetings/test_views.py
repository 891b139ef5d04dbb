"""The meetings pages over HTTP: an authorization matrix over every address, confidential
topics, bad input (4xx, nothing written), hostile text inert, the calendar download."""

import pytest
from django.urls import reverse

from fusionforum.meetings import publishing, services
from fusionforum.meetings.models import Meeting, MeetingOutcome, MeetingRequest

from .conftest import login_verified

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def asked(event, people, experts, make_user):
    """Two requests, requests still open, nothing published."""
    a = services.submit_request(event, people["alice"], expert=experts["mara"],
                                topic="Alpha secret quench plan " + XSS, priority=1,
                                attendees=[people["alice"]], confidential=True)
    b = services.submit_request(event, people["bea"], discipline="cryogenics",
                                topic="Beta open cold box question", priority=1,
                                attendees=[people["bea"]])
    return {"a": a, "b": b, "outsider": make_user("out@x.invalid")}


@pytest.fixture
def world(event, asked, people, organiser, fake_solver, django_capture_on_commit_callbacks):
    """The same, scheduled and published (which closes the requests)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(event, by=organiser)
    publishing.publish(event, by=organiser, close_requests=True)
    from fusionforum.meetings.agenda import feed_for

    return {**asked, "feed": feed_for(people["alice"], event).token}


def client_for(client, who, world, people, experts, organiser):
    if who == "anonymous":
        return client
    if who == "organiser":
        return login_verified(client, organiser)
    if who == "organiser_unverified":
        client.force_login(organiser)
        return client
    user = {"outsider": world["outsider"], "alice": people["alice"], "bea": people["bea"],
            "expert": experts["mara"].user}[who]
    client.force_login(user)
    return client


ROLES = ["anonymous", "outsider", "alice", "bea", "expert", "organiser", "organiser_unverified"]


def urls(event, world):
    slug = event.slug
    a, b = world["a"].pk, world["b"].pk
    return [
        # (method, url, {role: status}) ; "login" = redirect to the login page
        # The menu's Meetings: everyone signed in gets a page (outsiders: why not, what to do).
        ("get", reverse("meetings:home", args=[slug]),
         {"anonymous": "login", "outsider": 200, "alice": 200, "bea": 200, "expert": 200,
          "organiser": 200, "organiser_unverified": 200}),
        ("get", reverse("meetings:directory", args=[slug]),
         {"anonymous": "login", "outsider": 403, "alice": 200, "bea": 200, "expert": 200,
          "organiser": 200, "organiser_unverified": 200}),
        ("get", reverse("meetings:request_new", args=[slug]),
         {"anonymous": "login", "outsider": 403, "alice": 200, "bea": 200, "expert": 403,
          "organiser": 403, "organiser_unverified": 403}),
        ("get", reverse("meetings:request_edit", args=[slug, a]),
         {"anonymous": "login", "outsider": 403, "alice": 200, "bea": 404, "expert": 404,
          "organiser": 404, "organiser_unverified": 404}),
        ("post", reverse("meetings:request_withdraw", args=[slug, b]),
         {"anonymous": "login", "outsider": 403, "alice": 404, "expert": 404, "organiser": 404,
          "organiser_unverified": 404}),
        ("get", reverse("meetings:suggestions", args=[slug]) + "?topic=magnets",
         {"anonymous": "login", "outsider": 403, "alice": 200, "expert": 404, "organiser": 404}),
        ("get", reverse("meetings:feed", args=[slug, world["feed"]]),
         dict.fromkeys(ROLES, 200)),
        ("get", reverse("meetings:feed", args=[slug, "not-a-token"]),
         dict.fromkeys(ROLES, 404)),
        ("get", reverse("meetings_expert:home", args=[slug]),
         {"anonymous": "login", "outsider": 404, "alice": 404, "bea": 404, "expert": 200,
          "organiser": 404}),
        ("get", reverse("meetings_expert:notes", args=[slug, a]),
         {"anonymous": "login", "alice": 404, "expert": 200, "organiser": 404}),
        ("get", reverse("meetings_expert:notes", args=[slug, b]),
         {"expert": 404}),
        ("post", reverse("meetings_expert:checkin", args=[slug, b]),
         {"anonymous": "login", "alice": 404, "expert": 404, "organiser": 404}),
    ] + [
        (method, url, {"anonymous": "login", "outsider": 404, "alice": 404, "bea": 404,
                       "expert": 404, "organiser": ok, "organiser_unverified": "verify"})
        for method, url, ok in [
            ("get", reverse("meetings_manage:overview", args=[slug]), 200),
            ("get", reverse("meetings_manage:settings", args=[slug]), 200),
            ("get", reverse("meetings_manage:experts", args=[slug]), 200),
            ("get", reverse("meetings_manage:expert_new", args=[slug]), 200),
            ("get", reverse("meetings_manage:expert_edit", args=[slug, world["a"].expert_id]),
             200),
            ("get", reverse("meetings_manage:requests", args=[slug]), 200),
            ("get", reverse("meetings_manage:schedule", args=[slug]), 200),
            ("get", reverse("meetings_manage:release", args=[slug, 1]), 200),
            ("get", reverse("meetings_manage:day", args=[slug]), 200),
            ("get", reverse("meetings_manage:run", args=[slug, services.current_run(
                world["a"].event).pk]), 200),
            ("get", reverse("meetings_manage:run_progress", args=[slug, services.current_run(
                world["a"].event).pk]), 200),
            ("post", reverse("meetings_manage:publish", args=[slug]), 409),
            ("post", reverse("meetings_manage:place", args=[slug]), 400),
            ("post", reverse("meetings_manage:remove", args=[slug, 999999]), 404),
            ("post", reverse("meetings_manage:lose_slot", args=[slug, 99]), 404),
            ("post", reverse("meetings_manage:participant_leave", args=[slug, 999999]), 404),
            ("post", reverse("meetings_manage:expert_cancel", args=[slug, 999999]), 404),
            ("post", reverse("meetings_manage:day_checkin", args=[slug, 999999]), 404),
            ("post", reverse("meetings_manage:run_start", args=[slug]) , 400),
        ]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(client, role, event, world, people, experts, organiser):
    from fusionforum.meetings.models import ScheduleRun

    # A run "under way" makes the run_start POST refuse (400) without starting anything.
    ScheduleRun.objects.create(event=event, created_at=services.clock.now(),
                               status=ScheduleRun.Status.RUNNING)
    c = client_for(client, role, world, people, experts, organiser)
    before = (MeetingRequest.objects.filter(status="active").count(), Meeting.objects.count())
    for method, url, expected in urls(event, world):
        if role not in expected:
            continue
        want = expected[role]
        response = getattr(c, method)(url)
        if want == "login":
            assert response.status_code == 302 and "/accounts/login" in response["Location"], url
        elif want == "verify":
            assert response.status_code == 302 and "verify" in response["Location"], url
        else:
            assert response.status_code == want, (role, method, url, response.status_code)
    assert (MeetingRequest.objects.filter(status="active").count(),
            Meeting.objects.count()) == before


def test_confidential_topic_visibility(client, event, world, people, experts, organiser):
    home = reverse("meetings:home", args=[event.slug])
    client.force_login(people["alice"])
    body = client.get(home).content.decode()
    assert "Alpha secret quench plan" in body  # their own organisation wrote it
    assert "Beta open cold box question" not in body
    client.force_login(people["bea"])
    body = client.get(home).content.decode()
    assert "Alpha secret" not in body and "Beta open cold box question" in body
    client.force_login(experts["mara"].user)
    body = client.get(reverse("meetings_expert:home", args=[event.slug])).content.decode()
    assert "Alpha secret quench plan" in body
    body = client.get(home).content.decode()
    assert "Alpha secret" not in body  # an expert's participant page shows no one else's
    login_verified(client, organiser)
    body = client.get(reverse("meetings_manage:requests", args=[event.slug])).content.decode()
    assert "Alpha secret quench plan" in body and "Beta open cold box question" in body


def test_hostile_text_is_inert(client, event, world, people, experts, organiser):
    pages = []
    client.force_login(people["alice"])
    pages.append(client.get(reverse("meetings:home", args=[event.slug])))
    client.force_login(experts["mara"].user)
    pages.append(client.get(reverse("meetings_expert:home", args=[event.slug])))
    login_verified(client, organiser)
    for name in ("requests", "overview", "schedule", "day"):
        pages.append(client.get(reverse(f"meetings_manage:{name}", args=[event.slug])))
    pages.append(client.get(reverse("meetings_manage:release", args=[event.slug, 1])))
    for page in pages:
        body = page.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, page.request


def test_hostile_bio_is_inert(client, event, world, people, experts):
    experts["cyril"].bio = XSS
    experts["cyril"].keywords = "<b>bold</b>"
    experts["cyril"].save()
    client.force_login(people["alice"])
    body = client.get(reverse("meetings:directory", args=[event.slug])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body and "<b>bold" not in body
    body = client.get(reverse("meetings:suggestions", args=[event.slug]) +
                      "?topic=bold+cold+box").content.decode()
    assert "<b>bold" not in body


def test_request_form_create_and_bad_input(client, event, asked, people, experts):
    client.force_login(people["arno"])
    url = reverse("meetings:request_new", args=[event.slug])
    count = MeetingRequest.objects.count()
    for data in (
        {},
        {"target": "expert:999999", "topic": "x", "priority": "1",
         "attendees": [people["arno"].pk]},
        {"target": "discipline:vacuum", "topic": "x", "priority": "1",
         "attendees": [people["bea"].pk]},
        {"target": "discipline:vacuum", "topic": "bad\u202etext", "priority": "1",
         "attendees": [people["arno"].pk]},
        {"target": "discipline:vacuum", "topic": "x", "priority": "99",
         "attendees": [people["arno"].pk]},
        {"target": f"expert:{experts['mara'].pk}", "topic": "dup", "priority": "1",
         "attendees": [people["arno"].pk]},  # Alpha already asked for Mara
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert MeetingRequest.objects.count() == count
    response = client.post(url, {"target": "discipline:vacuum", "topic": "Leak checks",
                                 "priority": "2", "attendees": [people["arno"].pk],
                                 "confidential": "on"})
    assert response.status_code == 302
    created = MeetingRequest.objects.latest("id")
    assert created.discipline == "vacuum" and created.confidential
    response = client.post(reverse("meetings:request_edit", args=[event.slug, created.pk]),
                           {"target": "discipline:magnets", "topic": "Changed",
                            "priority": "3", "attendees": [people["arno"].pk]})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.discipline == "magnets" and not created.confidential


def test_directory_filter(client, event, world, people, experts):
    client.force_login(people["alice"])
    url = reverse("meetings:directory", args=[event.slug])
    body = client.get(url + "?discipline=vacuum").content.decode()
    assert "Vera Vacuum" in body and "Mara Magnet" not in body
    assert client.get(url + "?discipline=nonsense").status_code == 400


def test_withdraw_after_deadline_refused(client, event, world, people, clock):
    from .conftest import paris

    clock.set(paris(2027, 5, 26, 9))
    client.force_login(people["bea"])
    response = client.post(reverse("meetings:request_withdraw", args=[event.slug,
                                                                      world["b"].pk]))
    assert response.status_code == 400
    assert MeetingRequest.objects.get(pk=world["b"].pk).status == "active"


def test_ics_download(client, event, world, people):
    from icalendar import Calendar

    response = client.get(reverse("meetings:feed", args=[event.slug, world["feed"]]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert len(cal.walk("VEVENT")) == 1
    assert "Alpha secret" not in response.content.decode()


def test_organiser_hand_placement_refused_with_reason(client, event, world, experts, organiser):
    login_verified(client, organiser)
    response = client.post(reverse("meetings_manage:place", args=[event.slug]),
                           {"request": world["b"].pk, "expert": experts["mara"].pk, "slot": 0})
    assert response.status_code == 409
    assert "cannot serve" in response.content.decode()


def test_expert_check_in_and_notes_over_http(client, event, world, experts):
    client.force_login(experts["mara"].user)
    a = world["a"].pk
    url = reverse("meetings_expert:checkin", args=[event.slug, a])
    assert client.post(url, {"attendance": "maybe"}).status_code == 400
    assert client.post(url, {"attendance": "held"}).status_code == 302
    notes = reverse("meetings_expert:notes", args=[event.slug, a])
    assert client.post(notes, {"notes_topic": "", "category": ""}).status_code == 400
    response = client.post(notes, {"notes_topic": "Talked " + XSS, "category": "collaboration",
                                   "follow_up_requested": "on", "follow_up": "Call back"})
    assert response.status_code == 302
    outcome = MeetingOutcome.objects.get(request_id=a)
    assert outcome.attendance == "held" and outcome.follow_up_requested


def test_organiser_settings_bad_input(client, event, world, organiser):
    login_verified(client, organiser)
    url = reverse("meetings_manage:settings", args=[event.slug])
    settings_before = event.meeting_settings.breaks
    response = client.post(url, {"date": "2027-05-28", "start_time": "09:00",
                                 "end_time": "08:00", "slot_minutes": "30",
                                 "requests_open_at": "2027-05-01T09:00",
                                 "requests_close_at": "2027-05-25T18:00",
                                 "max_requests_per_organisation": "5",
                                 "time_limit_seconds": "10", "breaks_text": "tea time",
                                 "disciplines_text_en": "magnets: Magnets"})
    assert response.status_code == 400
    event.meeting_settings.refresh_from_db()
    assert event.meeting_settings.breaks == settings_before
