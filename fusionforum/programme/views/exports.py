"""Public exports of the released programme (see exports/): iCalendar, frab schedule.xml and
schedule.json, programme.json. Each reads the latest Release of a published event and is
cached per release (exports/cache.py).

Each export is in the event's default language, or in another of the site's languages with
``?lang=fr`` / ``?lang=en`` (fixed texts, choice labels and the organisers' texts where they
wrote that language; exports/common.localise); each language is cached separately.

Before the first release every export answers 404 with a short plain-text explanation (not an
empty document: a calendar app or a frab client subscribed to an empty schedule would silently
show nothing; a 404 says clearly that there is nothing yet, and they retry later).

A cached export costs what a cached page costs: once an anonymous visitor has been served an
export of a published event, each app server process remembers it under the public page
cache's version token (core.pagecache, replaced by every release and every change to an
event, day or stream), the event, the export and the ``?lang=`` asked for. The next anonymous
request reads the token (one cache read) and answers from memory: no query for the event or
its latest release, no permission check to repeat (the event was public under that token).
A visitor without a session cookie does not even reach the view: programme/middleware.py
answers before the rest of the middleware, with the headers the first answer carried.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from fusionforum.core import pagecache
from fusionforum.events.services import public_event

from ..exports import cache, common, frab_json, frab_xml, ical, own_json
from ..middleware import Memo

NOT_RELEASED = gettext_lazy("No programme has been released for this event yet. The exports "
                            "appear with the first release.")


def _not_found(message) -> HttpResponse:
    message = f"{message}\n"
    response = HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


LOCAL_SERVED = 32
_served: OrderedDict[tuple, tuple] = OrderedDict()
_served_lock = threading.Lock()


def _served_key(request, slug: str, kind: str) -> tuple | None:
    """Where an anonymous request's export is remembered, or None (a signed-in person, a
    visitor with messages waiting, or no version token yet: the full path)."""
    if request.method not in ("GET", "HEAD") or pagecache.personal(request):
        return None
    token = shared_cache.get(pagecache.VERSION_KEY)
    if not token:
        return None
    return (token, slug, kind, (request.GET.get("lang") or "")[:16])


def _serve(request, slug: str, kind: str, build, *, content_type: str,
           filename: str | None = None, missing=None):
    key = _served_key(request, slug, kind)
    if key is not None:
        with _served_lock:
            found = _served.get(key)
        if found is not None:
            export, release, language, public = found
            response = cache.respond(request, export, release, content_type=content_type,
                                     public=public, filename=filename)
            response["Content-Language"] = language
            return response
    event = public_event(slug, request.user)
    language = common.export_language(request, event)
    with translation.override(language):
        release = cache.latest_release(event)
        if release is None:
            return _not_found(NOT_RELEASED)
        export = cache.get_export(
            release, f"{kind}:{language}",
            lambda snapshot: build(common.localise(snapshot, language), release))
        if export is None:
            return _not_found(missing or gettext_lazy("No such calendar."))
        response = cache.respond(request, export, release, content_type=content_type,
                                 public=event.is_published, filename=filename)
    response["Content-Language"] = language
    if key is not None and event.is_published:
        # For programme.middleware: the next anonymous request skips the middleware too.
        request.programme_export_memo = Memo(export, release, language, content_type, filename)
        with _served_lock:
            # Copies remembered under an older token can never be served again: drop them.
            for stale in [k for k in _served if k[0] != key[0]]:
                del _served[stale]
            _served[key] = (export, release, language, True)
            _served.move_to_end(key)
            while len(_served) > LOCAL_SERVED:
                _served.popitem(last=False)
    return response


def clear_served() -> None:
    with _served_lock:
        _served.clear()


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


@require_safe
def programme_ics(request, slug):
    def build(snapshot, release):
        return ical.programme_calendar(snapshot, site_url=_site_url(),
                                       dtstamp=release.released_at)

    return _serve(request, slug, "ics:programme", build,
                  content_type="text/calendar; charset=utf-8", filename=f"{slug}.ics")


@require_safe
def room_ics(request, slug, room_id):
    def build(snapshot, release):
        return ical.room_calendar(snapshot, room_id, site_url=_site_url(),
                                  dtstamp=release.released_at)

    return _serve(request, slug, f"ics:room:{room_id}", build,
                  content_type="text/calendar; charset=utf-8",
                  filename=f"{slug}-room-{room_id}.ics",
                  missing=gettext_lazy("No such room in the released programme."))


@require_safe
def speaker_ics(request, slug, code):
    if not code.isalnum() or len(code) > 12:
        raise Http404("No such speaker.")

    def build(snapshot, release):
        return ical.person_calendar(snapshot, code, site_url=_site_url(),
                                    dtstamp=release.released_at)

    return _serve(request, slug, f"ics:speaker:{code}", build,
                  content_type="text/calendar; charset=utf-8", filename=f"{slug}-{code}.ics",
                  missing=gettext_lazy("This person has no talk or session in the released "
                                       "programme."))


@require_safe
def schedule_xml(request, slug):
    def build(snapshot, release):
        return frab_xml.build(snapshot, version=release.version, site_url=_site_url(),
                              url=_site_url() + request.path)

    return _serve(request, slug, "frab:xml", build, content_type="application/xml; charset=utf-8")


@require_safe
def schedule_json(request, slug):
    def build(snapshot, release):
        return frab_json.build(snapshot, version=release.version, site_url=_site_url(),
                               url=_site_url() + request.path)

    return _serve(request, slug, "frab:json", build, content_type="application/json")


@require_safe
def programme_json(request, slug):
    def build(snapshot, release):
        return own_json.build(snapshot, version=release.version,
                              released_at=release.released_at.astimezone(common.zone(snapshot)),
                              comment=release.comment, url=_site_url() + request.path,
                              language=translation.get_language())

    return _serve(request, slug, "own:json", build, content_type="application/json")
