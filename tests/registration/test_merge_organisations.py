# ruff: noqa: F811  (fixtures re-exported from tests/cfp are used as arguments)
"""Merging a duplicate organisation: everything that points at it moves (found from the
models' metadata, so a new foreign key is never forgotten), in one transaction, under the seat
locks; delegate caps stay right and the seat holders are re-seated by the kind of the
organisation kept (or the merge is refused when they would not fit); refusals change nothing;
the desk page previews and asks for confirmation; organisers only merge what is theirs."""

from __future__ import annotations

import threading
import time

import hypothesis
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.accounts import merge
from fusionforum.accounts.models import Organisation, User
from fusionforum.cfp.models import ReviewerConflict, Submission
from fusionforum.core.models import AuditEntry
from fusionforum.meetings.models import MeetingRequest
from fusionforum.outcomes.models import SurveyResponse
from fusionforum.registration import capacity, desk_services
from fusionforum.registration import services as registration_services
from fusionforum.registration.models import Registration, RegistrationSettings, ReservedSeats
from fusionforum.registration.states import HOLDS_SEAT

from ..cfp.conftest import (  # noqa: F401  (re-exported fixtures)
    call,
    make_cfp_organisation,
    make_participant,
    make_submission,
)
from ..conftest import login_verified, paris

pytestmark = pytest.mark.django_db


def _merge_url(event):
    return f"/manage/{event.slug}/organisations/merge/"


def _invariants(event):
    """From ``capacity.seat_counts`` (what the seat rules decide with): seats held per pool
    never exceed the pool, only existing pools hold seats, the totals are the sums (and the
    desk's table shows the same); a reserved pool holds only people of its kind; no
    organisation holds more seats than the cap."""
    reg_settings = RegistrationSettings.objects.get(event=event)
    seats = capacity.seat_counts(reg_settings)
    for pool, taken in seats.taken.items():
        assert pool in seats.sizes, (pool, seats)
        assert taken <= seats.sizes[pool], (pool, seats)
    holders = Registration.objects.filter(event=event, status__in=HOLDS_SEAT)
    assert sum(seats.taken.values()) == holders.count()
    assert sum(seats.sizes.values()) == reg_settings.capacity
    overview = desk_services.capacity_overview(event, reg_settings)
    for key in ("seats", "taken", "free"):
        assert overview["totals"][key] == sum(p[key] for p in overview["pools"])
    assert overview["totals"]["taken"] == holders.count()
    for pk, kind, pool in capacity.seat_holders(event):
        assert pool in (kind, capacity.GENERAL), (pk, kind, pool)
    cap = reg_settings.delegates_per_organisation
    if cap is not None:
        for organisation in Organisation.objects.all():
            assert capacity.organisation_seats(event, organisation) <= cap, organisation


def _seated_by_the_rule(event):
    """After a merge everyone sits where ``services.reseat`` puts them (nobody of a reserved
    kind in the general pool while a seat of their own is free): re-seating moves nobody."""
    seats = capacity.seat_counts(RegistrationSettings.objects.get(event=event))
    for pk, kind, pool in capacity.seat_holders(event):
        if pool == capacity.GENERAL and kind in seats.sizes:
            assert seats.taken.get(kind, 0) == seats.sizes[kind], (pk, kind, seats)
    with capacity.seat_lock(event) as locked:
        assert registration_services.reseat(locked) == 0


def _state():
    """Everything a refused merge must leave as it was."""
    return (sorted(Registration.objects.values_list("pk", "organisation_id", "status",
                                                    "seat_pool")),
            sorted(User.objects.values_list("pk", "organisation_id")),
            sorted(Organisation.objects.values_list("pk", "name", "kind")),
            AuditEntry.objects.filter(action="accounts.organisations_merged").count(),
            merge.current_ids())


def test_every_foreign_key_to_an_organisation_is_known_to_the_merge():
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.is_relation and field.related_model is Organisation:
                found.add((model._meta.label, field.name))
    assert {(m._meta.label, f.name) for m, f in merge.relations()} == found
    assert ("registration.Registration", "organisation") in found
    assert ("meetings.MeetingRequest", "organisation") in found


