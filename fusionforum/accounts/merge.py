"""Merging a duplicate organisation into the one to keep.

People create organisations themselves (sign-up, profile), so the same company can appear
twice. ``merge`` moves everything that points at the duplicate to the organisation kept and
deletes the duplicate, in one transaction, with an audit entry.

What points at an organisation is not listed by hand: ``relations()`` reads every foreign key
to ``Organisation`` from the models' metadata, so a model added later is moved as well. Where
moving a row would break one of its model's unique constraints (both organisations answered
the same survey, both asked the same expert), the merge is refused with a readable list,
unless the model said such rows are plain duplicates that may be dropped (``register_droppable``:
e.g. the same reviewer conflict declared for both). The duplicate's id is remembered
(``MergedOrganisation``, ``current_ids``) for documents frozen with organisation ids, such as a
published meetings schedule. Apps above this one add their own rules
without being imported here: ``register_lock`` (locks to take first, e.g. the seat lock of
every event concerned), ``register_check`` (reasons to refuse, e.g. a delegate cap the
merged organisation would exceed) and ``register_effect`` (what else the merge changes once
the rows have moved, e.g. people re-seated because their organisation's kind changed: shown in
the preview, refused there when it cannot be done, and applied under the same locks in the
same transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, UniqueConstraint
from django.utils.translation import gettext

from fusionforum.core import audit, clock

from .models import MergedOrganisation, Organisation

LockProvider = Callable[[Organisation, Organisation], Iterable[AbstractContextManager]]
Check = Callable[[Organisation, Organisation], list[str]]
# describe(duplicate, keep) -> (changes, problems), read before anything moves;
# apply(duplicate, keep) -> facts for the audit entry, after every row moved.
Describe = Callable[[Organisation, Organisation], tuple[list[str], list[str]]]
Apply = Callable[[Organisation, Organisation], dict | None]

_droppable: dict[str, str | None] = {}
_locks: list[LockProvider] = []
_checks: list[Check] = []
_effects: list[tuple[Describe, Apply]] = []


def register_droppable(model: type[models.Model], *, latest_by: str | None = None) -> None:
    """Rows of ``model`` that collide after a merge are duplicates of one fact: drop the
    duplicate organisation's copy (or, with ``latest_by``, the older of the two, as the
    model's own rule says) instead of refusing."""
    _droppable[model._meta.label] = latest_by


def register_lock(provider: LockProvider) -> None:
    if provider not in _locks:
        _locks.append(provider)


