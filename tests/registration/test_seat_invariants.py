"""The seat table always adds up: over random histories of registration operations (register,
approve, reject, cancel, offers accepted, declined or expired, promotion, organisers changing
the seats and the reserved pools), every pool has taken <= seats and free = seats - taken, the
totals are the sums of the pools, and the table counts exactly the registrations that hold a
seat. The loaded demo is checked the same way in tests/core/test_readme_demo.py.

The same histories check the waiting list against a model of the product's rule written here
from counts alone: when seats are freed, the waiting list is gone through in order (priority,
then time on the list) and each person is offered a seat if the holders and they could all be
seated (a person of a reserved kind in its seats or in the general pool, anyone else in the
general pool) and their organisation is below its cap; someone not eligible keeps their place.
So once seats were freed, nobody left waiting could be given a seat by re-seating the holders.
(A change of the seats offers nothing by itself, on purpose: the organisers promote; the next
time seats are freed, everyone eligible is offered one.)"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fusionforum.accounts.models import Organisation
from fusionforum.events.models import TeamMembership
from fusionforum.registration import capacity, services
from fusionforum.registration.desk_services import capacity_overview
from fusionforum.registration.models import Registration, RegistrationSettings, ReservedSeats
from fusionforum.registration.states import HOLDS_SEAT, IllegalTransition, Status

from ..conftest import paris

pytestmark = pytest.mark.django_db

# Four organisations: two of them suppliers, so a supplier can sit in the general pool while
# another holds the supplier seat.
KINDS = [Organisation.Kind.PRIVATE_DEVELOPER, Organisation.Kind.PUBLIC_LAB,
         Organisation.Kind.SUPPLIER, Organisation.Kind.SUPPLIER]
PEOPLE = 6

# What one person does (registering and cancelling weigh more: they fill the pools and free
# seats), what time does (offers may expire) and what the organisers do to the seats; the
# seats change less often, as they do in real life.
by_person = st.tuples(
    st.sampled_from(["register", "register", "register", "cancel", "cancel", "approve",
                     "reject", "accept", "promote"]),
    st.integers(0, PEOPLE - 1))
operation = st.integers(0, 7).flatmap(lambda n: by_person if n < 6 else st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 60)),  # hours
    st.tuples(st.just("seats"), st.tuples(st.integers(0, 8), st.integers(0, 4),
                                          st.integers(0, 3))),
))


def check_table(event) -> None:
    reg_settings = RegistrationSettings.objects.get(event=event)
    table = capacity.summary(reg_settings)
    held = dict(Registration.objects.filter(event=event, status__in=HOLDS_SEAT).order_by()
                .values("seat_pool").annotate(n=Count("id")).values_list("seat_pool", "n"))
    reserved = {r.organisation_kind: r.seats for r in reg_settings.reserved.all()}
    # The table counts exactly the held seats, in pools that exist, and no pool is oversold.
    assert {pool: row["taken"] for pool, row in table.items() if row["taken"]} == held
    assert set(table) == set(reserved) | {capacity.GENERAL}
    for pool, row in table.items():
        assert 0 <= row["taken"] <= row["seats"], (pool, row)
        assert row["free"] == row["seats"] - row["taken"]
    assert sum(row["seats"] for row in table.values()) == reg_settings.capacity
    # Only people of a reserved kind sit in its pool.
    for registration in Registration.objects.filter(event=event, status__in=HOLDS_SEAT) \
            .exclude(seat_pool=capacity.GENERAL).select_related("organisation"):
        assert registration.seat_pool == registration.organisation.kind
    # The desk shows these very rows, and its totals are their sums.
    overview = capacity_overview(event, reg_settings)
    assert {p["pool"]: {k: p[k] for k in ("seats", "taken", "free")}
            for p in overview["pools"]} == table
    for key in ("seats", "taken", "free"):
        assert overview["totals"][key] == sum(p[key] for p in overview["pools"])
    # The organisation cap holds too.
    cap = reg_settings.delegates_per_organisation
    per_organisation = (Registration.objects.filter(event=event, status__in=HOLDS_SEAT)
                        .values("organisation").annotate(n=Count("id")))
    assert cap is None or all(row["n"] <= cap for row in per_organisation)


def _fits(sizes: dict[str, int], kinds: list[str]) -> bool:
    """Whether people of these organisation kinds can all hold a seat under the pool ``sizes``:
    each reserved pool seats its own kind, everyone over goes to the general pool."""
    overflow = sum(max(0, kinds.count(kind) - size) for kind, size in sizes.items()
                   if kind != capacity.GENERAL)
    others = sum(1 for kind in kinds if kind not in sizes or kind == capacity.GENERAL)
    return overflow + others <= sizes[capacity.GENERAL]


def _seat_state(event):
    reg_settings = RegistrationSettings.objects.get(event=event)
    sizes = services.pool_sizes(reg_settings)
    holders = list(Registration.objects.filter(event=event, status__in=HOLDS_SEAT)
                   .values_list("organisation_id", "organisation__kind"))
    waiting = list(services.waiting_list(event)
                   .values_list("id", "organisation_id", "organisation__kind"))
    return sizes, reg_settings.delegates_per_organisation, holders, waiting


def expected_offers(event) -> list[int]:
    """Whom the waiting list must offer a seat now (the model of the rule, see the top)."""
    sizes, cap, holders, waiting = _seat_state(event)
    kinds = [kind for _org, kind in holders]
    per_organisation = Counter(org for org, _kind in holders)
    offers = []
    for pk, org, kind in waiting:
        if (cap is None or per_organisation[org] < cap) and _fits(sizes, [*kinds, kind]):
            offers.append(pk)
            kinds.append(kind)
            per_organisation[org] += 1
    return offers


def run(event, organiser, people, history, clock) -> None:
    # ``settled``: seats were freed (the waiting list was gone through) since the last change
    # of the seats, so nobody still waiting may be eligible for a seat.
    state = {"settled": True}
    fill = services.fill_from_waiting_list

    def checked_fill(locked, **kwargs):
        # Every time the waiting list is gone through, exactly the model's people are offered
        # a seat, in the list's order.
        expected = expected_offers(locked.event)
        offered = fill(locked, **kwargs)
        assert [r.pk for r in offered] == expected
        state["settled"] = True
        return offered

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "fill_from_waiting_list", checked_fill)
        _run(event, organiser, people, history, clock, state)


def _run(event, organiser, people, history, clock, state) -> None:

    def latest(index):
        return (Registration.objects.filter(event=event, user=people[index])
                .order_by("-id").first())

    for name, argument in history:
        registration = latest(argument) if name not in ("wait", "seats") else None
        try:
            if name == "register":
                person = people[argument]
                services.submit(event, person, organisation=person.organisation, answers={},
                                consent_public_list=False)
            elif name == "approve" and registration:
                services.approve(registration, by=organiser)
            elif name == "reject" and registration:
                services.reject(registration, by=organiser)
            elif name == "cancel" and registration:
                services.cancel(registration, by=registration.user)
            elif name == "accept" and registration:
                services.accept_offer(registration, by=registration.user)
            elif name == "promote" and registration:
                services.promote(registration, by=organiser)
            elif name == "wait":
                clock.advance(hours=argument)
                services.expire_offers(event)
            elif name == "seats":
                state["settled"] = False
                total, labs, suppliers = argument
                services.change_seats(
                    event, capacity=total,
                    reserved={Organisation.Kind.PUBLIC_LAB: labs,
                              Organisation.Kind.SUPPLIER: suppliers},
                    by=organiser)
        except (services.RegistrationError, IllegalTransition, PermissionDenied):
            pass  # refused with a reason, nothing changed: the table must still add up
        check_table(event)
        if state["settled"]:
            assert expected_offers(event) == [], "someone waits for a seat they could have"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(approval=st.booleans(), history=st.lists(operation, min_size=6, max_size=40))
# Supplier 2 holds the supplier seat, supplier 3 the only general one, person 0 (a company)
# waits; supplier 2 cancels: supplier 3 moves to the supplier seat, the company gets an offer.
@example(approval=False, history=[("register", 2), ("register", 3), ("register", 0),
                                  ("cancel", 2), ("accept", 0)])
def test_random_histories_never_oversell_a_pool_nor_keep_an_eligible_person_waiting(
        event, make_user, clock, approval, history):
    with transaction.atomic():
        clock.set(paris(2027, 5, 1, 12))
        organiser = make_user(full_name="Organiser")
        TeamMembership.objects.create(event=event, user=organiser,
                                      role=TeamMembership.Role.ORGANISER)
        reg_settings = RegistrationSettings.objects.create(
            event=event, opens_at=paris(2027, 4, 1), closes_at=paris(2027, 5, 25),
            capacity=3, delegates_per_organisation=2, requires_approval=approval,
            offer_hold_hours=24)
        for kind in (Organisation.Kind.PUBLIC_LAB, Organisation.Kind.SUPPLIER):
            ReservedSeats.objects.create(settings=reg_settings, organisation_kind=kind, seats=1)
        organisations = [Organisation.objects.create(
            name=f"Fictional {n}", kind=KINDS[n % len(KINDS)], country="FR",
            fusion_approach="tokamak" if KINDS[n % len(KINDS)] == "private_developer" else "")
            for n in range(4)]
        people = [make_user(full_name=f"Person {n}", organisation=organisations[n % 4],
                            email_verified_at=paris(2027, 4, 1)) for n in range(PEOPLE)]
        run(event, organiser, people, history, clock)
        transaction.set_rollback(True)  # the next example starts from an empty event


def _supplier_seat_freed(open_registration, make_person, make_organisation, register, **seats):
    """2 seats, 1 reserved for suppliers: supplier A holds it, supplier B a general seat, a
    company waits. Returns A, B and the company's registration."""
    open_registration(capacity=2, reserved={Organisation.Kind.SUPPLIER: 1}, **seats)
    a, b = (register(make_person(make_organisation(kind=Organisation.Kind.SUPPLIER)))
            for _ in range(2))
    c = register(make_person())
    assert [(r.status, r.seat_pool) for r in (a, b)] == [
        (Status.CONFIRMED, Organisation.Kind.SUPPLIER), (Status.CONFIRMED, capacity.GENERAL)]
    assert c.status == Status.WAITLISTED
    return a, b, c


