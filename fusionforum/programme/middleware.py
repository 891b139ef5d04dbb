"""Cached programme exports answered before the rest of the middleware runs.

A cached export (schedule.xml, schedule.json, programme.json, the iCalendar files) is the same
bytes for every anonymous visitor until the next release, so it should cost what a cached page
costs. Once the export view has answered an anonymous visitor in full (views/exports.py marks
such a response), this middleware keeps the response's headers as the rest of the middleware
finished them (Vary, Content-Security-Policy, frame options...) next to the export, under the
public page cache's version token (core.pagecache), the address and ``?lang=``. The next
anonymous GET of that address reads the token (one cache read) and is answered from memory:
the same body, headers, ETag and 304 handling (exports/cache.respond), without sessions,
authentication, the language middleware or a query.

"Anonymous" is decided conservatively from the request alone: no session cookie and no
cookie-stored messages; anyone else takes the full path (which has its own in-memory copy for
anonymous visitors with a session). Every release and every change to an event, a day or a
stream replaces the token, so nothing is served past them. Sits right after WhiteNoise in
MIDDLEWARE: the security headers of SecurityMiddleware are still added on the way out.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache as shared_cache

from fusionforum.core import pagecache

from .exports import cache as export_cache

KEPT = 32
# The export addresses (urls/exports.py); anything else passes straight through.
_EXPORT_PATH = re.compile(
    r"^/[-a-zA-Z0-9_]+/(?:programme/(?:programme\.ics|schedule\.xml|schedule\.json|"
    r"programme\.json|rooms/\d+\.ics)|speakers/[A-Za-z0-9]{1,12}\.ics)$")
_LANG_QUERY = re.compile(r"^(?:lang=[a-zA-Z-]{1,16})?$")
# Set by respond() or by the view itself on every response: never copied from the first one.
_OWN_HEADERS = frozenset(h.lower() for h in (
    "Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "ETag",
    "Last-Modified", "Cache-Control", "Access-Control-Allow-Origin", "X-Programme-Version",
    "Set-Cookie", "Date"))


@dataclass(frozen=True)
class Memo:
    """What the export view learnt while answering in full (attached to the request)."""

    export: export_cache.Export
    release: object
    language: str
    content_type: str
    filename: str | None


@dataclass(frozen=True)
class _Entry:
    memo: Memo
    headers: tuple[tuple[str, str], ...]


_entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def _anonymous_without_state(request) -> bool:
    cookies = request.COOKIES
    return (settings.SESSION_COOKIE_NAME not in cookies
            and CookieStorage.cookie_name not in cookies)


class CachedExportMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method != "GET" or not _EXPORT_PATH.match(request.path_info)
                or not _LANG_QUERY.match(request.META.get("QUERY_STRING", ""))
                or not _anonymous_without_state(request)):
            return self.get_response(request)
        token = shared_cache.get(pagecache.VERSION_KEY)
        if not token:
            return self.get_response(request)
        key = (token, request.path_info, request.META.get("QUERY_STRING", ""))
        with _lock:
            entry = _entries.get(key)
        if entry is not None:
            memo = entry.memo
            response = export_cache.respond(request, memo.export, memo.release,
                                            content_type=memo.content_type, public=True,
                                            filename=memo.filename)
            for header, value in entry.headers:
                response[header] = value
            return response
        response = self.get_response(request)
        memo = getattr(request, "programme_export_memo", None)
        if memo is not None and response.status_code == 200 and not response.cookies:
            headers = tuple((h, v) for h, v in response.items() if h.lower() not in _OWN_HEADERS)
            with _lock:
                for stale in [k for k in _entries if k[0] != token]:
                    del _entries[stale]
                _entries[key] = _Entry(memo, headers)
                _entries.move_to_end(key)
                while len(_entries) > KEPT:
                    _entries.popitem(last=False)
        return response
