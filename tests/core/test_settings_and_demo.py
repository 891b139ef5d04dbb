import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from fusionforum.events.demo import DEMO_SLUG, load_demo
from fusionforum.events.models import ContactMessage, Day, Event, StreamLink, StreamState
from tests.migrated_sqlite import migrated_copy

REPO = Path(__file__).resolve().parents[2]


def _manage(*args, env=None, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
        check=check, timeout=300,
    )


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE",
                        "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(extra)
    return env


@pytest.mark.own_sqlite  # manage.py in a child process on a SQLite file
def test_production_settings_pass_the_deployment_check(tmp_path):
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="fusionforum.settings.production",
        SECRET_KEY="k" * 20 + "-production-secret-for-the-check-only-0123456789abcdef",
        VAULT_KEYS="dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI=",
        DATABASE_URL=f"sqlite:///{tmp_path}/check.sqlite3",
        ALLOWED_HOSTS="forum.example.org",
        SITE_URL="https://forum.example.org",
        FUSIONFORUM_VAR_DIR=str(tmp_path),
    )
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.own_sqlite  # manage.py in a child process on a SQLite file
def test_production_settings_refuse_a_missing_secret(tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="fusionforum.settings.production",
                     DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", ALLOWED_HOSTS="x.org")
    result = _manage("check", env=env, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.own_sqlite  # manage.py in a child process on a SQLite file
def test_demo_settings_generate_a_private_secret_key_once(tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="fusionforum.settings.dev",
                     FUSIONFORUM_VAR_DIR=str(tmp_path))
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _manage("shell", "--no-imports", "-c", code, env=env).stdout.strip()
    second = _manage("shell", "--no-imports", "-c", code, env=env).stdout.strip()
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


@pytest.mark.own_sqlite  # manage.py in a child process on a SQLite file
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="fusionforum.settings.dev",
                     FUSIONFORUM_VAR_DIR=str(tmp_path))
    # The first connection of the dev settings creates the file and switches it to WAL.
    _manage("shell", "--no-imports", "-c",
            "from django.db import connection; connection.cursor().execute('SELECT 1')", env=env)
    with sqlite3.connect(tmp_path / "fusionforum.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert options["transaction_mode"] == "IMMEDIATE"


def test_postgresql_is_selected_by_database_url():
    import environ

    config = environ.Env.db_url_config("postgresql://postgres@127.0.0.1:5432/forum")
    assert config["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_labelled(clock):
    today = dt.date(2027, 5, 26)
    load_demo(today=today)
    counts = [Event.objects.count(), Day.objects.count(), StreamLink.objects.count(),
              ContactMessage.objects.count()]
    load_demo(today=today)
    assert [Event.objects.count(), Day.objects.count(), StreamLink.objects.count(),
            ContactMessage.objects.count()] == counts == [1, 3, 2, 3]
    event = Event.objects.get(slug=DEMO_SLUG)
    assert event.is_demo and event.is_published
    assert event.days.last().label == "Day 3: open doors"
    assert "fictional" in event.description.lower()


@pytest.mark.django_db
def test_demo_has_one_stream_live_and_one_to_come_whenever_it_is_loaded(clock):
    for hour in (0, 9, 23):
        moment = dt.datetime(2027, 5, 26, hour, 30,
                             tzinfo=dt.timezone(dt.timedelta(hours=2)))
        clock.set(moment)
        event = load_demo()
        states = sorted(s.state_at(moment) for s in event.streams.all())
        assert states == sorted([StreamState.LIVE, StreamState.UPCOMING])


@pytest.mark.django_db
def test_demo_pages_say_the_data_is_synthetic(clock):
    load_demo(today=dt.date(2027, 5, 20))
    html = Client().get(f"/{DEMO_SLUG}/").content.decode()
    assert "Demonstration site: every organisation, person and figure shown here is fictional" \
        in html


@pytest.mark.own_sqlite  # manage.py in a child process on a SQLite file
def test_load_demo_command(tmp_path, tmp_path_factory):
    env = _clean_env(DJANGO_SETTINGS_MODULE="fusionforum.settings.dev",
                     FUSIONFORUM_VAR_DIR=str(tmp_path))
    migrated_copy(tmp_path_factory, tmp_path / "fusionforum.sqlite3")  # as `migrate` leaves it
    first = _manage("load_demo", env=env)
    second = _manage("load_demo", env=env)
    assert "Demo workshop" in first.stdout and "Demo workshop" in second.stdout
    # A reload keeps every seat: the desk's figures are the same after it.
    desk = [[line for line in run.stdout.splitlines() if "Registration desk:" in line]
            for run in (first, second)]
    assert desk[0] and desk[0] == desk[1]


@pytest.mark.django_db
def test_demo_staff_can_pass_the_second_factor_with_backup_codes(clock):
    from django_otp import match_token

    from fusionforum.accounts.models import User
    from fusionforum.events.demo import DEMO_BACKUP_CODES

    load_demo(today=dt.date(2027, 5, 26))
    organiser = User.objects.get(email="organiser@demo.fusionforum.invalid")
    assert match_token(organiser, DEMO_BACKUP_CODES[0]) is not None
    assert match_token(organiser, DEMO_BACKUP_CODES[0]) is None  # single use
    load_demo(today=dt.date(2027, 5, 26))
    assert match_token(organiser, DEMO_BACKUP_CODES[0]) is not None  # refilled
