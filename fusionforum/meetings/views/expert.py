"""The expert's pages: their published agenda with every topic (confidential ones too), check-in
on the day and notes after each meeting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate, public_event
from fusionforum.events.models import public_q

from .. import agenda, services, topics
from ..forms import NotesForm, RefusalForm
from ..models import Expert, ExpertRefusal, MeetingOutcome
from ..publishing import experts_of

# The signed-in person must be an expert of the event (their login linked); others 404. The
# view receives the event and the expert.
expert_view = gate("meetings.see_expert_agenda", load=public_event, login_first=False,
                   event_time=True,
                   passes=lambda request, event: (event, services.expert_of(event, request.user)))


def _meeting(event, expert, request_pk):
    meeting = services.published_meeting(event, request_pk)
    if meeting is None or expert.pk not in experts_of(meeting):
        raise Http404(_("No such meeting."))
    return meeting


@require_safe
@expert_view
def home(request, event, expert):
    release = services.latest_release(event)
    meetings = agenda.with_times(agenda.expert_meetings(release.snapshot, expert), event.tz) \
        if release else []
    outcomes = {o.request_id: o for o in MeetingOutcome.objects.filter(
        request_id__in=[m["request"] for m in meetings])}
    labels = dict(event.meeting_settings.discipline_choices)
    for meeting in meetings:
        meeting["outcome"] = outcomes.get(meeting["request"])
        meeting["target_label"] = agenda.target_words(meeting, labels)
        names = meeting.get("expert_names") or []
        meeting["colleagues"] = [name for pk, name in zip(experts_of(meeting), names,
                                                          strict=False) if pk != expert.pk]
    topics.with_visible_topics(meetings, viewer_expert=expert.pk)
    feed = agenda.feed_for(request.user, event) if release else None
    return render(request, "meetings/expert_home.html", {
        "event": event, "nav": "meetings", "expert": expert, "release": release,
        "meetings": meetings,
        "feed_url": request.build_absolute_uri(
            reverse("meetings:feed", args=[event.slug, feed.token])) if feed else "",
        "labels": labels, "refusals": ExpertRefusal.objects.filter(expert=expert).count()})


@require_http_methods(["GET", "POST"])
@expert_view
def conflicts(request, event, expert):
    """The organisations the expert will not meet (conflicts of interest), and a form to add
    one or change its reason."""
    form = RefusalForm(posted_data(request),
                       organisations=services.refusable_organisations(event))
    if form.is_valid():
        try:
            _refusal, dropped = services.save_refusal(
                expert, form.cleaned_data["organisation"], reason=form.cleaned_data["reason"],
                share_reason=form.cleaned_data["share_reason"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved: you will not be scheduled with %(name)s.")
                             % {"name": form.cleaned_data["organisation"].name})
            if dropped:
                messages.info(request, _("The organisers were left to place again the "
                                         "meetings you had with them in their working "
                                         "schedule."))
            return redirect("meetings_expert:conflicts", event.slug)
    return render(request, "meetings/expert_conflicts.html", {
        "event": event, "nav": "meetings", "expert": expert, "form": form,
        "refusals": services.refusals_of(expert)}, status=400 if form.is_bound else 200)


@require_POST
@expert_view
def conflict_withdraw(request, event, expert, pk):
    refusal = ExpertRefusal.objects.filter(pk=pk, expert=expert).select_related(
        "expert", "organisation").first()
    if refusal is None:
        raise Http404(_("No such conflict of interest."))
    services.withdraw_refusal(refusal, by=request.user)
    messages.success(request, _("You may be scheduled with %(name)s again.")
                     % {"name": refusal.organisation.name})
    return redirect("meetings_expert:conflicts", event.slug)


@require_POST
@expert_view
def checkin(request, event, expert, request_pk):
    _meeting(event, expert, request_pk)
    attendance = request.POST.get("attendance", "")
    if attendance not in MeetingOutcome.Attendance.values:
        return render(request, "meetings/refused.html", {
            "event": event, "reasons": [_("Say whether the meeting was held or a no-show.")],
            "back": reverse("meetings_expert:home", args=[event.slug])}, status=400)
    services.check_in(event, request_pk, attendance, by=request.user)
    messages.success(request, _("Check-in recorded."))
    return redirect("meetings_expert:home", event.slug)


@require_http_methods(["GET", "POST"])
@expert_view
def notes(request, event, expert, request_pk):
    meeting = topics.with_visible_topics(
        agenda.with_times([_meeting(event, expert, request_pk)], event.tz),
        viewer_expert=expert.pk)[0]
    outcome = MeetingOutcome.objects.filter(request_id=request_pk).first() or MeetingOutcome(
        request_id=request_pk)
    form = NotesForm(posted_data(request), instance=outcome)
    if form.is_valid():
        services.save_notes(event, request_pk, by=request.user,
                            notes_topic=form.cleaned_data["notes_topic"],
                            follow_up_requested=form.cleaned_data["follow_up_requested"],
                            follow_up=form.cleaned_data["follow_up"],
                            category=form.cleaned_data["category"])
        messages.success(request, _("Notes saved."))
        return redirect("meetings_expert:home", event.slug)
    return render(request, "meetings/expert_notes.html",
                  {"event": event, "nav": "meetings", "meeting": meeting, "form": form},
                  status=400 if form.is_bound else 200)


def landing_for_expert(user) -> str | None:
    """After logging in, an expert starts on their agenda for the current or next event (else
    the latest one they took meetings at)."""
    today = timezone.localdate(clock.now())
    profiles = Expert.objects.filter(public_q("event__"), user=user).select_related("event")
    profile = (profiles.filter(event__end_date__gte=today).order_by("event__start_date").first()
               or profiles.order_by("-event__start_date").first())
    return reverse("meetings_expert:home", args=[profile.event.slug]) if profile else None
