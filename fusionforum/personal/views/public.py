""""My workshop": the person's own page, its calendar feed, the feed's reset, and the service
worker that keeps the page readable offline."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fusionforum.core import clock
from fusionforum.core.languages import speaking_to
from fusionforum.events import services as event_services
from fusionforum.events.access import gate, public_event

from .. import calendar, services

# Anyone signed in, at a published event (or one its organisers preview); the page shows only
# what is theirs.
own_schedule = gate("personal.see_own_schedule", load=public_event, login_first=False,
                    event_time=True)


@require_safe
@own_schedule
def mine(request, event):
    schedule = services.schedule(event, request.user)
    feed = services.feed_for(event, request.user)
    feed_url = request.build_absolute_uri(reverse("personal:feed", args=[event.slug, feed.token]))
    return render(request, "personal/mine.html", {
        "event": event, "nav": "mine", "schedule": schedule, "feed": feed,
        "feed_url": feed_url, "built_at": clock.now(),
        "worker_url": reverse("personal:worker", args=[event.slug]),
        "scope": reverse("personal:mine", args=[event.slug]),
    })


@require_POST
@own_schedule
def reset_feed(request, event):
    services.reset_feed(event, request.user)
    messages.success(request, _("Your workshop calendar has a new address. The old one no "
                                "longer works: subscribe again with the new one."))
    return redirect("personal:mine", event.slug)


@require_safe
def feed(request, slug, token):
    """The person's whole workshop as iCalendar. Calendar apps cannot sign in: the secret
    token in the address is the key (a reset replaces it); it reads only its owner's items."""
    event = event_services.public_event(slug, request.user)
    owner = services.feed_by_token(event, token)
    if owner is None:
        raise Http404("No such calendar feed.")
    # A calendar app sends no useful language: the feed speaks its owner's.
    with speaking_to(owner.user, event):
        schedule = services.schedule(event, owner.user)
        body = calendar.build(schedule, site_url=settings.SITE_URL, language=get_language())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-my-workshop.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def worker(request, slug):
    """The service worker of "My workshop" (static script, no personal data). Served from
    under the page's address so that its scope is that page only."""
    event = event_services.public_event(slug, request.user)
    body = render_to_string("personal/mine-sw.js", {
        "page": reverse("personal:mine", args=[event.slug])})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("personal:mine", args=[event.slug])
    return response
