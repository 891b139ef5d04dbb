"""Writes that must happen even to an archived (read-only) event's rows.

An archived event refuses every change (``events/archive.py``), except the few duties the
platform owes people and the law whatever the event's state: deleting a person's account
(anonymising their rows) and purging site-access values past their retention. Those callers
wrap their work in ``archived_writes_allowed()``. It lives in ``core`` because the callers
(accounts, the vault) may not import ``events``' rules above them.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

_allowed: ContextVar[bool] = ContextVar("archived_writes_allowed", default=False)


@contextlib.contextmanager
def archived_writes_allowed():
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)


def allowed() -> bool:
    return _allowed.get()