def _pools(*registrations):
    return [(r.status, r.seat_pool) for r in
            (Registration.objects.get(pk=r.pk) for r in registrations)]


def test_a_freed_reserved_seat_reseats_the_general_pool_and_the_waiting_list_gets_its_seat(
        open_registration, make_person, make_organisation, register, event):
    from fusionforum.core.models import AuditEntry

    a, b, c = _supplier_seat_freed(open_registration, make_person, make_organisation, register)
    services.cancel(a, by=a.user)
    # B takes the supplier seat, which frees a general seat: the company is offered it.
    assert _pools(a, b, c) == [(Status.CANCELLED, ""),
                               (Status.CONFIRMED, Organisation.Kind.SUPPLIER),
                               (Status.OFFERED, capacity.GENERAL)]
    entry = AuditEntry.objects.get(action="registration.reseated")
    assert entry.actor == a.user
    assert entry.data["moves"] == [
        {"registration": b.pk, "from": capacity.GENERAL, "to": Organisation.Kind.SUPPLIER}]
    check_table(event)
    c = Registration.objects.get(pk=c.pk)
    services.accept_offer(c, by=c.user)
    assert _pools(c) == [(Status.CONFIRMED, capacity.GENERAL)]


def test_an_expired_or_declined_reserved_offer_reseats_before_passing_on(
        open_registration, make_person, make_organisation, register, event, clock):
    open_registration(capacity=2, delegates_per_organisation=None,
                      reserved={Organisation.Kind.SUPPLIER: 1}, offer_hold_hours=24)
    supplier = make_organisation(kind=Organisation.Kind.SUPPLIER)
    a = register(make_person())
    s0, s1, s2 = (register(make_person(supplier)) for _ in range(3))
    company = register(make_person())
    assert _pools(a, s0) == [(Status.CONFIRMED, capacity.GENERAL),
                             (Status.CONFIRMED, Organisation.Kind.SUPPLIER)]
    # The supplier seat freed is offered to supplier 1, the general seat then to supplier 2
    # (a supplier takes its own seats first, and they are held).
    services.cancel(s0, by=s0.user)
    services.cancel(a, by=a.user)
    assert _pools(s1, s2, company) == [(Status.OFFERED, Organisation.Kind.SUPPLIER),
                                       (Status.OFFERED, capacity.GENERAL),
                                       (Status.WAITLISTED, "")]
    # Supplier 1 lets the offer expire: supplier 2 moves into the supplier seat and the company
    # is offered the general one.
    services.accept_offer(Registration.objects.get(pk=s2.pk), by=s2.user)
    clock.advance(hours=25)
    assert services.expire_offers(event) == 1
    assert _pools(s1, s2, company) == [(Status.EXPIRED, ""),
                                       (Status.CONFIRMED, Organisation.Kind.SUPPLIER),
                                       (Status.OFFERED, capacity.GENERAL)]
    # The company declines: nobody waits, the seat stays free.
    services.cancel(Registration.objects.get(pk=company.pk), by=company.user)
    check_table(event)
    assert capacity.summary(RegistrationSettings.objects.get(event=event))[capacity.GENERAL] \
        == {"seats": 1, "taken": 0, "free": 1}


