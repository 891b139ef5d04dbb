"""What accounts needs to know of a person's roles: the back office and the second factor depend
on roles on event teams, which ``events`` (above accounts) defines. ``events`` registers its
checks here in its ``AppConfig.ready`` (as for ``accounts.landing``), so accounts imports no app
above it.
"""

from __future__ import annotations

from collections.abc import Callable

Check = Callable[[object], bool]
_checks: dict[str, Check] = {}


def register(*, staff_role: Check, organiser: Check) -> None:
    """``staff_role(user)``: any role on any event's team; ``organiser(user)``: organiser of
    some event."""
    _checks["staff_role"] = staff_role
    _checks["organiser"] = organiser


def _ask(name: str, user) -> bool:
    check = _checks.get(name)
    if check is None:
        # Answering "no role" would let staff skip the second factor: refuse instead.
        raise RuntimeError(f"No {name!r} check registered (the events app registers it).")
    return bool(check(user))


def has_staff_role(user) -> bool:
    """Any role on any event's team; every such role requires a second factor."""
    return _ask("staff_role", user)


def organises_any_event(user) -> bool:
    return _ask("organiser", user)


def may_enter_back_office(user) -> bool:
    if not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return organises_any_event(user)
