"""Starting events (event creators, from blank), the event life cycle (draft, published,
archived and read-only), modules switched off, and changing an event's dates with a preview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.core.readonly import archived_writes_allowed
from fusionforum.events import dates, services
from fusionforum.events.archive import EventArchived
from fusionforum.events.models import (
    ContactMessage,
    Day,
    Event,
    EventCreator,
    EventStatus,
    EventTransition,
    Module,
    TeamMembership,
)
from fusionforum.events.states import LIFE_CYCLE
from tests.conftest import login_verified, paris

pytestmark = pytest.mark.django_db

BLANK = {
    "title": "Tritium Breeding Workshop 2028", "slug": "tritium-2028",
    "start_date": dt.date(2028, 3, 6), "end_date": dt.date(2028, 3, 8),
    "time_zone": "Europe/Berlin", "venue_name": "Test Hall (fictional)",
    "default_language": "en", "languages": ["en", "fr"],
    "modules": ["registration", "call", "programme"],
}


@pytest.fixture
def admin(make_user):
    return make_user("platform@test.invalid", is_superuser=True, is_staff=True)


@pytest.fixture
def creator(make_user, admin):
    user = make_user("creator@test.invalid", full_name="Cora Creator")
    services.name_creator(user.email, by=admin)
    return user


def _form(**changes):
    data = {**BLANK, **changes}
    out = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
    return out


# Event creators -------------------------------------------------------------------------------

def test_the_platform_administrator_names_and_removes_creators_with_an_audit_entry(
        admin, make_user):
    person = make_user("someone@test.invalid")
    creator = services.name_creator("SOMEONE@test.invalid", by=admin)
    assert creator.user == person and creator.granted_by == admin
    assert AuditEntry.objects.filter(action="events.creator_named").count() == 1
    with pytest.raises(ValidationError, match="may already start events"):
        services.name_creator(person.email, by=admin)
    with pytest.raises(ValidationError, match="No active account"):
        services.name_creator("nobody@test.invalid", by=admin)
    services.remove_creator(creator, by=admin)
    assert not EventCreator.objects.exists()
    assert AuditEntry.objects.filter(action="events.creator_removed").count() == 1


def test_only_platform_administrators_name_creators(creator, make_user, event, organiser):
    for who in (creator, organiser):
        with pytest.raises(PermissionDenied):
            services.name_creator("x@test.invalid", by=who)


def test_the_creators_page_is_the_platform_administrators(client, admin, creator, organiser):
    for who in (creator, organiser):
        login_verified(client, who)
        assert client.get(reverse("events_manage:creators")).status_code == 404
        assert client.post(reverse("events_manage:add_creator"),
                           {"email": who.email}).status_code == 404
    login_verified(client, admin)
    page = client.get(reverse("events_manage:creators"))
    assert page.status_code == 200 and creator.email in page.content.decode()
    answer = client.post(reverse("events_manage:add_creator"), {"email": "nobody@test.invalid"})
    assert answer.status_code == 400 and "No active account" in answer.content.decode()
    pk = EventCreator.objects.get().pk
    assert client.post(reverse("events_manage:remove_creator", args=[pk])).status_code == 302
    assert not EventCreator.objects.exists()


def test_a_creator_holds_a_staff_role_and_needs_the_second_factor(client, creator):
    client.force_login(creator)
    response = client.get(reverse("events_manage:new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    login_verified(client, creator)
    home = client.get(reverse("staff_home")).content.decode()
    assert reverse("events_manage:new") in home
    assert reverse("events_manage:creators") not in home


# Starting an event from blank -----------------------------------------------------------------

def test_a_creator_starts_a_draft_with_its_days_and_becomes_its_organiser(creator):
    event = services.create_event(by=creator, **BLANK)
    assert event.status == EventStatus.DRAFT and not event.is_published
    assert event.title == BLANK["title"] and event.time_zone == "Europe/Berlin"
    assert event.modules == ["registration", "call", "programme"]
    assert event.languages == ["en", "fr"] and event.contact_emails == creator.email
    assert [d.date for d in event.days.all()] == [dt.date(2028, 3, 6), dt.date(2028, 3, 7),
                                                  dt.date(2028, 3, 8)]
    assert [d.label for d in event.days.all()] == ["Day 1", "Day 2", "Day 3"]
    assert TeamMembership.objects.filter(event=event, user=creator,
                                         role=TeamMembership.Role.ORGANISER).exists()
    assert AuditEntry.objects.filter(action="events.created", object_id=str(event.pk)).exists()


def test_someone_without_the_role_cannot_start_an_event(make_user, client, organiser):
    with pytest.raises(PermissionDenied):
        services.create_event(by=organiser, **BLANK)
    login_verified(client, organiser)
    assert client.get(reverse("events_manage:new")).status_code == 404
    assert client.post(reverse("events_manage:new"), _form()).status_code == 404
    assert not Event.objects.filter(slug=BLANK["slug"]).exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_date": dt.date(2028, 3, 1)}, "end_date", "cannot end before it starts"),
    ({"end_date": dt.date(2028, 5, 1)}, "end_date", "at most 31 days"),
    ({"default_language": "fr", "languages": ["en"]}, "default_language",
     "must be one of the languages offered"),
    ({"languages": []}, "languages", "at least one language"),
    ({"modules": ["meetings"]}, "modules", "Expert meetings needs Registration"),
    ({"modules": ["registration", "outcomes"]}, "modules",
     "Outcomes report needs Call for presentations"),
    ({"slug": "workshop-2027"}, "slug", "already the address of another event"),
    ({"slug": "admin"}, "slug", "reserved for the platform"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "not a known time zone"),
    ({"title": "Two\nlines"}, "title", "one line"),
])
def test_a_bad_request_is_refused_per_field_and_creates_nothing(creator, event, changes, field,
                                                                message):
    before = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.create_event(by=creator, **{**BLANK, **changes})
    assert message in " ".join(refused.value.message_dict[field])
    assert Event.objects.count() == before and not Day.objects.filter(
        event__slug=BLANK["slug"]).exists()


def test_the_guided_form_creates_the_draft_and_leads_to_its_page(client, creator):
    login_verified(client, creator)
    page = client.get(reverse("events_manage:new")).content.decode()
    for module in Module.values:
        assert f'value="{module}"' in page
    response = client.post(reverse("events_manage:new"), _form())
    event = Event.objects.get(slug=BLANK["slug"])
    assert response.status_code == 302
    assert response["Location"] == reverse("events_manage:settings", args=[event.slug])
    bad = client.post(reverse("events_manage:new"), _form(slug="tritium-2028"))
    assert bad.status_code == 400 and "already the address" in bad.content.decode()


# The life cycle -------------------------------------------------------------------------------

def test_the_life_cycle_table_refuses_in_words():
    with pytest.raises(LIFE_CYCLE.IllegalTransition,
                       match="An event that is “draft” cannot become “draft”"):
        LIFE_CYCLE.check(EventStatus.DRAFT, EventStatus.DRAFT)


def test_a_draft_is_seen_by_its_team_only(client, creator, make_user):
    event = services.create_event(by=creator, **BLANK)
    url = event.get_absolute_url()
    assert client.get(url).status_code == 404
    assert client.get("/").content.decode().count(BLANK["title"]) == 0
    client.force_login(make_user("stranger@test.invalid"))
    assert client.get(url).status_code == 404
    reviewer = make_user("reviewer@test.invalid")
    TeamMembership.objects.create(event=event, user=reviewer, role=TeamMembership.Role.REVIEWER)
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    client.force_login(creator)
    page = client.get(url)
    assert page.status_code == 200 and "Draft: only the event" in page.content.decode()


def test_publish_archive_and_reopen_through_the_life_cycle(client, creator, make_user):
    event = services.create_event(by=creator, **BLANK)
    services.change_status(event, "publish", by=creator)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    assert client.get(event.get_absolute_url()).status_code == 200
    services.change_status(event, "archive", by=creator)
    event.refresh_from_db()
    assert event.is_archived and event.is_published
    assert client.get(event.get_absolute_url()).status_code == 200  # still public
    with pytest.raises(LIFE_CYCLE.IllegalTransition):
        services.change_status(event, "publish", by=creator)
    services.change_status(event, "reopen", by=creator)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert list(EventTransition.objects.filter(event=event).values_list(
        "from_status", "to_status")) == [("draft", "published"), ("published", "archived"),
                                         ("archived", "published")]
    assert AuditEntry.objects.filter(action="events.status", object_id=str(event.pk)).count() \
        == 3
    with pytest.raises(PermissionDenied):
        services.change_status(event, "archive", by=make_user("x@test.invalid"))


def test_an_archived_draft_is_never_public(client, creator):
    event = services.create_event(by=creator, **BLANK)
    services.change_status(event, "archive", by=creator)
    assert client.get(event.get_absolute_url()).status_code == 404
    services.change_status(event, "reopen", by=creator)
    event.refresh_from_db()
    assert event.status == EventStatus.DRAFT


def test_the_status_page_publishes(client, creator):
    event = services.create_event(by=creator, **BLANK)
    login_verified(client, creator)
    page = client.get(reverse("events_manage:settings", args=[event.slug])).content.decode()
    assert 'value="publish"' in page and 'value="reopen"' not in page
    response = client.post(reverse("events_manage:status", args=[event.slug]),
                           {"action": "publish"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    history = client.get(reverse("events_manage:settings", args=[event.slug])).content.decode()
    assert "Draft → Published" in history and creator.email in history
    refused = client.post(reverse("events_manage:status", args=[event.slug]),
                          {"action": "publish"})
    assert refused.status_code == 409


@pytest.fixture
def archived(event, organiser):
    services.change_status(event, "archive", by=organiser)
    event.refresh_from_db()
    return event


def test_an_archived_event_refuses_every_write_with_a_clear_message(archived, organiser):
    message = "is archived: it is read-only"
    with pytest.raises(EventArchived, match=message):
        services.receive_contact_message(archived, name="A", email="a@test.invalid",
                                         organisation="", topic="general", message="Hello")
    day = archived.days.first()
    day.label = "Changed"
    with pytest.raises(EventArchived, match=message):
        day.save()
    # A delete runs in Django's own transaction: the refusal ends it, as it would a request's.
    with pytest.raises(EventArchived, match=message), transaction.atomic():
        day.delete()
    archived.title = "Changed"
    with pytest.raises(EventArchived, match=message):
        archived.save()
    with pytest.raises(EventArchived, match=message):
        services.set_modules(archived, ["registration"], by=organiser)
    with pytest.raises(EventArchived, match=message):
        dates.apply(archived, archived.start_date, archived.end_date, by=organiser,
                    confirmed="")
    with pytest.raises(EventArchived), transaction.atomic():
        Event.objects.get(pk=archived.pk).delete()
    # Nothing changed.
    assert Day.objects.get(pk=day.pk).label != "Changed"
    assert Event.objects.get(pk=archived.pk).title != "Changed"
    # What is owed whatever the state (a person's data leaving, retention) still happens.
    with archived_writes_allowed():
        Day.objects.get(pk=day.pk).save()


def test_rows_one_step_away_are_guarded_too(archived):
    from fusionforum.programme.models import ProgrammeSession, Room

    with archived_writes_allowed():
        room = Room.objects.create(event=archived, name="Hall")
        session = ProgrammeSession.objects.create(
            event=archived, room=room, title="S", start=paris(2027, 5, 26, 9),
            end=paris(2027, 5, 26, 10))
    from fusionforum.programme.models import TalkSlot

    slot = TalkSlot(session=session, start=paris(2027, 5, 26, 9), duration_minutes=20)
    with pytest.raises(EventArchived):
        slot.save()


def test_an_archived_event_answers_posts_with_409_and_the_reason(client, archived, organiser):
    response = client.post(reverse("events:contact", args=[archived.slug]),
                           {"name": "A", "email": "a@test.invalid", "topic": "general",
                            "message": "Hello"})
    assert response.status_code == 409
    assert "is archived: it is read-only" in response.content.decode()
    assert not ContactMessage.objects.filter(event=archived).exists()
    page = client.get(reverse("events:contact", args=[archived.slug])).content.decode()
    assert "This event is archived" in page and "Send message" not in page
    login_verified(client, organiser)
    refused = client.post(reverse("events_manage:modules", args=[archived.slug]),
                          {"modules": ["registration"]})
    assert refused.status_code == 409
    # Pages are still there; the life-cycle page may reopen it.
    assert client.get(archived.get_absolute_url()).status_code == 200
    assert client.post(reverse("events_manage:status", args=[archived.slug]),
                       {"action": "reopen"}).status_code == 302


def test_account_deletion_still_reaches_an_archived_event(archived, make_user):
    from fusionforum.accounts.services import delete_account

    person = make_user("leaving@test.invalid")
    with archived_writes_allowed():
        ContactMessage.objects.create(event=archived, name="Leaving", email=person.email,
                                      message="Hi", received_at=paris(2027, 5, 1))
    delete_account(person)
    assert ContactMessage.objects.get(event=archived).name == "(deleted)"


# Modules --------------------------------------------------------------------------------------

MODULE_PAGES = [
    ("registration", "registration:mine", True),
    ("call", "cfp:call", True),
    ("programme", "programme:programme", True),
    ("programme", "programme_manage:editor", False),
    ("meetings", "meetings:home", True),
    ("visits", "visits:home", True),
    ("outcomes", "outcomes:report", True),
    ("outcomes", "outcomes_manage:editor", False),
]


@pytest.mark.parametrize(("module", "name", "public"), MODULE_PAGES)
def test_a_module_switched_off_has_no_pages(client, event, organiser, module, name, public):
    from django.urls import NoReverseMatch

    try:
        url = reverse(name, args=[event.slug])
    except NoReverseMatch:
        pytest.skip(f"{name} takes other arguments")
    login_verified(client, organiser)
    from fusionforum.events.modules import REQUIRES

    off = {module}
    off |= {m for m, needs in REQUIRES.items() if module in needs}
    services.set_modules(event, [m for m in Module.values if m not in off], by=organiser)
    event.refresh_from_db()
    assert module not in event.modules
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    home = client.get(event.get_absolute_url()).content.decode()
    assert f'href="{url}"' not in home


def test_a_module_switched_on_has_its_pages(client, event, organiser):
    login_verified(client, organiser)
    url = reverse("programme_manage:editor", args=[event.slug])
    services.set_modules(event, ["registration"], by=organiser)
    assert client.get(url).status_code == 404
    services.set_modules(event, ["registration", "programme"], by=organiser)
    assert client.get(url).status_code == 200


def test_modules_that_need_another_are_refused(event, organiser):
    with pytest.raises(ValidationError, match="needs Registration"):
        services.set_modules(event, ["call"], by=organiser)
    event.refresh_from_db()
    assert event.modules == list(Module.values)
    services.set_modules(event, [], by=organiser)
    assert AuditEntry.objects.filter(action="events.modules").count() == 1


def test_the_staff_home_links_only_the_modules_on(client, event, organiser):
    services.set_modules(event, ["registration"], by=organiser)
    login_verified(client, organiser)
    home = client.get(reverse("staff_home")).content.decode()
    assert reverse("registration:desk_registrations", args=[event.slug]) in home
    assert reverse("programme_manage:editor", args=[event.slug]) not in home
    assert reverse("events_manage:settings", args=[event.slug]) in home


# Changing the dates ---------------------------------------------------------------------------

@pytest.fixture
def busy_event(event):
    """A session on day 3, a tour run on day 3 and the meetings day on day 3."""
    from fusionforum.meetings.models import MeetingSettings
    from fusionforum.programme.models import ProgrammeSession, Room
    from fusionforum.visits.models import TourRun, TourType

    room = Room.objects.create(event=event, name="Hall")
    ProgrammeSession.objects.create(event=event, room=room, title="Opening",
                                    start=paris(2027, 5, 26, 9), end=paris(2027, 5, 26, 10))
    ProgrammeSession.objects.create(event=event, room=room, title="Late night panel",
                                    start=paris(2027, 5, 28, 23), end=paris(2027, 5, 29, 1))
    tour = TourType.objects.create(event=event, name="Magnet hall", description="Tour")
    TourRun.objects.create(tour=tour, start=paris(2027, 5, 28, 14), meeting_point="Gate")
    MeetingSettings.objects.create(event=event, date=dt.date(2027, 5, 28),
                                   requests_open_at=paris(2027, 5, 1),
                                   requests_close_at=paris(2027, 5, 20))
    return event


def test_the_preview_lists_everything_that_no_longer_fits_and_saves_nothing(busy_event):
    event = busy_event
    plan = dates.plan(event, dt.date(2027, 5, 26), dt.date(2027, 5, 27))
    kinds = sorted((m.kind, m.name) for m in plan.misfits)
    assert kinds == [("Meeting slots", "The meetings day, with 0 meetings placed"),
                     ("Programme session", "Late night panel"),
                     ("Tour run", "Magnet hall")]
    assert [d.label for d in plan.removed] == ["Day 3: open doors"]
    assert Event.objects.get(pk=event.pk).end_date == dt.date(2027, 5, 28)
    assert event.days.count() == 3


def test_a_session_past_midnight_fits_when_the_next_day_is_the_events(busy_event):
    plan = dates.plan(busy_event, dt.date(2027, 5, 26), dt.date(2027, 5, 29))
    assert plan.misfits == [] and plan.new_days == [dt.date(2027, 5, 29)]


def test_moving_the_event_moves_its_days_in_one_transaction(busy_event, organiser):
    event = busy_event
    start, end = dt.date(2027, 6, 1), dt.date(2027, 6, 4)
    plan = dates.plan(event, start, end)
    assert len(plan.misfits) == 4  # everything is outside the new dates
    dates.apply(event, start, end, by=organiser, confirmed=plan.fingerprint())
    event.refresh_from_db()
    assert (event.start_date, event.end_date) == (start, end)
    assert [(d.label, d.date) for d in event.days.order_by("date")] == [
        ("Day 1: breakthroughs", dt.date(2027, 6, 1)), ("Day 2: challenges", dt.date(2027, 6, 2)),
        ("Day 3: open doors", dt.date(2027, 6, 3)), ("Day 4", dt.date(2027, 6, 4))]
    entry = AuditEntry.objects.get(action="events.dates")
    assert len(entry.data["misfits"]) == 4


def test_moving_a_day_earlier_keeps_the_days_apart(event, organiser):
    plan = dates.plan(event, dt.date(2027, 5, 25), dt.date(2027, 5, 27))
    dates.apply(event, plan.start, plan.end, by=organiser, confirmed=plan.fingerprint())
    assert [d.date for d in event.days.order_by("date")] == [
        dt.date(2027, 5, 25), dt.date(2027, 5, 26), dt.date(2027, 5, 27)]


def test_a_stale_preview_is_refused_and_nothing_moves(busy_event, organiser):
    from fusionforum.programme.models import ProgrammeSession

    event = busy_event
    plan = dates.plan(event, dt.date(2027, 5, 26), dt.date(2027, 5, 27))
    ProgrammeSession.objects.filter(title="Opening").update(start=paris(2027, 5, 28, 9),
                                                            end=paris(2027, 5, 28, 10))
    with pytest.raises(dates.Stale):
        dates.apply(event, plan.start, plan.end, by=organiser, confirmed=plan.fingerprint())
    event.refresh_from_db()
    assert event.end_date == dt.date(2027, 5, 28) and event.days.count() == 3


def test_the_dates_page_previews_then_applies(client, busy_event, organiser):
    event = busy_event
    login_verified(client, organiser)
    url = reverse("events_manage:dates", args=[event.slug])
    assert client.get(url).status_code == 200
    preview = client.post(url, {"start_date": "2027-05-26", "end_date": "2027-05-27"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Late night panel" in html and "Magnet hall" in html and "Meeting slots" in html
    event.refresh_from_db()
    assert event.end_date == dt.date(2027, 5, 28)
    fingerprint = dates.plan(event, dt.date(2027, 5, 26), dt.date(2027, 5, 27)).fingerprint()
    assert f'value="{fingerprint}"' in html
    done = client.post(url, {"start_date": "2027-05-26", "end_date": "2027-05-27",
                             "confirm": fingerprint})
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.end_date == dt.date(2027, 5, 27) and event.days.count() == 2
    bad = client.post(url, {"start_date": "2027-05-27", "end_date": "2027-05-01"})
    assert bad.status_code == 400 and "cannot end before it starts" in bad.content.decode()


def test_the_back_office_leaves_dates_and_status_to_their_pages(client, event, admin):
    login_verified(client, admin)
    page = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'name="start_date"' not in page and 'name="status"' not in page


# Editions -------------------------------------------------------------------------------------

def test_a_clone_is_a_draft_in_the_series_of_its_source(event, organiser):
    from fusionforum.outcomes import editions

    services.change_status(event, "archive", by=organiser)
    event.refresh_from_db()
    new = editions.clone_edition(event, new_slug="workshop-2028", new_title="Workshop 2028",
                                 new_start_date=dt.date(2028, 5, 24), by=organiser)
    event.refresh_from_db()
    assert new.status == EventStatus.DRAFT and new.published_at is None
    assert new.series_id is not None and new.series_id == event.series_id
    assert new.series.name == "Test Fusion Workshop"
    assert new.modules == event.modules


def test_the_back_office_names_and_removes_creators_through_the_service(client, admin, make_user,
                                                                         organiser):
    person = make_user("named@test.invalid")
    login_verified(client, admin)
    response = client.post(reverse("admin:events_eventcreator_add"), {"user": person.pk})
    assert response.status_code == 302
    creator = EventCreator.objects.get(user=person)
    assert creator.granted_by == admin
    assert AuditEntry.objects.filter(action="events.creator_named").exists()
    response = client.post(reverse("admin:events_eventcreator_delete", args=[creator.pk]),
                           {"post": "yes"})
    assert response.status_code == 302 and not EventCreator.objects.exists()
    assert AuditEntry.objects.filter(action="events.creator_removed").exists()
    login_verified(client, organiser)
    assert client.get(reverse("admin:events_eventcreator_changelist")).status_code in (302, 403)


def test_every_tool_of_a_new_event_opens_for_its_organiser(client, creator):
    """A blank event has no settings yet for any module: each tool its organiser is offered
    opens (to set it up or to say what is missing), never a server error."""
    import re

    event = services.create_event(by=creator, **{**BLANK, "modules": list(Module.values)})
    login_verified(client, creator)
    home = client.get(reverse("staff_home")).content.decode()
    links = sorted(set(re.findall(rf'href="(/manage/{event.slug}/[^"]*)"', home)))
    assert len(links) >= 8
    problems = {}
    for link in links:
        status = client.get(link).status_code
        if status >= 500 or status == 404:
            problems[link] = status
    public = [f"/{event.slug}/", f"/{event.slug}/programme/", f"/{event.slug}/call/",
              f"/{event.slug}/registration/", f"/{event.slug}/outcomes/"]
    for link in public:
        if client.get(link).status_code >= 500:
            problems[link] = "5xx"
    assert not problems, problems


def test_an_import_widens_the_dates_with_a_day_for_each_new_date(event, organiser, make_user):
    services.extend_dates(event, start_date=event.start_date,
                          end_date=dt.date(2027, 5, 30), by=organiser)
    event.refresh_from_db()
    assert event.end_date == dt.date(2027, 5, 30)
    assert [d.date for d in event.days.order_by("date")][-2:] == [dt.date(2027, 5, 29),
                                                                  dt.date(2027, 5, 30)]
    assert event.days.get(date=dt.date(2027, 5, 29)).label == "Saturday 29 May"
    # A management command (no person) may; someone who is no organiser may not.
    services.extend_dates(event, start_date=dt.date(2027, 5, 25), end_date=event.end_date,
                          by=None, system=True)
    with pytest.raises(PermissionDenied):
        services.extend_dates(event, start_date=dt.date(2027, 5, 24),
                              end_date=event.end_date, by=make_user("x@test.invalid"))
    with pytest.raises(ValidationError, match="remove days"):
        services.extend_dates(event, start_date=dt.date(2027, 5, 27),
                              end_date=event.end_date, by=organiser)
