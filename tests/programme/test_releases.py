"""Releases: numbering, refusals, change lists, e-mails to affected speakers, confidentiality."""

from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.db import connection

from fusionforum.cfp import lifecycle
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme import releases, services
from fusionforum.programme.models import Release, TalkSlot

from .conftest import CONFIDENTIAL_PHRASE


def test_first_release_is_version_1_with_every_talk_added(release_v1, placed_talks, event):
    assert release_v1.version == 1
    assert release_v1.comment == "First programme."
    changes = release_v1.changes
    assert changes["previous_version"] is None
    assert sorted(changes["added"]) == sorted(s.submission.code for s in placed_talks.values())
    assert changes["removed"] == changes["moved"] == changes["changed"] == []
    assert release_v1.snapshot["format"] == "fusionforum-programme/1"
    assert len(release_v1.snapshot["talks"]) == 3


def test_release_refused_when_nothing_changed(release_v1, event, organiser):
    with pytest.raises(releases.ReleaseRefused) as refused:
        releases.release(event, by=organiser, comment="again")
    assert "Nothing changed since version 1" in str(refused.value)
    assert Release.objects.filter(event=event).count() == 1


def test_release_refused_for_an_empty_programme(event, organiser):
    with pytest.raises(releases.ReleaseRefused, match="empty"):
        releases.release(event, by=organiser)
    assert not Release.objects.exists()


def test_release_refused_when_the_working_copy_has_conflicts(release_v1, event, organiser,
                                                               placed_talks, sessions, place,
                                                               make_submission):
    # Written behind the services' back (as the admin or a broken import could): an overlap.
    clash = make_submission(state="accepted", title="Overlapping talk")
    place(clash, sessions["tokamak"], "09:40", 20)
    with pytest.raises(releases.ReleaseRefused) as refused:
        releases.release(event, by=organiser)
    text = str(refused.value)
    assert "conflicts" in text and "Overlapping talk" in text and "Compact torus results" in text
    assert Release.objects.filter(event=event).count() == 1


def test_release_needs_an_organiser(event, placed_talks, make_participant, make_reviewer):
    from django.core.exceptions import PermissionDenied

    for person in (make_participant(), make_reviewer()):
        with pytest.raises(PermissionDenied):
            releases.release(event, by=person)
    assert not Release.objects.exists()


def test_versions_count_up_per_event(release_v1, event, organiser, placed_talks, local):
    services.set_duration(placed_talks["tokamak_2"], 25, by=organiser)
    second = releases.release(event, by=organiser, comment="Longer magnet talk")
    assert second.version == 2
    assert second.changes["previous_version"] == 1
    assert [r.version for r in releases.latest(event).__class__.objects.filter(event=event)] \
        == [2, 1]


def test_diff_lists_added_removed_moved_and_changed(release_v1, event, organiser, placed_talks,
                                                     sessions, make_submission, rooms):
    moved = placed_talks["tokamak_2"]
    services.place_talk(event, moved.submission, sessions["stellarator"], start="10:00",
                        duration_minutes=20, by=organiser)
    removed = placed_talks["stellarator_1"].submission
    services.unplace_talk(event, removed, by=organiser)
    added = make_submission(state="accepted", title="Brand new talk")
    services.place_talk(event, added, sessions["suppliers"], start="09:00",
                        duration_minutes=20, by=organiser)
    retitled = placed_talks["tokamak_1"].submission
    retitled.title = "Compact torus results, revised"
    retitled.save()
    services.update_session(sessions["suppliers"], by=organiser, title="Suppliers and industry")

    preview = releases.preview(event)
    assert preview.can_release and preview.next_version == 2
    second = releases.release(event, by=organiser, comment="Moves")
    changes = second.changes
    assert changes == preview.changes
    assert changes["added"] == [added.code]
    assert changes["removed"] == [removed.code]
    assert changes["moved"] == [{
        "code": moved.submission.code, "title": "HTS magnet campaign",
        "from": {"start": "2027-05-26T09:50:00+02:00", "end": "2027-05-26T10:10:00+02:00",
                 "room": "Main auditorium"},
        "to": {"start": "2027-05-26T10:00:00+02:00", "end": "2027-05-26T10:20:00+02:00",
               "room": "Room B"},
    }]
    assert changes["changed"] == [{"code": retitled.code,
                                   "title": "Compact torus results, revised",
                                   "fields": ["title"]}]
    assert {"id": sessions["suppliers"].pk, "title": "Suppliers and industry",
            "fields": ["title"]} in changes["sessions_changed"]


