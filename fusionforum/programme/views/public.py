"""Public programme pages: the programme by day, the change list, talks and speakers.

Everything shown comes from the latest release (public.py), never from the working copy.
Anonymous pages go through the shared page cache (core.pagecache), which every release
invalidates; pages that show a livestream are only good until the next stream change
(go-live, end) and say so with ``valid_until``. Signed-in pages carry the person's stars and
are rendered fresh and kept private.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.cfp import services as cfp_services
from fusionforum.cfp.models import SpeakerProfile, Submission
from fusionforum.core import clock, pagecache
from fusionforum.events import services as event_services
from fusionforum.events.access import gate, staff_event

from .. import agenda, materials, people, public, venue

PUBLIC_MAX_AGE = 60
FILE_MAX_AGE = 3600


def mark_public(response: HttpResponse, event, *, revalidate: bool = False) -> HttpResponse:
    if event.is_published:
        downstream = "no-cache" if revalidate else f"public, max-age={PUBLIC_MAX_AGE}"
        response["Cache-Control"] = downstream
        response.public_cacheable = True
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def serve_page(request, slug: str, build):
    """Render a public page through the page cache. ``build(event, now, starred)`` returns the
    response and the moment until which it stays true (or None)."""

    def render_page(starred=frozenset()):
        event = event_services.public_event(slug, request.user)
        now = clock.now()
        if request.user.is_authenticated:
            starred = agenda.starred_codes(request.user, event)
        with timezone.override(event.tz):
            return build(event, now, starred)

    if request.user.is_authenticated:
        response, _ = render_page()
        response["Cache-Control"] = "private, no-cache"
        return response
    return pagecache.serve(request, render_page)


# The programme page of a large event is half a megabyte: besides the shared cache, each app
# server process keeps the latest copies in memory (checked against the page cache's version
# token on every request, so a release or any public change reaches every process at once),
# and sends them gzip-compressed to browsers that accept it.
LOCAL_PAGES = 16
_local_pages: OrderedDict[tuple, dict] = OrderedDict()
_local_lock = threading.Lock()
_KEPT_HEADERS = ("Content-Type", "Cache-Control")
_ROOM_QUERY = re.compile(r"^room=\d{1,9}$")


def _send(request, entry: dict, state: str) -> HttpResponse:
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(entry["gzip"] if compressed else entry["content"])
    for header, value in entry["headers"].items():
        response[header] = value
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    response["X-Page-Cache"] = state
    return response


def serve_large_page(request, slug: str, build):
    """``serve_page`` for the programme page: the same contract, plus the in-memory copies and
    gzip. Only the plain address and a room filter are kept (no arbitrary query strings)."""
    query = request.META.get("QUERY_STRING", "")
    if (pagecache.personal(request) or request.method not in ("GET", "HEAD")
            or (query and not _ROOM_QUERY.match(query))):
        return serve_page(request, slug, build)
    token = cache.get(pagecache.VERSION_KEY)
    if not token:
        pagecache.invalidate()
        token = cache.get(pagecache.VERSION_KEY) or "-"
    path = pagecache.variant(f"{request.path}?{query}")
    shared_key = "programme-page:" + hashlib.sha256(f"{token}|{path}".encode()).hexdigest()[:40]
    now = clock.now()

    def fresh(entry):
        return entry is not None and (entry["valid_until"] is None or now < entry["valid_until"])

    with _local_lock:
        entry = _local_pages.get(shared_key)
    if fresh(entry):
        return _send(request, entry, "hit")
    entry = cache.get(shared_key)
    if not fresh(entry):
        event = event_services.public_event(slug, request.user)
        with timezone.override(event.tz):
            response, valid_until = build(event, now, frozenset())
        if not pagecache.storable(request, response):
            if getattr(response, "public_cacheable", False):
                pagecache.fresh_private(response)
            return response
        entry = {"content": response.content, "gzip": gzip.compress(response.content, 6, mtime=0),
                 "headers": {h: response[h] for h in _KEPT_HEADERS if h in response},
                 "valid_until": valid_until}
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if valid_until is not None:
            timeout = min(timeout, int((valid_until - now).total_seconds()))
        if timeout > 0:
            cache.set(shared_key, entry, timeout)
        state = "miss"
    else:
        state = "hit"
    with _local_lock:
        _local_pages[shared_key] = entry
        _local_pages.move_to_end(shared_key)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)
    return _send(request, entry, state)


def public_streams_for(event, programme, now, stream_ids=None):
    """``({stream id: PublicStream}, next change)`` for the streams the release's sessions
    name; nothing (and no query) when no session has a stream."""
    wanted = programme.stream_ids if stream_ids is None else set(stream_ids) - {None}
    if not wanted:
        return {}, None
    streams, next_change = event_services.public_streams(event, now)
    return {s.id: s for s in streams if s.id in wanted}, next_change


def _earliest(*moments):
    """The first of the moments that are set (None if none is)."""
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def _context(request, event, programme, starred, **extra):
    return {
        "event": event,
        "programme": programme,
        "has_programme": programme is not None,
        "nav": "programme",
        "starred": starred,
        "signed_in": request.user.is_authenticated,
        **extra,
    }


def _not_published(request, event, starred):
    response = render(request, "programme/public/not_published.html",
                      _context(request, event, None, starred))
    return mark_public(response, event), None


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("No such day.") from None


def _room_filter(request, programme):
    raw = request.GET.get("room", "")
    if raw in ("", "all"):
        return None
    try:
        room = programme.rooms_by_id.get(int(raw))
    except (TypeError, ValueError):
        room = None
    if room is None:
        raise Http404("No such room in the programme.")
    return room


@require_safe
def programme_page(request, slug, day=None):
    date = _parse_day(day)

    def build(event, now, starred):
        programme = public.latest(event)
        if programme is None:
            return _not_published(request, event, starred)
        if date is not None and programme.day(date) is None:
            raise Http404("The programme has no sessions on that day.")
        room = _room_filter(request, programme)
        days = programme.filtered_days(room=room, date=date)
        streams, next_change = public_streams_for(event, programme, now)
        shown, materials_change = materials.shown_at(event, programme, now)
        next_change = _earliest(next_change, materials_change)
        body = public.programme_body(programme, days=days, date=date, room=room,
                                     streams=streams, materials=frozenset(shown))
        context = _context(request, event, programme, starred, body=body, selected_day=date,
                           selected_room=room, days=days)
        response = render(request, "programme/public/programme.html", context)
        return mark_public(response, event, revalidate=bool(streams)), next_change

    return serve_large_page(request, slug, build)


@require_safe
def changes_page(request, slug):
    def build(event, now, starred):
        programme = public.latest(event)
        if programme is None:
            return _not_published(request, event, starred)
        context = _context(request, event, programme, starred,
                           history=public.change_history(event))
        response = render(request, "programme/public/changes.html", context)
        return mark_public(response, event), None

    return serve_page(request, slug, build)


def _talk_or_404(programme, code):
    talk = programme.talks_by_code.get(code) if programme else None
    if talk is None:
        raise Http404("No such talk in the programme.")
    return talk


@require_safe
def talk_page(request, slug, code):
    def build(event, now, starred):
        programme = public.latest(event)
        talk = _talk_or_404(programme, code)
        session = talk.session
        # A contribution of a session slot: the slot is the session it is part of.
        slot = programme.sessions_by_id.get(session.parent_id) \
            if session and session.parent_id else None
        shown = slot or session
        stream_id = (session.stream_id or (slot.stream_id if slot else None)) \
            if session else None
        streams, next_change = public_streams_for(event, programme, now, {stream_id})
        found, materials_change = materials.shown_at(event, programme, now, codes=[code])
        next_change = _earliest(next_change, materials_change)
        context = _context(request, event, programme, starred, talk=talk, session=shown,
                           material=found.get(code),
                           own_session=talk.is_own_session and slot is None,
                           stream=streams.get(stream_id), now=now,
                           chairs=shown.chairs(programme.speakers_by_code) if shown else [])
        response = render(request, "programme/public/talk.html", context)
        return mark_public(response, event, revalidate=bool(streams)), next_change

    return serve_page(request, slug, build)


@require_safe
def speakers_page(request, slug):
    def build(event, now, starred):
        programme = public.latest(event)
        if programme is None:
            return _not_published(request, event, starred)
        response = render(request, "programme/public/speakers.html",
                          _context(request, event, programme, starred))
        return mark_public(response, event), None

    return serve_page(request, slug, build)


def _speaker_or_404(programme, code):
    speaker = programme.speakers_by_code.get(code) if programme else None
    if speaker is None:
        raise Http404("No such speaker in the programme.")
    return speaker


@require_safe
def speaker_page(request, slug, code):
    def build(event, now, starred):
        programme = public.latest(event)
        speaker = _speaker_or_404(programme, code)
        response = render(request, "programme/public/speaker.html",
                          _context(request, event, programme, starred, speaker=speaker))
        return mark_public(response, event), None

    return serve_page(request, slug, build)


def _file_response(handle, *, content_type: str, filename: str, attachment: bool,
                   public_file: bool) -> FileResponse:
    response = FileResponse(handle, content_type=content_type, as_attachment=attachment,
                            filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (f"public, max-age={FILE_MAX_AGE}" if public_file
                                 else "private, no-store")
    return response


@require_safe
def speaker_photo(request, slug, code):
    """The photo of a speaker of the latest release: a JPEG the call re-encoded on upload,
    read from private storage."""
    event = event_services.public_event(slug, request.user)
    speaker = _speaker_or_404(public.latest(event), code)
    if not speaker.has_photo:
        raise Http404("This speaker has no photo.")
    profile = SpeakerProfile.objects.filter(event=event, code=code).first()
    handle = cfp_services.open_photo(profile) if profile is not None else None
    if handle is None:
        raise Http404("This speaker has no photo.")
    return _file_response(handle, content_type="image/jpeg", filename=f"{code}.jpg",
                          attachment=False, public_file=event.is_published)


@require_safe
def talk_slides(request, slug, code):
    """The slides of a released talk, always as a download (never shown inline)."""
    event = event_services.public_event(slug, request.user)
    talk = _talk_or_404(public.latest(event), code)
    if not talk.has_slides:
        raise Http404("This talk has no slides.")
    submission = Submission.objects.filter(event=event, code=code).first()
    handle = cfp_services.open_slides(submission) if submission is not None else None
    if handle is None:
        raise Http404("This talk has no slides.")
    return _file_response(handle, content_type="application/pdf",
                          filename=f"{talk.code}-{slugify(talk.title)[:60] or 'slides'}.pdf",
                          attachment=True, public_file=event.is_published)


@require_safe
def talk_material_slides(request, slug, code):
    """The slides the organisers attached to a talk, once it has ended; always a download."""
    event = event_services.public_event(slug, request.user)
    talk = _talk_or_404(public.latest(event), code)
    handle = materials.open_slides(event, code, clock.now())
    if handle is None:
        raise Http404("This talk has no slides attached.")
    return _file_response(handle, content_type="application/pdf",
                          filename=f"{talk.code}-{slugify(talk.title)[:60] or 'slides'}.pdf",
                          attachment=True, public_file=event.is_published)


@require_safe
def venue_page(request, slug):
    """The venue's floor plans with every place marked on them, as a list too."""
    def build(event, now, starred):
        response = render(request, "programme/public/venue.html", {
            "event": event, "maps": venue.maps_of(event), "nav": "programme"})
        return mark_public(response, event), None

    return serve_page(request, slug, build)


