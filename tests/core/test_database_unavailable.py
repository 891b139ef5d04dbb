"""An unreachable database answers 503 with Retry-After and a plain page; every other error
stays a 500. The errors are the drivers' own (a SQLite file that cannot be opened, a refused
PostgreSQL connect, a server shutting down), raised where Django's database layer raises them.
The same against a PostgreSQL server that is really stopped and started:
``test_database_outage_server.py``."""

import logging
import socket
import sqlite3
import sys
from types import SimpleNamespace

import psycopg
import psycopg.errors
import pytest
from django.db import IntegrityError, connection
from django.db.utils import DatabaseErrorWrapper
from django.test import Client, RequestFactory

from fusionforum.core import middleware
from fusionforum.core.middleware import (
    DATABASE_UNAVAILABLE_MESSAGE,
    DatabaseUnavailableMiddleware,
    is_database_unreachable,
)
from fusionforum.core.views import server_error


def _wrapped(driver_error):
    """``driver_error`` as Django's database layer raises it (its own class, the driver's error
    as the cause)."""
    driver = sqlite3 if isinstance(driver_error, sqlite3.Error) else psycopg
    try:
        with DatabaseErrorWrapper(SimpleNamespace(Database=driver, errors_occurred=False)):
            raise driver_error
    except Exception as error:  # noqa: BLE001 - the wrapped error is the result
        return error


def _sqlite_cannot_open():
    try:
        sqlite3.connect("file:/nonexistent-directory/forum.sqlite3?mode=rw", uri=True)
    except sqlite3.OperationalError as error:
        return error
    raise AssertionError("sqlite opened a file in a missing directory")


def _sqlite_locked(tmp_path):
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return error
    finally:
        other.close()
        holder.close()
    raise AssertionError("the second writer got the lock")


def _postgres_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed
    try:
        psycopg.connect(f"postgresql://nobody@127.0.0.1:{port}/none", connect_timeout=2)
    except psycopg.OperationalError as error:
        return error
    raise AssertionError("a connection to a closed port succeeded")


def _server_error(sqlstate, message):
    return psycopg.errors.lookup(sqlstate)(message)


@pytest.fixture
def postgres_connection_gone(monkeypatch):
    """The state after a refused connect or a connection lost mid-query: Django's PostgreSQL
    connection holds no driver connection, or a closed one."""
    def use(raw):
        wrapper = SimpleNamespace(vendor="postgresql", connection=raw)
        monkeypatch.setattr(middleware.connections, "all", lambda **kwargs: [wrapper])
    return use


def test_an_unreachable_database_is_told_from_errors_of_queries_and_programs(
        tmp_path, postgres_connection_gone):
    assert is_database_unreachable(_wrapped(_sqlite_cannot_open()))
    # A locked SQLite database is a busy one, not an unreachable one.
    assert not is_database_unreachable(_wrapped(_sqlite_locked(tmp_path)))

    # The server said why: shutting down, crashed, starting up, too many clients, or a
    # connection exception (class 08).
    for sqlstate in ("57P01", "57P02", "57P03", "53300", "08006", "08001"):
        assert is_database_unreachable(_wrapped(_server_error(sqlstate, "going away"))), sqlstate
    # Errors of a query on a working server: a statement timeout, a deadlock, a wrong password
    # (a configuration error), a missing database.
    for sqlstate in ("57014", "40P01", "28P01", "3D000"):
        assert not is_database_unreachable(_wrapped(_server_error(sqlstate, "no"))), sqlstate

    # The driver's own error (no SQLSTATE) counts only when the connection is in fact gone.
    refused = _wrapped(_postgres_refused())
    postgres_connection_gone(None)
    assert is_database_unreachable(refused)
    postgres_connection_gone(SimpleNamespace(closed=True))
    assert is_database_unreachable(refused)
    postgres_connection_gone(SimpleNamespace(closed=False))
    assert not is_database_unreachable(refused)

    # A connect the server refused: it is reachable, and a wrong password or database name
    # will not pass by itself; one that is starting up or full will.
    postgres_connection_gone(None)
    for reason, unreachable in [
        ('password authentication failed for user "forum"', False),
        ('database "forum" does not exist', False),
        ("the database system is starting up", True),
        ("sorry, too many clients already", True),
    ]:
        error = psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            f"FATAL:  {reason}")
        assert is_database_unreachable(_wrapped(error)) is unreachable, reason

    # Never a program's error, even when it names the database.
    assert not is_database_unreachable(_wrapped(sqlite3.IntegrityError("UNIQUE failed")))
    assert not is_database_unreachable(IntegrityError("duplicate key"))
    assert not is_database_unreachable(RuntimeError("connection refused"))
    assert not is_database_unreachable(None)


