"""A PostgreSQL server that dies and comes back: the app servers answer 503 while it is down and
200 again, with the same workers, once it is back; no acknowledged registration is lost.

A throw-away PostgreSQL cluster is made in a temporary directory with the binaries of this
machine (initdb, pg_ctl; as the ``postgres`` user when the tests run as root, which initdb
refuses), on a free port. The suite's own (migrated) test database is seeded with an open event
and logged-in participants and copied into it with pg_dump, which is much faster than
migrating. One gunicorn app server (2 workers, persistent connections with health checks, as in
production) serves it while participants keep registering; the server is killed
(``pg_ctl stop -m immediate``, as a crash) and started again.

Runs in the PostgreSQL pass of CI; .ci/run makes sure the PostgreSQL server binaries are there.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from fusionforum.core.middleware import DATABASE_UNAVAILABLE_MESSAGE, RETRY_AFTER_SECONDS
from tests.registration import surge_support as surge

REPO = Path(__file__).resolve().parents[2]
SLUG = "outage"
PARTICIPANTS = 60
pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="needs DATABASE_URL=postgresql://... (the PostgreSQL CI pass)"),
]


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


class ThrowAwayPostgres:
    """A PostgreSQL cluster of its own in ``directory`` (data, unix socket, log), on ``port``."""

    def __init__(self, bin_dir: Path, directory: Path, port: int):
        self.bin_dir, self.directory, self.port = bin_dir, directory, port
        self.data = directory / "data"
        # initdb refuses to run as root: the server then runs as the postgres user.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(directory, account.pw_uid, account.pw_gid)

    def _run(self, *args: str, timeout: float = 30) -> None:
        subprocess.run([str(self.bin_dir / args[0]), *args[1:]], check=True, timeout=timeout,
                       user=self.user, group=self.user, cwd=self.directory,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        self._run("initdb", "--pgdata", str(self.data), "--username", "postgres",
                  "--auth", "trust", "--encoding", "UTF8", "--no-locale", "--no-sync",
                  "--no-instructions")

    def start(self) -> None:
        # fsync off: a killed server loses nothing that was committed (the kernel still holds
        # the WAL); only a crash of the machine would.
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=30 -c shared_buffers=16MB")
        self._run("pg_ctl", "start", "--pgdata", str(self.data), "--wait", "--timeout", "20",
                  "--log", str(self.directory / "postgres.log"), "-o", options)

    def kill(self) -> None:
        """Stops at once, as a crash would: no checkpoint, clients cut off."""
        self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "immediate",
                  "--wait")

    def stop_quietly(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.kill()


def _copy_test_database(target_url: str, bin_dir: Path) -> None:
    """The suite's test database (migrated, and seeded by the test) into ``target_url``."""
    db = connection.settings_dict
    source = (f"postgresql://{urllib.parse.quote(db['USER'] or 'postgres')}@"
              f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    dump = subprocess.run([str(bin_dir / "pg_dump"), "--no-owner", "--no-privileges",
                           "--dbname", source], env=env, capture_output=True, check=True,
                          timeout=60)
    subprocess.run([str(bin_dir / "psql"), "--quiet", "--set", "ON_ERROR_STOP=1",
                    "--dbname", target_url], input=dump.stdout, capture_output=True,
                   check=True, timeout=60)


Answer = surge.Reply


def _request(port: int, method: str, path: str, *, cookies: dict | None = None,
             form: dict | None = None, accept: str = "text/html") -> Answer:
    return surge.request(port, method, path, site=surge.Site(production=True), cookies=cookies,
                         form=form, timeout=15, accept=accept)


def _register(port: int, participant: dict, index: int) -> Answer:
    return _request(port, "POST", surge.registration_path(SLUG),
                    cookies=surge.cookies_of(participant),
                    form=surge.registration_form(participant, participant["csrftoken"], index))


def _acknowledged(answer: Answer) -> bool:
    return surge.is_acknowledged(answer.status, answer.location, SLUG)


class Registrations(threading.Thread):
    """Participants registering one after the other, across the outage, until stopped."""

    def __init__(self, port: int, participants: list[dict]):
        super().__init__(daemon=True)
        self.port, self.participants = port, participants
        self.answers: list[tuple[int, Answer | str]] = []
        self.halt = threading.Event()

    def count(self, predicate) -> int:
        return sum(1 for _, answer in list(self.answers)
                   if not isinstance(answer, str) and predicate(answer))

    def run(self) -> None:
        for index, participant in enumerate(self.participants):
            if self.halt.is_set():
                return
            try:
                answer: Answer | str = _register(self.port, participant, index)
            except (OSError, http.client.HTTPException) as error:
                answer = f"{type(error).__name__}: {error}"
            self.answers.append((participant["user_id"], answer))
            time.sleep(0.05)


def _workers_in_log(log: Path, after: int = 0, request: str = "") -> dict[int, list[int]]:
    """Statuses per worker pid from the access log (lines ``access <pid> <status> <method>
    <path>``), from byte ``after`` on; only of ``request`` ("GET /path") if given."""
    seen: dict[int, list[int]] = {}
    with open(log, "rb") as handle:
        handle.seek(after)
        for line in handle.read().decode(errors="replace").splitlines():
            match = re.match(r"access <(\d+)> (\d{3}) (\S+ \S+)$", line)
            if match and (not request or match.group(3) == request):
                seen.setdefault(int(match.group(1)), []).append(int(match.group(2)))
    return seen


@pytest.fixture
def throw_away_postgres():
    bin_dir = _postgres_bin()
    if bin_dir is None:
        message = "the PostgreSQL server binaries (Debian package postgresql) are missing"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run installs them")
        pytest.skip(message)
    directory = Path(tempfile.mkdtemp(prefix="ff-outage-"))
    server = ThrowAwayPostgres(bin_dir, directory, surge.free_port())
    try:
        yield server  # created and started by ``app_server``, while gunicorn starts
    finally:
        server.stop_quietly()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def app_server(throw_away_postgres, tmp_path):
    """One gunicorn app server (2 single-thread workers) with the production settings on the
    throw-away cluster, which is made, started and filled while gunicorn starts. Yields (port,
    log path, the seeded participants, the gunicorn master)."""
    server = throw_away_postgres
    database = surge.Database("postgresql", server.url("forum"))
    env = surge.child_env(database, tmp_path, production=True, workers=2, threads=1,
                          secret_key=settings.SECRET_KEY)  # the seeded sessions' key
    # Persistent connections (the production default), served without collected static files.
    env.update(DJANGO_SETTINGS_MODULE="fusionforum.settings.test_production", CONN_MAX_AGE="60")
    port, log = surge.free_port(), tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
             "--access-logformat", "access %(p)s %(s)s %(m)s %(U)s", "fusionforum.wsgi"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # gunicorn needs no database to start (its health check does not touch it).
        server.create()
        server.start()
        seeded = surge._seed(PARTICIPANTS, PARTICIPANTS, [SLUG])  # noqa: SLF001 - in-process
        with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE forum")
        _copy_test_database(server.url("forum"), server.bin_dir)
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            with contextlib.suppress(OSError, http.client.HTTPException):
                if _request(port, "GET", "/healthz").status == 200:
                    break
            assert time.monotonic() < deadline, "gunicorn did not start: " + log.read_text()
            time.sleep(0.1)
        yield port, log, seeded["clients"], process
    finally:
        # Every request was answered and the cluster goes too: no graceful shutdown to wait
        # for (seconds on a busy machine).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _worker_pids(master: int) -> set[int]:
    """The gunicorn master's children (its workers), from /proc."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == master:
                    pids.add(int(entry.name))
    return pids


def _until_every_worker_answered(port: int, log: Path, since: int, path: str, cookies: dict,
                                 workers: set[int]) -> dict[int, list[int]]:
    """Requests ``path`` until each worker has answered at least once. The kernel, not this
    test, hands connections to the workers: bursts of parallel requests keep one worker busy
    while another accepts."""
    with ThreadPoolExecutor(4) as pool:
        for _ in range(50):
            list(pool.map(lambda _: _request(port, "GET", path, cookies=cookies), range(4)))
            seen = _workers_in_log(log, since, f"GET {path}")
            if workers <= set(seen):
                return seen
    return _workers_in_log(log, since, f"GET {path}")


def _wait_for(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_database_outage_answers_503_and_the_same_workers_recover(
        throw_away_postgres, app_server):
    database = throw_away_postgres
    port, log, participants, process = app_server
    front_door, home = "/", f"/{SLUG}/"
    page = surge.registration_path(SLUG)
    viewer, refused = participants[0], participants[1]
    surgers = participants[2:]

    # Up: the public page (now in the page cache) and a participant's page.
    assert _request(port, "GET", home).status == 200
    _wait_for(lambda: len(_worker_pids(process.pid)) == 2, "both workers to be forked")
    workers = _worker_pids(process.pid)
    seen = _until_every_worker_answered(port, log, 0, page, surge.cookies_of(viewer), workers)
    assert set(seen) == workers and all(
        status == 200 for statuses in seen.values() for status in statuses), seen

    registering = Registrations(port, surgers)
    registering.start()
    # Some registrations go through first.
    _wait_for(lambda: registering.count(_acknowledged) >= 2, "registrations before the outage")
    database.kill()
    down_from = log.stat().st_size

    # Down: every worker answers 503 with Retry-After and the plain page; nothing is saved.
    seen = _until_every_worker_answered(port, log, down_from, front_door, {}, workers)
    assert set(seen) == workers and all(
        status == 503 for statuses in seen.values() for status in statuses), seen
    answer = _request(port, "GET", front_door)
    assert answer.status == 503
    assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert answer.headers["content-type"].startswith("text/html")
    assert DATABASE_UNAVAILABLE_MESSAGE in answer.body
    answer = _request(port, "GET", page, cookies=surge.cookies_of(viewer),
                      accept="application/json")
    assert answer.status == 503 and answer.headers["content-type"] == "application/problem+json"
    assert json.loads(answer.body)["detail"] == DATABASE_UNAVAILABLE_MESSAGE
    answer = _register(port, refused, 1)
    assert answer.status == 503 and DATABASE_UNAVAILABLE_MESSAGE in answer.body
    # A public page in the shared cache is still served: it needs no database.
    answer = _request(port, "GET", home)
    assert answer.status == 200 and answer.headers.get("x-page-cache") == "hit"
    # Registrations keep arriving during the outage.
    _wait_for(lambda: registering.count(lambda a: a.status == 503) >= 1,
              "a registration during the outage")

    database.start()
    up_from = log.stat().st_size

    # Back: the same workers (no restart) connect again by themselves and answer 200.
    seen = _until_every_worker_answered(port, log, up_from, page, surge.cookies_of(viewer),
                                        workers)
    assert set(seen) == workers and all(
        status == 200 for statuses in seen.values() for status in statuses), seen
    assert process.poll() is None and _worker_pids(process.pid) == workers
    registering.halt.set()
    registering.join(timeout=30)
    assert not registering.is_alive()

    # Every answer was an acknowledgement or a 503: no 500, no dropped connection.
    answers = registering.answers
    problems = [(user, a if isinstance(a, str) else a.status) for user, a in answers
                if isinstance(a, str) or (a.status != 503 and not _acknowledged(a))]
    assert problems == []
    acknowledged = {user for user, a in answers if _acknowledged(a)}
    with psycopg.connect(database.url("forum")) as check:
        stored = {row[0] for row in check.execute(
            "SELECT r.user_id FROM registration_registration r "
            "JOIN events_event e ON e.id = r.event_id WHERE e.slug = %s", [SLUG])}
    assert acknowledged <= stored, f"lost: {sorted(acknowledged - stored)}"
    assert refused["user_id"] not in stored
    # And a registration after the outage goes through.
    answer = _register(port, refused, 1)
    assert _acknowledged(answer), (answer.status, answer.body[:500])

    # One log line per 503, and no traceback.
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
    unavailable = sum(statuses.count(503) for statuses in _workers_in_log(log).values())
    assert text.count("Database unreachable, answered 503") == unavailable
