"""One migrated, empty SQLite file per test run, for the tests whose child processes need a
database of their own (app servers, ``load_demo``, races) and for the workers' own test
databases (``tests/cloned_database.py``): they copy it instead of each running ``migrate``
(about 12 s of CPU each). The xdist workers of a run share the parent of their temporary
folders; the first to take the lock migrates there. ``migrate`` itself stays tested: this file
is made by it, and ``tests/core/test_migrations.py`` checks the migrations."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_folder(tmp_path_factory) -> Path:
    """The folder that every process of this test run shares."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


def migrate(database_url: str, var: Path) -> None:
    """``manage.py migrate`` in a child process, on the database at ``database_url``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))}
    for name in ("REDIS_URL", "CACHE_KEY_PREFIX", "SITE_URL", "ALLOWED_HOSTS", "EMAIL_URL",
                 "SECRET_KEY", "VAULT_KEYS"):
        env.pop(name, None)
    var.mkdir(exist_ok=True)
    env.update(DJANGO_SETTINGS_MODULE="fusionforum.settings.test_server",
               DATABASE_URL=database_url, FUSIONFORUM_VAR_DIR=str(var))
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode:
        raise RuntimeError(f"migrate failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def _migrate(target: Path) -> None:
    migrate(f"sqlite:///{target}", target.parent / f"{target.stem}-var")
    # Fold the write-ahead log into the file, so that copying the file alone copies it all
    # (the journal mode, WAL, stays recorded in the file).
    with sqlite3.connect(target) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def migrated_template(tmp_path_factory) -> Path:
    """This run's migrated SQLite file (made on first use); copy it, never change it."""
    shared = shared_folder(tmp_path_factory)
    template = shared / "migrated.sqlite3"
    with open(shared / "migrated.sqlite3.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            partial = shared / f"migrating-{os.getpid()}.sqlite3"
            _migrate(partial)
            partial.replace(template)
    return template


def migrated_copy(tmp_path_factory, target: Path) -> Path:
    """Copy this run's migrated SQLite file to ``target`` (made on first use)."""
    template = migrated_template(tmp_path_factory)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target