def test_a_reseated_general_seat_still_respects_the_delegate_cap(
        open_registration, make_person, make_organisation, register, event):
    open_registration(capacity=3, delegates_per_organisation=1,
                      reserved={Organisation.Kind.SUPPLIER: 1})
    holder = register(make_person())
    a = register(make_person(make_organisation(kind=Organisation.Kind.SUPPLIER)))
    b = register(make_person(make_organisation(kind=Organisation.Kind.SUPPLIER)))
    capped = register(make_person(holder.organisation))  # its organisation is at its cap
    c = register(make_person())
    assert _pools(capped, c) == [(Status.WAITLISTED, ""), (Status.WAITLISTED, "")]
    services.cancel(a, by=a.user)
    # B moves into the supplier seat; the general seat so freed skips the capped organisation
    # (it keeps its place) and goes to the next one.
    assert _pools(b, capped, c) == [(Status.CONFIRMED, Organisation.Kind.SUPPLIER),
                                    (Status.WAITLISTED, ""), (Status.OFFERED, capacity.GENERAL)]
    assert services.waitlist_position(Registration.objects.get(pk=capped.pk)) == 1


def test_account_deletion_frees_the_seat_the_same_way(
        open_registration, make_person, make_organisation, register, event):
    from fusionforum.registration import personal_data

    a, b, c = _supplier_seat_freed(open_registration, make_person, make_organisation, register)
    personal_data.anonymise(a.user)
    assert _pools(b, c) == [(Status.CONFIRMED, Organisation.Kind.SUPPLIER),
                            (Status.OFFERED, capacity.GENERAL)]


