"""The demo restored from the test run's snapshot is the demo that was loaded."""

import datetime as dt

import pytest
from django.db import transaction

from tests import demo_snapshot
from tests.conftest import paris
from tests.rolled_back import rolled_back

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 5, 26)


def _load_and_dump():
    with rolled_back():
        event = demo_snapshot.load_full_demo(TODAY)
        rows = demo_snapshot._dump()
        # The sequences moved past the restored ids: a new row gets a fresh one.
        from fusionforum.accounts.models import Organisation

        fresh = Organisation.objects.create(name="After the demo", kind="laboratory")
        transaction.set_rollback(True)
    return event.slug, rows, fresh.pk


def _rows(content):
    if isinstance(content, bytes):
        return sorted(content.splitlines())
    return sorted(map(repr, content[1]))


def test_a_restored_demo_equals_the_loaded_one(clock, tmp_path, monkeypatch):
    monkeypatch.setenv(demo_snapshot.SNAPSHOT_FOLDER, str(tmp_path))
    clock.set(paris(2027, 5, 26, 10))
    slug, loaded, _ = _load_and_dump()
    assert list(tmp_path.glob("*.pickle")), "the first load writes the snapshot"
    # The same instant written in UTC: the same snapshot.
    clock.set(dt.datetime(2027, 5, 26, 8, tzinfo=dt.UTC))
    again, restored, fresh_id = _load_and_dump()
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    assert again == slug
    assert restored.keys() == loaded.keys()
    for table in loaded:  # the same rows, perhaps stored in another order
        assert _rows(restored[table]) == _rows(loaded[table]), table
    assert len(loaded) > 40


def test_only_an_empty_database(clock, tmp_path, monkeypatch):
    from fusionforum.accounts.models import Organisation

    monkeypatch.setenv(demo_snapshot.SNAPSHOT_FOLDER, str(tmp_path))
    Organisation.objects.create(name="Already here", kind="laboratory")
    with pytest.raises(RuntimeError, match="empty"):
        demo_snapshot.load_full_demo(TODAY)
