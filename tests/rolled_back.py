"""The synthetic demo loaded once for a whole module, in a transaction rolled back after it
(the form round trip and the URL matrix share it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo

from django.db import transaction

from fusionforum.core import clock as business_clock

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def rolled_back():
    """A transaction the test rolls back, marked as Django's TestCase marks its own: a service
    that must be the outermost transaction (``atomic(durable=True)``) runs inside it as it
    would inside a test case's."""
    atomic = transaction.atomic()
    atomic._from_testcase = True
    return atomic


@contextlib.contextmanager
def demo_rolled_back(django_db_blocker, today: dt.date):
    """The demo (with every app's extra loaders) as of 10:00 on ``today``; the business clock
    stays there until the block ends, and everything written in the block is rolled back."""
    from fusionforum.programme import public
    from tests.demo_snapshot import load_full_demo

    # The parsed releases are kept in the process by (id, version, moment): a demo loaded
    # again at the same moment after a rollback reuses the ids (SQLite) with other talk codes,
    # so a programme parsed for an earlier load must not be taken for this one.
    public.clear_cache()
    with django_db_blocker.unblock():
        atomic = rolled_back()
        atomic.__enter__()
        try:
            business_clock.set_now(dt.datetime.combine(today, dt.time(10, 0), tzinfo=PARIS))
            event = load_full_demo(today)
            # What loading the demo asked to run after its commit (thousands of callbacks when
            # it ran for real) never runs: the block is rolled back. Kept, every savepoint
            # rolled back in the block would filter the whole list again.
            transaction.get_connection().run_on_commit.clear()
            yield event
        finally:
            business_clock.set_now(None)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            public.clear_cache()
