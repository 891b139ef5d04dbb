"""Where a request comes from, without trusting what the client can forge."""

from django.conf import settings


def client_ip(request) -> str:
    """The client address as seen by the outermost proxy we trust.

    Each trusted reverse proxy appends the address it received the connection from to
    X-Forwarded-For. With N trusted proxies, the N-th entry from the right was written by our
    outermost proxy; everything to its left is whatever the client sent and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]
