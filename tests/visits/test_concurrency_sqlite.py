"""Late sign-ups on a real SQLite file (WAL, IMMEDIATE transactions), in a child process:
threads with their own connections take the last seats at once. The negative control (run
lock off, and every racer counts before anyone writes) must oversell, every time."""

from __future__ import annotations

import json

import pytest

from tests.migrated_sqlite import migrated_copy

from ..registration import surge_support as surge

pytestmark = [pytest.mark.concurrency, pytest.mark.own_sqlite]

PEOPLE, CAPACITY = 16, 3


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("visits-race")
    database = surge.sqlite_database(var_dir)
    migrated_copy(tmp_path_factory, database.path)
    return surge.child_env(database, var_dir)


def race(env, slug, *extra):
    return json.loads(surge.run_child(env, "-m", "tests.visits.race_child", "--slug", slug,
                                      "--people", str(PEOPLE), "--capacity", str(CAPACITY),
                                      *extra).strip().splitlines()[-1])


def test_sqlite_file_never_oversells(env):
    result = race(env, "locked")
    assert result["errors"] == []
    assert result["held"] == CAPACITY
    assert result["waiting"] == PEOPLE - CAPACITY


def test_sqlite_negative_control_oversells(env):
    result = race(env, "unlocked", "--no-lock")
    assert result["held"] > CAPACITY, result


def test_sqlite_file_lowering_capacity_never_oversells(env):
    result = race(env, "lower-locked", "--held", "2", "--lower-to", "2")
    assert result["errors"] == []
    assert result["held"] <= result["capacity"]
    assert result["held"] + result["waiting"] == PEOPLE + 2


def test_sqlite_negative_control_lowering_capacity_oversells(env):
    result = race(env, "lower-unlocked", "--held", "2", "--lower-to", "2", "--no-lock")
    assert result["saved"] is True
    assert result["held"] > result["capacity"] == 2, result
