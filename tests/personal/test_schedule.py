""""My workshop" on the demo: what appears, clashes, same-day changes, role isolation (nobody
sees another's items), the calendar feed (parsed with icalendar: only its owner's items, a
SEQUENCE that grows with a change) and the reset of its address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escapejs
from icalendar import Calendar

from fusionforum.accounts.models import User
from fusionforum.cfp.models import Submission
from fusionforum.core import clock
from fusionforum.core.models import AuditEntry
from fusionforum.meetings import agenda as meetings_agenda
from fusionforum.personal import schedule as schedule_module
from fusionforum.personal import services
from fusionforum.personal.demo import DEMO_SCHEDULE_PERSON
from fusionforum.personal.models import PersonalFeed
from fusionforum.programme import agenda as programme_agenda
from fusionforum.programme import releases
from fusionforum.programme import services as programme_services
from fusionforum.programme.models import ProgrammeSession, TalkSlot
from fusionforum.visits import services as visit_services
from fusionforum.visits.models import Seat
from tests.rolled_back import demo_rolled_back, rolled_back

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 5, 26)
ORGANISER = "organiser@demo.fusionforum.invalid"
ADA = "ada.example@demo.fusionforum.invalid"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with demo_rolled_back(django_db_blocker, TODAY) as event:
        yield event


@pytest.fixture
def event(world, django_db_blocker):
    """The demo, each test in its own savepoint rolled back after it."""
    with django_db_blocker.unblock():
        atomic = rolled_back()
        atomic.__enter__()
        try:
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def person(email=DEMO_SCHEDULE_PERSON):
    return User.objects.get(email=email)


def kinds(schedule):
    return {item.kind for item in schedule.items}


def feed_entries(client, event, token):
    response = client.get(reverse("personal:feed", args=[event.slug, token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_demo_person_has_a_talk_meeting_tour_deadline_and_clash(event):
    schedule = services.schedule(event, person())
    assert {"talk", "meeting", "tour", "deadline"} <= kinds(schedule)
    assert schedule.clash_count >= 2
    assert schedule.registration_status == "Confirmed"
    starts = [item.start for item in schedule.items]
    assert starts == sorted(starts)
    clashing = [item for item in schedule.items if item.clashes]
    for item in clashing:
        assert all(item.overlaps(other) for other in item.clashes)
        assert all(other.takes_time for other in item.clashes)


def test_items_come_from_each_app_and_are_the_persons_own(event):
    user = person()
    schedule = services.schedule(event, user)
    meetings = {f"meeting-{m['request']}" for m in meetings_agenda.feed_meetings(event, user)}
    assert {i.key for i in schedule.items if i.kind == "meeting"} == meetings
    seats = {f"seat-{s.pk}" for s in visit_services.seats_of(event, user)}
    assert {i.key for i in schedule.items if i.kind in ("tour", "waiting")} == seats
    # The talk they give: their speaker profile's code is among the talk's speakers.
    given = [i for i in schedule.items if i.kind == "talk"]
    assert given
    for item in given:
        submission = Submission.objects.get(code=item.key.removeprefix("talk-"))
        assert submission.speakers.filter(pk=user.pk).exists()


def test_nobody_sees_anothers_items(event):
    ines, ada = person(), person(ADA)
    mine, theirs = services.schedule(event, ines), services.schedule(event, ada)
    private = ("meeting", "tour", "waiting", "deadline")
    ines_keys = {i.key for i in mine.items if i.kind in private}
    ada_keys = {i.key for i in theirs.items if i.kind in private}
    # Both have meetings and seats, and none of them is the other's.
    assert ines_keys and ada_keys
    assert not ({k for k in ines_keys if not k.startswith("deadline")}
                & {k for k in ada_keys if not k.startswith("deadline")})
    for seat_key in (k for k in ada_keys if k.startswith("seat-")):
        assert Seat.objects.get(pk=seat_key.removeprefix("seat-")).user == ada
    # Stars are per person: Ada's starred talks are not on Ines's page (unless her own).
    for code in programme_agenda.starred_codes(ada, event):
        item = next((i for i in mine.items if i.key == f"talk-{code}"), None)
        assert item is None or item.kind != "star" or \
            code in programme_agenda.starred_codes(ines, event)


def test_starred_overlapping_talks_clash_and_a_deadline_never_does(event):
    ada = person(ADA)
    before = services.schedule(event, ada)
    own = {i.key for i in before.items}
    programme = programme_agenda.public.latest(event)
    first, second = next((a, b) for a in programme.talks for b in programme.talks
                         if a.code < b.code and a.start < b.end and b.start < a.end
                         and a.session_id != b.session_id
                         and not {f"talk-{a.code}", f"talk-{b.code}"} & own)
    programme_agenda.star(ada, event, first.code)
    programme_agenda.star(ada, event, second.code)
    after = services.schedule(event, ada)
    added = next(i for i in after.items if i.key == f"talk-{first.code}")
    assert added.kind == "star"
    assert f"talk-{second.code}" in {c.key for c in added.clashes}
    assert after.clash_count >= before.clash_count + 2
    for item in after.items:
        if item.kind in ("deadline", "survey"):
            assert item.clashes == []


def test_page_shows_only_own_items_and_links_the_feed(event):
    ines, ada = person(), person(ADA)
    client = Client()
    client.force_login(ines)
    response = client.get(reverse("personal:mine", args=[event.slug]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    feed = PersonalFeed.objects.get(event=event, user=ines)
    assert feed.token in body
    mine = services.schedule(event, ines)
    for item in mine.items:
        assert f'id="item-{item.key}"' in body
    for item in services.schedule(event, ada).items:
        if item.kind in ("meeting", "tour", "waiting"):
            assert f'id="item-{item.key}"' not in body
    assert PersonalFeed.objects.get(event=event, user=ada).token not in body \
        if PersonalFeed.objects.filter(event=event, user=ada).exists() else True
    # Signed out: the log-in page.
    anonymous = Client().get(reverse("personal:mine", args=[event.slug]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_feed_gives_only_its_owners_items(event):
    ines, ada = person(), person(ADA)
    ines_feed, ada_feed = services.feed_for(event, ines), services.feed_for(event, ada)
    client = Client()  # a calendar app: no session
    ines_entries = feed_entries(client, event, ines_feed.token)
    ada_entries = feed_entries(client, event, ada_feed.token)
    assert len(ines_entries) == len(services.schedule(event, ines).items)
    assert all(str(e["UID"]).startswith(f"mine-{ines.pk}-") for e in ines_entries)
    assert all(str(e["UID"]).startswith(f"mine-{ada.pk}-") for e in ada_entries)
    ada_private = {i.key for i in services.schedule(event, ada).items
                   if i.kind in ("meeting", "tour", "waiting")}
    ines_uids = {str(e["UID"]) for e in ines_entries}
    assert not any(f"-{key}-" in uid for key in ada_private for uid in ines_uids)
    for entry in ines_entries:
        assert entry["DTSTART"].dt.tzinfo is not None and "DTSTAMP" in entry
        assert int(entry["SEQUENCE"]) == 0
    deadlines = [e for e in ines_entries if str(e["SUMMARY"]).startswith("Deadline:")]
    assert deadlines and all(str(e["TRANSP"]) == "TRANSPARENT" for e in deadlines)
    clash = [e for e in ines_entries if "Clashes with:" in str(e["DESCRIPTION"])]
    assert len(clash) >= 2
    # No meeting topic ever leaves the site.
    assert all("Topic" not in str(e.get("DESCRIPTION", "")) for e in ines_entries)
    # Unknown or over-long tokens: nothing.
    assert client.get(reverse("personal:feed", args=[event.slug, "nope"])).status_code == 404
    assert client.get(reverse("personal:feed", args=[event.slug, "x" * 80])).status_code == 404


def test_reset_invalidates_the_old_address(event):
    ines = person()
    client = Client()
    client.force_login(ines)
    old = services.feed_for(event, ines).token
    assert feed_entries(Client(), event, old)
    response = client.post(reverse("personal:feed_reset", args=[event.slug]))
    assert response.status_code == 302
    new = PersonalFeed.objects.get(event=event, user=ines).token
    assert new != old
    assert Client().get(reverse("personal:feed", args=[event.slug, old])).status_code == 404
    assert feed_entries(Client(), event, new)
    assert AuditEntry.objects.filter(action="personal.feed_reset", actor=ines).exists()
    # Resetting needs a session: a signed-out POST goes to the log-in page, nothing changes.
    refused = Client().post(reverse("personal:feed_reset", args=[event.slug]))
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]
    assert PersonalFeed.objects.get(event=event, user=ines).token == new


def _move_talk_today(event, code):
    """Move the talk ``code`` to another session (another room or time) and release."""
    organiser = person(ORGANISER)
    submission = Submission.objects.get(code=code)
    slot = TalkSlot.objects.get(submission=submission)
    for session in ProgrammeSession.objects.filter(event=event, kind="talks").exclude(
            pk=slot.session_id).order_by("start"):
        try:
            with transaction.atomic():
                programme_services.place_talk(event, submission, session, by=organiser)
        except (programme_services.ProgrammeConflict, programme_services.InvalidChange):
            continue
        break
    releases.release(event, by=organiser, comment="Moved a talk", notify=False)


def test_same_day_changes_on_the_page_and_in_the_feed(event):
    ines = person()
    before = services.schedule(event, ines)
    assert before.changes == []
    talk = next(i for i in before.items if i.kind == "talk")
    token = services.feed_for(event, ines).token
    first = {str(e["UID"]): e for e in feed_entries(Client(), event, token)}
    _move_talk_today(event, talk.key.removeprefix("talk-"))
    # An organiser cancels one of her tour seats today.
    seat = Seat.objects.filter(run__tour__event=event, user=ines, status="held").first()
    visit_services.cancel(seat, by=person(ORGANISER), note="Coach broke down")

    after = services.schedule(event, ines)
    moved = next(i for i in after.items if i.key == talk.key)
    assert moved.changes and ("moved" in moved.changes[0] or "room" in moved.changes[0])
    texts = [text for _item, text in after.changes]
    assert any("was cancelled" in text and seat.run.tour.name in text for text in texts)
    client = Client()
    client.force_login(ines)
    body = client.get(reverse("personal:mine", args=[event.slug])).content.decode()
    assert "Changed today" in body and "was cancelled" in body

    entries = {str(e["UID"]): e for e in feed_entries(Client(), event, token)}
    uid = f"mine-{ines.pk}-{talk.key}-{event.slug}@"
    changed = next(e for u, e in entries.items() if u.startswith(uid))
    assert str(changed["SUMMARY"]).startswith("Changed:")
    assert "Changed today:" in str(changed["DESCRIPTION"])
    previous = next(e for u, e in first.items() if u.startswith(uid))
    assert int(changed["SEQUENCE"]) == int(previous["SEQUENCE"]) + 1
    assert any(str(e["SUMMARY"]) == "Changes today" for e in entries.values())
    # The seat is gone from her items; nobody else is told.
    assert f"seat-{seat.pk}" not in {i.key for i in after.items}
    assert not [t for _i, t in services.schedule(event, person(ADA)).changes
                if "Coach" in t or seat.run.tour.name in t and "cancelled" in t]


def test_own_cancellation_and_yesterdays_changes_are_not_told(event):
    ines = person()
    seat = Seat.objects.filter(run__tour__event=event, user=ines, status="held").first()
    visit_services.cancel(seat, by=ines)
    assert services.schedule(event, ines).changes == []
    tomorrow = clock.now() + dt.timedelta(days=1)
    other = Seat.objects.filter(run__tour__event=event, user=ines, status="held").first()
    if other is not None:
        visit_services.cancel(other, by=person(ORGANISER))
        assert services.schedule(event, ines, now=tomorrow).changes == []


def test_personal_data_download_and_forgetting(event):
    from fusionforum.personal import personal_data

    ines = person()
    services.feed_for(event, ines)
    provided = personal_data.provide(ines)["workshop_calendar_feeds"]
    assert [row["event_slug"] for row in provided] == [event.slug]
    assert "token" not in provided[0]
    personal_data.anonymise(ines)
    assert not PersonalFeed.objects.filter(user=ines).exists()


def test_service_worker_is_scoped_to_the_page(event):
    response = Client().get(reverse("personal:worker", args=[event.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == f"/{event.slug}/mine/"
    body = response.content.decode()
    assert escapejs(f"/{event.slug}/mine/") in body and "caches" in body
    assert Client().get("/no-such-event/mine/sw.js").status_code == 404


def test_kind_labels_cover_every_kind():
    assert set(schedule_module.KIND_LABELS) == schedule_module.TAKES_TIME | {"deadline",
                                                                             "survey"}


def test_readme_and_docs_name_the_demo_person():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert DEMO_SCHEDULE_PERSON in (root / "README.md").read_text()
    assert DEMO_SCHEDULE_PERSON in (root / "docs" / "my-workshop.md").read_text()
