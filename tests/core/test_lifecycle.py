"""The one life-cycle module (``core.lifecycle``): its table, its refusals, its writes and log,
``moved`` after commit only, and a walk over the code that keeps every life cycle's state
field written by the module alone."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from fusionforum.cfp.models import Submission, SubmissionTransition
from fusionforum.cfp.states import LIFE_CYCLE as SUBMISSION
from fusionforum.core import lifecycle
from fusionforum.core.lifecycle import IllegalTransition, Machine, TransitionLog
from fusionforum.events.models import Event, EventTransition
from fusionforum.events.states import LIFE_CYCLE as EVENT
from fusionforum.meetings.states import LIFE_CYCLE as MEETING_REQUEST
from fusionforum.registration.models import Registration, RegistrationTransition
from fusionforum.registration.states import LIFE_CYCLE as REGISTRATION
from fusionforum.registration.states import Status
from fusionforum.vault.states import LIFE_CYCLE as CLEARANCE
from fusionforum.visits.models import Seat, SeatTransition
from fusionforum.visits.states import LIFE_CYCLE as SEAT
from tests.conftest import paris

PROJECT = Path(__file__).resolve().parents[2]
MACHINES = [REGISTRATION, SUBMISSION, SEAT, CLEARANCE, MEETING_REQUEST, EVENT]


class Light(models.TextChoices):
    OFF = "off", "Switched off"
    ON = "on", "Switched on"
    BROKEN = "broken", "Broken"


LIGHT = Machine("lamp", Light, {
    "": {Light.OFF: "install"},
    Light.OFF: {Light.ON: "switch on", Light.BROKEN: ""},
    Light.ON: {Light.OFF: "switch off", Light.BROKEN: ""},
    Light.BROKEN: set(),
})


# The table ------------------------------------------------------------------------------------


def test_the_table_says_what_may_follow_and_names_the_moves():
    assert LIGHT.next_states(Light.OFF) == {Light.ON, Light.BROKEN}
    assert LIGHT.allows("", Light.OFF) and not LIGHT.allows(Light.BROKEN, Light.ON)
    assert LIGHT.action(Light.ON, Light.OFF) == "switch off"
    assert LIGHT.action(Light.ON, Light.BROKEN) == ""  # allowed, unnamed
    assert LIGHT.next_states("unknown") == frozenset()


def test_an_illegal_move_is_refused_in_words():
    with pytest.raises(IllegalTransition) as refused:
        LIGHT.check(Light.BROKEN, Light.ON)
    assert str(refused.value) == "A lamp that is “broken” cannot become “switched on”."
    assert (refused.value.current, refused.value.target) == (Light.BROKEN, Light.ON)
    with pytest.raises(LIGHT.IllegalTransition, match="that is “new” cannot become “broken”"):
        LIGHT.check("", Light.BROKEN)


@pytest.mark.parametrize(("machine", "current", "target", "message"), [
    (REGISTRATION, "cancelled", "confirmed",
     "A registration that is “cancelled” cannot become “confirmed”."),
    (REGISTRATION, "", "cancelled", "A registration that is “new” cannot become “cancelled”."),
    (SUBMISSION, "withdrawn", "submitted",
     "A submission that is “withdrawn” cannot become “submitted”."),
    (SEAT, "cancelled", "held", "A seat that is “cancelled” cannot become “seat held”."),
    (CLEARANCE, "refused", "approved", "A clearance that is “refused” cannot become “approved”."),
    (MEETING_REQUEST, "withdrawn", "active",
     "A meeting request that is “withdrawn” cannot become “active”."),
    (EVENT, "draft", "draft", "An event that is “draft” cannot become “draft”."),
])
def test_every_life_cycle_refuses_readably(machine, current, target, message):
    with pytest.raises(machine.IllegalTransition) as refused:
        machine.check(current, target)
    assert str(refused.value) == message
    # One exception family: catching the module's class catches every life cycle's refusal.
    assert isinstance(refused.value, IllegalTransition)


def test_each_app_raises_its_own_life_cycles_refusal_by_its_old_name():
    from fusionforum.cfp import states as cfp_states
    from fusionforum.registration import states as registration_states
    from fusionforum.visits import states as visit_states

    assert registration_states.IllegalTransition("confirmed", "pending").machine is REGISTRATION
    assert cfp_states.IllegalTransition is SUBMISSION.IllegalTransition
    assert visit_states.IllegalTransition is SEAT.IllegalTransition
    assert not issubclass(SEAT.IllegalTransition, REGISTRATION.IllegalTransition)


def test_every_state_has_a_row_and_every_move_names_known_states():
    with pytest.raises(ImproperlyConfigured, match="no row for: broken"):
        Machine("lamp", Light, {Light.OFF: {Light.ON}, Light.ON: {Light.OFF}})
    with pytest.raises(ImproperlyConfigured, match="unknown states: melted"):
        Machine("lamp", Light, {Light.OFF: {"melted"}, Light.ON: set(), Light.BROKEN: set()})
    for machine in MACHINES:
        assert set(machine.table) | {machine.initial} == {*machine.states.values,
                                                          machine.initial}


def test_the_logs_share_the_abstract_transition_log():
    for log, subject in [(RegistrationTransition, Registration),
                         (SubmissionTransition, Submission), (SeatTransition, Seat),
                         (EventTransition, Event)]:
        assert issubclass(log, TransitionLog)
        names = {f.name for f in log._meta.get_fields()}
        assert {"at", "by", "note", log.subject_field, log.from_field, log.to_field} <= names
        assert log._meta.get_field(log.subject_field).related_model is subject
        assert log._meta.ordering == ["at", "id"]


# Moves ----------------------------------------------------------------------------------------


@pytest.fixture
def fresh_registration(event, make_user):
    from fusionforum.accounts.models import Organisation

    organisation = Organisation.objects.create(name="Fictional Lamps", country="FR",
                                               kind=Organisation.Kind.SUPPLIER)
    user = make_user(organisation=organisation)
    return Registration(event=event, user=user, organisation=organisation,
                        submitted_at=paris(2027, 4, 2))


@pytest.fixture
def heard():
    """Every ``moved`` received, with whether a transaction was still open at that moment."""
    received = []

    def listen(sender, instance, from_state, to_state, actor, **kwargs):
        received.append((sender, instance.pk, from_state, to_state, actor,
                         transaction.get_connection().in_atomic_block))

    lifecycle.moved.connect(listen, weak=False)
    yield received
    lifecycle.moved.disconnect(listen)


@pytest.mark.django_db(transaction=True)
def test_a_move_writes_logs_and_is_announced_after_commit(fresh_registration, heard,
                                                          organiser):
    registration = fresh_registration
    with transaction.atomic():
        done = REGISTRATION.move(registration, Status.PENDING, actor=registration.user,
                                 at=paris(2027, 4, 2, 9))
        assert heard == []  # not while the transaction is open
    assert (done.from_state, done.to_state) == ("", Status.PENDING)
    assert heard == [(Registration, registration.pk, "", "pending", registration.user, False)]
    registration.priority = 9  # not part of the move: never written by it
    REGISTRATION.move(registration, Status.CONFIRMED, actor=organiser, note="Approved",
                      changes={"seat_pool": "general"})
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.status, stored.seat_pool, stored.priority) == ("confirmed", "general", 0)
    assert list(RegistrationTransition.objects.filter(registration=registration).order_by("id")
                .values_list("from_status", "to_status", "by", "note")) == [
        ("", "pending", registration.user.pk, ""), ("pending", "confirmed", organiser.pk,
                                                    "Approved")]
    assert RegistrationTransition.objects.get(to_status="pending").at == paris(2027, 4, 2, 9)
    assert heard[-1][2:5] == ("pending", "confirmed", organiser)


@pytest.mark.django_db(transaction=True)
def test_a_move_rolled_back_is_never_announced(fresh_registration, heard):
    registration = fresh_registration
    REGISTRATION.move(registration, Status.PENDING)
    heard.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        REGISTRATION.move(registration, Status.CANCELLED)
        raise RuntimeError("something later in the same transaction failed")
    assert heard == []
    assert Registration.objects.get(pk=registration.pk).status == Status.PENDING
    assert RegistrationTransition.objects.filter(to_status=Status.CANCELLED).count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_illegal_move_writes_nothing_and_announces_nothing(fresh_registration, heard):
    registration = fresh_registration
    REGISTRATION.move(registration, Status.PENDING)
    REGISTRATION.move(registration, Status.REJECTED)
    heard.clear()
    with pytest.raises(REGISTRATION.IllegalTransition, match="“rejected” cannot become"):
        REGISTRATION.move(registration, Status.CONFIRMED, changes={"seat_pool": "general"})
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.status, stored.seat_pool) == ("rejected", "")
    assert RegistrationTransition.objects.count() == 2 and heard == []


@pytest.mark.django_db(transaction=True)
def test_a_locked_move_reads_the_state_from_the_row_not_from_memory(fresh_registration):
    registration = fresh_registration
    REGISTRATION.move(registration, Status.PENDING)
    stale = Registration.objects.get(pk=registration.pk)
    REGISTRATION.move(registration, Status.CANCELLED)  # someone else, meanwhile
    with pytest.raises(REGISTRATION.IllegalTransition, match="“cancelled” cannot become"):
        REGISTRATION.move(stale, Status.CONFIRMED, lock=True)
    assert Registration.objects.get(pk=registration.pk).status == Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_after_commit_does_not_undo_or_fail_the_move(
        fresh_registration, heard, caplog):
    def broken(**kwargs):
        raise RuntimeError("receiver bug")

    lifecycle.moved.connect(broken, sender=Registration, weak=False)
    try:
        with caplog.at_level(logging.ERROR, logger="fusionforum.core.lifecycle"):
            REGISTRATION.move(fresh_registration, Status.PENDING)
    finally:
        lifecycle.moved.disconnect(broken, sender=Registration)
    assert Registration.objects.get(pk=fresh_registration.pk).status == Status.PENDING
    assert len(heard) == 1  # the other receivers still heard it
    assert "receiver bug" in caplog.text and "registration.Registration moved new → pending" \
        in caplog.text


@pytest.mark.django_db
def test_update_writes_without_save_so_the_clocks_times_stay(fresh_registration):
    registration = fresh_registration
    REGISTRATION.move(registration, Status.PENDING)
    moment = paris(2027, 4, 3, 8)
    REGISTRATION.move(registration, Status.CANCELLED, changes={"updated_at": moment},
                      write="update")
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.status, stored.updated_at) == (Status.CANCELLED, moment)
    assert registration.status == Status.CANCELLED  # the instance follows


# Nobody else writes a life cycle's state -------------------------------------------------------

# The state fields of the five life cycles (Registration, Seat, AccessRecord, MeetingRequest:
# ``status``; Submission: ``state``).
STATE_FIELDS = {"status", "state"}
LIFE_CYCLE_MODELS = {"Registration", "Submission", "Seat", "AccessRecord", "MeetingRequest",
                     "Event"}
WRITING_METHODS = {"update", "create", "update_or_create", "get_or_create", "bulk_update"}
# The only writer.
THE_MODULE = "fusionforum/core/lifecycle.py"
# Writes of a field of the same name on another model, which has no life cycle of its own
# (file, the object written): each says whose field it is.
OTHER_MODELS = {
    ("fusionforum/notifications/services.py", "email"): "an outbound e-mail's delivery status",
    ("fusionforum/events/services.py", "contact"): "a contact message's handling status",
    ("fusionforum/events/admin.py", "obj"): "the contact message admin puts the old status "
                                            "back and lets the service change it",
}


def _root(node: ast.AST) -> str:
    """The name a chain like ``Seat.objects.filter(...).update`` starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ast.unparse(node)


