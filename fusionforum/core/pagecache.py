"""Server-side cache of whole public pages, invalidated on change and expired on time.

Every public page shares one version token. Saving any public content (an event, a day, a
stream link) replaces the token, so all cached pages become unreachable at once, on every app
server that shares the cache. Tokens are random, not counters: a token the cache evicted and
recreated can never match an old page.

A page may also carry ``valid_until`` (a moment on the business clock): a livestream page
rendered before go-live is only good until go-live, so the cached copy is never served after
it, and the copy made after it is the only one that carries the URL.

Only a page that is the same for every anonymous visitor may be stored. The decision
(``personal`` before rendering, ``storable`` after) is made here once for every user of the
cache. It runs inside the view, before the middleware adds its cookies and ``Vary`` headers on
the way out, so it cannot look at the finished response: it asks the request what the
middleware will do instead. A request that carries one-time messages ("You are logged out.")
is rendered fresh and never stored, as is a page whose rendering added a message, set a
cookie, wrote to the session or used the CSRF token, or one for a signed-in person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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


def variant(address: str) -> str:
    """What tells two stored copies of one public address apart: the address and the language
    it was rendered in (the middleware picked it from the cookie, Accept-Language or the event,
    and says so in ``Vary``). Every key of a cached public page is made from this."""
    return f"{translation.get_language()}|{address}"


def _page_key(request: HttpRequest) -> str:
    digest = hashlib.sha256(variant(request.path).encode()).hexdigest()[:32]
    return f"public-pages:page:{digest}"


def personal(request: HttpRequest) -> bool:
    """Whether what ``request`` would be shown may differ from what any anonymous visitor is
    shown: a signed-in person, or one-time messages waiting to be displayed."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    storage = getattr(request, "_messages", None)
    # len() loads the waiting messages without marking them displayed.
    return storage is not None and len(storage) > 0


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether ``response`` (just rendered for ``request``) may be kept and served to every
    anonymous visitor: a 200 the view marked public, and nothing in it or in what the middleware
    will add on the way out belongs to this visitor (messages, cookies, session, CSRF token)."""
    if response.status_code != 200 or not getattr(response, "public_cacheable", False):
        return False
    if personal(request) or response.cookies:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    # get_token() (a form on the page) makes the CSRF middleware set the visitor's cookie.
    return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def fresh_private(response: HttpResponse) -> HttpResponse:
    """A page rendered for one visitor only: no browser or proxy may share it."""
    response["Cache-Control"] = "private, no-cache"
    return response


Renderer = Callable[[], tuple[HttpResponse, dt.datetime | None]]


def serve(request: HttpRequest, render: Renderer) -> HttpResponse:
    """Serve ``request`` from the cache or call ``render`` and cache what it returns.

    ``render`` returns the response and the moment until which it stays true (or None). Only
    plain GET/HEAD without a query string and 200 responses marked public are stored, and only
    when ``storable`` says the page is the same for every anonymous visitor. A visitor with
    one-time messages gets a fresh page (``personal``).
    """
    if request.method not in ("GET", "HEAD") or request.GET:
        response, _ = render()
        return response
    if personal(request):
        response, _ = render()
        response["X-Page-Cache"] = "pass"
        return fresh_private(response)
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
        if entry.get("csp_update"):
            response._csp_update = entry["csp_update"]
        response["X-Page-Cache"] = "hit"
        return response

    response, valid_until = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()  # a template response: rendering is what reads messages and tokens
    response["X-Page-Cache"] = "miss"
    if storable(request, response):
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
                    # The page's own additions to the Content Security Policy (a player's
                    # host), which the middleware turns into the header on the way out.
                    "csp_update": getattr(response, "_csp_update", None),
                },
                timeout,
            )
    elif getattr(response, "public_cacheable", False):
        response["X-Page-Cache"] = "pass"
        fresh_private(response)
    return response