@pytest.mark.django_db(transaction=True)
def test_emails_go_to_affected_speakers_only(event, organiser, placed_talks, sessions, clock):
    releases.release(event, by=organiser, comment="First")
    first_wave = {tuple(e.to) for e in OutboundEmail.objects.filter(purpose="programme.release")}
    assert first_wave == {("tess.torus@test.invalid",), ("mag.netic@test.invalid",),
                          ("stella.coil@test.invalid",)}
    OutboundEmail.objects.all().delete()

    services.place_talk(event, placed_talks["tokamak_2"].submission, sessions["tokamak"],
                        start="10:20", duration_minutes=20, by=organiser)
    releases.release(event, by=organiser, comment="Magnets after the break")
    emails = list(OutboundEmail.objects.filter(purpose="programme.release"))
    assert [e.to for e in emails] == [["mag.netic@test.invalid"]]
    body = emails[0].body
    assert "“HTS magnet campaign” moved from Wednesday 26 May 2027, 09:50-10:10" in body
    assert "to Wednesday 26 May 2027, 10:20-10:40, Main auditorium" in body
    assert "Europe/Paris" in body
    assert "Magnets after the break" in body
    assert "version 2" in emails[0].subject


def test_one_email_per_person_lists_all_their_talks(event, organiser, sessions, place,
                                                    make_submission, make_participant,
                                                    django_capture_on_commit_callbacks):
    speaker = make_participant(email="busy@test.invalid", full_name="Busy Speaker")
    first = make_submission(author=speaker, state="accepted", title="First of two")
    second = make_submission(author=speaker, state="accepted", title="Second of two")
    place(first, sessions["tokamak"], "09:30")
    place(second, sessions["tokamak"], "10:00")
    with django_capture_on_commit_callbacks(execute=True):
        releases.release(event, by=organiser)
    emails = list(OutboundEmail.objects.filter(to=["busy@test.invalid"]))
    assert len(emails) == 1
    assert "First of two" in emails[0].body and "Second of two" in emails[0].body


def test_withdrawn_talk_leaves_the_working_copy_and_the_next_release_says_so(
        release_v1, event, organiser, placed_talks, django_capture_on_commit_callbacks):
    slot = placed_talks["tokamak_2"]
    submission = slot.submission
    lifecycle.move(submission, "withdrawn", by=submission.speakers.first())
    assert not TalkSlot.objects.filter(pk=slot.pk).exists()
    OutboundEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        second = releases.release(event, by=organiser, comment="A withdrawal")
    assert second.changes["removed"] == [submission.code]
    email = OutboundEmail.objects.get(purpose="programme.release")
    assert email.to == ["mag.netic@test.invalid"]
    assert "“HTS magnet campaign” is no longer in the programme." in email.body


def test_a_changed_decision_also_unplaces(event, organiser, placed_talks):
    submission = placed_talks["tokamak_1"].submission  # accepted, not yet confirmed
    lifecycle.move(submission, "waitlisted", by=organiser)
    assert not TalkSlot.objects.filter(submission=submission).exists()


def test_confidential_answers_never_reach_a_snapshot(release_v1, event, organiser,
                                                     placed_talks):
    for release in Release.objects.all():
        dumped = json.dumps(release.snapshot) + json.dumps(release.changes)
        assert CONFIDENTIAL_PHRASE not in dumped
    talk = next(t for t in release_v1.snapshot["talks"]
                if t["code"] == placed_talks["tokamak_1"].submission.code)
    assert "challenges" not in talk["answers"]
    assert "breakthroughs" in talk["answers"]
    assert CONFIDENTIAL_PHRASE not in json.dumps(releases.preview(event).snapshot)


def test_livestream_address_never_in_a_snapshot(event, organiser, make_stream, sessions,
                                                placed_talks):
    stream = make_stream(event)
    services.update_session(sessions["opening"], by=organiser, stream=stream)
    new = releases.release(event, by=organiser)
    dumped = json.dumps(new.snapshot)
    assert "secret-live-4711" not in dumped and "replay-4711" not in dumped
    opening = next(s for s in new.snapshot["sessions"] if s["id"] == sessions["opening"].pk)
    assert opening["stream"] == stream.pk


def test_release_invalidates_the_public_page_cache(event, organiser, placed_talks,
                                                   django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from fusionforum.core import pagecache

    before = cache.get(pagecache.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        releases.release(event, by=organiser)
    assert cache.get(pagecache.VERSION_KEY) != before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("sqlite" in settings.DATABASES["default"]["ENGINE"],
                    reason="threads on the in-memory SQLite test database share one connection")
def test_two_organisers_releasing_at_once_get_one_version(event, organiser, placed_talks,
                                                          clock):
    barrier = threading.Barrier(2)
    outcomes = []

    def release():
        try:
            barrier.wait()
            outcomes.append(releases.release(event, by=organiser, notify=False).version)
        except releases.ReleaseRefused as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 in outcomes
    assert any(isinstance(o, str) and "Nothing changed" in o for o in outcomes)
    assert Release.objects.filter(event=event).count() == 1