def _is_other_model(name: str) -> bool:
    # A class name other than the five (ScheduleRun, OutboundEmail…): not a life cycle.
    return name[:1].isupper() and name not in LIFE_CYCLE_MODELS


def state_writes(source: str) -> list[tuple[int, str, str]]:
    """(line, object written, code) for every write of a state field in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr in STATE_FIELDS \
                            and isinstance(part.ctx, ast.Store):
                        found.append((node.lineno, ast.unparse(part.value), ast.unparse(part)))
        elif isinstance(node, ast.Call):
            func = node.func
            keywords = {k.arg for k in node.keywords}
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant) \
                    and node.args[1].value in STATE_FIELDS:
                found.append((node.lineno, ast.unparse(node.args[0]), ast.unparse(node)))
            elif isinstance(func, ast.Name) and func.id in LIFE_CYCLE_MODELS \
                    and keywords & STATE_FIELDS:
                found.append((node.lineno, func.id, ast.unparse(node)))
            elif isinstance(func, ast.Attribute) and func.attr in WRITING_METHODS:
                named = keywords & STATE_FIELDS or {
                    a.value for arg in node.args if isinstance(arg, ast.List | ast.Tuple)
                    for a in arg.elts if isinstance(a, ast.Constant) and a.value in STATE_FIELDS}
                for k in node.keywords:  # get_or_create(defaults={"status": …})
                    if k.arg in ("defaults", "create_defaults") and isinstance(k.value, ast.Dict):
                        named |= {key.value for key in k.value.keys
                                  if isinstance(key, ast.Constant) and key.value in STATE_FIELDS}
                root = _root(func.value)
                if named and not _is_other_model(root):
                    found.append((node.lineno, root, ast.unparse(func)))
    return found


def test_the_walk_finds_every_kind_of_direct_state_write():
    source = '''
registration.status = "cancelled"
seat.status, seat.updated_at = "held", now
setattr(record, "status", "approved")
Registration.objects.filter(pk=1).update(status="confirmed")
queryset.update(state="accepted")
Seat(run=run, status="held")
MeetingRequest.objects.get_or_create(pk=1, defaults={"status": "withdrawn"})
Seat.objects.bulk_update(seats, ["status"])
# not writes of a life cycle's state:
Registration.objects.filter(status="confirmed").exists()
ScheduleRun.objects.filter(pk=1).update(status="done")
status = "draft"
'''
    assert [line for line, _who, _code in state_writes(source)] == [2, 3, 4, 5, 6, 7, 8, 9]


def test_only_the_life_cycle_module_writes_a_life_cycles_state():
    """Model defaults (a clearance is born submitted, a meeting request active) are field
    definitions, not writes; migrations and tests are not walked; the demo loaders move their
    rows through the services like everyone else, so they need no exception."""
    offenders, allowed_seen = [], set()
    for path in sorted((PROJECT / "fusionforum").rglob("*.py")):
        relative = path.relative_to(PROJECT).as_posix()
        if "/migrations/" in relative or relative == THE_MODULE:
            continue
        for line, who, code in state_writes(path.read_text(encoding="utf-8")):
            if (relative, who) in OTHER_MODELS:
                allowed_seen.add((relative, who))
            else:
                offenders.append(f"{relative}:{line}: {code}")
    assert offenders == [], (
        "Change a state through its life cycle (the app's states.LIFE_CYCLE.move, or the "
        "app's service that wraps it), never by writing the field:\n" + "\n".join(offenders))
    # An exception that no longer matches anything is removed, so the list stays true.
    assert allowed_seen == set(OTHER_MODELS)
