"""Registration surges against live app servers: a database of their own, seeded with open
events and logged-in participants; gunicorn app servers on it; many clients racing for the
seats; and the check of what the database holds afterwards.

Shared by ``tests/registration/test_concurrency.py`` and ``bench/registration_surge.py``.

The Django parts run in a child process with the app servers' environment (same database,
same SECRET_KEY), never in the caller's process::

    python -m tests.registration.surge_support seed --users 240 --capacity 20 --event a
    python -m tests.registration.surge_support inspect --event a

``seed`` prints the participants' cookies as JSON: a ``sessionid`` of a logged-in session
stored in the database (and in the cache with cache-backed sessions) and a ``csrftoken``
secret (32 letters and digits; Django 5.2 takes that as the CSRF cookie and the same unmasked
value as the form's token).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
LOCALHOST = "127.0.0.1"
TEST_SERVER_SETTINGS = "fusionforum.settings.test_server"
PRODUCTION_SETTINGS = "fusionforum.settings.production"
PRODUCTION_HOST = "forum.test.invalid"
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# The response to an accepted registration: 302 back to the participant's registration page.
ACCEPTED = 302


# Databases ----------------------------------------------------------------------------------


@dataclass
class Database:
    """A throw-away database: a SQLite file or a PostgreSQL database created for the run."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    admin_url: str = ""
    name: str = ""

    @property
    def path(self) -> Path:
        """The file of a SQLite database."""
        assert self.kind == "sqlite", self.kind
        return Path(self.url.removeprefix("sqlite:///"))

    def drop(self) -> None:
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                # FORCE: a worker killed mid-request may leave a connection behind.
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def sqlite_database(directory: Path) -> Database:
    path = Path(directory).resolve() / "surge.sqlite3"
    return Database("sqlite", f"sqlite:///{path}")  # sqlite:////tmp/... (absolute path)


def postgres_admin_url(database_url: str | None = None) -> str:
    """The maintenance database on the server of ``database_url`` (same user, host, port)."""
    if not database_url:
        return DEFAULT_PG_ADMIN_URL
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))


def postgres_database(admin_url: str = DEFAULT_PG_ADMIN_URL) -> Database:
    import psycopg

    name = f"ff_surge_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    url = urllib.parse.urlunsplit(("postgresql", parts.netloc, f"/{name}", parts.query, ""))
    return Database("postgresql", url, admin_url=admin_url, name=name)


def postgres_available(admin_url: str = DEFAULT_PG_ADMIN_URL) -> bool:
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False


# Environment of the children ----------------------------------------------------------------


@dataclass
class Site:
    """How requests reach the app servers: the dev shape (plain HTTP to 127.0.0.1) or the
    production shape (Host of the site, HTTPS said by the proxy's X-Forwarded-Proto)."""

    production: bool = False

    def host(self, port: int) -> str:
        return PRODUCTION_HOST if self.production else f"{LOCALHOST}:{port}"

    def origin(self, port: int) -> str:
        return f"https://{PRODUCTION_HOST}" if self.production else f"http://{LOCALHOST}:{port}"

    def headers(self, port: int) -> dict[str, str]:
        headers = {"Host": self.host(port)}
        if self.production:
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Forwarded-For"] = "198.51.100.7"
        return headers


