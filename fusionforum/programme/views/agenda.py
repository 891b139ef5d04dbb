"""The personal agenda: stars, the agenda page, and the secret calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from fusionforum.core.languages import speaking_to
from fusionforum.events import services as event_services
from fusionforum.events.access import gate, public_event

from .. import agenda, public


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, fallback: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _login_needed(request, event=None):
    if _wants_json(request):
        return JsonResponse({"error": _("Sign in to keep an agenda on the server.")},
                            status=403)
    login = reverse("accounts:login")
    return redirect(f"{login}?next={request.path}")


# The agenda kept on the server: signed-out visitors are asked to log in (scripts get a 403
# in JSON); their stars stay in the browser.
keeps_agenda = gate("programme.keep_agenda", load=public_event, login_first=False,
                    anonymous=_login_needed, private=False)


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@keeps_agenda
def star(request, event, code):
    try:
        talk = agenda.star(request.user, event, code)
    except agenda.NotInProgramme:
        raise Http404("No such talk in the programme.") from None
    if _wants_json(request):
        return _private(JsonResponse({"code": talk.code, "starred": True}))
    messages.success(request, _("“%(title)s” is in your agenda.") % {"title": talk.title})
    return _private(_back(request, reverse("programme:talk", args=[event.slug, talk.code])))


@require_POST
@keeps_agenda
def unstar(request, event, code):
    agenda.unstar(request.user, event, code)
    if _wants_json(request):
        return _private(JsonResponse({"code": code, "starred": False}))
    messages.success(request, _("The talk was removed from your agenda."))
    return _private(_back(request, reverse("programme:agenda", args=[event.slug])))


@require_safe
def agenda_page(request, slug):
    event = event_services.public_event(slug, request.user)
    programme = public.latest(event)
    context = {"event": event, "programme": programme, "has_programme": programme is not None,
               "nav": "programme", "signed_in": request.user.is_authenticated}
    if request.user.is_authenticated:
        feed = agenda.feed_for(request.user, event, create=programme is not None)
        codes = agenda.starred_codes(request.user, event)
        context.update(
            feed=feed,
            feed_url=request.build_absolute_uri(
                reverse("programme:agenda_ics", args=[event.slug, feed.token])) if feed else "",
            days=agenda.agenda(programme, codes) if programme else [],
            missing=agenda.missing_codes(programme, codes) if programme else [],
            starred=codes,
        )
    with timezone.override(event.tz):
        response = render(request, "programme/public/agenda.html", context)
    return _private(response)


@require_safe
def local_agenda(request, slug):
    """The talks a browser starred locally (codes in the query), as a fragment the agenda page
    inserts. Nothing is stored; only released talks are shown."""
    event = event_services.public_event(slug, request.user)
    programme = public.latest(event)
    codes = agenda.parse_codes(request.GET.get("codes", ""))
    context = {"event": event, "programme": programme, "local": True,
               "days": agenda.agenda(programme, codes) if programme else [],
               "missing": agenda.missing_codes(programme, codes), "starred": set(codes)}
    with timezone.override(event.tz):
        response = render(request, "programme/public/_agenda_list.html", context)
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@keeps_agenda
def sync_local(request, event):
    """Add the stars a browser kept locally to the signed-in person's agenda."""
    added = agenda.star_many(request.user, event, agenda.parse_codes(request.POST.get("codes")))
    if _wants_json(request):
        return _private(JsonResponse({"added": added}))
    if added:
        messages.success(request, ngettext(
            "%(count)s talk starred in this browser added to your agenda.",
            "%(count)s talks starred in this browser added to your agenda.", added)
            % {"count": added})
    else:
        messages.info(request,
                      _("Every talk starred in this browser was already in your agenda."))
    return _private(redirect(reverse("programme:agenda", args=[event.slug])))


@require_POST
@keeps_agenda
def reset_feed(request, event):
    agenda.reset_token(request.user, event)
    messages.success(request, _("Your calendar link was replaced. The old link no longer "
                                "works: subscribe again with the new one."))
    return _private(redirect(reverse("programme:agenda", args=[event.slug])))


@require_safe
def agenda_ics(request, slug, token):
    """The calendar feed of one person's starred talks. Calendar apps cannot sign in: the
    secret token in the address is the key (a reset replaces it)."""
    event = event_services.public_event(slug, request.user)
    feed = agenda.feed_by_token(event, token)
    if feed is None:
        raise Http404("No such calendar feed.")
    # A calendar app sends no useful language: the feed speaks its owner's.
    with speaking_to(feed.user, event):
        programme = public.latest(event)
        if programme is None:
            raise Http404("The programme is not published yet.")
        codes = set(feed.stars.values_list("talk_code", flat=True))
        body = agenda.calendar(event, programme, codes, site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-agenda.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
