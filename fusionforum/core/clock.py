"""The one source of "now" for business rules, so tests can move time.

Rules that depend on time (stream visibility, deadlines, offers) call ``clock.now()``, never
``timezone.now()`` directly. Tests freeze or move it with ``clock.frozen(...)`` or the
``clock`` pytest fixture; the override is process-wide, so a live test server thread sees it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_lock = threading.Lock()
_override: dt.datetime | None = None


def now() -> dt.datetime:
    current = _override
    return current if current is not None else timezone.now()


def set_now(moment: dt.datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware datetime) or, with None, release it."""
    global _override
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("The clock only takes aware datetimes.")
    with _lock:
        _override = moment


def advance(delta: dt.timedelta) -> dt.datetime:
    with _lock:
        global _override
        _override = (_override or timezone.now()) + delta
        return _override


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    previous = _override
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)
