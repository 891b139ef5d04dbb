"""Participants' pages: the meetings home (their organisation's requests and meetings), the
expert directory, requests, suggestions and the calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.core.languages import speaking_to
from fusionforum.events import services as event_services
from fusionforum.events.access import gate, public_event_with
from fusionforum.registration.standing import standing

from .. import agenda, services, suggest, topics
from ..forms import RequestForm
from ..models import Expert, MeetingFeed, MeetingRequest, MeetingSettings


def _who(request, event):
    """What the view receives besides the event: the person's confirmed registration (with the
    organisation), their expert, and whether they organise the event."""
    return (event, {
        "registration": services.delegation_of(event, request.user),
        "expert": services.expert_of(event, request.user),
        "organiser": services.is_organiser(request.user, event),
    })


def _where_you_stand(status):
    """Anyone else gets a page that says where they stand and what they can do
    (``registration.standing``)."""

    def refused(request, event):
        return render(request, "meetings/not_participant.html", {
            "event": event, "nav": "meetings", "settings": event.meeting_settings,
            "standing": standing(event, request.user, purpose="meetings")},
            status=status)

    return refused


def _meetings_gate(*, entry: bool):
    """Signed-in people of a published event with a meetings day who take part in it
    (``meetings.take_part``). The refusal says where they stand: with status 200 on the
    ``entry`` page (the menu's Meetings), 403 on the deeper pages."""
    return gate("meetings.take_part", login_first=False, event_time=True, passes=_who,
                refused=_where_you_stand(200 if entry else 403),
                load=public_event_with(
                    lambda event: MeetingSettings.objects.filter(event=event).first(),
                    gettext_lazy("This event has no meetings day.")))


meetings_entry = _meetings_gate(entry=True)
meetings_view = _meetings_gate(entry=False)


def _viewer(who) -> dict:
    """What the person is to a meeting, for ``topics.visible_topic``."""
    return {"viewer_organisation": who["registration"].organisation_id
            if who["registration"] else None,
            "viewer_expert": who["expert"].pk if who["expert"] else None}


@require_safe
@meetings_entry
def home(request, event, who):
    meeting_settings = event.meeting_settings
    registration = who["registration"]
    release = services.latest_release(event)
    context = {"event": event, "nav": "meetings", "who": who, "settings": meeting_settings,
               "release": release, "window_open": meeting_settings.requests_open(clock.now()),
               "now": clock.now()}
    if registration is not None:
        requests = (MeetingRequest.objects.filter(event=event,
                                                  organisation=registration.organisation)
                    .select_related("expert").prefetch_related("attendees")
                    .order_by("status", "priority", "submitted_at"))
        requests = topics.with_visible_topics(list(requests), **_viewer(who))
        context["requests"] = requests
        context["request_blocked"] = services.request_blocked(event, registration)
        context["can_request"] = context["request_blocked"] is None
        if release is not None:
            meetings = agenda.participant_meetings(release.snapshot, request.user,
                                                   registration.organisation_id)
            topics.with_visible_topics(meetings, **_viewer(who))
            context["meetings"] = agenda.with_times(meetings, event.tz)
            context["unmet"] = [r for r in requests if r.pk in set(release.snapshot["unmet"])]
    if release is not None:
        feed = agenda.feed_for(request.user, event)
        context["feed_url"] = request.build_absolute_uri(
            reverse("meetings:feed", args=[event.slug, feed.token]))
    return render(request, "meetings/home.html", context)


@require_safe
@meetings_view
def directory(request, event, who):
    meeting_settings = event.meeting_settings
    discipline = request.GET.get("discipline", "")
    experts = Expert.objects.filter(event=event, is_active=True)
    choices = dict(meeting_settings.discipline_choices)
    if discipline:
        if discipline not in choices:
            return render(request, "meetings/directory.html",
                          {"event": event, "nav": "meetings", "experts": [], "choices": choices,
                           "discipline": "", "bad_filter": True}, status=400)
        experts = [e for e in experts if discipline in e.disciplines]
    registration = who["registration"]
    blocked = services.request_blocked(event, registration) if registration else None
    return render(request, "meetings/directory.html", {
        "event": event, "nav": "meetings", "experts": experts, "choices": choices,
        "discipline": discipline, "labels": choices, "who": who,
        # Only a participant's delegation asks for meetings: the link is shown to them alone,
        # and only while they can use it.
        "can_request": registration is not None and blocked is None, "blocked": blocked})


def _request_form_context(request, event, who, form, *, instance=None):
    registration = who["registration"]
    topic = (form.data.get("topic") if form.is_bound else
             (instance.topic if instance else "")) or ""
    suggestions = suggest.rank(event, topic, organisation=registration.organisation)
    return {"event": event, "nav": "meetings", "form": form, "instance": instance,
            "suggestions": suggestions, "has_context": bool(suggest.organisation_context(
                event, registration.organisation)),
            "labels": dict(event.meeting_settings.discipline_choices)}


def _form(event, who, data=None, initial=None):
    registration = who["registration"]
    return RequestForm(
        data, initial=initial, event=event,
        experts=list(Expert.objects.filter(event=event, is_active=True)),
        delegates=services.delegates(event, registration.organisation),
        max_priority=event.meeting_settings.max_requests_per_organisation)


def _save(request, event, who, form, instance=None):
    values = {**form.seats(),
                  "topic": form.cleaned_data["topic"], "priority": form.cleaned_data["priority"],
                  "attendees": list(form.cleaned_data["attendees"]),
                  "confidential": form.cleaned_data["confidential"]}
    try:
        if instance is None:
            return services.submit_request(event, request.user, **values)
        return services.update_request(instance, request.user, **values)
    except services.RequestRefused as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    return None


@require_http_methods(["GET", "POST"])
@meetings_view
def request_new(request, event, who):
    if who["registration"] is None:
        return _cannot_request(request, event, who, status=403)
    if request.method != "POST":
        blocked = services.request_blocked(event, who["registration"])
        if blocked is not None:
            return _cannot_request(request, event, who, reason=blocked)
    initial = {"attendees": [request.user], "priority": 1}
    if request.GET.get("expert", "").isdigit():
        initial["target"] = f"expert:{request.GET['expert']}"
    form = _form(event, who, posted_data(request), initial=initial)
    if form.is_valid():
        saved = _save(request, event, who, form)
        if saved is not None:
            messages.success(request, _("Your request was saved. You can change it until the "
                                        "deadline."))
            return redirect("meetings:home", event.slug)
    status = 400 if form.is_bound else 200
    return render(request, "meetings/request_form.html",
                  _request_form_context(request, event, who, form), status=status)


def _cannot_request(request, event, who, *, reason="", status=200):
    """A readable page instead of a form that could not be sent."""
    if not reason:
        reason = _("Meetings are asked for by the delegates of participating organisations "
                   "(confirmed participants).")
        if who["expert"]:
            reason += " " + _("As one of the experts you receive requests: your agenda shows "
                              "the meetings placed with you.")
        elif who["organiser"]:
            reason += " " + _("As an organiser you see every request on the organisers' "
                              "meetings desk.")
    return render(request, "meetings/cannot_request.html",
                  {"event": event, "nav": "meetings", "reason": reason, "who": who},
                  status=status)


def _own_request(event, who, pk) -> MeetingRequest:
    registration = who["registration"]
    if registration is None:
        raise Http404(_("No such request."))
    return get_object_or_404(MeetingRequest, pk=pk, event=event,
                             organisation=registration.organisation)


@require_http_methods(["GET", "POST"])
@meetings_view
def request_edit(request, event, who, pk):
    instance = _own_request(event, who, pk)
    if instance.status != MeetingRequest.Status.ACTIVE:
        raise Http404(_("This request was withdrawn."))
    if request.method != "POST":
        window = services.window_closed_reason(event.meeting_settings)
        if window is not None:
            return _cannot_request(request, event, who, reason=window)
    form = _form(event, who, posted_data(request), initial=RequestForm.initial_for(instance))
    if form.is_valid():
        saved = _save(request, event, who, form, instance)
        if saved is not None:
            messages.success(request, _("Your request was updated."))
            return redirect("meetings:home", event.slug)
    status = 400 if form.is_bound else 200
    return render(request, "meetings/request_form.html",
                  _request_form_context(request, event, who, form, instance=instance),
                  status=status)


@require_POST
@meetings_view
def request_withdraw(request, event, who, pk):
    instance = _own_request(event, who, pk)
    try:
        services.withdraw_request(instance, request.user)
    except services.RequestRefused as exc:
        return render(request, "meetings/refused.html",
                      {"event": event, "nav": "meetings", "reasons": exc.messages,
                       "back": reverse("meetings:home", args=[event.slug])}, status=400)
    messages.success(request, _("The request was withdrawn."))
    return redirect("meetings:home", event.slug)


@require_safe
@meetings_view
def suggestions(request, event, who):
    """The ranked experts for a topic, as a fragment the request form inserts while typing."""
    if who["registration"] is None:
        raise Http404(_("Only participants make requests."))
    topic = request.GET.get("topic", "")[:1500]
    found = suggest.rank(event, topic, organisation=who["registration"].organisation)
    return render(request, "meetings/_suggestions.html",
                  {"event": event, "suggestions": found, "topic": topic})


@require_POST
@meetings_view
def feed_reset(request, event, who):
    agenda.reset_feed(request.user, event)
    messages.success(request, _("Your calendar link was replaced; the old one no longer "
                                "works."))
    return redirect("meetings:home", event.slug)


@require_safe
def feed(request, slug, token):
    """A person's meetings as iCalendar. Calendar apps cannot sign in: the secret token is
    the key (a reset replaces it)."""
    event = event_services.public_event(slug, request.user)

    owner = MeetingFeed.objects.filter(event=event, token=token).select_related("user").first()
    if owner is None or not owner.user.is_active:
        raise Http404(_("No such calendar feed."))
    # A calendar app cannot say whose language it wants: the feed speaks its owner's.
    with speaking_to(owner.user, event):
        body = agenda.calendar(event, agenda.feed_meetings(event, owner.user),
                               site_url=settings.SITE_URL.rstrip("/"),
                               name=_("%(event)s: my meetings") % {"event": event.title})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-meetings.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
