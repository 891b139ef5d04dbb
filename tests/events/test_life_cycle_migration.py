"""The migration that gave events a life cycle keeps what existing data meant: a published
event stays published (and its move is logged), an unpublished one is a draft, and editions
linked by a clone form one series."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("events", "0007_translatable_labels"), ("core", "0001_initial")]
AFTER = [("events", "0008_event_life_cycle_modules_creators")]


@pytest.mark.django_db(transaction=True)
def test_existing_events_keep_their_meaning():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        Event = old.get_model("events", "Event")
        AuditEntry = old.get_model("core", "AuditEntry")
        common = {"start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 5, 2),
                  "venue_name": "Hall", "contact_emails": "a@test.invalid"}
        first = Event.objects.create(slug="fw-2026", title="Fusion Week 2026",
                                     is_published=True, **common)
        second = Event.objects.create(slug="fw-2027", title="Fusion Week 2027",
                                      is_published=False, **common)
        Event.objects.create(slug="alone", title="Alone", is_published=True, **common)
        AuditEntry.objects.create(at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
                                  action="editions.cloned", object_type="events.event",
                                  object_id=str(second.pk),
                                  data={"source_id": first.pk, "source_slug": "fw-2026"})

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Event = new.get_model("events", "Event")
        EventTransition = new.get_model("events", "EventTransition")
        rows = {e.slug: e for e in Event.objects.all()}
        assert rows["fw-2026"].status == "published" and rows["fw-2026"].published_at
        assert rows["alone"].status == "published"
        assert rows["fw-2027"].status == "draft" and rows["fw-2027"].published_at is None
        assert rows["fw-2026"].series_id == rows["fw-2027"].series_id is not None
        assert rows["fw-2026"].series.name == "Fusion Week"
        assert rows["alone"].series_id is None
        assert rows["alone"].modules == ["registration", "call", "programme", "meetings",
                                         "visits", "outcomes"]
        assert EventTransition.objects.filter(to_status="published").count() == 2
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
