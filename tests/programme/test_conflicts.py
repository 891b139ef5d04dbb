"""Every conflict rule, refused (with a message naming the other talk or session and the
times, nothing written) and allowed, through the services; and the lock under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection

from fusionforum.programme import conflicts, services
from fusionforum.programme.conflicts import ProgrammeConflict
from fusionforum.programme.models import ProgrammeSession, TalkSlot


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ProgrammeConflict) as error:
        call(*args, **kwargs)
    return str(error.value)


# Speaker in two places ---------------------------------------------------------------------


def test_speaker_cannot_give_two_overlapping_talks(event, organiser, sessions, placed_talks,
                                                   make_submission):
    tess = placed_talks["tokamak_1"].submission.speakers.get()
    second = make_submission(author=tess, state="accepted", title="Second torus talk")
    message = refused(services.place_talk, event, second, sessions["stellarator"],
                      start="09:40", duration_minutes=20, by=organiser)
    assert "Tess Torus already speaks in “Compact torus results”" in message
    assert "09:30-09:50" in message and "Main auditorium" in message
    assert not TalkSlot.objects.filter(submission=second).exists()
    # Right after her first talk, in the other room: fine.
    slot = services.place_talk(event, second, sessions["stellarator"], start="10:00",
                               duration_minutes=20, by=organiser)
    assert slot.session == sessions["stellarator"]


def test_co_speaker_counts_too(event, organiser, sessions, placed_talks, make_submission,
                               make_participant):
    mag = placed_talks["tokamak_2"].submission.speakers.get()
    lead = make_participant(full_name="Lead Speaker")
    joint = make_submission(author=lead, speakers=[lead, mag], state="accepted",
                            title="Joint talk")
    message = refused(services.place_talk, event, joint, sessions["stellarator"],
                      start="10:00", duration_minutes=20, by=organiser)
    assert "Mag Netic already speaks in “HTS magnet campaign”" in message


def test_speaker_cannot_chair_an_overlapping_session(event, organiser, sessions, placed_talks,
                                                     local):
    stella = placed_talks["stellarator_1"].submission.speakers.get()
    message = refused(services.update_session, sessions["tokamak"], by=organiser,
                      chairs=[stella])
    assert "Stella Coil speaks in “Stellarator coil winding”" in message
    assert "cannot chair" in message
    assert not sessions["tokamak"].chairs.exists()
    # Chairing the session of her own talk is fine, and so is chairing day 2.
    services.update_session(sessions["stellarator"], by=organiser, chairs=[stella])
    services.update_session(sessions["suppliers"], by=organiser, chairs=[stella])
    assert set(sessions["suppliers"].chairs.all()) == {stella}


def test_chair_cannot_be_placed_as_speaker_elsewhere_at_the_same_time(
        event, organiser, sessions, make_submission, make_participant):
    chair = make_participant(full_name="Charlie Chair")
    services.update_session(sessions["tokamak"], by=organiser, chairs=[chair])
    talk = make_submission(author=chair, state="accepted", title="Chair's own talk")
    message = refused(services.place_talk, event, talk, sessions["stellarator"],
                      start="10:00", duration_minutes=20, by=organiser)
    assert "Charlie Chair chairs “Tokamak panel” in Main auditorium" in message
    assert "09:30-11:00" in message
    # In the session they chair: allowed.
    services.place_talk(event, talk, sessions["tokamak"], start="10:30", duration_minutes=20,
                        by=organiser)


def test_chair_cannot_chair_two_overlapping_sessions(event, organiser, sessions,
                                                     make_participant):
    chair = make_participant(full_name="Charlie Chair")
    services.update_session(sessions["tokamak"], by=organiser, chairs=[chair])
    message = refused(services.update_session, sessions["stellarator"], by=organiser,
                      chairs=[chair])
    assert "Charlie Chair already chairs “Tokamak panel”" in message


def test_chairs_must_be_registered_or_on_the_team(event, organiser, sessions, make_user,
                                                  make_participant, make_reviewer):
    stranger = make_user("stranger@test.invalid", full_name="Not Registered")
    with pytest.raises(services.InvalidChange, match="cannot chair"):
        services.update_session(sessions["tokamak"], by=organiser, chairs=[stranger])
    pending = make_participant(status="pending", full_name="Pending Person")
    with pytest.raises(services.InvalidChange):
        services.update_session(sessions["tokamak"], by=organiser, chairs=[pending])
    reviewer = make_reviewer()
    services.update_session(sessions["tokamak"], by=organiser, chairs=[reviewer, organiser])
    assert set(sessions["tokamak"].chairs.all()) == {reviewer, organiser}


# Rooms -------------------------------------------------------------------------------------


def test_two_sessions_in_one_room_cannot_overlap(event, organiser, sessions, rooms, local):
    message = refused(services.create_session, event, by=organiser, kind="talks",
                      title="Squeezed in", room=rooms["main"], start=local(1, "10:30"),
                      end=local(1, "11:15"))
    assert "Overlaps “Tokamak panel” in Main auditorium" in message
    assert "09:30-11:00" in message
    assert "Coffee break" in message  # the break concerns every room
    assert not ProgrammeSession.objects.filter(title="Squeezed in").exists()
    # Back to back is fine; the same time in another (new) room too.
    services.create_session(event, by=organiser, kind="talks", title="Afternoon",
                            room=rooms["main"], start=local(1, "11:30"), end=local(1, "12:30"))
    third = services.create_room(event, by=organiser, name="Room C")
    services.create_session(event, by=organiser, kind="talks", title="Parallel",
                            room=third, start=local(1, "09:30"), end=local(1, "10:30"))


def test_a_break_without_room_blocks_every_room(event, organiser, sessions, rooms, local):
    message = refused(services.create_session, event, by=organiser, kind="break",
                      title="Early coffee", room=None, start=local(1, "10:45"),
                      end=local(1, "11:00"))
    assert "Overlaps “Tokamak panel”" in message and "Overlaps “Stellarator session”" in message
    assert "across every room" in message


def test_moving_a_session_onto_another_is_refused(event, organiser, sessions, local):
    message = refused(services.update_session, sessions["stellarator"], by=organiser,
                      room=sessions["tokamak"].room)
    assert "Overlaps “Tokamak panel”" in message
    sessions["stellarator"].refresh_from_db()
    assert sessions["stellarator"].room.name == "Room B"


def test_talks_cannot_overlap_inside_a_session(event, organiser, sessions, placed_talks,
                                               make_submission):
    talk = make_submission(state="accepted", title="Overlapper")
    message = refused(services.place_talk, event, talk, sessions["tokamak"], start="09:45",
                      duration_minutes=15, by=organiser)
    assert "Overlaps “Compact torus results” (Wed 26 May 09:30-09:50)" in message
    assert "Overlaps “HTS magnet campaign”" in message
    services.place_talk(event, talk, sessions["tokamak"], start="10:10", duration_minutes=15,
                        by=organiser)


# Outside the day ---------------------------------------------------------------------------


def test_session_outside_the_event_days_or_too_long(event, organiser, rooms, local):
    before = local(0, "10:00")
    message = refused(services.create_session, event, by=organiser, kind="talks",
                      title="Too early", room=rooms["main"], start=before,
                      end=before + dt.timedelta(hours=1))
    assert "Tuesday 25 May 2027 is not one of the event's days" in message
    message = refused(services.create_session, event, by=organiser, kind="talks",
                      title="Marathon", room=rooms["main"], start=local(1, "09:00"),
                      end=local(2, "09:30"))
    assert "A session lasts at most 24 hours" in message
    # Ending exactly at midnight is still the same day.
    services.create_session(event, by=organiser, kind="talks", title="Late", room=rooms["main"],
                            start=local(1, "22:00"), end=local(2, "00:00"))
    assert not ProgrammeSession.objects.filter(title__in=["Too early", "Marathon"]).exists()


def test_a_session_may_run_past_midnight(event, organiser, rooms, local, make_submission):
    """Late-evening sessions are common: 23:00 to 01:00 belongs to the day it starts on, its
    talks may start after midnight, and the usual rules still hold across midnight."""
    night = services.create_session(event, by=organiser, kind="talks", title="Night owls",
                                    room=rooms["main"], start=local(1, "23:00"),
                                    end=local(2, "01:00"))
    # Even on the last day: the evening of the last day is still part of the event.
    services.create_session(event, by=organiser, kind="talks", title="Last night",
                            room=rooms["main"], start=local(3, "23:00"), end=local(4, "01:00"))
    late = make_submission(state="accepted", title="After midnight")
    slot = services.place_talk(event, late, night, by=organiser, start="00:15",
                               duration_minutes=30)
    assert slot.start == local(2, "00:15")
    early = make_submission(state="accepted", title="Before midnight")
    assert services.place_talk(event, early, night, by=organiser, start="23:30",
                               duration_minutes=30).start == local(1, "23:30")
    # A talk cannot run past the session's end after midnight either.
    message = refused(services.place_talk, event, make_submission(state="accepted"), night,
                      by=organiser, start="00:50", duration_minutes=20)
    assert "is outside its session" in message
    # Another session in the room right after midnight overlaps it.
    message = refused(services.create_session, event, by=organiser, kind="talks",
                      title="Too early next day", room=rooms["main"], start=local(2, "00:30"),
                      end=local(2, "02:00"))
    assert "Overlaps “Night owls”" in message
    assert conflicts.working_copy_problems(event) == []


def test_days_are_in_the_event_zone_not_utc(event, organiser, rooms, local):
    # 01:00 Paris on day 1 is 23:00 UTC the day before: still day 1.
    services.create_session(event, by=organiser, kind="talks", title="Very early",
                            room=rooms["main"], start=local(1, "01:00"), end=local(1, "02:00"))


def test_session_must_end_after_it_starts(event, organiser, rooms, local):
    with pytest.raises(services.InvalidChange, match="must end after it starts"):
        services.create_session(event, by=organiser, kind="talks", title="Backwards",
                                room=rooms["main"], start=local(1, "10:00"),
                                end=local(1, "09:00"))
    assert not ProgrammeSession.objects.exists()


# Talk longer than its slot, outside its session ----------------------------------------------


def test_talk_must_fit_inside_its_session(event, organiser, sessions, make_submission):
    talk = make_submission(state="accepted", title="Long talk")
    message = refused(services.place_talk, event, talk, sessions["suppliers"], start="10:00",
                      duration_minutes=45, by=organiser)
    assert "“Long talk” (Thu 27 May 10:00-10:45, 45 min) is outside its session" in message
    assert "runs Thu 27 May 09:00-10:30" in message
    message = refused(services.place_talk, event, talk, sessions["suppliers"], start="09:00",
                      duration_minutes=120, by=organiser)
    assert "is longer than its slot" in message
    message = refused(services.place_talk, event, talk, sessions["suppliers"], start="08:50",
                      duration_minutes=20, by=organiser)
    assert "outside its session" in message
    assert not TalkSlot.objects.filter(submission=talk).exists()
    slot = services.place_talk(event, talk, sessions["suppliers"], start="10:00",
                               duration_minutes=30, by=organiser)
    assert slot.end == sessions["suppliers"].end


def test_lengthening_a_talk_beyond_its_session_is_refused(event, organiser, placed_talks):
    slot = placed_talks["stellarator_1"]
    message = refused(services.set_duration, slot, 120, by=organiser)
    assert "Stellarator coil winding" in message
    slot.refresh_from_db()
    assert slot.duration_minutes == 30


def test_shrinking_a_session_under_its_talks_is_refused(event, organiser, placed_talks,
                                                        sessions, local):
    message = refused(services.update_session, sessions["tokamak"], by=organiser,
                      end=local(1, "10:00"))
    assert "“HTS magnet campaign” (Wed 26 May 09:50-10:10) would no longer fit" in message
    sessions["tokamak"].refresh_from_db()
    assert sessions["tokamak"].end == local(1, "11:00")


# Breaks and non-talk sessions -----------------------------------------------------------------


def test_no_talk_in_a_break_or_a_plenary(event, organiser, sessions, make_submission):
    talk = make_submission(state="accepted", title="Coffee talk")
    message = refused(services.place_talk, event, talk, sessions["coffee"], start="11:00",
                      duration_minutes=20, by=organiser)
    assert "“Coffee break” is a break" in message and "11:00-11:30" in message
    message = refused(services.place_talk, event, talk, sessions["opening"], start="09:00",
                      duration_minutes=20, by=organiser)
    assert "plenary" in message.lower()
    assert not TalkSlot.objects.filter(submission=talk).exists()


def test_a_session_with_talks_cannot_become_a_break(event, organiser, sessions, placed_talks):
    message = refused(services.update_session, sessions["tokamak"], by=organiser, kind="break")
    assert "holds 2 talks" in message


# Unschedulable submissions -------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "waitlisted", "withdrawn"])
def test_only_accepted_or_confirmed_talks_can_be_placed(event, organiser, sessions, state,
                                                        make_submission):
    talk = make_submission(state=state, title=f"A {state} talk")
    message = refused(services.place_talk, event, talk, sessions["tokamak"], start="10:30",
                      duration_minutes=20, by=organiser)
    assert "only accepted or confirmed talks can be placed" in message
    assert not TalkSlot.objects.exists()


@pytest.mark.parametrize("state", ["accepted", "confirmed"])
def test_accepted_and_confirmed_talks_can_be_placed(event, organiser, sessions, state,
                                                    make_submission):
    talk = make_submission(state=state)
    slot = services.place_talk(event, talk, sessions["tokamak"], by=organiser)
    assert slot.start == sessions["tokamak"].start
    assert slot.duration_minutes == 20  # the call's default length


def test_another_events_submission_or_session_is_refused(event, organiser, sessions,
                                                         make_submission, make_event):
    from fusionforum.cfp.models import Submission

    other = make_event(slug="elsewhere", title="Elsewhere", with_days=False)
    talk = make_submission(state="accepted")
    Submission.objects.filter(pk=talk.pk).update(event=other)
    talk.refresh_from_db()
    message = refused(services.place_talk, event, talk, sessions["tokamak"], by=organiser)
    assert "another event" in message
    foreign_session = ProgrammeSession.objects.create(
        event=other, kind="talks", title="Foreign", start=sessions["tokamak"].start,
        end=sessions["tokamak"].end)
    mine = make_submission(state="accepted")
    with pytest.raises(services.InvalidChange, match="another event"):
        services.place_talk(event, mine, foreign_session, by=organiser)


# Moving, first free time, whole working copy ---------------------------------------------------


def test_moving_a_talk_keeps_its_length_and_ignores_its_old_place(event, organiser,
                                                                  placed_talks, sessions):
    slot = placed_talks["tokamak_1"]
    moved = services.place_talk(event, slot.submission, sessions["tokamak"], start="10:10",
                                by=organiser)
    assert moved.pk == slot.pk and moved.duration_minutes == 20
    assert TalkSlot.objects.filter(submission=slot.submission).count() == 1


def test_without_a_start_a_talk_goes_after_the_last_one(event, organiser, placed_talks,
                                                        sessions, make_submission, local):
    talk = make_submission(state="accepted")
    slot = services.place_talk(event, talk, sessions["tokamak"], by=organiser)
    assert slot.start == local(1, "10:10")


def test_working_copy_problems_lists_each_problem_once(event, sessions, placed_talks, place,
                                                       make_submission):
    assert conflicts.working_copy_problems(event) == []
    clash = make_submission(state="accepted", title="Clash")
    place(clash, sessions["tokamak"], "09:35", 10)
    problems = conflicts.working_copy_problems(event)
    assert any("Clash" in p and "Compact torus results" in p for p in problems)
    assert len(problems) == len(set(problems))


def test_services_refuse_people_who_are_not_organisers(event, sessions, placed_talks,
                                                       make_participant, make_reviewer,
                                                       other_event_organiser, local, rooms):
    from django.core.exceptions import PermissionDenied

    talk = placed_talks["tokamak_1"].submission
    for person in (make_participant(), make_reviewer(), other_event_organiser):
        with pytest.raises(PermissionDenied):
            services.unplace_talk(event, talk, by=person)
        with pytest.raises(PermissionDenied):
            services.create_session(event, by=person, kind="talks", title="x",
                                    room=rooms["main"], start=local(2, "14:00"),
                                    end=local(2, "15:00"))
    assert TalkSlot.objects.filter(submission=talk).exists()


# Two organisers at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("sqlite" in settings.DATABASES["default"]["ENGINE"],
                    reason="threads on the in-memory SQLite test database share one connection")
def test_two_organisers_placing_at_once_cannot_create_an_overlap(event, organiser, sessions,
                                                                 make_submission, make_user,
                                                                 clock):
    from fusionforum.events.models import TeamMembership

    second = make_user("second-organiser@test.invalid", full_name="Second Organiser")
    TeamMembership.objects.create(event=event, user=second, role=TeamMembership.Role.ORGANISER)
    talks = [make_submission(state="accepted", title=f"Racing talk {n}") for n in range(2)]
    for _ in range(5):
        TalkSlot.objects.all().delete()
        barrier = threading.Barrier(2)
        outcomes = []

        def place(talk, by, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                services.place_talk(event, talk, sessions["tokamak"], start="09:30",
                                    duration_minutes=30, by=by)
                outcomes.append("placed")
            except ProgrammeConflict as conflict:
                outcomes.append(str(conflict))
            finally:
                connection.close()

        threads = [threading.Thread(target=place, args=(talk, by))
                   for talk, by in zip(talks, (organiser, second), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("placed") == 1, outcomes
        assert any("Overlaps “Racing talk" in o for o in outcomes)
        assert TalkSlot.objects.filter(session=sessions["tokamak"]).count() == 1
