"""Things that happened in an event (a check-in, a programme release, a published report),
told once the transaction that made them has committed.

A service calls ``announce(kind, subject, event=...)`` inside its transaction; after the commit
``happened`` is sent with ``kind`` (e.g. ``"checkin.created"``), ``subject`` (the row it is
about), ``event`` and ``at`` (the business clock at the announcement). A move that is rolled
back announces nothing, and a receiver's failure is logged, never raised to the service.
Life-cycle moves need no announcement: ``core.lifecycle.moved`` already tells them.

The apps that listen sit above the ones that announce (the webhooks), so this module is how
a lower app tells an upper one without importing it.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

from . import clock

logger = logging.getLogger(__name__)

# Sent after commit: sender=<kind, a string>, subject, event, at.
happened = Signal()


def announce(kind: str, subject, *, event) -> None:
    """Send ``happened`` for ``subject`` once the current transaction commits (at once
    outside a transaction)."""
    transaction.on_commit(partial(_send, kind, subject, event, clock.now()))


def _send(kind: str, subject, event, at) -> None:
    for receiver, result in happened.send_robust(sender=kind, subject=subject, event=event,
                                                 at=at):
        if isinstance(result, Exception):
            logger.error("%r failed after %s of %r", receiver, kind, subject,
                         exc_info=(type(result), result, result.__traceback__))