@pytest.fixture
def pair(make_organisation):
    keep = make_organisation("Fictional Fusion Ltd")
    duplicate = make_organisation("Fictional Fusion Limited",
                                  kind=Organisation.Kind.SUPPLIER, fusion_approach="")
    return duplicate, keep


def test_merge_moves_everything_and_keeps_seats_and_caps_right(
        event, organiser, clock, register, make_person, pair, call, make_submission,
        make_user):
    duplicate, keep = pair
    # The call's fixtures made the event's registration settings already.
    reg_settings = RegistrationSettings.objects.get(event=event)
    reg_settings.capacity, reg_settings.delegates_per_organisation = 6, 3
    reg_settings.save()
    ReservedSeats.objects.create(settings=reg_settings, organisation_kind="supplier", seats=2)
    kept_person = register(make_person(keep))
    moving = [register(make_person(duplicate)) for _ in range(2)]
    assert {r.seat_pool for r in moving} == {Organisation.Kind.SUPPLIER}
    lurker = make_person(duplicate)  # a member without a registration
    submission = make_submission(organisation=duplicate, author=moving[0].user)
    reviewer = make_user()
    ReviewerConflict.objects.create(event=event, reviewer=reviewer, organisation=keep)
    ReviewerConflict.objects.create(event=event, reviewer=reviewer, organisation=duplicate)
    other_reviewer = make_user()
    ReviewerConflict.objects.create(event=event, reviewer=other_reviewer, organisation=duplicate)
    old = SurveyResponse.objects.create(event=event, organisation=keep, usefulness=3,
                                        likely_to_engage=3, submitted_at=paris(2027, 5, 29))
    newer = SurveyResponse.objects.create(event=event, organisation=duplicate, usefulness=5,
                                          likely_to_engage=5, submitted_at=paris(2027, 5, 30))
    assert capacity.seats_taken(event) == {"supplier": 2, "general": 1}

    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert plan.possible, plan.problems
    # The kept organisation is a private developer: its new people leave the supplier seats.
    assert plan.changes == [
        f"{event.title}: 2 seats of “Fictional Fusion Limited” move from the seats reserved "
        f"for “Supplier” to the general pool."]
    moves = dict(plan.moves)
    assert moves["users"] == 3 and moves["registrations"] == 2 and moves["submission"] == 1
    assert dict(plan.dropped) == {"reviewer conflict": 1, "survey response": 1}
    assert Organisation.objects.filter(pk=duplicate.pk).exists()  # a preview changes nothing

    duplicate_pk = duplicate.pk
    desk_services.merge_organisations(organiser, duplicate, keep)
    assert not Organisation.objects.filter(pk=duplicate_pk).exists()
    for model, fk in merge.relations():
        assert not model._default_manager.filter(**{f"{fk.name}_id": duplicate_pk}).exists()
    assert set(User.objects.filter(organisation=keep)) == {
        kept_person.user, moving[0].user, moving[1].user, lurker}
    for registration in moving:
        registration.refresh_from_db()
        assert registration.organisation == keep
        assert registration.status == "confirmed"  # the seat stays, in the general pool
        assert registration.seat_pool == capacity.GENERAL
    assert Submission.objects.get(pk=submission.pk).organisation == keep
    assert ReviewerConflict.objects.filter(reviewer=reviewer).count() == 1
    assert ReviewerConflict.objects.get(reviewer=other_reviewer).organisation == keep
    assert list(SurveyResponse.objects.filter(event=event)) == [newer]  # the later answer
    assert not SurveyResponse.objects.filter(pk=old.pk).exists()
    assert capacity.seats_taken(event) == {"general": 3}
    assert capacity.organisation_seats(event, keep) == 3
    _invariants(event)
    _seated_by_the_rule(event)
    entry = AuditEntry.objects.get(action="accounts.organisations_merged")
    assert entry.actor == organiser and entry.object_id == str(keep.pk)
    assert entry.data["merged_name"] == "Fictional Fusion Limited"
    assert entry.data["reseated"] == {event.slug: 2}
    # The cap now counts the merged organisation: a fourth delegate waits.
    reg_settings.refresh_from_db()
    fourth = register(make_person(keep))
    assert fourth.status == "waitlisted"


