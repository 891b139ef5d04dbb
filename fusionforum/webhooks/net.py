"""Sending a webhook to an address on the internet, and nowhere else.

The host name is resolved once; every address it resolves to must be public (not loopback,
private, link-local — cloud metadata services live there —, multicast, reserved, shared or
unspecified, also as an IPv4-mapped IPv6 address); the connection then goes to the address
that was checked, never resolved again (no DNS rebinding between check and connect). HTTPS
still checks the certificate against the host name. Redirects are not followed: a 3xx answer
is a failed attempt, so a redirect cannot lead to an address that was never checked.

``settings.WEBHOOKS_ALLOW_LOOPBACK`` (tests, a developer's machine) lets loopback addresses
through; nothing else is ever allowed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT = 5.0  # seconds for connecting and reading together
EXCERPT = 1000  # characters of the answer kept in the delivery log
READ_LIMIT = 64 * 1024  # bytes read from an answer at most


class Refused(Exception):
    """An address webhooks may not be sent to (the message is for a person)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    latency_ms: int
    excerpt: str
    error: str

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def address_refused(address: str) -> str | None:
    """Why ``address`` (an IP address) may not receive webhooks, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if _allow_loopback() else _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address (cloud metadata services live there)")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_unspecified or ip.is_reserved:
        return _("a reserved address")
    if ip.is_private:
        return _("a private network address")
    if not ip.is_global:  # shared address space (100.64.0.0/10), documentation ranges...
        return _("a reserved address")
    return None


def check_url(url: str) -> Target:
    """Resolve ``url``'s host and check every address; the target to connect to, or Refused
    with a sentence a person can read."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(_("Only http:// and https:// addresses can receive webhooks."))
    if parts.username or parts.password:
        raise Refused(_("Leave user names and passwords out of the address."))
    host = parts.hostname
    if not host:
        raise Refused(_("The address has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Refused(_("The address has an invalid port.")) from exc
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(_("The host name “%(host)s” cannot be resolved.") % {"host": host}) \
            from exc
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise Refused(_("The host name “%(host)s” cannot be resolved.") % {"host": host})
    for address in addresses:
        reason = address_refused(address)
        if reason:
            raise Refused(_("“%(host)s” leads to %(reason)s (%(address)s): webhooks are only "
                            "sent to public internet addresses.")
                          % {"host": host, "reason": reason, "address": address})
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT) -> Answer:
    """POST ``body`` to ``url`` (checked as above); never raises for the network's sake."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = check_url(url)
    except Refused as refused:
        return Answer(None, elapsed(), "", str(refused)[:300])
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers={
            **headers, "Content-Type": "application/json", "User-Agent": "FusionForum-Webhooks",
            "Content-Length": str(len(body))})
        response = connection.getresponse()
        data = b""
        while len(data) < READ_LIMIT and time.monotonic() - started < timeout:
            chunk = response.read1(READ_LIMIT - len(data))
            if not chunk:
                break
            data += chunk
        excerpt = data.decode("utf-8", "replace")[:EXCERPT]
        error = ""
        if 300 <= response.status < 400:
            error = _("Redirect to “%(location)s” not followed: give the final address.") % {
                "location": (response.getheader("Location") or "")[:200]}
        return Answer(response.status, elapsed(), excerpt, error[:300])
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        kind = "timeout" if isinstance(exc, TimeoutError | socket.timeout) else type(exc).__name__
        return Answer(None, elapsed(), "", f"{kind}: {exc}"[:300])
    finally:
        connection.close()
