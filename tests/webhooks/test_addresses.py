"""Webhooks never go to loopback, private, link-local (cloud metadata), multicast or reserved
addresses: checked after DNS resolution, at registration and at every attempt, connecting to
the address that was checked, and never following a redirect."""

from __future__ import annotations

import socket

import pytest
from django.test import override_settings

from fusionforum.webhooks import net, services
from fusionforum.webhooks.models import Attempt, Endpoint
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

REFUSED = [
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.1.20/hook", "private"),
    ("http://172.16.0.9/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fd00:ec2::254]/hook", "private"),
    ("http://[::ffff:10.0.0.1]/hook", "private"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://0.0.0.0/hook", "reserved"),
    ("http://100.64.0.1/hook", "reserved"),
    ("http://240.0.0.1/hook", "reserved"),
    ("ftp://93.184.215.14/hook", "Only http"),
    ("http://user:secret@93.184.215.14/hook", "passwords"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_non_public_addresses_are_refused(url, reason):
    with pytest.raises(net.Refused, match=reason):
        net.check_url(url)


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=False)
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://[::1]/hook",
                                 "http://127.8.9.10/hook", "http://[::ffff:127.0.0.1]/hook",
                                 "http://localhost/hook"])
def test_loopback_is_refused_without_the_setting(url):
    with pytest.raises(net.Refused, match="loopback"):
        net.check_url(url)


def test_loopback_is_allowed_with_the_setting_and_nothing_else_is():
    assert net.check_url("http://127.0.0.1:9/x").address == "127.0.0.1"
    with pytest.raises(net.Refused):
        net.check_url("http://169.254.169.254/")


def test_a_public_address_passes():
    target = net.check_url("https://93.184.215.14:8443/hooks?a=1")
    assert (target.scheme, target.port, target.path) == ("https", 8443, "/hooks?a=1")


def _resolving(monkeypatch, answers: dict[str, list[str]]):
    """getaddrinfo answering ``answers`` for the names given (a list per call: the last one
    stays); counts the calls."""
    real = socket.getaddrinfo
    calls = []

    def fake(host, port, *args, **kwargs):
        if host in answers:
            calls.append(host)
            addresses = answers[host]
            address = addresses.pop(0) if len(addresses) > 1 else addresses[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    _resolving(monkeypatch, {"crm.example.org": ["10.20.30.40"]})
    with pytest.raises(net.Refused, match=r"crm\.example\.org.*private.*10\.20\.30\.40"):
        net.check_url("https://crm.example.org/hooks")


def test_a_name_with_one_bad_address_among_good_ones_is_refused(monkeypatch):
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host == "mixed.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(net.Refused, match="link-local"):
        net.check_url("http://mixed.example.org/")


def test_the_connection_goes_to_the_checked_address_not_a_new_lookup(
        monkeypatch, receiver, event, organiser, django_capture_on_commit_callbacks):
    """DNS rebinding: the name answers the receiver's address once, then a private one; the
    request still reaches the receiver (one lookup per attempt, the checked address used)."""
    port = receiver.server.server_port
    calls = _resolving(monkeypatch, {"hooks.example.org": ["127.0.0.1", "10.0.0.1"]})
    endpoint = Endpoint.objects.create(
        event=event, url=f"http://hooks.example.org:{port}/in", event_types=["checkin.created"],
        secret=services.new_secret(), created_at=services.clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(endpoint, by=organiser)
    assert calls == ["hooks.example.org"]
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.example.org:{port}"
    # The next attempt looks the name up again and is refused (now private).
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(endpoint, by=organiser)
    assert len(receiver.requests) == 1
    refused = Attempt.objects.order_by("-pk").first()
    assert refused.status_code is None and "private" in refused.error


def test_an_address_that_became_loopback_is_refused_at_delivery(
        endpoint, receiver, organiser, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    with (override_settings(WEBHOOKS_ALLOW_LOOPBACK=False),
          django_capture_on_commit_callbacks(execute=True)):
        services.send_ping(endpoint, by=organiser)
    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert not attempt.succeeded and "loopback" in attempt.error


def test_a_redirect_is_not_followed(endpoint, receiver, organiser,
                                    django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    receiver.answers = [(302, {"Location": "http://10.0.0.1/internal"})]
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_ping(endpoint, by=organiser)
    assert len(receiver.requests) == 1  # the redirect's target was never asked
    attempt = Attempt.objects.get()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert "not followed" in attempt.error and "10.0.0.1" in attempt.error
    message.refresh_from_db()
    assert message.outcome == "pending"  # retried later like any failure


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=False)
@pytest.mark.parametrize(("url", "reason"), [
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://127.0.0.1:8000/hook", "loopback"),
    ("http://10.0.0.7/hook", "private"),
])
def test_the_form_refuses_such_an_address_with_a_clear_error(client, event, organiser, url,
                                                           reason):
    login_verified(client, organiser)
    response = client.post(f"/manage/{event.slug}/webhooks/new/", {
        "url": url, "description": "Metadata", "event_types": ["checkin.created"]})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Endpoint.objects.exists()