def test_a_merge_that_would_exceed_the_delegate_cap_is_refused_and_changes_nothing(
        event, organiser, clock, open_registration, register, make_person, pair):
    duplicate, keep = pair
    open_registration(capacity=10, delegates_per_organisation=2)
    for organisation in (keep, keep, duplicate):
        register(make_person(organisation))
    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert not plan.possible
    assert "together they hold 3 seats, more than the limit of 2" in plan.problems[0]
    with pytest.raises(merge.MergeRefused):
        desk_services.merge_organisations(organiser, duplicate, keep)
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    assert Registration.objects.filter(organisation=duplicate).count() == 1
    assert not AuditEntry.objects.filter(action="accounts.organisations_merged").exists()
    # Once one of them is cancelled, the merge goes through.
    registration_services.cancel(Registration.objects.filter(organisation=keep).first(),
                                 by=organiser, note="Duplicate delegate")
    desk_services.merge_organisations(organiser, duplicate, keep)
    _invariants(event)


def test_a_cross_kind_merge_reseats_everyone_by_the_kind_of_the_organisation_kept(
        event, organiser, clock, open_registration, register, make_person, make_organisation):
    open_registration(capacity=7, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 2, Organisation.Kind.SUPPLIER: 1})
    lab = make_organisation("Fictional National Lab", kind=Organisation.Kind.PUBLIC_LAB,
                            fusion_approach="")
    other_lab = make_organisation("Fictional Other Lab", kind=Organisation.Kind.PUBLIC_LAB,
                                  fusion_approach="")
    supplier = make_organisation("Fictional Supplies", kind=Organisation.Kind.SUPPLIER,
                                 fusion_approach="")
    in_lab_seats = [register(make_person(lab)) for _ in range(2)]
    other_lab_in_general = register(make_person(other_lab))
    in_supplier_seat = register(make_person(supplier))
    assert [r.seat_pool for r in (*in_lab_seats, other_lab_in_general, in_supplier_seat)] \
        == ["public_lab", "public_lab", "general", "supplier"]

    # The "lab" was a duplicate of the supplier, entered with the wrong kind.
    plan = desk_services.merge_preview(organiser, lab, supplier)
    assert plan.possible, plan.problems
    assert plan.changes == [
        f"{event.title}: 2 seats of “Fictional National Lab” move from the seats reserved for "
        f"“Public laboratory or agency” to the general pool.",
        f"{event.title}: 1 seat of “Fictional Other Lab” moves from the general pool to the "
        f"seats reserved for “Public laboratory or agency”."]
    assert capacity.seats_taken(event) == {"public_lab": 2, "general": 1, "supplier": 1}

    desk_services.merge_organisations(organiser, lab, supplier)
    pools = {r.pk: (r.organisation_id, r.status, r.seat_pool)
             for r in Registration.objects.filter(event=event)}
    assert pools == {
        in_lab_seats[0].pk: (supplier.pk, "confirmed", "general"),
        in_lab_seats[1].pk: (supplier.pk, "confirmed", "general"),
        other_lab_in_general.pk: (other_lab.pk, "confirmed", "public_lab"),
        in_supplier_seat.pk: (supplier.pk, "confirmed", "supplier")}
    assert capacity.seats_taken(event) == {"public_lab": 1, "general": 2, "supplier": 1}
    _invariants(event)
    _seated_by_the_rule(event)
    assert AuditEntry.objects.get(action="accounts.organisations_merged").data["reseated"] \
        == {event.slug: 3}
    # The next seat change finds everyone where the rule puts them: nobody moves.
    registration_services.change_seats(event, capacity=7, reserved={"public_lab": 2,
                                                                     "supplier": 1},
                                       by=organiser)
    assert {r.pk: (r.organisation_id, r.status, r.seat_pool)
            for r in Registration.objects.filter(event=event)} == pools
    entry = AuditEntry.objects.get(action="registration.seats_changed")
    assert entry.data["reseated"] == 0
    # A new public lab delegate takes the lab seat the merge freed.
    assert register(make_person(other_lab)).seat_pool == "public_lab"


