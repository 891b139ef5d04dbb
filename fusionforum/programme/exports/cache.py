"""Exports cached per release.

A release never changes, so each export of it is built once and kept in Django's cache under a
key naming the event, the release (id and version) and the export; a new release has new keys,
so it is never served an old document. The key also carries the public page cache's version
token (core.pagecache), which every change to public event data replaces.

Responses carry an ETag (hash of the body) and Last-Modified (the release's moment), answer
conditional GETs with 304, and may be kept by browsers and proxies for a short time
(``Cache-Control: public, max-age=60``), so a new release reaches everyone within a minute.
Each export is also kept gzip-compressed (a 1,000-talk schedule.xml shrinks about tenfold) and
sent so to clients that accept it (``Vary: Accept-Encoding``, its own ETag). Each app server
process keeps the last few exports in memory as well, under the same keys.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from fusionforum.core import pagecache

from ..models import Release

MAX_AGE = 60
TIMEOUT = 24 * 3600
LOCAL_ENTRIES = 16
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_local: OrderedDict[str, Export] = OrderedDict()


@dataclass(frozen=True)
class Export:
    body: bytes
    etag: str
    gzip_body: bytes = b""

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gz"'


def latest_release(event) -> Release | None:
    """The release the public sees, without its (large) snapshot: loaded only to build."""
    return (Release.objects.filter(event=event).defer("snapshot", "changes")
            .order_by("-version").first())


def cache_key(release: Release, kind: str, token: str) -> str:
    digest = hashlib.sha256(kind.encode()).hexdigest()[:24]
    return (f"programme-export:{release.event_id}:{release.pk}:v{release.version}:"
            f"{int(release.released_at.timestamp())}:{token}:{digest}")


def get_export(release: Release, kind: str,
               build: Callable[[dict], bytes | None]) -> Export | None:
    """The cached export ``kind`` of ``release``, built with ``build(snapshot)`` if missing.
    ``build`` may return None (e.g. no such room): that is not cached and gives None."""
    token = cache.get(pagecache.VERSION_KEY) or "-"
    key = cache_key(release, kind, token)
    found = _local.get(key)
    if found is not None:
        return found
    entry = cache.get(key)
    if entry is not None:
        return _remember(key, Export(entry["body"], entry["etag"], entry.get("gzip", b"")))
    snapshot = Release.objects.values_list("snapshot", flat=True).get(pk=release.pk)
    body = build(snapshot)
    if body is None:
        return None
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    cache.set(key, {"body": body, "etag": etag, "gzip": compressed}, TIMEOUT)
    return _remember(key, Export(body, etag, compressed))


def _remember(key: str, export: Export) -> Export:
    _local[key] = export
    _local.move_to_end(key)
    while len(_local) > LOCAL_ENTRIES:
        _local.popitem(last=False)
    return export


def respond(request, export: Export, release: Release, *, content_type: str,
            public: bool, filename: str | None = None) -> HttpResponse:
    last_modified = int(release.released_at.timestamp())
    compressed = bool(export.gzip_body) and bool(
        _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    etag = export.gzip_etag if compressed else export.etag
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        body = export.gzip_body if compressed else export.body
        response = HttpResponse(body, content_type=content_type)
        # Said here, so that CommonMiddleware does not join a copy of megabytes to count them.
        response["Content-Length"] = str(len(body))
        if compressed:
            response["Content-Encoding"] = "gzip"
        if filename:
            response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["X-Programme-Version"] = str(release.version)
    if public:
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response["Access-Control-Allow-Origin"] = "*"
    else:
        # An organiser previewing an unpublished event: nobody may keep it.
        response["Cache-Control"] = "private, no-store"
    return response
