"""Public pages of an event. Thin: read input, call a service, render."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.core import clock, pagecache
from fusionforum.core.net import client_ip

from .. import calendar, services, streaming
from ..forms import ContactForm
from ..questions import WORKSHOP_QUESTIONS

PUBLIC_MAX_AGE = 60


def _mark_public(response: HttpResponse, event, *, revalidate: bool = False) -> HttpResponse:
    """Cache headers of a public page. ``revalidate``: pages that change at go-live (stream
    addresses) must be checked with us on every use by browsers and proxies."""
    if event.is_published:
        # The server-side copy is invalidated on every change; downstream caches may keep the
        # page a minute unless it must be revalidated.
        downstream = "no-cache" if revalidate else f"public, max-age={PUBLIC_MAX_AGE}"
        response["Cache-Control"] = downstream
        response.public_cacheable = True
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def _event_page(request, slug: str, build):
    """Serve a public event page through the page cache; ``build(event, now)`` renders it."""

    def render_page():
        event = services.public_event(slug, request.user)
        now = clock.now()
        with timezone.override(event.tz):
            return build(event, now)

    if request.user.is_authenticated:
        # What a signed-in person sees names them (and organisers may preview an unpublished
        # event): rendered fresh, and no shared cache may keep it.
        response, _ = render_page()
        response["Cache-Control"] = "private, no-cache"
        return response
    return pagecache.serve(request, render_page)


@require_safe
def front_door(request):
    """The site's root: every public event, upcoming and past, editions of a series together;
    each event keeps its own address. Cached for anonymous visitors until the next day (an
    event then may move from upcoming to past) or any change of an event."""

    def render_page():
        now = clock.now()
        listing = services.listing(now.date())
        template = ("events/front.html" if listing["upcoming"] or listing["past"]
                    else "events/no_event.html")
        response = render(request, template, {**listing, "nav": "front"})
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        response.public_cacheable = True
        tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(),
                                       tzinfo=now.tzinfo)
        return response, tomorrow

    if request.user.is_authenticated:
        response, _ = render_page()
        response["Cache-Control"] = "private, no-cache"
        return response
    return pagecache.serve(request, render_page)


@require_safe
def home(request, slug):
    def build(event, now):
        streams, next_change = services.public_streams(event, now)
        context = {
            "event": event,
            "days": list(event.days.all()),
            "questions": WORKSHOP_QUESTIONS,
            "live_streams": [s for s in streams if s.url and s.state == "live"],
            "nav": "home",
        }
        response = render(request, "events/home.html", context)
        return _mark_public(response, event), next_change

    return _event_page(request, slug, build)


@require_safe
def livestream(request, slug):
    def build(event, now):
        streams, next_change = services.public_streams(event, now)
        context = {"event": event, "streams": streams, "now": now, "nav": "livestream",
                   "hls": any(s.embed and s.embed.kind == "hls" for s in streams)}
        response = render(request, "events/livestream.html", context)
        # The players on the page (none before go-live) may load from exactly their host.
        policy = streaming.csp_update(s.embed for s in streams)
        if policy:
            response._csp_update = policy
        # Downstream caches must ask again: the page changes at go-live.
        _mark_public(response, event, revalidate=True)
        return response, next_change

    return _event_page(request, slug, build)


@require_safe
def event_json(request, slug):
    def build(event, now):
        # An export: the event's default language, or the one ``?lang=`` asks for.
        language = services.export_language(event, request.GET.get("lang"))
        with translation.override(language):
            response, next_change = build_json(event, now)
        response["Content-Language"] = language
        return response, next_change

    def build_json(event, now):
        streams, next_change = services.public_streams(event, now)
        data = {
            "slug": event.slug,
            "title": event.title,
            "tagline": event.tagline,
            "start_date": event.start_date.isoformat(),
            "end_date": event.end_date.isoformat(),
            "time_zone": event.time_zone,
            "language": translation.get_language(),
            "venue": {
                "name": event.venue_name,
                "address": event.venue_address,
                "map_url": event.venue_map_url or None,
                "latitude": float(event.latitude) if event.latitude is not None else None,
                "longitude": float(event.longitude) if event.longitude is not None else None,
            },
            "days": [
                {"date": d.date.isoformat(), "label": d.label, "summary": d.summary}
                for d in event.days.all()
            ],
            "questions": [{"number": q.number, "key": q.key, "text": str(q.text)}
                          for q in WORKSHOP_QUESTIONS],
            "streams": [s.as_json() for s in streams],
            "generated_at": now.isoformat(),
            "demo_data": event.is_demo,
        }
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        _mark_public(response, event, revalidate=True)
        return response, next_change

    return _event_page(request, slug, build)


@require_safe
def livestream_status(request, slug):
    """Server time and stream states for the countdown script; never an address."""
    event = services.public_event(slug, request.user)
    now = clock.now()
    streams, next_change = services.public_streams(event, now)
    response = JsonResponse({
        "now": now.isoformat(),
        "next_change": next_change.isoformat() if next_change else None,
        "streams": [{"id": s.id, "state": s.state.value} for s in streams],
    })
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def event_ics(request, slug):
    def build(event, now):
        # An export: the event's default language, or the one ``?lang=`` asks for, for the
        # fixed texts and for what the organisers wrote (the stream labels too).
        language = services.export_language(event, request.GET.get("lang"))
        with translation.override(language):
            streams, next_change = services.public_streams(event, now)
        host = request.build_absolute_uri("/")
        body = calendar.event_calendar(event, streams, now=now, base_url=host, language=language)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Language"] = language
        response["Content-Disposition"] = f'inline; filename="{event.slug}.ics"'
        _mark_public(response, event, revalidate=True)
        return response, next_change

    return _event_page(request, slug, build)


@require_http_methods(["GET", "POST"])
def contact(request, slug):
    event = services.public_event(slug, request.user)
    status = 200
    if request.method == "POST":
        try:
            services.check_contact_rate(event, client_ip(request) or "unknown")
        except services.RateLimited as limited:
            response = render(
                request, "events/contact_limited.html",
                {"event": event, "retry_minutes": max(1, limited.retry_after // 60)},
                status=429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.receive_contact_message(
                event, name=data["name"], email=data["email"],
                organisation=data["organisation"], topic=data["topic"], message=data["message"],
            )
            return redirect(reverse("events:contact_sent", kwargs={"slug": event.slug}))
        status = 400
    else:
        form = ContactForm()
    with timezone.override(event.tz):
        response = render(request, "events/contact.html",
                          {"event": event, "form": form, "nav": "contact"}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def contact_sent(request, slug):
    event = services.public_event(slug, request.user)
    return render(request, "events/contact_sent.html", {"event": event})
