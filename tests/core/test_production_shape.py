"""Production shape: two stateless gunicorn app servers with the production settings, sharing
PostgreSQL and Redis, behind a (simulated) TLS-terminating proxy, plus the job worker.

Runs in the PostgreSQL pass of CI (DATABASE_URL=postgresql://..., REDIS_URL=redis://...).
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fusionforum.events.models import ContactMessage, TeamMembership
from fusionforum.notifications.models import OutboundEmail

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres")
             and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL=postgresql://... and REDIS_URL (the PostgreSQL CI pass)",
    ),
]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(var_dir):
    db = settings.DATABASES["default"]
    database_url = (f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="fusionforum.settings.production",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ["REDIS_URL"],
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        SECRET_KEY="production-shape-test-" + "s" * 40,
        VAULT_KEYS="dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI=",
        ALLOWED_HOSTS="forum.test.invalid",
        SITE_URL="https://forum.test.invalid",
        EMAIL_URL="consolemail://",
        CONTACT_RATE_LIMIT="3",
        GUNICORN_WORKERS="2",
        CONN_MAX_AGE="0",
        FUSIONFORUM_VAR_DIR=str(var_dir),
    )
    return env


class ProxyClient:
    """Talks to one app server the way the reverse proxy would: HTTPS said in a header, the
    client address appended to X-Forwarded-For, cookies kept like a browser."""

    def __init__(self, port, cookies=None, client_address="198.51.100.10"):
        self.port = port
        self.cookies = cookies if cookies is not None else {}
        self.client_address = client_address

    def request(self, method, path, form=None, proxied=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Host": "forum.test.invalid"}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Forwarded-For"] = self.client_address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://forum.test.invalid{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response, content

    def csrf_token(self, path):
        _, html = self.request("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def app_servers(tmp_path):
    env = _production_env(tmp_path)
    # As in a real deployment: static files are collected (fingerprinted) before serving.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=REPO, env=env, check=True, timeout=120)
    processes, ports = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{port}", "fusionforum.wsgi"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True,
            ))
            ports.append(port)
        deadline = time.monotonic() + 30
        for port, process in zip(ports, processes, strict=True):
            while True:
                assert process.poll() is None, process.stderr.read().decode()
                try:
                    response, _ = ProxyClient(port).request("GET", "/healthz")
                    if response.status == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "app server did not start"
                time.sleep(0.2)
        yield ports, env
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                # The whole group: no orphaned worker may keep a database connection.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def test_two_app_servers_share_database_cache_sessions_and_limits(
    app_servers, make_event, make_user
):
    (port_a, port_b), env = app_servers
    event = make_event()
    home = event.get_absolute_url()
    server_a, server_b = ProxyClient(port_a), ProxyClient(port_b)

    # Plain HTTP is sent to HTTPS; the proxy's header is trusted.
    response, _ = server_a.request("GET", home, proxied=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://forum.test.invalid{home}"

    # One server renders, the other serves the same copy from the shared Redis cache.
    response, html = server_a.request("GET", home)
    assert response.status == 200 and event.title in html
    assert response.getheader("Strict-Transport-Security")
    response, _ = server_b.request("GET", home)
    assert response.getheader("X-Page-Cache") == "hit"

    # A change made anywhere invalidates the copies of every server.
    event.title = "Renamed on the shared database"
    event.save()
    for server in (server_a, server_b):
        _, html = server.request("GET", home)
        assert "Renamed on the shared database" in html

    # A login made on one server holds on the other (sessions in the shared database).
    # Hashed with argon2 like production (the test settings' fast hasher is unknown there).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        organiser = make_user("organiser@test.invalid")
    TeamMembership.objects.create(event=event, user=organiser)
    device = TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    browser = ProxyClient(port_a)
    # The back office's login address leads to the participants' login...
    response, _ = browser.request("GET", "/admin/login/?next=/admin/")
    assert response.status == 302
    login_path = urllib.parse.urlsplit(response.getheader("Location")).path
    assert login_path == "/accounts/login/"
    token = browser.csrf_token("/accounts/login/")
    response, _ = browser.request("POST", "/accounts/login/?next=/admin/", {
        "csrfmiddlewaretoken": token, "username": "organiser@test.invalid",
        "password": "a-long-test-password", "next": "/admin/",
    })
    assert response.status == 302
    # ...then to the second factor, here answered on the other server.
    verify_path = urllib.parse.urlsplit(response.getheader("Location")).path
    assert verify_path == "/accounts/two-factor/verify/"
    second = ProxyClient(port_b, cookies=browser.cookies)
    token = second.csrf_token("/accounts/two-factor/verify/")
    response, _ = second.request("POST", "/accounts/two-factor/verify/", {
        "csrfmiddlewaretoken": token, "code": totp(device.bin_key), "next": "/admin/",
    })
    assert response.status == 302 and response.getheader("Location") == "/admin/"
    other_server = ProxyClient(port_b, cookies=browser.cookies)
    response, html = other_server.request("GET", "/admin/events/contactmessage/")
    assert response.status == 200 and "Select contact message" in html

    # The contact form works through either server; the limit is counted across both.
    contact = f"/{event.slug}/contact/"
    visitor_a = ProxyClient(port_a, client_address="198.51.100.20")
    statuses = []
    for server_port in (port_a, port_b, port_a, port_b):
        visitor = ProxyClient(server_port, cookies=visitor_a.cookies,
                              client_address="198.51.100.20")
        token = visitor.csrf_token(contact)
        response, _ = visitor.request("POST", contact, {
            "csrfmiddlewaretoken": token, "name": "Casey Fictional",
            "email": "casey@test.invalid", "organisation": "", "topic": "general",
            "message": "A question that is long enough to be a sentence.", "website": "",
        })
        statuses.append(response.status)
    assert statuses == [302, 302, 302, 429]
    assert ContactMessage.objects.filter(event=event).count() == 3

    # The e-mails wait in the outbox until the job worker runs.
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"queued"}
    connection.close()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=REPO, env=env, check=True, timeout=120, capture_output=True,
    )
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
