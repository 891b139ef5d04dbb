import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from fusionforum.accounts.models import Organisation
from fusionforum.registration import services
from fusionforum.registration.capacity import GENERAL, summary
from fusionforum.registration.models import Registration, RegistrationTransition
from fusionforum.registration.states import (
    TRANSITIONS,
    IllegalTransition,
    Status,
    check_transition,
)

from ..conftest import paris

pytestmark = pytest.mark.django_db(transaction=True)


def statuses(*registrations):
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def test_every_state_is_in_the_table():
    assert set(TRANSITIONS) - {""} == set(Status.values)


@pytest.mark.parametrize(
    ("current", "target"),
    [("confirmed", "waitlisted"), ("cancelled", "confirmed"), ("rejected", "pending"),
     ("expired", "offered"), ("pending", "offered"), ("", "cancelled")],
)
def test_illegal_transitions_are_refused_readably(current, target):
    with pytest.raises(IllegalTransition) as error:
        check_transition(current, target)
    assert "cannot become" in str(error.value)


def test_first_come_first_served_without_approval(open_registration, make_person, register):
    open_registration(capacity=2, delegates_per_organisation=None)
    people = [make_person() for _ in range(4)]
    regs = [register(p) for p in people]
    assert statuses(*regs) == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(Registration.objects.get(pk=r.pk)) for r in regs] == [
        None, None, 1, 2]
    # Every change is logged and announced.
    assert RegistrationTransition.objects.filter(from_status="").count() == 4
    assert [m.subject.split(": ", 1)[1] for m in mail.outbox] == [
        "your seat is confirmed", "your seat is confirmed",
        "you are on the waiting list", "you are on the waiting list"]


def test_organisation_cap(open_registration, make_person, make_organisation, register):
    open_registration(capacity=10, delegates_per_organisation=2)
    company = make_organisation()
    regs = [register(make_person(company)) for _ in range(3)]
    assert statuses(*regs) == ["confirmed", "confirmed", "waitlisted"]


def test_reserved_seats_are_kept_for_their_kind(open_registration, make_person,
                                                make_organisation, register):
    open_registration(capacity=3, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 1})
    companies = [register(make_person()) for _ in range(3)]
    assert statuses(*companies) == ["confirmed", "confirmed", "waitlisted"]
    lab = make_organisation(kind=Organisation.Kind.PUBLIC_LAB)
    lab_person = register(make_person(lab))
    assert lab_person.status == Status.CONFIRMED
    assert lab_person.seat_pool == Organisation.Kind.PUBLIC_LAB
    second_lab = register(make_person(lab))
    assert second_lab.status == Status.WAITLISTED  # reserved seat used, general pool full
    reg_settings = lab_person.event.registration_settings
    assert summary(reg_settings) == {
        Organisation.Kind.PUBLIC_LAB: {"seats": 1, "taken": 1, "free": 0},
        GENERAL: {"seats": 2, "taken": 2, "free": 0},
    }


def test_reserved_kind_uses_general_seats_once_its_own_are_gone(open_registration, make_person,
                                                               make_organisation, register):
    open_registration(capacity=3, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 1})
    lab = make_organisation(kind=Organisation.Kind.PUBLIC_LAB)
    regs = [register(make_person(lab)) for _ in range(3)]
    assert [r.seat_pool for r in regs] == ["public_lab", "general", "general"]


def test_cancellation_offers_the_seat_to_the_next_and_acceptance_confirms(
    open_registration, make_person, register, clock
):
    open_registration(capacity=1, delegates_per_organisation=None)
    first, second, third = (make_person() for _ in range(3))
    r1, r2, r3 = register(first), register(second), register(third)
    services.cancel(r1, by=first)
    assert statuses(r1, r2, r3) == ["cancelled", "offered", "waitlisted"]
    offered = Registration.objects.get(pk=r2.pk)
    assert offered.offer_expires_at == clock.now() + __import__("datetime").timedelta(hours=48)
    assert services.waitlist_position(Registration.objects.get(pk=r3.pk)) == 1
    assert "a seat is free for you until" in mail.outbox[-1].subject
    services.accept_offer(offered, by=second)
    assert statuses(r2) == ["confirmed"]


def test_an_expired_offer_passes_on(open_registration, make_person, register, clock):
    open_registration(capacity=1, delegates_per_organisation=None, offer_hold_hours=24)
    first, second, third = (make_person() for _ in range(3))
    r1, r2, r3 = register(first), register(second), register(third)
    services.cancel(r1, by=first)
    clock.advance(hours=23)
    assert services.expire_offers() == 0
    clock.advance(hours=1)
    assert services.expire_offers() == 1
    assert statuses(r2, r3) == ["expired", "offered"]
    with pytest.raises(IllegalTransition):
        services.accept_offer(Registration.objects.get(pk=r2.pk), by=second)


def test_accepting_after_the_deadline_expires_instead(open_registration, make_person, register,
                                                      clock):
    open_registration(capacity=1, delegates_per_organisation=None, offer_hold_hours=1)
    first, second, third = (make_person() for _ in range(3))
    r1, r2, r3 = register(first), register(second), register(third)
    services.cancel(r1, by=first)
    clock.advance(hours=2)
    with pytest.raises(services.RegistrationError, match="expired"):
        services.accept_offer(Registration.objects.get(pk=r2.pk), by=second)
    assert statuses(r2, r3) == ["expired", "offered"]


