"""Server-side cache of whole public pages, invalidated on change and expired on time.

Every public page shares one version token. Saving any public content (an event, a day, a
stream link) replaces the token, so all cached pages become unreachable at once, on every app
server that shares the cache. Tokens are random, not counters: a token the cache evicted and
recreated can never match an old page.

A page may also carry ``valid_until`` (a moment on the business clock): a livestream page
rendered before go-live is only good until go-live, so the cached copy is never served after
it, and the copy made after it is the only one that carries the URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from . import clock

VERSION_KEY = "public-pages:version"
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "Vary")


def invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _current_version(existing: str | None) -> str:
    if existing:
        return existing
    cache.add(VERSION_KEY, uuid.uuid4().hex, None)
    return cache.get(VERSION_KEY)


def _page_key(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    return f"public-pages:page:{digest}"


Renderer = Callable[[], tuple[HttpResponse, dt.datetime | None]]


def serve(request: HttpRequest, render: Renderer) -> HttpResponse:
    """Serve ``request`` from the cache or call ``render`` and cache what it returns.

    ``render`` returns the response and the moment until which it stays true (or None). Only
    plain GET/HEAD without a query string and 200 responses marked public are stored.
    """
    if request.method not in ("GET", "HEAD") or request.GET:
        response, _ = render()
        return response
    page_key = _page_key(request)
    found = cache.get_many([VERSION_KEY, page_key])
    version = _current_version(found.get(VERSION_KEY))
    entry = found.get(page_key)
    now = clock.now()
    if (
        entry
        and entry["version"] == version
        and (entry["valid_until"] is None or now < entry["valid_until"])
    ):
        response = HttpResponse(entry["content"], status=200)
        for header, value in entry["headers"].items():
            response[header] = value
        response["X-Page-Cache"] = "hit"
        return response

    response, valid_until = render()
    response["X-Page-Cache"] = "miss"
    if response.status_code == 200 and getattr(response, "public_cacheable", False):
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if valid_until is not None:
            timeout = min(timeout, int((valid_until - now).total_seconds()))
        if timeout > 0:
            cache.set(
                page_key,
                {
                    "version": version,
                    "valid_until": valid_until,
                    "content": response.content,
                    "headers": {h: response[h] for h in _KEPT_HEADERS if h in response},
                },
                timeout,
            )
    return response
