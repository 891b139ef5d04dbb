"""Each test worker's database starts as a copy of one migrated database per test run.

Django makes a test database by running every migration (about 12 s of CPU per worker and
database; four workers in CI). Instead, while pytest-django sets up the test databases,
Django's ``migrate`` is answered by copying a database that ``manage.py migrate`` made once for
the whole run:

- SQLite: the run's migrated file (``tests/migrated_sqlite.py``, which child processes copy
  too) is copied into the worker's in-memory database with SQLite's backup API;
- PostgreSQL: the run's template database, migrated once by the first worker to need it, is
  copied by ``CREATE DATABASE ... TEMPLATE`` (the same copy Django's parallel test runner makes).

``migrate`` itself stays tested: the copy is its result, ``tests/core/test_migrations.py``
checks the migrations, and ``test_the_test_database_is_fully_migrated`` there proves that the
copy leaves no migration to apply. With ``--reuse-db`` or ``--no-migrations`` nothing changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import django.core.management

from tests.migrated_sqlite import migrate, migrated_template, shared_folder

TEMPLATE_SUFFIX = "_template"


@contextlib.contextmanager
def migrations_copied(tmp_path_factory):
    """While this is open, Django's ``migrate`` of a test database copies the run's migrated
    database into it instead of running the migrations."""
    original = django.core.management.call_command

    def call_command(command, *args, **options):
        # Django's create_test_db imports call_command from this module at each call.
        if command == "migrate" and not args and _migrations_in_use():
            from django.db import connections

            connection = connections[options.get("database", "default")]
            if _copy_migrated(connection, tmp_path_factory):
                return None
        return original(command, *args, **options)

    django.core.management.call_command = call_command
    try:
        yield
    finally:
        django.core.management.call_command = original


def _migrations_in_use() -> bool:
    from django.conf import settings

    # pytest-django's --no-migrations swaps in an object that hides every migration module.
    return type(settings.MIGRATION_MODULES).__name__ != "DisableMigrations"


def _copy_migrated(connection, tmp_path_factory) -> bool:
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
            connection.settings_dict["NAME"]):
        template = migrated_template(tmp_path_factory)
        connection.ensure_connection()
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return True
    if connection.vendor == "postgresql":
        _copy_postgres_template(connection, tmp_path_factory)
        return True
    return False


# -- PostgreSQL ------------------------------------------------------------------------------


def template_name(test_database_name: str) -> str:
    """The run's template database: the test database's name without the worker's suffix."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = test_database_name.removesuffix(f"_{worker}") if worker else test_database_name
    return base + TEMPLATE_SUFFIX


def _database_url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(name, safe='')}"


def _copy_postgres_template(connection, tmp_path_factory) -> None:
    name = connection.settings_dict["NAME"]
    template = template_name(name)
    quote_name = connection.ops.quote_name
    shared = shared_folder(tmp_path_factory)
    ready = shared / f"{template}.ready"
    # One process at a time: PostgreSQL copies a template only while nobody else uses it.
    with open(shared / f"{template}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        connection.close()
        if not ready.exists():
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote_name(template)}")
                cursor.execute(f"CREATE DATABASE {quote_name(template)}")
            migrate(_database_url(connection.settings_dict, template), shared / f"{template}-var")
            # Where the controlling process finds it to drop it at the end of the run.
            ready.write_text(template)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote_name(name)}")
            cursor.execute(f"CREATE DATABASE {quote_name(name)} TEMPLATE {quote_name(template)}")


def drop_templates(folder: Path, settings_dict: dict) -> None:
    """Drop the template databases this run made (called once, by the controlling process)."""
    names = [marker.read_text() for marker in folder.glob(f"*{TEMPLATE_SUFFIX}.ready")]
    if not names:
        return
    import psycopg

    with psycopg.connect(_database_url(settings_dict, "postgres"), autocommit=True) as db:
        for name in names:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
