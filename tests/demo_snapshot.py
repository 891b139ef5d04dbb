"""The whole demo (``load_demo`` and every app's extra loader), loaded once per test run and
database kind, then restored from a snapshot of its rows.

Loading the demo runs every app's services (the optimiser, the theme builder, hundreds of
audited writes): about 14 s of CPU. Seventeen modules need it, on both databases. The first
process of a run that asks loads it for real and writes every table's rows to a file next to
pytest's temporary folders; the others (other modules, other xdist workers of the same run)
delete the rows of the test database and copy the snapshot's in (SQLite: plain INSERTs;
PostgreSQL: COPY), which takes a fraction of a second. Foreign keys are deferred to the end of
the transaction on both databases, so the order of the tables does not matter.

Only for an empty test database (what was there before would be lost): ``load_full_demo``
refuses otherwise. The snapshot holds only database rows: the two files the demo writes (the
first talk's slides, the venue plan) are in the media folder of the process that loaded it, so
another xdist worker restores rows that name files it does not have (a test that reads them
must not count on them).
``tests/core/test_demo_snapshot.py`` checks that a restored demo equals a loaded one.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fcntl
import os
import pickle
import uuid
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

# Rows that migrations put there, identical in every test database.
MIGRATION_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


def _tables() -> list[str]:
    known = connection.introspection.django_table_names(include_views=False)
    return sorted(set(known) - MIGRATION_TABLES)


SNAPSHOT_FOLDER = "FUSIONFORUM_DEMO_SNAPSHOTS"


def snapshot_folder(tmp_path_factory) -> Path:
    """Shared by the xdist workers of one run: the parent of their temporary folders, which
    pytest removes with the run's other old folders."""
    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    folder = shared / "demo-snapshots"
    folder.mkdir(exist_ok=True)
    return folder


def _dump() -> dict:
    rows = {}
    with connection.cursor() as cursor:
        for table in _tables():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                buffer = bytearray()
                with cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:
                    for block in copy:
                        buffer += block
                if buffer:
                    rows[table] = bytes(buffer)
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (a table name of ours)
                found = [tuple(_stored(value) for value in row) for row in cursor.fetchall()]
                if found:
                    columns = [column[0] for column in cursor.description]
                    rows[table] = (columns, found)
    return rows


def _stored(value):
    """A value as SQLite stores it: Django's SQLite connection turns stored text back into
    dates, times, decimals and UUIDs on the way out, which INSERT does not take back."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def _is_empty() -> bool:
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                return False
    return True


def _restore(rows: dict) -> None:
    # One transaction (a savepoint inside the test's): the foreign keys are checked at its end.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, content in rows.items():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
                    copy.write(content)
            else:
                columns, values = content
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({marks})",  # noqa: S608
                                   values)
        # PostgreSQL's sequences do not move for rows inserted with their ids.
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _load(today: dt.date):
    from fusionforum.events.demo import EXTRA_LOADERS, load_demo

    event = load_demo(today=today)
    for loader in EXTRA_LOADERS:
        loader(event)
    return event


def load_full_demo(today: dt.date):
    """The demo as ``load_demo(today)`` plus every extra loader would leave it, in the current
    transaction of an empty test database. The caller sets the business clock (the snapshot is
    keyed on its instant, in UTC, as well as on ``today``: 08:00 UTC and 10:00 in Paris share
    one snapshot; a text the demo writes from the clock, such as the next edition's report
    ``published_at``, keeps the offset of the clock that loaded it first)."""
    from fusionforum.core import clock
    from fusionforum.events.demo import DEMO_SLUG
    from fusionforum.events.models import Event

    if not _is_empty():
        raise RuntimeError("load_full_demo needs an empty test database")
    instant = clock.now().astimezone(dt.UTC).isoformat()
    key = f"{connection.vendor}-{today.isoformat()}-{instant}".replace(":", "")
    folder = Path(os.environ[SNAPSHOT_FOLDER])  # set by tests/conftest.py for the session
    snapshot = folder / f"{key}.pickle"
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not snapshot.exists():
            event = _load(today)
            partial = snapshot.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(_dump()))
            partial.rename(snapshot)
            return event
    _restore(pickle.loads(snapshot.read_bytes()))  # noqa: S301 (written by this test run)
    return Event.objects.get(slug=DEMO_SLUG)
