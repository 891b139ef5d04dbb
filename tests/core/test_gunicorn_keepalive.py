"""Served straight to browsers, gunicorn survives idle connections.

Browsers open connections before they need them (preconnect) and keep used ones open between
requests. The project's gunicorn.conf.py is started here with a 2-second worker timeout and a
single worker; idle connections (some never send a byte, some sent one request and stay open)
are held past that timeout. The server must still answer at once and its log must not show
"WORKER TIMEOUT". The negative control runs the same with the ``sync`` worker class and sees
the kill, so the test would catch a return to it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_S = 2
HOLD_S = 2 * WORKER_TIMEOUT_S + 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, *, timeout: float = 3.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return _read_all(sock)


def _read_all(sock) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _wait_until_up(process, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            if _request(port, timeout=1).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer: {log.read_text()[-2000:]}")


def _hold_idle_connections_and_probe(tmp_path, worker_class: str | None):
    """Start gunicorn, hold idle connections past the worker timeout, then probe. Returns
    (the probe's answer or the error, gunicorn's log)."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))}
    env.update(DJANGO_SETTINGS_MODULE="fusionforum.settings.dev", DEBUG="False",
               FUSIONFORUM_VAR_DIR=str(tmp_path), GUNICORN_WORKERS="1",
               GUNICORN_TIMEOUT=str(WORKER_TIMEOUT_S), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if worker_class:
        # One thread: with more, gunicorn would switch a sync worker to gthread by itself.
        env.update(GUNICORN_WORKER_CLASS=worker_class, GUNICORN_THREADS="1")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "fusionforum.wsgi"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    idle = []
    try:
        _wait_until_up(process, port, log)
        # Kept-alive connections: one request answered, then silence.
        for _ in range(2):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            idle.append(sock)
        # Preconnects: connected, nothing sent.
        for _ in range(3):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(HOLD_S)
        started = time.monotonic()
        try:
            answer = _request(port, timeout=WORKER_TIMEOUT_S)
        except OSError as error:
            answer = repr(error).encode()
        answered_in = time.monotonic() - started
    finally:
        for sock in idle:
            sock.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)  # quick shutdown
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return answer, answered_in, log.read_text()


@pytest.mark.own_sqlite  # the server runs the dev settings on a SQLite file
def test_idle_browser_connections_never_get_a_worker_killed(tmp_path):
    # The project's settings and the negative control (sync workers) side by side, at once.
    (tmp_path / "project").mkdir()
    (tmp_path / "sync").mkdir()
    with ThreadPoolExecutor(2) as pool:
        project = pool.submit(_hold_idle_connections_and_probe, tmp_path / "project", None)
        control = pool.submit(_hold_idle_connections_and_probe, tmp_path / "sync", "sync")
        (answer, answered_in, log), (_, _, sync_log) = project.result(), control.result()
    assert "Using worker: gthread" in log
    assert "WORKER TIMEOUT" not in log, log[-2000:]
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok"), answer[:300]
    assert answered_in < WORKER_TIMEOUT_S
    # The negative control: the same idle connections get a sync worker killed.
    assert "Using worker: sync" in sync_log
    assert "WORKER TIMEOUT" in sync_log, sync_log[-2000:]