def test_a_merge_that_would_oversell_the_general_pool_is_refused_and_writes_nothing(
        event, organiser, clock, open_registration, register, make_person, make_organisation):
    open_registration(capacity=3, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 2})
    lab = make_organisation("Fictional Lab Duplicate", kind=Organisation.Kind.PUBLIC_LAB,
                            fusion_approach="")
    company = make_organisation("Fictional Fusion Ltd")
    for organisation in (lab, lab, company):
        register(make_person(organisation))
    assert capacity.seats_taken(event) == {"public_lab": 2, "general": 1}
    before = _state()

    plan = desk_services.merge_preview(organiser, lab, company)
    assert not plan.possible and plan.changes == []
    assert plan.problems == [
        f"{event.title}: the 2 seats of “Fictional Lab Duplicate” in reserved seats move to the "
        f"general pool, as “Fictional Fusion Ltd” is “Private fusion developer”, and 3 people "
        f"would then need a seat of the general pool, which has only 1. Free 2 seats of the "
        f"general pool first (cancel or decline registrations on the registration desk, or add "
        f"seats), then merge."]
    with pytest.raises(merge.MergeRefused) as refused:
        desk_services.merge_organisations(organiser, lab, company)
    assert refused.value.messages == plan.problems
    assert _state() == before
    # The desk page says so, and nothing changes either.
    client = login_verified(Client(), organiser)
    preview = client.get(_merge_url(event), {"duplicate": lab.pk, "keep": company.pk})
    html = preview.content.decode()
    assert "These two cannot be merged yet" in html and "which has only 1" in html
    assert "Merge and remove" not in html
    response = client.post(_merge_url(event), {"duplicate": lab.pk, "keep": company.pk,
                                               "confirm": "1"})
    assert response.status_code == 409
    assert "Nothing was merged" in response.content.decode()
    assert _state() == before
    # With two more general seats it goes through: everyone sits in the general pool.
    registration_services.change_seats(event, capacity=5, reserved={"public_lab": 2},
                                       by=organiser)
    preview = client.get(_merge_url(event), {"duplicate": lab.pk, "keep": company.pk})
    assert ("2 seats of “Fictional Lab Duplicate” move from the seats reserved for “Public "
            "laboratory or agency” to the general pool.") in preview.content.decode()
    desk_services.merge_organisations(organiser, lab, company)
    assert capacity.seats_taken(event) == {"general": 3}
    _invariants(event)
    _seated_by_the_rule(event)


def test_a_refusal_found_only_after_the_rows_moved_rolls_everything_back(
        event, organiser, clock, open_registration, register, make_person, make_organisation,
        monkeypatch):
    """The preview is made again under the seat locks, so re-seating cannot fail after it;
    should it fail all the same, the whole merge is undone."""
    from fusionforum.registration import merging

    open_registration(capacity=3, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 2})
    lab = make_organisation("Fictional Lab Duplicate", kind=Organisation.Kind.PUBLIC_LAB,
                            fusion_approach="")
    company = make_organisation("Fictional Fusion Ltd")
    for organisation in (lab, lab, company):
        register(make_person(organisation))
    before = _state()
    monkeypatch.setattr(merging, "_reseating", lambda *args: ([], None))
    with pytest.raises(merge.MergeRefused) as refused:
        merge.merge(lab, company, by=organiser)
    assert refused.value.messages[0].startswith(f"{event.title}: 3 people hold a seat")
    assert _state() == before


def test_two_active_requests_for_the_same_discipline_must_be_resolved_first(
        event, organiser, clock, open_registration, pair):
    duplicate, keep = pair
    open_registration()
    for organisation in (duplicate, keep):
        MeetingRequest.objects.create(event=event, organisation=organisation,
                                      discipline="magnets", topic="Synthetic topic",
                                      submitted_at=paris(2027, 5, 1))
    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert not plan.possible
    assert "1 meeting request of “Fictional Fusion Limited” would duplicate" in plan.problems[0]
    with pytest.raises(merge.MergeRefused):
        desk_services.merge_organisations(organiser, duplicate, keep)
    MeetingRequest.objects.filter(organisation=duplicate).update(status="withdrawn")
    desk_services.merge_organisations(organiser, duplicate, keep)
    assert MeetingRequest.objects.filter(organisation=keep).count() == 2