def test_a_change_of_seats_that_would_oversell_is_refused_and_changes_nothing(
        open_registration, make_person, make_organisation, register, organiser, event):
    open_registration(capacity=4, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 1})
    lab = make_organisation(kind=Organisation.Kind.PUBLIC_LAB)
    for _ in range(2):
        register(make_person(lab))
    for _ in range(2):
        register(make_person())
    with pytest.raises(services.RegistrationError) as refused:
        services.change_seats(event, capacity=3, reserved={}, by=organiser)
    assert "4 people hold a seat" in str(refused.value)
    assert "Keep at least 4 seats" in str(refused.value)
    assert RegistrationSettings.objects.get(event=event).capacity == 4
    # Reserving more lab seats moves the lab person of the general pool into them.
    services.change_seats(event, capacity=4, reserved={Organisation.Kind.PUBLIC_LAB: 2},
                          by=organiser)
    assert capacity.summary(RegistrationSettings.objects.get(event=event)) == {
        Organisation.Kind.PUBLIC_LAB: {"seats": 2, "taken": 2, "free": 0},
        capacity.GENERAL: {"seats": 2, "taken": 2, "free": 0}}
    # Dropping the reservation re-seats them in the general pool (nothing counted twice).
    services.change_seats(event, capacity=4, reserved={}, by=organiser)
    assert capacity.summary(RegistrationSettings.objects.get(event=event)) == {
        capacity.GENERAL: {"seats": 4, "taken": 4, "free": 0}}
    with pytest.raises(services.RegistrationError):
        services.change_seats(event, capacity=4, reserved={Organisation.Kind.PUBLIC_LAB: 5},
                              by=organiser)


