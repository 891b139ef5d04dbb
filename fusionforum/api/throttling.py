"""Rate limits of the API: per token, per signed-in person (session), per client address for
anonymous requests, counted in fixed windows on the shared cache (Redis in production, so
every app server counts the same requests). Past the limit: 429 with ``Retry-After``.

The limits are settings: ``API_RATE_LIMITS = {"token": (requests, seconds), "session": ...,
"anonymous": ...}``. A cache that loses a counter (restarted, evicted) forgets a window: the
limit protects the service, it is not a quota.
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from fusionforum.core import clock
from fusionforum.core.net import client_ip

from .permissions import token_of

DEFAULT_LIMITS = {"token": (600, 60), "session": (600, 60), "anonymous": (120, 60)}


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "API_RATE_LIMITS", {})}


def _who(request) -> tuple[str, str]:
    token = token_of(request)
    if token is not None:
        return "token", token.prefix
    if request.user.is_authenticated:
        return "session", str(request.user.pk)
    address = client_ip(request) or "unknown"
    # Client addresses are personal data: only a keyed hash goes into the cache.
    hashed = hashlib.blake2b(address.encode(), key=settings.SECRET_KEY.encode()[:64],
                             digest_size=12).hexdigest()
    return "anonymous", hashed


class ApiRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        kind, who = _who(request)
        limit, window = limits()[kind]
        now = clock.now().timestamp()
        start = int(now // window * window)
        key = f"api-rate:{kind}:{who}:{start}"
        if cache.add(key, 1, timeout=window + 5):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window + 5)
                count = 1
        self._wait = max(1, math.ceil(start + window - now))
        self.limit, self.remaining = limit, max(0, limit - count)
        request.api_rate = (limit, self.remaining, self._wait)
        return count <= limit

    def wait(self):
        return self._wait
