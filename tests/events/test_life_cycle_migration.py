"""The migration that gave events a life cycle keeps what existing data meant: a published
event stays published (and its move is logged), an unpublished one is a draft, and editions
linked by a clone form one series.

The migration runs on a database of its own, made empty for this test (a file on SQLite, a
database beside the test database on PostgreSQL), migrated forward only as far as the
migration needs. Migrating the shared test database back before it and forward again unapplied
and reapplied every later migration of every app, about a minute of CPU."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager

from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

# On an empty database the squashed migration stands for events 0001-0007.
BEFORE = [("events", "0001_squashed_0007_translatable_labels"), ("core", "0001_initial")]
AFTER = [("events", "0008_event_life_cycle_modules_creators")]


@contextmanager
def empty_database(tmp_path):
    """An alias of a new, empty database of the same engine as the test database."""
    alias = f"lifecycle_{uuid.uuid4().hex[:8]}"
    settings = {**connection.settings_dict}
    postgres = connection.vendor == "postgresql"
    if postgres:
        settings["NAME"] = f"{connection.settings_dict['NAME']}_{alias}"[:63]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    else:
        settings["NAME"] = str(tmp_path / f"{alias}.sqlite3")
    connections.settings[alias] = settings
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        if postgres:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')


def test_existing_events_keep_their_meaning(django_db_blocker, tmp_path):
    with django_db_blocker.unblock(), empty_database(tmp_path) as alias:
        executor = MigrationExecutor(connections[alias])
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        Event = old.get_model("events", "Event")
        AuditEntry = old.get_model("core", "AuditEntry")
        common = {"start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 5, 2),
                  "venue_name": "Hall", "contact_emails": "a@test.invalid"}
        events = Event.objects.using(alias)
        first = events.create(slug="fw-2026", title="Fusion Week 2026", is_published=True,
                              **common)
        second = events.create(slug="fw-2027", title="Fusion Week 2027", is_published=False,
                               **common)
        events.create(slug="alone", title="Alone", is_published=True, **common)
        AuditEntry.objects.using(alias).create(
            at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), action="editions.cloned",
            object_type="events.event", object_id=str(second.pk),
            data={"source_id": first.pk, "source_slug": "fw-2026"})

        executor = MigrationExecutor(connections[alias])
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Event = new.get_model("events", "Event")
        EventTransition = new.get_model("events", "EventTransition")
        rows = {e.slug: e for e in Event.objects.using(alias).select_related("series")}
        assert rows["fw-2026"].status == "published" and rows["fw-2026"].published_at
        assert rows["alone"].status == "published"
        assert rows["fw-2027"].status == "draft" and rows["fw-2027"].published_at is None
        assert rows["fw-2026"].series_id == rows["fw-2027"].series_id is not None
        assert rows["fw-2026"].series.name == "Fusion Week"
        assert rows["alone"].series_id is None
        assert rows["alone"].modules == ["registration", "call", "programme", "meetings",
                                         "visits", "outcomes"]
        assert (EventTransition.objects.using(alias).filter(to_status="published").count()
                == 2)