@require_safe
def spot_page(request, slug, spot_id):
    """One place on the floor plan: the plan with a marker, and the place's name as text."""
    def build(event, now, starred):
        spot = venue.spot_of(event, spot_id)
        if spot is None:
            raise Http404("No such place on the venue map.")
        response = render(request, "programme/public/spot.html", {
            "event": event, "spot": spot, "plan": spot.venue_map, "nav": "programme"})
        return mark_public(response, event), None

    return serve_page(request, slug, build)


@require_safe
def venue_plan(request, slug, map_id):
    """A floor plan: the PNG re-encoded on upload, read from private storage."""
    event = event_services.public_event(slug, request.user)
    plan = venue.map_of(event, map_id)
    handle = venue.open_plan(plan) if plan is not None else None
    if handle is None:
        raise Http404("No such floor plan.")
    return _file_response(handle, content_type="image/png", filename=f"plan-{plan.pk}.png",
                          attachment=False, public_file=event.is_published)


@gate("programme.claim_profile", load=staff_event)
@require_http_methods(["GET", "POST"])
def claim_profile(request, event, token):
    """The link of an invitation (programme/people.py): the signed-in person attaches the
    imported speaker profile to their account. Any event, published or not: the single-use
    token is the permission."""
    found = people.invitation(event, token)
    if found is None:
        return render(request, "programme/public/claim.html", {
            "event": event, "expired": True}, status=410)
    if request.method == "POST":
        try:
            profile = people.claim(event, token, user=request.user)
        except people.InvitationRefused as refused:
            return render(request, "programme/public/claim.html", {
                "event": event, "invitation": found, "refused": str(refused)}, status=409)
        return render(request, "programme/public/claim.html", {
            "event": event, "claimed": profile,
            "has_call": hasattr(event, "call_settings"),
            "released": public.latest(event) is not None})
    return render(request, "programme/public/claim.html", {
        "event": event, "invitation": found})
