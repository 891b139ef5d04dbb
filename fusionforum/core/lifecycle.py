"""Life cycles: one way for every model with a state to change it.

An app describes its life cycle once, in its ``states.py``, as a ``Machine``: the states (a
``TextChoices``), the table of allowed moves (state -> next states, each optionally named by
its action) and the transition-log model, if it keeps one. ``Machine.move`` is then the only
code that writes the state field: it checks the table (an illegal move raises the machine's
``IllegalTransition`` with a sentence a person can read), writes the state with the caller's
other changes, logs the move (who, when, from, to, note) and, once the transaction has
committed, sends ``moved``. Apps wrap ``move`` with what only they know (seat pools, e-mails,
audit entries) and never assign the field themselves; a test walks the code to keep it so.

``moved(sender=<model>, instance, from_state, to_state, actor)`` is sent after commit, never
for a move that was rolled back, so a receiver may take its own locks and a failure in it
cannot undo the move (it is logged). A follow-up that must change together with the move,
or not at all, belongs in the app's service instead (or in an app signal sent inside the
transaction, such as ``cfp.lifecycle.state_changed``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext, gettext_noop, pgettext

from . import clock

logger = logging.getLogger(__name__)

# Sent after commit: sender=<model class>, instance, from_state, to_state, actor (or None).
moved = Signal()


_SHORT_REFUSAL = gettext_noop("“%(current)s” cannot become “%(target)s”.")


class IllegalTransition(Exception):
    """A move the life cycle does not allow. Each machine has its own subclass (raise it as
    ``IllegalTransition(current, target)``); catch this class for any life cycle."""

    machine: ClassVar[Machine | None] = None

    def __init__(self, current: str, target: str, message: str | None = None):
        self.current, self.target = current, target
        if message is None:
            message = (self.machine.refusal(current, target) if self.machine is not None
                       else gettext(_SHORT_REFUSAL)
                       % {"current": current or pgettext("life cycle state", "new"),
                          "target": target})
        super().__init__(message)


@dataclass(frozen=True)
class Move:
    """What ``Machine.move`` did."""

    from_state: str
    to_state: str
    at: Any
    actor: Any


class Machine:
    """One life cycle: its states, the moves between them, and where moves are logged.

    ``transitions`` maps each state to the states it may become, either as a set or as a
    mapping ``next state -> action name`` ("approve", "cancel"…). ``initial`` is the state of
    a row before its first move ("" for rows the life cycle creates; a model default
    otherwise). ``log`` names the transition-log model ("app_label.Model", a ``TransitionLog``)
    or is None when the app keeps its record elsewhere.
    """

    def __init__(self, noun: str, states: type[models.TextChoices],
                 transitions: Mapping[str, Iterable[str] | Mapping[str, str]], *,
                 field: str = "status", initial: str = "", log: str | None = None):
        self.noun, self.states, self.field = noun, states, field
        self.initial, self.log = initial, log
        self.table: dict[str, frozenset[str]] = {}
        self.actions: dict[tuple[str, str], str] = {}
        for current, targets in transitions.items():
            self.table[current] = frozenset(targets)
            if isinstance(targets, Mapping):
                self.actions.update({(current, target): action
                                     for target, action in targets.items() if action})
        known = set(states.values)
        unknown = ({*self.table} | {t for ts in self.table.values() for t in ts}) \
            - known - {initial}
        if unknown:
            raise ImproperlyConfigured(f"The {noun} life cycle names unknown states: "
                                       f"{', '.join(sorted(unknown))}.")
        missing = known - set(self.table)
        if missing:
            raise ImproperlyConfigured(f"The {noun} life cycle has no row for: "
                                       f"{', '.join(sorted(missing))} (give final states an "
                                       "empty one).")
        self.IllegalTransition: type[IllegalTransition] = type(
            "IllegalTransition", (IllegalTransition,),
            {"machine": self, "__module__": states.__module__,
             "__qualname__": "IllegalTransition",
             "__doc__": f"A move the {noun} life cycle does not allow."})

    def __repr__(self):
        return f"<Machine {self.noun}>"

    # The table ----------------------------------------------------------------------------

    def label(self, state: str) -> str:
        if state in self.states.values:
            return str(self.states(state).label)
        return pgettext("life cycle state", "new") if state == self.initial else state

    def next_states(self, current: str) -> frozenset[str]:
        return self.table.get(current, frozenset())

    def allows(self, current: str, target: str) -> bool:
        return target in self.next_states(current)

    def action(self, current: str, target: str) -> str:
        """The name of the move from ``current`` to ``target`` ("" when unnamed)."""
        return self.actions.get((current, target), "")

    def refusal(self, current: str, target: str) -> str:
        values = {"current": self.label(current).lower(), "target": self.label(target).lower()}
        sentence = gettext(_SHORT_REFUSAL)
        if sentence == _SHORT_REFUSAL:
            # English: the noun (English, from the app) is the sentence's subject. A
            # translation names the two states only, rather than guess the noun's gender.
            article = "An" if self.noun[:1].lower() in "aeiou" else "A"
            return (f"{article} {self.noun} that is “{values['current']}” cannot become "
                    f"“{values['target']}”.")
        return sentence % values

    def check(self, current: str, target: str) -> None:
        if not self.allows(current, target):
            raise self.IllegalTransition(current, target)

    # Rows ---------------------------------------------------------------------------------

    def current(self, instance: models.Model) -> str:
        return getattr(instance, self.field) or self.initial

    def refresh(self, instance: models.Model, *, lock: bool = True) -> str:
        """Re-read the row's state (under a row lock, inside the caller's transaction) so two
        people acting at once cannot both move from the same old state."""
        if instance.pk is not None:
            manager = type(instance)._default_manager
            instance.refresh_from_db(
                fields=[self.field],
                from_queryset=manager.select_for_update() if lock else manager.all())
        return self.current(instance)

    def move(self, instance: models.Model, target: str, *, actor=None, note: str = "",
             at=None, changes: Mapping[str, Any] | None = None, lock: bool = False,
             write: str = "save") -> Move:
        """Move ``instance`` to ``target`` with ``changes`` to its other fields, log it and
        announce it after commit; raise the machine's IllegalTransition (nothing written) when
        the table does not allow it. The caller checks who may act.

        ``lock`` re-reads the state under a row lock first. ``write="save"`` saves the row
        (all of it when new, else only the state, ``changes`` and auto-now fields);
        ``write="update"`` writes them with one UPDATE that bypasses ``save()``, so times
        stay those of ``clock`` (auto_now would take the wall clock).
        """
        if lock:
            with transaction.atomic():
                return self._move(instance, self.refresh(instance), target, actor=actor,
                                  note=note, at=at, changes=changes or {}, write=write)
        current = self.current(instance)
        self.check(current, target)  # before any write, so a refusal dooms no transaction
        with transaction.atomic(savepoint=False):
            return self._move(instance, current, target, actor=actor, note=note, at=at,
                              changes=changes or {}, write=write)

    def _move(self, instance, current, target, *, actor, note, at, changes, write) -> Move:
        self.check(current, target)
        at = at or clock.now()
        actor = actor if getattr(actor, "is_authenticated", False) else None
        values = {self.field: target, **changes}
        if write == "update":
            type(instance)._default_manager.filter(pk=instance.pk).update(**values)
            for name, value in values.items():
                setattr(instance, name, value)
        elif write == "save":
            for name, value in values.items():
                setattr(instance, name, value)
            if instance.pk is None:
                instance.save()
            else:
                auto_now = [f.name for f in instance._meta.concrete_fields
                            if getattr(f, "auto_now", False)]
                instance.save(update_fields={*values, *auto_now})
        else:
            raise ValueError(f"Unknown way to write a move: {write!r}.")
        if self.log:
            log = apps.get_model(self.log)
            log.objects.create(**{log.subject_field: instance, log.from_field: current,
                                  log.to_field: target}, at=at, by=actor, note=note[:300])
        transaction.on_commit(partial(_announce, type(instance), instance, current, target,
                                      actor))
        return Move(current, target, at, actor)


def _announce(sender, instance, from_state, to_state, actor) -> None:
    # The move is committed: a receiver's failure is logged, never turned into the mover's
    # error (their request succeeded).
    for receiver, result in moved.send_robust(sender=sender, instance=instance,
                                              from_state=from_state, to_state=to_state,
                                              actor=actor):
        if isinstance(result, Exception):
            logger.error("%r failed after %s moved %s → %s", receiver,
                         sender._meta.label, from_state or "new", to_state,
                         exc_info=(type(result), result, result.__traceback__))


class TransitionLog(models.Model):
    """The log of a life cycle's moves: who, when, from, to, and a note.

    A concrete log adds the foreign key to its subject and the from/to state columns, and
    names them in ``subject_field``, ``from_field`` and ``to_field``.
    """

    subject_field: ClassVar[str]
    from_field: ClassVar[str] = "from_status"
    to_field: ClassVar[str] = "to_status"

    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{getattr(self, self.from_field) or 'new'} → {getattr(self, self.to_field)}"
