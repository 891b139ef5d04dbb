"""Where a request comes from, without trusting what the client can forge."""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client address as seen by the outermost proxy we trust (None if unknown).

    Each trusted reverse proxy appends the address it received the connection from to
    X-Forwarded-For. With N trusted proxies, the N-th entry from the right was written by our
    outermost proxy; everything to its left is whatever the client sent and is ignored.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "") or "")
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    if len(forwarded) < hops:
        return remote
    return _valid_ip(forwarded[-hops]) or remote