def test_an_organiser_merges_only_organisations_of_their_own_events(
        event, make_event, organiser, clock, open_registration, make_person, pair, make_user):
    duplicate, keep = pair
    open_registration()
    other_event = make_event(slug="other-2027", title="Another Fictional Workshop")
    Registration.objects.create(event=other_event, user=make_person(duplicate),
                                organisation=duplicate, status="pending",
                                submitted_at=paris(2027, 4, 2))
    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert plan.problems == [desk_services.NOT_YOURS] and plan.moves == plan.changes == []
    with pytest.raises(merge.MergeRefused):
        desk_services.merge_organisations(organiser, duplicate, keep)
    admin = make_user(is_superuser=True, is_staff=True)
    desk_services.merge_organisations(admin, duplicate, keep)
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()


def test_the_desk_page_previews_then_merges_on_confirmation(
        event, organiser, clock, open_registration, register, make_person, pair, make_user):
    duplicate, keep = pair
    open_registration()
    register(make_person(duplicate))
    client = login_verified(Client(), organiser)
    page = client.get(f"/manage/{event.slug}/organisations/")
    assert _merge_url(event) in page.content.decode()
    form = client.get(_merge_url(event))
    assert form.status_code == 200
    assert "Show what would move" in form.content.decode()
    same = client.get(_merge_url(event), {"duplicate": keep.pk, "keep": keep.pk})
    assert same.status_code == 400
    assert "Choose an organisation other than the duplicate" in same.content.decode()
    preview = client.get(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "1 registration</li>" in html and "1 user</li>" in html
    assert "Merge and remove “Fictional Fusion Limited”" in html
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    # A POST without the confirmation only previews.
    assert client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk}
                       ).status_code == 200
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    done = client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk,
                                           "confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/manage/{event.slug}/organisations/"
    assert "was merged into “Fictional Fusion Ltd”: 2 records moved." in done.content.decode()
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    # Confirming again (the duplicate is gone): a clear 400, nothing else happens.
    again = client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk,
                                            "confirm": "1"})
    assert again.status_code == 400
    # Nobody but the event's organisers reaches the page.
    for person in (make_person(keep), make_user(is_staff=True)):
        other = login_verified(Client(), person)
        assert other.get(_merge_url(event)).status_code == 404
        assert other.post(_merge_url(event), {"duplicate": keep.pk, "keep": keep.pk,
                                              "confirm": "1"}).status_code == 404


def test_a_refused_confirmation_says_why_and_keeps_everything(
        event, organiser, clock, open_registration, register, make_person, pair):
    duplicate, keep = pair
    open_registration(capacity=10, delegates_per_organisation=1)
    register(make_person(duplicate))
    register(make_person(keep))
    client = login_verified(Client(), organiser)
    response = client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk,
                                               "confirm": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was merged" in html and "more than the limit of 1" in html
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


ACTIONS = st.lists(st.tuples(st.sampled_from(["dup", "keep", "other"]),
                             st.sampled_from(["register", "register", "cancel"])),
                   min_size=1, max_size=14)
KINDS = st.sampled_from([Organisation.Kind.PRIVATE_DEVELOPER, Organisation.Kind.SUPPLIER,
                         Organisation.Kind.PUBLIC_LAB])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, cap=st.sampled_from([None, 2, 3]), seats=st.integers(3, 6),
       kinds=st.fixed_dictionaries({"dup": KINDS, "keep": KINDS, "other": KINDS}))
# Always tried as well: a refusal (the general pool too small) and a merge that moves the
# duplicate's people and, by the seat it frees, someone of another organisation.
@hypothesis.example(actions=[("dup", "register"), ("dup", "register"), ("keep", "register")],
                    cap=None, seats=4, kinds={"dup": "supplier", "keep": "private_developer",
                                              "other": "supplier"})
@hypothesis.example(actions=[("dup", "register"), ("other", "register"), ("keep", "register")],
                    cap=None, seats=6, kinds={"dup": "public_lab", "keep": "supplier",
                                              "other": "public_lab"})