def child_env(database: Database, var_dir: Path, *, production: bool = False,
              seat_lock: bool = True, workers: int = 4, threads: int = 1,
              secret_key: str | None = None, redis_url: str | None = None) -> dict[str, str]:
    """The environment of the app servers and of the seed/inspect children.

    The dev-based test settings (``test_server``) unless ``production``; the negative-control
    switch exists only in ``test_server`` and is refused here for production. ``redis_url``
    (production only) gives the app servers a Redis cache, as in a deployment, under a key
    prefix of their own (``env["CACHE_KEY_PREFIX"]``; remove them with ``forget_cache``).
    """
    if production and not seat_lock:
        raise ValueError("the seat lock can only be disabled with the test-server settings")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))}
    for name in ("REDIS_URL", "CACHE_KEY_PREFIX", "FUSIONFORUM_TEST_DISABLE_SEAT_LOCK",
                 "SITE_URL", "ALLOWED_HOSTS", "EMAIL_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS if production else TEST_SERVER_SETTINGS,
        DATABASE_URL=database.url,
        FUSIONFORUM_VAR_DIR=str(var_dir),
        SECRET_KEY=secret_key or "surge-only-" + secrets.token_urlsafe(48),
        DEBUG="False",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_THREADS=str(threads),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    if production:
        env.update(ALLOWED_HOSTS=PRODUCTION_HOST, SITE_URL=f"https://{PRODUCTION_HOST}",
                   EMAIL_URL="consolemail://",
                   VAULT_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    if not seat_lock:
        env["FUSIONFORUM_TEST_DISABLE_SEAT_LOCK"] = "1"
    if redis_url:
        if not production:
            raise ValueError("Redis is for the production shape")
        env.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX=f"ff-surge-{secrets.token_hex(4)}")
    return env


def redis_available(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False


def forget_cache(env: dict[str, str]) -> None:
    """Remove the keys a run stored in Redis (its own prefix only)."""
    if not env.get("REDIS_URL"):
        return
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    keys = list(client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])


def with_seat_lock(env: dict[str, str], enabled: bool) -> dict[str, str]:
    env = dict(env)
    env.pop("FUSIONFORUM_TEST_DISABLE_SEAT_LOCK", None)
    if not enabled:
        if env["DJANGO_SETTINGS_MODULE"] != TEST_SERVER_SETTINGS:
            raise ValueError("the seat lock can only be disabled with the test-server settings")
        env["FUSIONFORUM_TEST_DISABLE_SEAT_LOCK"] = "1"
    return env


def run_child(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    completed = subprocess.run(
        [str(VENV_BIN / "python"), *args], cwd=REPO_DIR, env=env, capture_output=True,
        text=True, timeout=timeout, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({completed.returncode}):\n"
                           f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return completed.stdout


def prepare(env: dict[str, str], *, migrated: bool = False) -> None:
    """Migrate the empty database (unless it is a copy of a migrated one) and collect the
    static files, as for a deployment."""
    if not migrated:
        run_child(env, "manage.py", "migrate", "--noinput", "-v0")
    run_child(env, "manage.py", "collectstatic", "--noinput", "-v0")


def seed(env: dict[str, str], *, events: list[str], users: int, capacity: int) -> dict:
    args = ["-m", "tests.registration.surge_support", "seed", "--users", str(users),
            "--capacity", str(capacity)]
    for slug in events:
        args += ["--event", slug]
    return json.loads(run_child(env, *args))


def inspect(env: dict[str, str], slug: str) -> dict:
    return json.loads(run_child(env, "-m", "tests.registration.surge_support", "inspect",
                                "--event", slug))


# App servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


class AppServers:
    """``count`` gunicorn app servers on free ports of 127.0.0.1, each in a session of its own;
    stopped as process groups (no orphaned worker keeps a database connection)."""

    def __init__(self, env: dict[str, str], count: int, log_dir: Path, *, site: Site,
                 label: str = "app"):
        self.env, self.count, self.site = env, count, site
        self.log_paths = [Path(log_dir) / f"{label}-{i}.log" for i in range(count)]
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> AppServers:
        try:
            for log_path in self.log_paths:
                port = free_port()
                with open(log_path, "wb") as log:
                    self.processes.append(subprocess.Popen(
                        [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py",
                         "--bind", f"{LOCALHOST}:{port}", "fusionforum.wsgi"],
                        cwd=REPO_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    ))
                self.ports.append(port)
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_healthy(self, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        for port, process, log_path in zip(self.ports, self.processes, self.log_paths,
                                           strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited:\n{tail(log_path)}")
                with contextlib.suppress(OSError, http.client.HTTPException):
                    if request(port, "GET", "/healthz", site=self.site, timeout=2).status == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer /healthz:\n{tail(log_path)}")
                time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def log_problems(self) -> list[str]:
        """Lines of the servers' logs that speak of errors (tracebacks, timeouts, 5xx)."""
        found = []
        for log_path in self.log_paths:
            for line in log_path.read_text(errors="replace").splitlines():
                if re.search(r"Traceback|ERROR|CRITICAL|WORKER TIMEOUT|Error:", line):
                    found.append(f"{log_path.name}: {line}")
        return found


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# Requests -----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    location: str = ""
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case


def request(port: int, method: str, path: str, *, site: Site, cookies: dict | None = None,
            form: dict | None = None, timeout: float = 30, accept: str | None = None) -> Reply:
    headers = site.headers(port)
    if accept:
        headers["Accept"] = accept
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = site.origin(port) + path
    connection = http.client.HTTPConnection(LOCALHOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        return Reply(response.status, response.getheader("Location") or "", content,
                     {name.lower(): value for name, value in response.getheaders()})
    finally:
        connection.close()


def registration_path(slug: str) -> str:
    return f"/{slug}/registration/"


def registration_form(client: dict, token: str, index: int) -> dict:
    form = {"csrfmiddlewaretoken": token}
    if index % 2:
        form["consent_public_list"] = "on"
    return form


def cookies_of(client: dict) -> dict:
    return {"sessionid": client["sessionid"], "csrftoken": client["csrftoken"]}


def is_acknowledged(status: int, location: str, slug: str) -> bool:
    """A registration the server acknowledged: 302 back to the registration page (not to the
    login page, which is where an anonymous POST is sent)."""
    path = urllib.parse.urlsplit(location).path
    return status == ACCEPTED and path == registration_path(slug)


@dataclass
class Outcome:
    user_id: int
    port: int
    status: int = 0
    location: str = ""
    error: str = ""
    sent_at: float = 0.0
    done_at: float = 0.0

    @property
    def latency(self) -> float:
        return self.done_at - self.sent_at


def thread_race(requests: list[tuple[dict, int]], slug: str, *, site: Site,
                timeout: float = 60) -> list[Outcome]:
    """One thread per request: (client, port of the app server it goes to). Each loads the
    registration form like a browser (its session cookie, the CSRF token from the page), then
    all wait at one barrier and POST together. A client listed twice clicks twice."""
    path = registration_path(slug)
    barrier = threading.Barrier(len(requests))
    outcomes = [Outcome(user_id=client["user_id"], port=port) for client, port in requests]

    def run(index: int, client: dict, outcome: Outcome) -> None:
        cookies = cookies_of(client)
        try:
            page = request(outcome.port, "GET", path, site=site, cookies=cookies,
                           timeout=timeout)
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
            if page.status != 200 or match is None:
                raise RuntimeError(f"the form did not load: {page.status}")
            barrier.wait(timeout=timeout)
        except Exception as error:  # noqa: BLE001 - recorded; the race must not hang
            outcome.error = f"before the race: {type(error).__name__}: {error}"
            barrier.abort()
            return
        outcome.sent_at = time.monotonic()
        try:
            reply = request(outcome.port, "POST", path, site=site, cookies=cookies,
                            form=registration_form(client, match.group(1), index),
                            timeout=timeout)
            outcome.status, outcome.location = reply.status, reply.location
        except Exception as error:  # noqa: BLE001
            outcome.error = f"{type(error).__name__}: {error}"
        outcome.done_at = time.monotonic()

    threads = [threading.Thread(target=run, args=(i, client, outcome), daemon=True)
               for i, ((client, _), outcome) in enumerate(zip(requests, outcomes, strict=True))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 2 * timeout + 5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for outcome, thread in zip(outcomes, threads, strict=True):
        if thread.is_alive() and not outcome.error:
            outcome.error = "client still running at the deadline"
    return outcomes


# The check ----------------------------------------------------------------------------------


@dataclass
class SurgeReport:
    clients: int
    capacity: int
    statuses: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    repeats_refused: int = 0
    registrations: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    oversold: int = 0
    lost: int = 0
    server_errors: int = 0
    client_errors: int = 0
    problems: list[str] = field(default_factory=list)


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def check(facts: dict, replies: list[tuple[int, int, str]], *, capacity: int,
          slug: str, client_errors: int = 0) -> SurgeReport:
    """What the database holds after a surge, against what the clients were told.

    ``replies``: (user id, HTTP status, Location) of every request that got an answer; a
    person may have sent several (a double click). Each person needs one acknowledgement; a
    repeat may be acknowledged too or refused with 400 ("already registered").
    ``problems`` lists every broken rule; empty means the surge was handled correctly.
    """
    per_person: dict[int, list[tuple[int, str]]] = {}
    for user, status, location in replies:
        per_person.setdefault(user, []).append((status, location))
    report = SurgeReport(clients=len(per_person) + client_errors, capacity=capacity,
                         client_errors=client_errors)
    problems = report.problems
    report.statuses = {str(k): v for k, v in
                       sorted(Counter(status for _, status, _ in replies).items())}
    report.server_errors = sum(1 for _, status, _ in replies if status >= 500)
    acknowledged = {user for user, answers in per_person.items()
                    if any(is_acknowledged(s, loc, slug) for s, loc in answers)}
    report.acknowledged = len(acknowledged)
    refused = [(user, answers) for user, answers in per_person.items()
               if user not in acknowledged]
    report.repeats_refused = sum(
        1 for user in acknowledged for s, loc in per_person[user]
        if not is_acknowledged(s, loc, slug))
    odd_repeats = [(user, answers) for user in acknowledged
                   for answers in [per_person[user]]
                   if any(s not in (ACCEPTED, 400) for s, _ in answers)]
    if report.server_errors:
        problems.append(f"{report.server_errors} responses were server errors (5xx)")
    if refused:
        problems.append(f"{len(refused)} people were not acknowledged, e.g. {refused[:3]}")
    if odd_repeats:
        problems.append(f"repeated requests answered oddly, e.g. {odd_repeats[:3]}")
    if client_errors:
        problems.append(f"{client_errors} requests got no answer")

    registrations = facts["registrations"]
    report.registrations = len(registrations)
    by_status = Counter(r["status"] for r in registrations)
    report.confirmed = by_status.get("confirmed", 0)
    report.waitlisted = by_status.get("waitlisted", 0)
    report.oversold = max(0, report.confirmed - capacity)
    if report.oversold:
        problems.append(f"oversold: {report.confirmed} confirmed for {capacity} seats")
    if set(by_status) - {"confirmed", "waitlisted"}:
        problems.append(f"unexpected states: {dict(by_status)}")

    per_user = Counter(r["user_id"] for r in registrations)
    twice = {user: n for user, n in per_user.items() if n > 1}
    if twice:
        problems.append(f"{len(twice)} people registered more than once: {list(twice)[:5]}")
    lost = acknowledged - set(per_user)
    report.lost = len(lost)
    if lost:
        problems.append(f"lost: {len(lost)} acknowledged registrations are not stored")
    unannounced = set(per_user) - acknowledged
    if unannounced:
        problems.append(f"{len(unannounced)} registrations are stored but their client was "
                        f"not told so")
    expected_confirmed = min(capacity, len(registrations))
    if report.confirmed != expected_confirmed and not report.oversold:
        problems.append(f"{report.confirmed} confirmed, but {expected_confirmed} seats could "
                        f"have been given")

    # The transition log: exactly one initial transition per registration, to its state.
    transitions = facts["transitions"]
    initial: dict[int, list[dict]] = {}
    for t in transitions:
        if t["from_status"] == "":
            initial.setdefault(t["registration_id"], []).append(t)
    if len(transitions) != len(registrations):
        problems.append(f"{len(transitions)} transitions logged for "
                        f"{len(registrations)} registrations")
    for r in registrations:
        logged = initial.get(r["id"], [])
        if len(logged) != 1 or logged[0]["to_status"] != r["status"]:
            problems.append(f"registration {r['id']} ({r['status']}) has initial "
                            f"transitions {[t['to_status'] for t in logged]}")
            break

    # First come, first served: in the order the seat lock let them in (the log's order), every
    # confirmation comes before every place on the waiting list, and the waiting list follows
    # that order with positions 1..n, as the waiting-list e-mails announced them.
    stamp = {rid: (_moment(ts[0]["at"]), ts[0]["id"]) for rid, ts in initial.items()}
    by_id = {r["id"]: r for r in registrations}
    in_log_order = sorted((rid for rid in stamp if rid in by_id), key=stamp.__getitem__)
    states_in_order = [by_id[rid]["status"] for rid in in_log_order]
    first_waitlisted = (states_in_order.index("waitlisted")
                        if "waitlisted" in states_in_order else len(states_in_order))
    if "confirmed" in states_in_order[first_waitlisted:]:
        late = states_in_order[first_waitlisted:].count("confirmed")
        problems.append(f"not first come, first served: {late} people got a seat after "
                        f"someone before them was put on the waiting list")
    waiting_list = facts["waiting_list"]
    expected_list = [rid for rid in in_log_order if by_id[rid]["status"] == "waitlisted"]
    if waiting_list != expected_list:
        problems.append("the waiting list's order is not the order of arrival under the lock")
    if sorted(waiting_list) != sorted(r["id"] for r in registrations
                                      if r["status"] == "waitlisted"):
        problems.append("the waiting list does not hold every waitlisted registration")
    for r in registrations:
        if (r["status"] == "waitlisted" and r["id"] in stamp
                and r["waitlisted_at"] != stamp[r["id"]][0].isoformat()):
            problems.append(f"registration {r['id']}: waitlisted_at differs from its log")
            break
    announced = [facts["announced_positions"].get(str(rid)) for rid in waiting_list]
    if announced != list(range(1, len(waiting_list) + 1)):
        shown = Counter(announced)
        repeated = sorted(p for p, n in shown.items() if p is not None and n > 1)
        problems.append(f"waiting-list positions announced by e-mail are not 1..n in order "
                        f"(repeated: {repeated[:10]})")
    emails = facts["emails"]
    wrong_mail = [rid for rid, kinds in ((r["id"], emails.get(str(r["id"]), []))
                                          for r in registrations)
                  if kinds != [f"registration-{by_id[rid]['status']}"]]
    if wrong_mail:
        problems.append(f"{len(wrong_mail)} registrations did not queue exactly their one "
                        f"e-mail")
    return report


def rates_under_lock(facts: dict, share: float = 0.1) -> tuple[float, float]:
    """Registrations per second through the seat lock over the first and the last ``share``
    of the log (a lock held longer as the waiting list grows shows as a lower second figure)."""
    stamps = sorted(_moment(t["at"]) for t in facts["transitions"] if t["from_status"] == "")
    size = max(2, int(len(stamps) * share))

    def rate(chunk: list[dt.datetime]) -> float:
        span = (chunk[-1] - chunk[0]).total_seconds()
        return (len(chunk) - 1) / span if span > 0 else 0.0

    return (rate(stamps[:size]), rate(stamps[-size:])) if len(stamps) >= 2 else (0.0, 0.0)


# Django side (runs in a child process) ------------------------------------------------------

POSITION = re.compile(r"You are number (\d+) on the waiting list")
KINDS = ("private_developer", "supplier", "public_lab", "academia", "investor", "media", "other")


def _seed(users: int, capacity: int, slugs: list[str]) -> dict:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from fusionforum.accounts.models import Organisation, User
    from fusionforum.events.models import Event
    from fusionforum.registration.models import RegistrationSettings

    now = timezone.now()
    alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    with transaction.atomic():
        for slug in slugs:
            event = Event(
                slug=slug, title=f"Surge Workshop {slug}", tagline="Synthetic load test",
                start_date=(now + dt.timedelta(days=60)).date(),
                end_date=(now + dt.timedelta(days=62)).date(),
                venue_name="Test Campus", contact_emails="organisers@test.invalid",
                status="published",
            )
            event.full_clean()
            event.save()
            RegistrationSettings.objects.create(
                event=event, opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(days=7), capacity=capacity,
                delegates_per_organisation=None, requires_approval=False,
            )
        # Organisations of every kind, one to five people each.
        organisations = []
        count = max(1, users // 3)
        for n in range(count):
            kind = KINDS[n % len(KINDS)]
            organisations.append(Organisation(
                name=f"Surge Fictional Org {n:05d}", kind=kind, country="FR",
                fusion_approach="tokamak" if kind == "private_developer" else "",
            ))
        organisations = Organisation.objects.bulk_create(organisations)
        people = User.objects.bulk_create([
            User(email=f"surge{n:05d}@test.invalid", full_name=f"Surge Person {n}",
                 organisation=organisations[(n * 7) % count], email_verified_at=now,
                 password=make_password(None))  # no password: they arrive logged in
            for n in range(users)
        ])
        if people[0].pk is None:  # backends that do not return keys from bulk inserts
            people = list(User.objects.filter(email__startswith="surge").order_by("email"))
        backend = "django.contrib.auth.backends.ModelBackend"
        store = SessionStore()
        clients, sessions = [], []
        expires = now + dt.timedelta(days=1)
        for user in people:
            key = get_random_string(32, alphanumeric.lower())
            data = {"_auth_user_id": str(user.pk), "_auth_user_backend": backend,
                    "_auth_user_hash": user.get_session_auth_hash()}
            sessions.append(Session(session_key=key, session_data=store.encode(data),
                                    expire_date=expires))
            clients.append({"user_id": user.pk, "email": user.email, "sessionid": key,
                            "csrftoken": get_random_string(32, alphanumeric)})
        Session.objects.bulk_create(sessions, batch_size=500)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
        # Cache-backed sessions: each participant's session is in the cache too, as after the
        # visit to the form that came before their click (the database still has every one).
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {KEY_PREFIX + s.session_key: store.decode(s.session_data) for s in sessions},
            timeout=24 * 3600)
    else:
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    return {"events": slugs, "capacity": capacity, "clients": clients}


def _inspect(slug: str) -> dict:
    from fusionforum.events.models import Event
    from fusionforum.notifications.models import OutboundEmail
    from fusionforum.registration import services
    from fusionforum.registration.models import Registration, RegistrationTransition

    event = Event.objects.get(slug=slug)
    registrations = [
        {"id": r.id, "user_id": r.user_id, "status": r.status, "seat_pool": r.seat_pool,
         "waitlisted_at": r.waitlisted_at.isoformat() if r.waitlisted_at else None}
        for r in Registration.objects.filter(event=event).order_by("id")
    ]
    transitions = [
        {"id": t.id, "registration_id": t.registration_id, "from_status": t.from_status,
         "to_status": t.to_status, "at": t.at.isoformat()}
        for t in RegistrationTransition.objects.filter(registration__event=event)
        .order_by("id")
    ]
    ids = {str(r["id"]) for r in registrations}
    emails: dict[str, list[str]] = {}
    positions: dict[str, int] = {}
    for email in (OutboundEmail.objects.filter(related_type="registration.registration")
                  .order_by("id")):
        if email.related_id not in ids:
            continue
        emails.setdefault(email.related_id, []).append(email.purpose)
        match = POSITION.search(email.body)
        if match:
            positions[email.related_id] = int(match.group(1))
    return {
        "capacity": event.registration_settings.capacity,
        "registrations": registrations,
        "transitions": transitions,
        "waiting_list": list(services.waiting_list(event).values_list("id", flat=True)),
        "emails": emails,
        "announced_positions": positions,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Seed or inspect a surge database.")
    parser.add_argument("command", choices=["seed", "inspect"])
    parser.add_argument("--event", action="append", required=True)
    parser.add_argument("--users", type=int, default=240)
    parser.add_argument("--capacity", type=int, default=20)
    args = parser.parse_args(argv)
    import django

    django.setup()
    if args.command == "seed":
        result = _seed(args.users, args.capacity, args.event)
    else:
        result = _inspect(args.event[0])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