def test_organisers_change_seats_in_the_back_office_within_the_same_rule(
        open_registration, make_person, register, organiser, event):
    from .desk.conftest import verified_client

    reg_settings = open_registration(capacity=2, delegates_per_organisation=None)
    for _ in range(2):
        register(make_person())
    client = verified_client(organiser)
    url = f"/admin/registration/registrationsettings/{reg_settings.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = _initial(page)
    form.update({"capacity": "1", "_save": "Save"})
    refused = client.post(url, form)
    assert refused.status_code == 200  # the form again, with the reason; not a 500
    assert "2 people hold a seat" in refused.content.decode()
    assert RegistrationSettings.objects.get(pk=reg_settings.pk).capacity == 2
    form["capacity"] = "3"
    assert client.post(url, form).status_code == 302
    assert RegistrationSettings.objects.get(pk=reg_settings.pk).capacity == 3


def _initial(page) -> dict:
    """The form's own values, as a browser would post them back."""
    import html.parser

    values: dict = {}

    class Parser(html.parser.HTMLParser):
        select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") == "checkbox":
                    if "checked" in a:
                        values[a["name"]] = a.get("value", "on")
                else:
                    values[a["name"]] = a.get("value", "")
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                values[self.select] = a.get("value", "")
            elif tag == "textarea":
                self.select = None

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    Parser().feed(page.content.decode())
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_the_desk_shows_an_oversold_pool_instead_of_hiding_it(
        open_registration, make_person, register, event, organiser):
    reg_settings = open_registration(capacity=2, delegates_per_organisation=None)
    regs = [register(make_person()) for _ in range(2)]
    # Rows written behind the services' back (as the old demo loader did) are shown as they are.
    Registration.objects.filter(pk=regs[0].pk).update(seat_pool="")
    extra = register(make_person())
    Registration.objects.filter(pk=extra.pk).update(status=Status.CONFIRMED,
                                                    seat_pool=capacity.GENERAL)
    table = capacity.summary(reg_settings)
    assert table[capacity.GENERAL] == {"seats": 2, "taken": 2, "free": 0}
    assert table[""] == {"seats": 0, "taken": 1, "free": -1}
    assert sum(row["taken"] for row in table.values()) == 3
    from .desk.conftest import verified_client

    desk = verified_client(organiser).get(f"/manage/{event.slug}/registrations/")
    assert "oversold by 1" in desk.content.decode()


def test_accepting_without_an_offer_is_refused_readably(open_registration, make_person,
                                                        register, client):
    open_registration(capacity=1, delegates_per_organisation=None, requires_approval=True)
    person = make_person()
    pending = register(person)
    with pytest.raises(IllegalTransition):  # was a TypeError (no deadline to compare)
        services.accept_offer(pending, by=person)
    client.force_login(person)
    response = client.post(f"/{pending.event.slug}/registration/accept/", follow=True)
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    assert Registration.objects.get(pk=pending.pk).status == Status.PENDING
