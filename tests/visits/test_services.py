"""Seat life cycle, sign-up, allocation applied to the database, first come first served
after the close, the waiting list with clearance lead times and refusals, organiser moves,
and the providers for the vault and the meetings scheduler."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme.models import Release
from fusionforum.visits import services, states
from fusionforum.visits.models import Seat, SeatTransition
from fusionforum.visits.states import IllegalTransition, SeatStatus

from ..conftest import paris

pytestmark = pytest.mark.django_db

S = SeatStatus


# State machine ------------------------------------------------------------------------------


@pytest.mark.parametrize("current,target,allowed", [
    ("", S.HELD, True), ("", S.WAITLISTED, True), ("", S.CANCELLED, False),
    (S.HELD, S.CANCELLED, True), (S.HELD, S.REFUSED_CLEARANCE, True),
    (S.HELD, S.WAITLISTED, False), (S.HELD, S.EXPIRED, False),
    (S.WAITLISTED, S.HELD, True), (S.WAITLISTED, S.EXPIRED, True),
    (S.WAITLISTED, S.CANCELLED, True), (S.WAITLISTED, S.REFUSED_CLEARANCE, True),
    (S.CANCELLED, S.HELD, False), (S.REFUSED_CLEARANCE, S.HELD, False),
    (S.EXPIRED, S.WAITLISTED, False),
])
def test_transition_table(current, target, allowed):
    if allowed:
        states.check(current, target)
    else:
        with pytest.raises(IllegalTransition):
            states.check(current, target)


def test_every_transition_is_logged_and_illegal_ones_write_nothing(
        event, tours, allocated, make_participant, clearances, organiser):
    ada = make_participant("Ada")
    seat = services.take_seat(tours["main_am"], ada, by=ada)
    services.cancel(seat, by=organiser, note="by hand")
    log = list(SeatTransition.objects.filter(seat=seat).values_list(
        "from_status", "to_status", "by__email", "note"))
    assert log == [("", "held", ada.email, ""), ("held", "cancelled", organiser.email,
                                                  "by hand")]
    with pytest.raises(IllegalTransition):
        services._move(seat, S.HELD)
    seat.refresh_from_db()
    assert seat.status == S.CANCELLED and SeatTransition.objects.filter(seat=seat).count() == 2


# Sign-up ------------------------------------------------------------------------------------


def test_ranking_while_open(event, tours, clock, make_participant):
    ada = make_participant()
    services.save_ranking(event, ada, [tours["cryo_am"].pk, tours["main_pm"].pk])
    services.save_ranking(event, ada, [tours["main_pm"].pk])  # an edit replaces it
    assert [(p.run_id, p.rank) for p in services.ranking_of(event, ada)] == [
        (tours["main_pm"].pk, 1)]


@pytest.mark.parametrize("problem", ["duplicate", "other_event", "unknown"])
def test_bad_rankings_write_nothing(problem, event, tours, clock, make_participant, make_event):
    from fusionforum.visits.models import TourRun, TourType

    ada = make_participant()
    services.save_ranking(event, ada, [tours["main_am"].pk])
    if problem == "duplicate":
        ranking = [tours["main_pm"].pk, tours["main_pm"].pk]
    elif problem == "other_event":
        other = make_event(slug="other-2027")
        tour = TourType.objects.create(event=other, name="Elsewhere", description="x")
        ranking = [TourRun.objects.create(tour=tour, start=paris(2027, 5, 28, 9),
                                          meeting_point="x").pk]
    else:
        ranking = [999999]
    with pytest.raises(services.VisitError):
        services.save_ranking(event, ada, ranking)
    assert [p.run_id for p in services.ranking_of(event, ada)] == [tours["main_am"].pk]


def test_ranking_needs_open_window_and_confirmed_registration(event, tours, clock,
                                                             make_participant):
    from fusionforum.registration.states import Status

    pending = make_participant(status=Status.PENDING)
    with pytest.raises(services.VisitError, match="confirmed"):
        services.save_ranking(event, pending, [tours["main_am"].pk])
    clock.set(paris(2027, 5, 22, 0, 1))  # closed
    with pytest.raises(services.VisitError, match="not open"):
        services.save_ranking(event, make_participant(), [tours["main_am"].pk])


# Allocation ---------------------------------------------------------------------------------


def test_apply_allocation(event, tours, clock, make_participant, organiser, clearances,
                          django_capture_on_commit_callbacks):
    people = [make_participant(f"P{i}") for i in range(5)]
    main_am, main_pm, cryo = tours["main_am"], tours["main_pm"], tours["cryo_am"]
    # Everyone wants the morning main tour first (capacity 2) and the cryogenics plant
    # (capacity 1, overlapping it); P0 also the afternoon main tour, which P0 gets so that
    # three others fit in the morning seats.
    services.save_ranking(event, people[0], [main_am.pk, cryo.pk, main_pm.pk])
    for person in people[1:]:
        services.save_ranking(event, person, [main_am.pk, cryo.pk])
    with pytest.raises(services.VisitError):
        services.apply_allocation(event, by=organiser)  # still open
    clock.set(paris(2027, 5, 23, 9))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.apply_allocation(event, by=organiser)
    assert result.served == 4
    held = {(s.user_id, s.run_id) for s in Seat.objects.filter(status=S.HELD)}
    assert (people[0].pk, main_pm.pk) in held and len(held) == 4
    unserved = [p for p in people if not any(u == p.pk for u, _ in held)]
    assert len(unserved) == 1
    # The person without a tour is first on the waiting lists of the runs they asked for.
    for run in (main_am, cryo):
        first = services.waiting_list(run)[0]
        assert first.user_id == unserved[0].pk
        assert [services.waiting_position(s) for s in services.waiting_list(run)] == list(
            range(1, len(services.waiting_list(run)) + 1))
    assert OutboundEmail.objects.filter(purpose="visits.allocation").count() == 5
    assert services.phase(event) == "allocated"
    with pytest.raises(services.VisitError):
        services.apply_allocation(event, by=organiser)


def _release_with_talk(event, user, start, end):
    profile = SpeakerProfile.objects.create(event=event, user=user)
    Release.objects.create(event=event, version=1, released_at=paris(2027, 5, 1),
                           snapshot={"talks": [{"code": "TALK1", "title": "My talk",
                                                "start": start.isoformat(),
                                                "end": end.isoformat(),
                                                "speakers": [profile.code]}]})


def test_allocation_and_free_seats_avoid_the_persons_own_talk(event, tours, clock,
                                                              make_participant, organiser,
                                                              clearances):
    speaker = make_participant("Speaker")
    _release_with_talk(event, speaker, paris(2027, 5, 28, 9, 30), paris(2027, 5, 28, 10, 30))
    services.save_ranking(event, speaker, [tours["main_am"].pk, tours["main_pm"].pk])
    clock.set(paris(2027, 5, 23, 9))
    result = services.apply_allocation(event, by=organiser)
    assert result.assignment == {speaker.pk: [tours["main_pm"].pk]}
    assert not Seat.objects.filter(run=tours["main_am"]).exists()  # not even waiting
    with pytest.raises(services.VisitError, match="your talk"):
        services.take_seat(tours["cryo_am"], speaker)


# First come, first served after the close ----------------------------------------------------


def test_free_seats_then_waiting_list(event, tours, allocated, make_participant, clearances,
                                      django_capture_on_commit_callbacks):
    cryo = tours["cryo_am"]  # one seat
    ada, bo, cy = (make_participant(n) for n in ("Ada", "Bo", "Cy"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.take_seat(cryo, ada).status == S.HELD
    assert services.take_seat(cryo, bo).status == S.WAITLISTED
    assert services.take_seat(cryo, cy).status == S.WAITLISTED
    assert [s.user for s in services.waiting_list(cryo)] == [bo, cy]
    with pytest.raises(services.VisitError, match="already"):
        services.take_seat(cryo, bo)
    assert OutboundEmail.objects.filter(purpose="visits.seat", to=[ada.email]).exists()


def test_free_seat_refusals(event, tours, window, clock, make_participant, clearances):
    from fusionforum.registration.states import Status

    ada = make_participant()
    with pytest.raises(services.VisitError, match="allocated"):
        services.take_seat(tours["main_am"], ada)
    window.allocated_at = paris(2027, 5, 22, 12)
    window.save()
    clock.set(paris(2027, 5, 23, 9))
    with pytest.raises(services.VisitError, match="confirmed"):
        services.take_seat(tours["main_am"], make_participant(status=Status.PENDING))
    services.take_seat(tours["main_am"], ada)
    with pytest.raises(services.VisitError, match="overlaps"):
        services.take_seat(tours["cryo_am"], ada)
    with pytest.raises(services.VisitError, match="already have a seat on “Main tour”"):
        services.take_seat(tours["main_pm"], ada)
    clock.set(paris(2027, 5, 28, 14, 5))
    with pytest.raises(services.VisitError, match="started"):
        services.take_seat(tours["main_pm"], make_participant())
    assert Seat.objects.count() == 1


# Waiting list and clearance ------------------------------------------------------------------


def test_cancel_promotes_the_first_person_whose_clearance_can_still_be_approved(
        event, tours, allocated, clock, make_participant, clearances,
        django_capture_on_commit_callbacks):
    cryo = tours["cryo_am"]  # 28 May 10:00, 12 days' lead time: due 16 May
    holder, refused, late, approved, fine = (make_participant(n) for n in (
        "Holder", "Refused", "Late", "Approved", "Fine"))
    seat = services.take_seat(cryo, holder)
    for person in (refused, late, approved, fine):
        services.take_seat(cryo, person)
    clearances[refused.pk] = "refused"
    clearances[late.pk] = "submitted"
    clearances[approved.pk] = "approved"
    # Now is 23 May: too late for anyone not yet approved; the approved person is promoted.
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(seat, by=holder)
    assert Seat.objects.get(run=cryo, status=S.HELD).user == approved
    assert [s.user for s in services.waiting_list(cryo)] == [refused, late, fine]
    assert [services.waiting_position(s) for s in services.waiting_list(cryo)] == [1, 2, 3]
    mail = OutboundEmail.objects.get(purpose="visits.seat", to=[approved.email])
    assert "A seat has become free" in mail.subject
    promoted = SeatTransition.objects.filter(seat__user=approved, to_status="held").get()
    assert promoted.from_status == "waitlisted" and "promoted" in promoted.note


def test_early_enough_people_are_promoted_in_order(event, tours, window, clock,
                                                   make_participant, clearances):
    window.allocated_at = paris(2027, 5, 10)
    window.save()
    clock.set(paris(2027, 5, 12, 9))  # 16 days before the run: clearance still possible
    cryo = tours["cryo_am"]
    holder, first, second = (make_participant(n) for n in ("H", "First", "Second"))
    seat = services.take_seat(cryo, holder)
    services.take_seat(cryo, first)
    services.take_seat(cryo, second)
    clearances[first.pk] = "missing"
    services.cancel(seat)
    assert Seat.objects.get(run=cryo, status=S.HELD).user == first
    # Exactly on the deadline still counts; one second later does not.
    clock.set(paris(2027, 5, 16, 10))
    services.cancel(Seat.objects.get(run=cryo, status=S.HELD))
    assert Seat.objects.get(run=cryo, status=S.HELD).user == second


def test_refusal_frees_every_seat_and_promotes(event, tours, allocated, make_participant,
                                               clearances, organiser,
                                               django_capture_on_commit_callbacks):
    from fusionforum.vault.signals import clearance_decided

    ada, bo = make_participant("Ada"), make_participant("Bo")
    cryo = tours["cryo_am"]
    services.take_seat(cryo, ada)
    services.take_seat(tours["main_pm"], ada)
    services.take_seat(cryo, bo)
    clearances[ada.pk] = "refused"
    clearances[bo.pk] = "approved"
    with django_capture_on_commit_callbacks(execute=True):
        clearance_decided.send(sender=None, event=event, user=ada, status="refused",
                               by=organiser)
    assert set(Seat.objects.filter(user=ada).values_list("status", flat=True)) == {
        S.REFUSED_CLEARANCE}
    assert Seat.objects.get(run=cryo, status=S.HELD).user == bo
    assert OutboundEmail.objects.filter(purpose="visits.refused", to=[ada.email]).exists()
    # A refused person can never be promoted again.
    assert not services.clearance_possible(cryo, ada)


def test_approval_signal_changes_nothing(event, tours, allocated, make_participant,
                                         clearances):
    from fusionforum.vault.signals import clearance_decided

    ada = make_participant()
    services.take_seat(tours["cryo_am"], ada)
    clearance_decided.send(sender=None, event=event, user=ada, status="approved", by=None)
    assert Seat.objects.get(user=ada).status == S.HELD


def test_real_vault_status_for_seat_holders(event, tours, allocated, make_participant):
    ada, bo = make_participant(), make_participant()
    services.take_seat(tours["cryo_am"], ada)
    assert services.clearance_status(event, ada) == "missing"
    assert services.clearance_status(event, bo) == "not_required"
    assert services.clearance_statuses(event) == {ada.pk: "missing"}


# Organiser moves -----------------------------------------------------------------------------


def test_move_respects_capacity_and_promotes(event, tours, allocated, make_participant,
                                             clearances, organiser):
    ada, bo, cy = (make_participant(n) for n in ("Ada", "Bo", "Cy"))
    seat = services.take_seat(tours["main_am"], ada)
    services.take_seat(tours["cryo_am"], bo)
    with pytest.raises(services.VisitError, match="full"):
        services.move(seat, tours["cryo_am"], by=organiser)
    services.take_seat(tours["main_pm"], bo)
    services.take_seat(tours["main_pm"], cy)  # afternoon full (2)
    with pytest.raises(services.VisitError, match="full"):
        services.move(seat, tours["main_pm"], by=organiser)
    assert Seat.objects.get(pk=seat.pk).status == S.HELD
    # Bo leaves the afternoon; Ada can move there, her morning seat is freed.
    services.cancel(Seat.objects.get(user=bo, run=tours["main_pm"]))
    new = services.move(seat, tours["main_pm"], by=organiser)
    assert new.run == tours["main_pm"] and new.source == "organiser"
    assert Seat.objects.get(pk=seat.pk).status == S.CANCELLED


# Providers -----------------------------------------------------------------------------------


def test_seat_holders_for_the_vault(event, tours, allocated, make_participant, clearances):
    from fusionforum.vault import registry

    ada = make_participant()
    services.take_seat(tours["cryo_am"], ada)
    services.take_seat(tours["main_pm"], ada)
    services.take_seat(tours["main_am"], make_participant())
    holder = registry.seat_holder(event, ada)
    assert holder.first_start == paris(2027, 5, 28, 10)
    assert holder.last_end == paris(2027, 5, 28, 16)
    assert holder.clearance_due == paris(2027, 5, 16, 10)
    assert len(registry.seat_holders(event)) == 2


def test_busy_provider_for_the_meetings_day(event, tours, allocated, make_participant,
                                            clearances):
    from fusionforum.meetings import busy

    ada = make_participant()
    services.take_seat(tours["cryo_am"], ada)
    start = paris(2027, 5, 28, 9)
    slots = [SimpleNamespace(index=i, start=start + dt.timedelta(minutes=30 * i),
                             end=start + dt.timedelta(minutes=30 * (i + 1))) for i in range(8)]
    day = SimpleNamespace(slots=slots, overlapping=lambda s, e: [
        x.index for x in slots if x.start < e and s < x.end])
    entries = {e.key: e for e in busy.collect(event, day) if e.site_visit}
    cryo = entries[f"visit-{tours['cryo_am'].pk}"]
    assert cryo.user_ids == [ada.pk] and cryo.slots == [2, 3] and cryo.capacity == 1
    assert f"visit-{tours['main_am'].pk}" not in entries  # no seat held: nobody busy


def test_waiting_places_expire_when_the_run_starts(event, tours, allocated, clock,
                                                   make_participant, clearances):
    from django.core.management import call_command

    services.take_seat(tours["cryo_am"], make_participant())
    late = services.take_seat(tours["cryo_am"], make_participant())
    call_command("expire_tour_waiting_lists")
    assert Seat.objects.get(pk=late.pk).status == S.WAITLISTED
    clock.set(paris(2027, 5, 28, 10))
    call_command("expire_tour_waiting_lists")
    assert Seat.objects.get(pk=late.pk).status == S.EXPIRED
    assert SeatTransition.objects.filter(seat=late).last().note == "the run started"


def test_personal_data_download_and_forgetting(event, tours, allocated, make_participant,
                                               clearances):
    from fusionforum.visits import personal_data

    ada, bo = make_participant(), make_participant()
    clearances[bo.pk] = "approved"
    services.take_seat(tours["cryo_am"], ada)
    services.take_seat(tours["cryo_am"], bo)
    data = personal_data.provide(ada)
    assert data["tour_seats"][0]["tour"] == "Cryogenics plant"
    personal_data.anonymise(ada)
    assert Seat.objects.get(run=tours["cryo_am"], status=S.HELD).user == bo


def test_real_vault_refusal_frees_the_seat_for_the_waiting_list(
        event, tours, window, clock, make_participant, make_user,
        django_capture_on_commit_callbacks):
    from fusionforum.vault import services as vault

    window.allocated_at = paris(2027, 5, 10)
    window.save()
    clock.set(paris(2027, 5, 12, 9))  # the clearance of the 28 May runs is due on 16 May
    ada, bo = make_participant("Ada"), make_participant("Bo")
    cryo = tours["cryo_am"]
    services.take_seat(cryo, ada)
    services.take_seat(cryo, bo)
    vault.submit(event, ada, {"surname": "Example"})
    assert services.clearance_status(event, ada) == "submitted"
    officer = make_user("security@test.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        vault.decide(event, officer, ada, approve=False, reason="Synthetic refusal")
    assert Seat.objects.get(user=ada).status == S.REFUSED_CLEARANCE
    assert Seat.objects.get(user=bo).status == S.HELD
    transition = SeatTransition.objects.get(seat__user=ada, to_status=S.REFUSED_CLEARANCE)
    assert transition.by == officer
    assert OutboundEmail.objects.filter(purpose="visits.seat", to=[bo.email]).exists()
    assert services.clearance_status(event, bo) == "missing"  # now a seat holder


def test_people_no_longer_registered_are_not_promoted(event, tours, allocated,
                                                      make_participant, clearances):
    from fusionforum.registration.models import Registration

    holder, gone, next_one = (make_participant(n) for n in ("H", "Gone", "Next"))
    clearances.update({gone.pk: "approved", next_one.pk: "approved"})
    seat = services.take_seat(tours["cryo_am"], holder)
    services.take_seat(tours["cryo_am"], gone)
    services.take_seat(tours["cryo_am"], next_one)
    Registration.objects.filter(user=gone).update(status="cancelled")
    services.cancel(seat)
    assert Seat.objects.get(run=tours["cryo_am"], status=S.HELD).user == next_one


def test_cancelled_registration_releases_seats_and_waiting_places(
        event, tours, allocated, make_participant, clearances,
        django_capture_on_commit_callbacks):
    from fusionforum.registration import services as registration_services
    from fusionforum.registration.models import Registration, RegistrationSettings
    from fusionforum.vault import registry

    leaving, waiting = make_participant("Leaving"), make_participant("Waiting")
    clearances[waiting.pk] = "approved"
    cryo = tours["cryo_am"]
    services.take_seat(cryo, leaving)
    services.take_seat(tours["main_pm"], leaving)
    services.take_seat(cryo, waiting)  # cryo holds one: Waiting is on its waiting list
    RegistrationSettings.objects.get_or_create(event=event, defaults={
        "opens_at": paris(2027, 3, 1), "closes_at": paris(2027, 5, 20), "capacity": 100})
    registration = Registration.objects.get(event=event, user=leaving)
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel(registration, by=leaving)
    assert set(Seat.objects.filter(user=leaving).values_list("status", flat=True)) == {
        S.CANCELLED}
    assert Seat.objects.get(run=cryo, status=S.HELD).user == waiting
    # No longer a seat holder: the vault stops asking them for identity data.
    assert leaving.pk not in {h.user.pk for h in services.seat_holders(event)}
    assert registry.seat_holder(event, leaving) is None


def test_a_confirmed_registration_saved_again_keeps_the_seats(
        event, tours, allocated, make_participant, django_capture_on_commit_callbacks):
    from fusionforum.registration.models import Registration

    staying = make_participant("Staying")
    services.take_seat(tours["cryo_am"], staying)
    with django_capture_on_commit_callbacks(execute=True):
        Registration.objects.get(event=event, user=staying).save()
    assert Seat.objects.get(user=staying).status == S.HELD