def test_random_histories_keep_the_seat_invariants_through_a_merge(
        event, organiser, clock, open_registration, make_organisation, make_person,
        actions, cap, seats, kinds):
    """Organisations of any kinds (same-kind and cross-kind merges), 3 reserved seats (2
    supplier, 1 public lab) and 0 to 3 general ones: a merge either goes through, re-seating
    people by the kept organisation's kind as the preview said, or is refused as the preview
    said, with nothing changed. The seat invariants hold before and after either way."""
    with transaction.atomic():
        open_registration(capacity=seats, delegates_per_organisation=cap,
                          reserved={Organisation.Kind.SUPPLIER: 2,
                                    Organisation.Kind.PUBLIC_LAB: 1})
        orgs = {which: make_organisation(
            f"Fictional {which.title()}", kind=kind,
            **({} if kind == Organisation.Kind.PRIVATE_DEVELOPER else {"fusion_approach": ""}))
            for which, kind in kinds.items()}
        for which, action in actions:
            organisation = orgs[which]
            if action == "register":
                registration_services.submit(event, make_person(organisation),
                                             organisation=organisation, answers={},
                                             consent_public_list=False)
            else:
                victim = Registration.objects.filter(
                    event=event, organisation=organisation,
                    status__in=["confirmed", "waitlisted", "offered"]).first()
                if victim is not None:
                    registration_services.cancel(victim, by=organiser, note="Random")
            clock.advance(minutes=1)
        _invariants(event)
        before = _state()
        statuses = dict(Registration.objects.values_list("pk", "status"))
        pools = dict(Registration.objects.values_list("pk", "seat_pool"))
        moving = set(Registration.objects.filter(organisation=orgs["dup"])
                     .values_list("pk", flat=True))
        plan = merge.preview(orgs["dup"], orgs["keep"])
        try:
            merge.merge(orgs["dup"], orgs["keep"], by=organiser)
        except merge.MergeRefused as refused:
            hypothesis.event("refused: " + " / ".join(
                "cap" if "limit" in p else "general pool" for p in plan.problems))
            assert not plan.possible and refused.messages == plan.problems
            assert all("more than the limit" in p or "seat of the general pool" in p
                       for p in plan.problems), plan.problems
            assert _state() == before
        else:
            assert plan.possible, plan.problems
            assert not Organisation.objects.filter(pk=orgs["dup"].pk).exists()
            assert set(Registration.objects.filter(organisation=orgs["keep"])
                       .values_list("pk", flat=True)) >= moving
            # Seats are kept (nobody gains or loses one); only pools change, as previewed.
            assert dict(Registration.objects.values_list("pk", "status")) == statuses
            after = dict(Registration.objects.values_list("pk", "seat_pool"))
            reseated = sum(1 for pk in pools if after[pk] != pools[pk])
            hypothesis.event(f"merged, {'same' if kinds['dup'] == kinds['keep'] else 'cross'}"
                             f"-kind, {'some' if reseated else 'no'} seats moved")
            assert reseated == sum(int(change.split(": ")[1].split()[0])
                                   for change in plan.changes)
            entry = AuditEntry.objects.get(action="accounts.organisations_merged")
            assert entry.data["reseated"].get(event.slug, 0) == reseated
            _seated_by_the_rule(event)
        _invariants(event)
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("sqlite" in django_settings.DATABASES["default"]["ENGINE"],
                    reason="threads on the in-memory SQLite test database share one connection")