def test_waiting_list_skips_people_whose_organisation_is_at_its_cap(
    open_registration, make_person, make_organisation, register
):
    open_registration(capacity=2, delegates_per_organisation=1)
    big = make_organisation()
    a = register(make_person(big))
    b = register(make_person())
    big_second = register(make_person(big))  # waitlisted (cap and capacity)
    other = register(make_person())  # waitlisted (capacity)
    services.cancel(b, by=b.user)
    # big_second waited longer but its organisation still holds its one seat.
    assert statuses(a, big_second, other) == ["confirmed", "waitlisted", "offered"]
    assert services.waitlist_position(Registration.objects.get(pk=big_second.pk)) == 1


def test_priority_goes_first_on_the_waiting_list(open_registration, make_person, register,
                                                 organiser):
    open_registration(capacity=1, delegates_per_organisation=None)
    register(make_person())
    early, late = register(make_person()), register(make_person())
    services.set_priority(late, 5, by=organiser)
    order = list(services.waiting_list(early.event).values_list("pk", flat=True))
    assert order == [late.pk, early.pk]


def test_approval_flow(open_registration, make_person, register, organiser):
    open_registration(capacity=1, requires_approval=True, delegates_per_organisation=None)
    r1, r2, r3 = (register(make_person()) for _ in range(3))
    assert statuses(r1, r2, r3) == ["pending"] * 3
    services.approve(r1, by=organiser)
    services.approve(r2, by=organiser)
    services.reject(r3, by=organiser, note="Not a fusion organisation")
    assert statuses(r1, r2, r3) == ["confirmed", "waitlisted", "rejected"]
    log = list(RegistrationTransition.objects.filter(registration=r3).values_list(
        "from_status", "to_status", "by__email", "note"))
    assert log == [("", "pending", r3.user.email, ""),
                   ("pending", "rejected", organiser.email, "Not a fusion organisation")]


def test_unverified_people_cannot_register_or_be_approved(open_registration, make_person,
                                                          register):
    open_registration()
    with pytest.raises(services.RegistrationError, match="confirm your e-mail"):
        register(make_person(verified=False))
    assert Registration.objects.count() == 0


def test_only_organisers_decide(open_registration, make_person, register, make_user):
    open_registration(requires_approval=True)
    person = make_person()
    registration = register(person)
    for outsider in (person, make_person(), make_user()):
        with pytest.raises(PermissionDenied):
            services.approve(registration, by=outsider)
    assert statuses(registration) == ["pending"]


def test_only_the_person_or_an_organiser_cancels(open_registration, make_person, register):
    open_registration()
    registration = register(make_person())
    with pytest.raises(PermissionDenied):
        services.cancel(registration, by=make_person())
    assert statuses(registration) == ["confirmed"]


def test_one_active_registration_per_person(open_registration, make_person, register):
    open_registration()
    person = make_person()
    first = register(person)
    with pytest.raises(services.RegistrationError, match="already registered"):
        register(person)
    services.cancel(first, by=person)
    assert register(person).status == Status.CONFIRMED


def test_registration_window(open_registration, make_person, register, clock):
    open_registration(opens_at=paris(2027, 6, 1), closes_at=paris(2027, 6, 2))
    with pytest.raises(services.RegistrationClosed, match="not open"):
        register(make_person())
    clock.set(paris(2027, 6, 2))
    with pytest.raises(services.RegistrationClosed, match="closed"):
        register(make_person())


def test_promote_by_hand_needs_a_free_seat(open_registration, make_person, register, organiser):
    open_registration(capacity=1, delegates_per_organisation=None)
    confirmed = register(make_person())
    waiting = register(make_person())
    with pytest.raises(services.RegistrationError, match="No seat is free"):
        services.promote(waiting, by=organiser)
    reg_settings = confirmed.event.registration_settings
    reg_settings.capacity = 2
    reg_settings.save()
    services.promote(waiting, by=organiser)
    assert statuses(waiting) == ["confirmed"]


def test_person_must_register_for_their_own_organisation(open_registration, make_person,
                                                         make_organisation, event):
    open_registration()
    person = make_person()
    with pytest.raises(services.RegistrationError, match="organisation you belong to"):
        services.submit(event, person, organisation=make_organisation(), answers={},
                        consent_public_list=False)


def test_promote_only_takes_people_from_the_waiting_list(open_registration, make_person,
                                                         register, organiser):
    open_registration(requires_approval=True)
    pending = register(make_person(verified=True))
    with pytest.raises(services.RegistrationError, match="Only people on the waiting list"):
        services.promote(pending, by=organiser)
    assert statuses(pending) == ["pending"]


def test_waiting_list_positions_follow_priority_then_time(open_registration, make_person,
                                                          register, organiser, clock):
    open_registration(capacity=1, delegates_per_organisation=None)
    register(make_person())
    waiting = []
    for _ in range(4):
        clock.advance(minutes=1)
        waiting.append(register(make_person()))
    services.set_priority(waiting[2], 3, by=organiser)
    positions = [services.waitlist_position(Registration.objects.get(pk=r.pk))
                 for r in waiting]
    assert positions == [2, 3, 1, 4]
    ordered = list(services.waiting_list(waiting[0].event).values_list("pk", flat=True))
    assert ordered == [waiting[2].pk, waiting[0].pk, waiting[1].pk, waiting[3].pk]
