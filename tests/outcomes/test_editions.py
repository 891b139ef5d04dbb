"""Cloning an event into its next edition: what is copied (with shifted dates), what never is
(participants' data), bad input, and who may do it."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.events.models import Event, StreamLink, TeamMembership
from fusionforum.outcomes import editions
from tests.conftest import login_verified, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(event, make_stream, clock):
    """An event with one row of every configuration part the clone copies."""
    from fusionforum.cfp.models import CallSettings, Category, CfpEmailTemplate, ScoreCategory
    from fusionforum.meetings.models import MeetingSettings
    from fusionforum.programme.models import Room
    from fusionforum.registration.models import (
        EmailTemplate,
        Question,
        RegistrationSettings,
        ReservedSeats,
    )

    day1 = event.days.get(date=dt.date(2027, 5, 26))
    make_stream(event, day=day1)
    rs = RegistrationSettings.objects.create(event=event, opens_at=paris(2027, 3, 1, 9),
                                             closes_at=paris(2027, 5, 20, 18), capacity=120)
    ReservedSeats.objects.create(settings=rs, organisation_kind="public_lab", seats=20)
    Question.objects.create(event=event, label="Dietary needs", kind="text", position=1)
    EmailTemplate.objects.create(event=event, key="confirmed", subject="Welcome",
                                 body="Hello {{ name }}")
    CallSettings.objects.create(event=event, opens_at=paris(2027, 1, 10, 9),
                                closes_at=paris(2027, 3, 31, 23, 59),
                                review_closes_at=paris(2027, 4, 15, 12))
    Category.objects.create(event=event, name="Magnets", position=1)
    ScoreCategory.objects.create(event=event, name="Relevance", weight=2)
    CfpEmailTemplate.objects.create(event=event, key="accepted", subject="Accepted",
                                    body="Dear {{ name }}")
    Room.objects.create(event=event, name="Auditorium", capacity=300)
    MeetingSettings.objects.create(event=event, date=dt.date(2027, 5, 28),
                                   requests_open_at=paris(2027, 5, 1, 9),
                                   requests_close_at=paris(2027, 5, 20, 12), lost_slots=[3])
    return event


def _clone(event, user, **kw):
    values = {"new_slug": "workshop-2028", "new_title": "Test Fusion Workshop 2028",
              "new_start_date": dt.date(2028, 5, 24)}
    values.update(kw)
    return editions.clone_edition(event, by=user, **values)


def test_clone_copies_configuration_with_shifted_dates(configured, organiser, make_user):
    from fusionforum.meetings.models import Expert

    expert_user = make_user("expert@test.invalid")
    Expert.objects.create(event=configured, user=expert_user, name="Dr Ex Ample",
                          email="ex@test.invalid", disciplines=["magnets"],
                          available_slots=[1, 2, 5], max_meetings=4, is_active=False)
    new = _clone(configured, organiser)
    shift = (dt.date(2028, 5, 24) - dt.date(2027, 5, 26)).days
    assert shift == 364
    assert (new.slug, new.title, new.is_published) == ("workshop-2028",
                                                        "Test Fusion Workshop 2028", False)
    assert new.start_date == dt.date(2028, 5, 24) and new.end_date == dt.date(2028, 5, 26)
    for f in ("time_zone", "venue_name", "venue_address", "description", "contact_emails",
              "public_email", "latitude", "longitude", "tagline", "is_demo"):
        assert getattr(new, f) == getattr(configured, f)
    assert [d.date for d in new.days.all()] == [dt.date(2028, 5, 24), dt.date(2028, 5, 25),
                                               dt.date(2028, 5, 26)]
    assert [d.label for d in new.days.all()] == [d.label for d in configured.days.all()]
    stream = StreamLink.objects.get(event=new)
    assert stream.url == "https://video.test.invalid/secret-live-4711"
    assert stream.visible_from == paris(2028, 5, 24, 9) and stream.visible_until == \
        paris(2028, 5, 24, 18)
    assert stream.day.event == new and stream.day.date == dt.date(2028, 5, 24)
    rs = new.registration_settings
    assert (rs.opens_at, rs.closes_at, rs.capacity) == (paris(2028, 2, 28, 9),
                                                        paris(2028, 5, 18, 18), 120)
    assert [(r.organisation_kind, r.seats) for r in rs.reserved.all()] == [("public_lab", 20)]
    assert [q.label for q in new.questions.all()] == ["Dietary needs"]
    assert new.email_templates.get().body == "Hello {{ name }}"
    cs = new.call_settings
    assert cs.opens_at == paris(2028, 1, 9, 9) and cs.review_closes_at == paris(2028, 4, 13, 12)
    assert cs.closes_at == paris(2028, 3, 29, 23, 59)  # wall clock kept across summer time
    assert [c.slug for c in new.cfp_categories.all()] == ["magnets"]
    assert new.score_categories.get().weight == 2
    assert new.cfp_email_templates.get().key == "accepted"
    assert [r.name for r in new.rooms.all()] == ["Auditorium"]
    ms = new.meeting_settings
    assert ms.date == dt.date(2028, 5, 26) and ms.lost_slots == []
    assert ms.disciplines == configured.meeting_settings.disciplines
    expert = new.experts.get()
    assert expert.user is None and expert.is_active
    assert (expert.name, expert.available_slots, expert.max_meetings) == ("Dr Ex Ample",
                                                                         [1, 2, 5], 4)
    # The original is untouched.
    assert configured.experts.get().user == expert_user
    assert list(TeamMembership.objects.filter(event=new).values_list("user", "role")) == [
        (organiser.pk, "organiser")]
    entry = AuditEntry.objects.get(action="editions.cloned")
    assert entry.object_id == str(new.pk) and entry.actor == organiser
    assert entry.data["source_slug"] == "workshop-2027"
    assert editions.previous_edition(new) == configured
    assert editions.next_editions(configured) == [new]


def test_clone_copies_tours_and_vault_fields_when_installed(configured, organiser):
    TourType = apps.get_model("visits", "TourType")
    TourRun = apps.get_model("visits", "TourRun")
    VisitSettings = apps.get_model("visits", "VisitSettings")
    VaultSettings = apps.get_model("vault", "VaultSettings")
    VisitSettings.objects.create(event=configured, signup_opens_at=paris(2027, 4, 1, 9),
                                 signup_closes_at=paris(2027, 5, 10, 9),
                                 allocated_at=paris(2027, 5, 11, 9), allocated_by=organiser)
    tour = TourType.objects.create(event=configured, name="Tokamak hall",
                                   description="The assembly hall.", closed_shoes=True)
    TourRun.objects.create(tour=tour, start=paris(2027, 5, 28, 14), meeting_point="Gate B",
                           guide="Guide Person")
    VaultSettings.objects.create(event=configured, fields=["full_name", "nationality"],
                                 purge_after_days=3, instructions="Bring your passport.")
    new = _clone(configured, organiser)
    vs = VisitSettings.objects.get(event=new)
    assert vs.signup_opens_at == paris(2028, 3, 30, 9)
    assert vs.allocated_at is None and vs.allocated_by is None
    run = TourRun.objects.get(tour__event=new)
    assert run.tour.name == "Tokamak hall" and run.tour.closed_shoes
    assert run.start == paris(2028, 5, 26, 14) and run.meeting_point == "Gate B"
    assert TourRun.objects.filter(tour__event=configured).count() == 1
    vault = VaultSettings.objects.get(event=new)
    assert (vault.fields, vault.purge_after_days) == (["full_name", "nationality"], 3)


def test_clone_of_a_clone(configured, organiser):
    second = _clone(configured, organiser)
    third = _clone(second, organiser, new_slug="workshop-2029", new_title="Workshop 2029",
                   new_start_date=dt.date(2029, 5, 23))
    assert third.start_date == dt.date(2029, 5, 23)
    assert third.call_settings.opens_at == paris(2029, 1, 7, 9)
    assert third.meeting_settings.date == dt.date(2029, 5, 25)
    assert editions.lineage(third) == [second, configured]
    assert [r.name for r in third.rooms.all()] == ["Auditorium"]


def _personal_counts():
    out = {}
    for label in editions.PERSONAL_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        out[label] = model.objects.count()
    return out


def test_clone_of_the_demo_copies_no_personal_data(clock):
    from fusionforum.accounts.models import User
    from fusionforum.events.demo import DEMO_SLUG
    from tests.demo_snapshot import load_full_demo

    # The whole demo: registration, call, programme, meetings, visits, vault and outcomes.
    clock.set(paris(2027, 5, 26, 10))
    demo = load_full_demo(dt.date(2027, 5, 26))
    organiser = User.objects.get(email="organiser@demo.fusionforum.invalid")
    before = _personal_counts()
    assert before["registration.Registration"] > 0 and before["cfp.Submission"] > 0
    assert before["meetings.MeetingRequest"] > 0
    users = User.objects.count()
    team = TeamMembership.objects.count()
    new = editions.clone_edition(Event.objects.get(slug=DEMO_SLUG), new_slug="demo-next",
                                 new_title="Next demo", new_start_date=dt.date(2028, 5, 24),
                                 by=organiser)
    assert _personal_counts() == before
    assert User.objects.count() == users
    assert TeamMembership.objects.count() == team + 1
    assert list(new.team.values_list("user__email", "role")) == [
        ("organiser@demo.fusionforum.invalid", "organiser")]
    # Configuration did come across.
    assert new.days.count() == demo.days.count()
    assert new.experts.count() == demo.experts.count() > 0
    assert all(e.user_id is None for e in new.experts.all())
    assert new.cfp_categories.count() == demo.cfp_categories.count() > 0


@pytest.mark.parametrize("kw, field", [
    ({"new_slug": "workshop-2027"}, "slug"),
    ({"new_slug": "WORKSHOP-2027"}, "slug"),
    ({"new_slug": "admin"}, "slug"),
    ({"new_slug": "no spaces/here"}, "slug"),
    ({"new_slug": ""}, "slug"),
    ({"new_title": ""}, "title"),
    ({"new_title": "Bad\u202etitle"}, "title"),
    ({"new_start_date": dt.date(2027, 5, 27)}, "start_date"),
    ({"new_start_date": dt.date(2020, 1, 1)}, "start_date"),
    ({"new_start_date": "not a date"}, "start_date"),
    ({"new_start_date": None}, "start_date"),
])
def test_clone_refuses_bad_input_and_writes_nothing(configured, organiser, kw, field):
    events, audit_rows = Event.objects.count(), AuditEntry.objects.count()
    with pytest.raises(editions.CloneError) as info:
        _clone(configured, organiser, **kw)
    assert field in info.value.errors
    assert Event.objects.count() == events and AuditEntry.objects.count() == audit_rows


def test_clone_is_one_transaction(configured, organiser, monkeypatch):
    from fusionforum.programme.models import Room

    original = editions._copy_row

    def failing(obj, **kw):
        if isinstance(obj, Room):
            raise RuntimeError("disk full")
        return original(obj, **kw)

    monkeypatch.setattr(editions, "_copy_row", failing)
    counts = (Event.objects.count(), StreamLink.objects.count(),
              TeamMembership.objects.count())
    with pytest.raises(RuntimeError):
        _clone(configured, organiser)
    assert (Event.objects.count(), StreamLink.objects.count(),
            TeamMembership.objects.count()) == counts


def test_suggested_next_edition(configured):
    s = editions.suggest_next(configured)
    assert s["slug"] == "workshop-2028" and s["title"] == "Test Fusion Workshop 2028"
    assert s["start_date"].weekday() == configured.start_date.weekday()
    assert 360 <= (s["start_date"] - configured.start_date).days <= 370


def test_management_command(configured, organiser, capsys):
    call_command("clone_event", "workshop-2027", "workshop-2028", "Workshop 2028",
                 "2028-05-24", "--by", organiser.email)
    assert Event.objects.get(slug="workshop-2028").team.get().user == organiser
    with pytest.raises(CommandError, match="already the address"):
        call_command("clone_event", "workshop-2027", "workshop-2028", "Again", "2028-06-01")
    call_command("clone_event", "workshop-2027", "w-2030", "W", "2030-05-24", "--dry-run")
    assert not Event.objects.filter(slug="w-2030").exists()


# --- pages -----------------------------------------------------------------------------------

def _url(name, slug="workshop-2027"):
    return reverse(f"editions:{name}", kwargs={"slug": slug})


def test_form_preview_confirm(client, configured, organiser):
    login_verified(client, organiser)
    page = client.get(_url("home"))
    assert page.status_code == 200
    assert b"Clone into the next edition" in page.content
    assert b'value="workshop-2028"' in page.content  # suggested
    data = {"slug": "workshop-2028", "title": "Workshop 2028", "start_date": "2028-05-24"}
    preview = client.post(_url("clone"), data)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Check the copy" in text and "Programme rooms" in text and "Not copied" in text
    assert not Event.objects.filter(slug="workshop-2028").exists()
    done = client.post(_url("clone"), {**data, "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == _url("home", "workshop-2028")
    new = Event.objects.get(slug="workshop-2028")
    assert not new.is_published and new.start_date == dt.date(2028, 5, 24)
    follow = client.get(done["Location"])
    assert follow.status_code == 200 and "Cloned from" in follow.content.decode()


@pytest.mark.parametrize("data, message", [
    ({"slug": "workshop-2027", "title": "X", "start_date": "2028-05-24"}, "already the address"),
    ({"slug": "manage", "title": "X", "start_date": "2028-05-24"}, "reserved"),
    ({"slug": "ok-slug", "title": "X", "start_date": "2027-05-01"}, "must start after"),
    ({"slug": "ok-slug", "title": "X", "start_date": "31/02/2028"}, "valid date"),
    ({"slug": "<script>", "title": "", "start_date": ""}, "required"),
    ({}, "required"),
])
def test_form_bad_input_is_400_and_nothing_written(client, configured, organiser, data,
                                                   message):
    login_verified(client, organiser)
    events = Event.objects.count()
    for confirm in ("", "yes"):
        response = client.post(_url("clone"), {**data, "confirm": confirm})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert b"<script>" not in response.content
    assert Event.objects.count() == events


def test_authorization(client, configured, organiser, make_user, make_event):
    from fusionforum.registration.models import Registration  # noqa: F401

    urls = [_url("home"), _url("compare") + "?with=x"]
    post = {"slug": "workshop-2028", "title": "W", "start_date": "2028-05-24", "confirm": "yes"}
    # Anonymous: to the login page.
    for url in urls:
        assert client.get(url).status_code == 302
        assert "/accounts/login" in client.get(url)["Location"]
    assert client.post(_url("clone"), post).status_code == 302
    # A participant: 404.
    participant = make_user("participant@test.invalid")
    client.force_login(participant)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(_url("clone"), post).status_code == 404
    # The organiser of another event: 404.
    other = make_event(slug="other-event", title="Other")
    other_org = make_user("other-org@test.invalid")
    TeamMembership.objects.create(event=other, user=other_org, role="organiser")
    login_verified(client, other_org)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(_url("clone"), post).status_code == 404
    # A reviewer of this event: 404.
    reviewer = make_user("reviewer@test.invalid")
    TeamMembership.objects.create(event=configured, user=reviewer, role="reviewer")
    login_verified(client, reviewer)
    assert client.get(urls[0]).status_code == 404
    assert client.post(_url("clone"), post).status_code == 404
    # The organiser without a verified second factor: to the verification page.
    client.logout()
    client.force_login(organiser)
    response = client.post(_url("clone"), post)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get(urls[0]).status_code == 302
    assert not Event.objects.filter(slug="workshop-2028").exists()
    # Verified: allowed.
    login_verified(client, organiser)
    assert client.post(_url("clone"), post).status_code == 302
    assert Event.objects.filter(slug="workshop-2028").exists()


def test_get_on_clone_is_refused(client, configured, organiser):
    login_verified(client, organiser)
    assert client.get(_url("clone")).status_code == 405