def register_check(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def register_effect(describe: Describe, apply: Apply) -> None:
    """Something the merge changes besides moving rows. ``describe`` says it for the preview
    (``Plan.changes``) and why it cannot be done (``Plan.problems``: the merge is refused,
    nothing written); ``apply`` does it after the rows moved, before the duplicate is deleted,
    in the same transaction and under the same locks. ``apply`` may still raise MergeRefused:
    everything rolls back."""
    if (describe, apply) not in _effects:
        _effects.append((describe, apply))


class MergeRefused(ValidationError):
    pass


def current_ids() -> dict[int, int]:
    """{former organisation id: the organisation now standing for it}, for documents frozen
    with organisation ids (published meetings schedules). Chains resolve to the last merge:
    the aliases of a duplicate move with everything else."""
    return dict(MergedOrganisation.objects.values_list("former_id", "merged_into_id"))


@dataclass
class Plan:
    duplicate: Organisation
    keep: Organisation
    moves: list[tuple[str, int]] = field(default_factory=list)  # (what, rows)
    dropped: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what else changes (register_effect)
    event_ids: set[int] = field(default_factory=set)

    @property
    def possible(self) -> bool:
        return not self.problems


def relations() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every (model, foreign key) that points at Organisation, from the models' metadata
    (one-to-one fields and many-to-many through tables included)."""
    found = []
    for rel in Organisation._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            found.append((rel.related_model, rel.field))
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1].name))


def _unique_sets(model, fk) -> list[tuple[str, list[str], Q]]:
    """(name, the other fields, condition) of each uniqueness rule of ``model`` that includes
    ``fk``: unique constraints (conditional ones too), unique_together, a unique foreign key."""
    rules = []
    if fk.unique:
        rules.append((fk.name, [], Q()))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and fk.name in constraint.fields:
            rules.append((constraint.name, [f for f in constraint.fields if f != fk.name],
                          constraint.condition or Q()))
    for together in model._meta.unique_together:
        if fk.name in together:
            rules.append(("unique together", [f for f in together if f != fk.name], Q()))
    return rules


def _collisions(model, fk, duplicate, keep) -> list[tuple[int, int, str]]:
    """(duplicate's row, kept organisation's row, rule) for each row of ``model`` that would
    break a uniqueness rule once moved."""
    manager = model._default_manager
    found = []
    for name, others, condition in _unique_sets(model, fk):
        kept = {tuple(values): pk for pk, *values in manager.filter(
            condition, **{fk.name: keep}).values_list("pk", *others)}
        moving = manager.filter(condition, **{fk.name: duplicate}).values_list("pk", *others)
        for pk, *values in moving:
            # NULLs never collide in a unique index (the default of every constraint here).
            if None not in values and tuple(values) in kept:
                found.append((pk, kept[tuple(values)], name))
    return found


def _to_drop(model, collisions) -> set[int]:
    """Rows to delete so that the rest can move: the duplicate's copy, or, for models that
    keep the latest (``register_droppable(..., latest_by=...)``), the older of the two."""
    latest_by = _droppable[model._meta.label]
    if latest_by is None:
        return {dup_pk for dup_pk, _, _ in collisions}
    moments = dict(model._default_manager.filter(
        pk__in=[pk for pair in collisions for pk in pair[:2]]).values_list("pk", latest_by))
    return {keep_pk if moments[dup_pk] > moments[keep_pk] else dup_pk
            for dup_pk, keep_pk, _ in collisions}


def _name(model, count: int) -> str:
    return str(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural)


def _describe(model, count: int) -> str:
    return f"{count} {_name(model, count)}"


def _events(model, fk, organisation) -> set[int]:
    event_field = next((f for f in model._meta.concrete_fields
                        if f.is_relation and f.name == "event"), None)
    if event_field is None:
        return set()
    return set(model._default_manager.filter(**{fk.name: organisation})
               .values_list("event_id", flat=True))


def preview(duplicate: Organisation, keep: Organisation) -> Plan:
    """What merging would move, drop and otherwise change (``register_effect``), and why it
    would be refused (nothing changes)."""
    plan = Plan(duplicate=duplicate, keep=keep)
    if duplicate.pk == keep.pk:
        plan.problems.append(gettext("Choose two different organisations."))
        return plan
    for model, fk in relations():
        count = model._default_manager.filter(**{fk.name: duplicate}).count()
        plan.event_ids |= _events(model, fk, duplicate) | _events(model, fk, keep)
        if not count:
            continue
        collisions = _collisions(model, fk, duplicate, keep)
        if collisions and model._meta.label in _droppable:
            dropped = _to_drop(model, collisions)
            plan.dropped.append((_name(model, len(dropped)), len(dropped)))
            count -= len(dropped & {dup_pk for dup_pk, _, _ in collisions})
        elif collisions:
            rules = sorted({rule for _, _, rule in collisions})
            plan.problems.append(
                f"{_describe(model, len(collisions)).capitalize()} of “{duplicate}” would "
                f"duplicate one of “{keep}” ({', '.join(rules)}). Resolve "
                f"{'it' if len(collisions) == 1 else 'them'} first, e.g. withdraw one of the "
                f"two.")
        if count:
            plan.moves.append((_name(model, count), count))
    for check in _checks:
        plan.problems.extend(check(duplicate, keep))
    for describe, _apply in _effects:
        changes, problems = describe(duplicate, keep)
        plan.changes.extend(changes)
        plan.problems.extend(problems)
    return plan


def merge(duplicate: Organisation, keep: Organisation, *, by) -> Plan:
    """Move everything of ``duplicate`` to ``keep``, apply the registered effects (e.g.
    re-seating) and delete ``duplicate``: all or nothing. Raises MergeRefused (nothing
    changed) when the preview, made again under the locks, finds a problem, or when an effect
    refuses."""
    with transaction.atomic(), ExitStack() as stack:
        locked = {o.pk: o for o in Organisation.objects.select_for_update()
                  .filter(pk__in=[duplicate.pk, keep.pk])}
        if len(locked) != 2:
            raise MergeRefused(gettext("One of the two organisations no longer exists."))
        duplicate, keep = locked[duplicate.pk], locked[keep.pk]
        for provider in _locks:
            for lock in provider(duplicate, keep):
                stack.enter_context(lock)
        plan = preview(duplicate, keep)
        if not plan.possible:
            raise MergeRefused(plan.problems)
        for model, fk in relations():
            if model._meta.label in _droppable:
                collisions = _collisions(model, fk, duplicate, keep)
                if collisions:
                    model._default_manager.filter(pk__in=_to_drop(model, collisions)).delete()
            model._default_manager.filter(**{fk.name: duplicate}).update(**{fk.name: keep})
        effects: dict = {}
        for _describe_effect, apply in _effects:
            effects.update(apply(duplicate, keep) or {})
        name, duplicate_pk = duplicate.name, duplicate.pk
        MergedOrganisation.objects.create(former_id=duplicate_pk, former_name=name,
                                          merged_into=keep, merged_at=clock.now())
        duplicate.delete()
        audit.record("accounts.organisations_merged", keep, actor=by,
                     summary=f"“{name}” merged into “{keep.name}”",
                     merged_id=duplicate_pk, merged_name=name,
                     moved=dict(plan.moves), dropped=dict(plan.dropped), **effects)
    return plan