def test_a_merge_counts_the_seats_under_the_seat_lock(
        event, organiser, clock, open_registration, register, make_person, make_organisation):
    """A registration takes the last general seat while the merge waits for the seat lock:
    the merge then counts that seat and is refused (the people of the public lab would need
    three general seats), instead of overselling the general pool."""
    open_registration(capacity=5, delegates_per_organisation=None,
                      reserved={Organisation.Kind.PUBLIC_LAB: 2})  # 3 general seats
    lab = make_organisation("Fictional Lab Duplicate", kind=Organisation.Kind.PUBLIC_LAB,
                            fusion_approach="")
    company = make_organisation("Fictional Fusion Ltd")
    for organisation in (lab, lab, company):
        register(make_person(organisation))
    newcomer = make_person(make_organisation("Fictional Newcomer"))
    assert merge.preview(lab, company).possible  # 3 people for 3 general seats, now
    merging, outcome = threading.Event(), []

    def merge_in_a_thread():
        try:
            merging.set()
            merge.merge(lab, company, by=organiser)
            outcome.append("merged")
        except merge.MergeRefused as refused:
            outcome.extend(refused.messages)
        finally:
            connection.close()

    def waiting_for_my_lock():
        with connection.cursor() as cursor:  # pg_locks is read live, even in a transaction
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted "
                           "AND pg_backend_pid() = ANY(pg_blocking_pids(pid))")
            return cursor.fetchone()[0]

    thread = threading.Thread(target=merge_in_a_thread)
    with capacity.seat_lock(event):
        thread.start()
        merging.wait()
        for _ in range(200):
            if waiting_for_my_lock():
                break
            time.sleep(0.02)
        else:
            pytest.fail("the merge did not wait for the seat lock")
        assert register(newcomer).seat_pool == capacity.GENERAL  # the last general seat
    thread.join()
    assert len(outcome) == 1, outcome
    assert outcome[0].startswith(f"{event.title}: the 2 seats of “Fictional Lab Duplicate” "
                                 f"in reserved seats move to the general pool"), outcome
    assert "4 people would then need a seat of the general pool, which has only 3" in outcome[0]
    assert Organisation.objects.filter(pk=lab.pk).exists()
    assert capacity.seats_taken(event) == {"public_lab": 2, "general": 2}
    _invariants(event)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_merging_on_a_phone_with_the_keyboard(browser, live_server, client, event, organiser,
                                              clock, open_registration, register, make_person,
                                              pair):
    from playwright.sync_api import expect

    from ..browser.conftest import axe_violations, open_page, screenshot

    duplicate, keep = pair
    open_registration(reserved={Organisation.Kind.SUPPLIER: 1})
    register(make_person(duplicate))
    login_verified(client, organiser)
    for size, name in (({"width": 390, "height": 844}, "phone"),
                       ({"width": 1366, "height": 900}, "desktop")):
        page = open_page(browser, viewport=size, is_mobile=name == "phone")
        page.context.add_cookies([{
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}])
        page.goto(live_server.url + _merge_url(event))
        page.get_by_label("Duplicate (removed after the merge)").select_option(
            label=duplicate.name)
        page.get_by_label("Organisation to keep").select_option(label=keep.name)
        page.get_by_role("button", name="Show what would move").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=f"Merging “{duplicate.name}” into "
                                                f"“{keep.name}”")).to_be_visible()
        expect(page.get_by_text("1 registration", exact=True)).to_be_visible()
        # The duplicate is a supplier, the organisation kept a developer: the seat changes pool.
        expect(page.get_by_text(f"1 seat of “{duplicate.name}” moves from the seats reserved "
                                f"for “Supplier” to the general pool.", exact=False)
               ).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        violations = axe_violations(page)
        assert violations == [], violations
        screenshot(page, f"desk-merge-preview-{name}")
        if name == "phone":
            confirm = page.get_by_role("button", name=f"Merge and remove “{duplicate.name}”")
            confirm.focus()
            page.keyboard.press("Enter")
            expect(page.get_by_text(f"“{duplicate.name}” was merged into “{keep.name}”"
                                    )).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
            assert not Organisation.objects.filter(pk=duplicate.pk).exists()
            # The desktop pass previews a new duplicate of the same name.
            duplicate = Organisation.objects.create(name=duplicate.name, kind="supplier",
                                                    country="FR")
            register(make_person(duplicate))
        assert page.console_problems == []
        page.context.close()


def test_frozen_documents_that_name_the_duplicate_by_id_follow_the_merge(
        event, organiser, clock, make_organisation, make_person):
    from fusionforum.meetings import agenda

    first, second, third = (make_organisation(f"Fictional Twin {n}") for n in range(3))
    colleague = make_person(third)
    # A published meetings schedule names the organisation by id.
    snapshot = {"meetings": [{"organisation": first.pk, "attendees": [], "topic": "Magnets",
                              "confidential": True, "expert": 1}]}
    first_pk, second_pk = first.pk, second.pk
    merge.merge(first, second, by=organiser)
    merge.merge(second, third, by=organiser)
    assert merge.current_ids() == {first_pk: third.pk, second_pk: third.pk}
    meetings = agenda.participant_meetings(snapshot, colleague, third.pk)
    assert len(meetings) == 1 and meetings[0]["mine"] is False
    assert agenda.visible_topic(meetings[0], viewer_organisation=third.pk, viewer_expert=None,
                                organiser=False) == "Magnets"
    assert snapshot["meetings"][0]["organisation"] == first_pk  # the document stays frozen