def _driver_error_of_this_database():
    """What the suite's database raises when it cannot be reached: a SQLite file that cannot be
    opened, or a PostgreSQL server shutting down (the error it sends to each connection)."""
    if connection.vendor == "sqlite":
        return _sqlite_cannot_open()
    return _server_error("57P01", "terminating connection due to administrator command")


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails with the driver's connection error, as with a database server
    that went away: the first query of a request raises it."""
    def fail(*args, **kwargs):
        raise _driver_error_of_this_database()

    monkeypatch.setattr(connection, "create_cursor", fail)


@pytest.fixture
def query_fails(monkeypatch, tmp_path):
    """Every new cursor fails with an error of a reachable database: SQLite locked past its
    busy timeout, a PostgreSQL statement timeout."""
    failure = (_sqlite_locked(tmp_path) if connection.vendor == "sqlite" else
               _server_error("57014", "canceling statement due to statement timeout"))

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(connection, "create_cursor", fail)


def _database_log_records(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.django_db
def test_pages_and_forms_answer_503_with_retry_after_while_the_database_is_down(
        client, make_event, make_user, database_down, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert DATABASE_UNAVAILABLE_MESSAGE in html
    assert 'name="viewport"' in html  # readable on a phone
    # The security headers of every page are still there.
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    # One line in the log, without a traceback (an outage would print thousands).
    records = _database_log_records(caplog)
    assert [(r.name, r.levelname) for r in records] == [("fusionforum.database", "WARNING")]
    assert records[0].exc_info is None
    assert "GET /" in records[0].getMessage()

    # A form: nothing was saved, the person is told so.
    caplog.clear()
    response = client.post("/workshop-2027/registration/", {"consent_public_list": "on"})
    assert response.status_code == 503
    assert DATABASE_UNAVAILABLE_MESSAGE in response.content.decode()
    assert len(_database_log_records(caplog)) == 1


@pytest.mark.django_db
def test_a_request_that_wants_json_gets_a_short_problem_body(client, database_down):
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json() == {"type": "about:blank", "title": "Service Unavailable",
                               "status": 503, "detail": DATABASE_UNAVAILABLE_MESSAGE}
    # htmx asks for HTML: it gets the page.
    response = client.get("/", headers={"HX-Request": "true", "Accept": "*/*"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_other_database_errors_stay_500s(make_event, query_fails):
    client = Client(raise_request_exception=False)
    response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()


def test_the_500_handler_answers_503_for_errors_raised_outside_views(rf: RequestFactory):
    # An unreachable database met by middleware (a session saved on the way out) reaches the
    # 500 handler, which Django calls while the error is being handled.
    request = rf.post("/workshop-2027/registration/")
    try:
        raise _wrapped(_sqlite_cannot_open())
    except Exception:  # noqa: BLE001
        assert sys.exc_info()[1] is not None
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response._has_been_logged  # Django does not log it again, with a traceback

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_middleware_leaves_every_other_error_alone(rf: RequestFactory):
    handler = DatabaseUnavailableMiddleware(lambda request: None)
    request = rf.get("/")
    assert handler.process_exception(request, ValueError("a bug")) is None
    assert handler.process_exception(request, IntegrityError("duplicate")) is None
    response = handler.process_exception(request, _wrapped(_sqlite_cannot_open()))
    assert response.status_code == 503


def test_postgresql_connections_persist_and_are_checked_before_use(monkeypatch):
    # What lets the app servers reconnect by themselves after a database restart: a persistent
    # connection is health-checked before each request's first query, and a connect to a host
    # that does not answer gives up long before the worker timeout.
    from fusionforum.settings.base import _tune_database

    monkeypatch.delenv("CONN_MAX_AGE", raising=False)  # the default
    tuned = _tune_database({"ENGINE": "django.db.backends.postgresql", "NAME": "forum"})
    assert tuned["CONN_HEALTH_CHECKS"] is True
    assert tuned["CONN_MAX_AGE"] == 60
    assert tuned["OPTIONS"]["connect_timeout"] == 5
    given = _tune_database({"ENGINE": "django.db.backends.postgresql",
                            "OPTIONS": {"connect_timeout": "2"}})
    assert given["OPTIONS"]["connect_timeout"] == "2"  # DATABASE_URL's ?connect_timeout= wins
