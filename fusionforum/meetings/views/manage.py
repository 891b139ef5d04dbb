"""Organisers' pages of the meetings day: set-up, experts, requests, scheduler runs with
progress, review, hand adjustments, publication, later changes and check-in."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.accounts.models import User
from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.core.related import share_event
from fusionforum.events.access import gate

from .. import agenda, publishing, services, topics
from ..forms import ExpertForm, ManageRequestForm, PlaceForm, PublishForm, SettingsForm
from ..models import (
    Expert,
    Meeting,
    MeetingOutcome,
    MeetingRelease,
    MeetingRequest,
    MeetingSettings,
    ScheduleRun,
)
from ..slots import MeetingDay


def needs_settings(view):
    @functools.wraps(view)
    def wrapped(request, event, *args, **kwargs):
        if not MeetingSettings.objects.filter(event=event).exists():
            return redirect("meetings_manage:settings", event.slug)
        return view(request, event, *args, **kwargs)

    return wrapped


def _refused(request, event, reasons, status=400, back=None):
    return render(request, "meetings/refused.html", {
        "event": event, "reasons": reasons, "manage": True,
        "back": back or reverse("meetings_manage:overview", args=[event.slug])}, status=status)


def _confirm(request, event, *, title, details, consequence, confirm_label, back,
             section="schedule"):
    """The confirmation step of a change that cannot be undone: the GET of the same address
    shows what will happen and a form that POSTs to it (works without JavaScript)."""
    return render(request, "meetings/manage/confirm.html", {
        "event": event, "section": section, "title": title, "details": details,
        "consequence": consequence, "confirm_label": confirm_label,
        "action": request.path, "back": back})


def _tell_refit(request, refit: services.Refit) -> None:
    """Tell the organiser which working meetings a change dropped or moved in time."""
    if refit.dropped:
        count = len(refit.dropped)
        messages.warning(request, ngettext(
            "%(count)s meeting no longer fit and was dropped from the working schedule: "
            "%(list)s Run a repair, then publish.",
            "%(count)s meetings no longer fit and were dropped from the working schedule: "
            "%(list)s Run a repair, then publish.", count)
            % {"count": count, "list": " ".join(refit.dropped)})
    if refit.moved:
        count = len(refit.moved)
        messages.info(request, ngettext(
            "%(count)s meeting of the working schedule moved in time: %(list)s",
            "%(count)s meetings of the working schedule moved in time: %(list)s", count)
            % {"count": count, "list": " ".join(refit.moved)})


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def overview(request, event):
    meeting_settings = event.meeting_settings
    run = services.current_run(event)
    release = services.latest_release(event)
    working = publishing.build_snapshot(event)
    pending = publishing.diff(release.snapshot if release else None, working,
                              release.version if release else None)
    return render(request, "meetings/manage/overview.html", {
        "event": event, "section": "overview", "settings": meeting_settings,
        "day": MeetingDay(meeting_settings), "run": run, "release": release,
        "run_figures": services.run_figures(run) if run else None,
        "releases": MeetingRelease.objects.filter(event=event),
        "review": services.review(event), "pending": pending,
        "has_pending": bool(pending["added"] or pending["removed"] or pending["moved"]),
        "experts": Expert.objects.filter(event=event, is_active=True).count(),
        "publish_form": PublishForm(),
        "window_open": meeting_settings.requests_open(clock.now())})


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
def settings_page(request, event):
    instance = MeetingSettings.objects.filter(event=event).first()
    if instance is None:
        day3 = event.days.order_by("date").last()
        instance = MeetingSettings(
            event=event, date=day3.date if day3 else event.end_date,
            requests_open_at=clock.now(),
            requests_close_at=clock.now() + dt.timedelta(days=14),
            breaks=[{"start": "10:40", "end": "11:00", "label": "coffee"},
                    {"start": "12:40", "end": "14:00", "label": "lunch"},
                    {"start": "15:40", "end": "16:00", "label": "coffee"}])
    form = SettingsForm(posted_data(request), instance=instance)
    if form.is_valid():
        try:
            refit = services.save_settings(form.instance, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meetings day was saved."))
            _tell_refit(request, refit)
            return redirect("meetings_manage:overview", event.slug)
    day = MeetingDay(instance) if instance.pk else None
    return render(request, "meetings/manage/settings.html",
                  {"event": event, "section": "settings", "form": form, "day": day},
                  status=400 if form.is_bound else 200)


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def experts(request, event):
    labels = dict(event.meeting_settings.discipline_choices)
    load = {}
    for meeting in Meeting.objects.filter(event=event):
        for pk in (meeting.expert_id, meeting.expert2_id):
            if pk:
                load[pk] = load.get(pk, 0) + 1
    conflicts = services.conflicts_by_expert(event)
    rows = [{"expert": e, "load": load.get(e.pk, 0), "conflicts": conflicts.get(e.pk, [])}
            for e in Expert.objects.filter(event=event).select_related("user")]
    return render(request, "meetings/manage/experts.html",
                  {"event": event, "section": "experts", "rows": rows, "labels": labels})


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def expert_edit(request, event, pk=None):
    instance = get_object_or_404(Expert, pk=pk, event=event) if pk else Expert(event=event)
    day = MeetingDay(event.meeting_settings)
    form = ExpertForm(posted_data(request), instance=instance, event=event, day=day)
    if form.is_valid():
        refit = services.save_expert(form.instance, by=request.user)
        messages.success(request, _("%(name)s was saved.") % {"name": form.instance.name})
        _tell_refit(request, refit)
        return redirect("meetings_manage:experts", event.slug)
    return render(request, "meetings/manage/expert_form.html",
                  {"event": event, "section": "experts", "form": form, "instance": instance},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def expert_cancel(request, event, pk):
    expert = get_object_or_404(Expert, pk=pk, event=event)
    if request.method != "POST":
        placed = Meeting.objects.filter(event=event, expert=expert).count()
        return _confirm(
            request, event, section="experts",
            title=_("Mark %(name)s as cancelled") % {"name": expert.name},
            details=[ngettext("%(name)s has %(count)s meeting in the working schedule.",
                              "%(name)s has %(count)s meetings in the working schedule.",
                              placed) % {"name": expert.name, "count": placed}],
            consequence=_("Their meetings are dropped from the working schedule and they get "
                          "no new ones. Run a repair, then publish, to tell the people "
                          "concerned."),
            confirm_label=_("Mark %(name)s as cancelled") % {"name": expert.name},
            back=reverse("meetings_manage:experts", args=[event.slug]))
    dropped = services.cancel_expert(expert, by=request.user)
    messages.success(request, ngettext(
        "%(name)s is marked as cancelled; %(count)s meeting dropped from the working schedule. "
        "Run a repair, then publish.",
        "%(name)s is marked as cancelled; %(count)s meetings dropped from the working schedule. "
        "Run a repair, then publish.", dropped) % {"name": expert.name, "count": dropped})
    return redirect("meetings_manage:overview", event.slug)


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def requests_page(request, event):
    status = request.GET.get("status", "active")
    requests = (MeetingRequest.objects.filter(event=event)
                .select_related("organisation", "expert", "expert2")
                .prefetch_related("attendees"))
    if status in MeetingRequest.Status.values:
        requests = requests.filter(status=status)
    meetings = {m.request_id: m for m in Meeting.objects.filter(event=event)
                .select_related("expert", "expert2")}
    day = MeetingDay(event.meeting_settings)
    rows = [{"request": r, "meeting": meetings.get(r.pk),
             "slot": day.slots[meetings[r.pk].slot] if r.pk in meetings else None}
            for r in topics.with_visible_topics(share_event(list(requests), event),
                                                organiser=True)]
    return render(request, "meetings/manage/requests.html",
                  {"event": event, "section": "requests", "rows": rows, "status": status,
                   "conflicted": services.conflicted_requests(event)})


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def request_new(request, event):
    """An organiser creates a request for an organisation (one expert or two together)."""
    meeting_settings = event.meeting_settings
    form = ManageRequestForm(
        posted_data(request), initial={"priority": 1}, event=event,
        experts=list(Expert.objects.filter(event=event, is_active=True)), delegates=[],
        max_priority=meeting_settings.max_requests_per_organisation,
        organisations=services.refusable_organisations(event))
    if form.is_valid():
        try:
            services.create_request_for(
                event, form.cleaned_data["organisation"], by=request.user, **form.seats(),
                topic=form.cleaned_data["topic"], priority=form.cleaned_data["priority"],
                confidential=form.cleaned_data["confidential"])
        except services.RequestRefused as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The request was created. Run the scheduler or place "
                                        "it by hand."))
            return redirect("meetings_manage:requests", event.slug)
    return render(request, "meetings/manage/request_form.html",
                  {"event": event, "section": "requests", "form": form},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def participant_leave(request, event, user_pk):
    if not MeetingRequest.objects.filter(event=event, attendees__pk=user_pk).exists():
        raise Http404(_("No such attendee."))

    person = get_object_or_404(User, pk=user_pk)
    if request.method != "POST":
        name = person.full_name or person.email
        count = MeetingRequest.objects.filter(event=event, attendees=person,
                                              status=MeetingRequest.Status.ACTIVE).count()
        return _confirm(
            request, event, section="requests",
            title=_("%(name)s left the workshop") % {"name": name},
            details=[ngettext("%(name)s attends %(count)s active request.",
                              "%(name)s attends %(count)s active requests.", count)
                     % {"name": name, "count": count}],
            consequence=_("They are taken out of these requests; a request left without anyone "
                          "attending is withdrawn and its meeting dropped. Run a repair, then "
                          "publish."),
            confirm_label=_("Take %(name)s out of the requests") % {"name": name},
            back=reverse("meetings_manage:requests", args=[event.slug]))
    withdrawn = services.participant_leaves(event, person, by=request.user)
    messages.success(request, _("%(person)s was taken out of their requests (%(count)s "
                                "withdrawn for lack of attendees). Run a repair, then publish.")
                     % {"person": person, "count": withdrawn})
    return redirect("meetings_manage:requests", event.slug)


@require_POST
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def run_start(request, event):
    kind = request.POST.get("kind", ScheduleRun.Kind.SOLVE)
    if kind not in ScheduleRun.Kind.values:
        return _refused(request, event, [_("Unknown kind of run.")])
    try:
        run = services.start_run(event, by=request.user, kind=kind)
    except ValidationError as exc:
        return _refused(request, event, exc.messages)
    return redirect("meetings_manage:run", event.slug, run.pk)


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
def run_page(request, event, pk):
    run = get_object_or_404(ScheduleRun, pk=pk, event=event)
    figures = services.run_figures(run)
    return render(request, "meetings/manage/run.html",
                  {"event": event, "section": "overview", "run": run,
                   "figures": figures, "comparison": services.run_comparison(run, figures),
                   "progress_url": reverse("meetings_manage:run_progress",
                                           args=[event.slug, run.pk])})


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
def run_progress(request, event, pk):
    run = get_object_or_404(ScheduleRun, pk=pk, event=event)
    progress = run.progress or {}
    figures = services.run_figures(run)
    return JsonResponse({
        "status": run.status, "status_label": run.get_status_display(),
        "fraction": round(run.fraction, 3),
        "best": figures["best"], "bound": figures["bound"], "gap": figures["gap"],
        "elapsed": progress.get("elapsed"),
        "finished": run.status in (ScheduleRun.Status.DONE, ScheduleRun.Status.FAILED),
    })


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def schedule(request, event):
    day = MeetingDay(event.meeting_settings)
    experts = list(Expert.objects.filter(event=event))
    meetings = list(Meeting.objects.filter(event=event).select_related(
        "request__organisation", "request__expert", "request__expert2", "expert", "expert2"))
    grid = {(m.expert_id, m.slot): m for m in meetings}
    grid.update({(m.expert2_id, m.slot): m for m in meetings if m.expert2_id})
    rows = [{"expert": e, "cells": [{"slot": s, "meeting": grid.get((e.pk, s.index))}
                                    for s in day.slots]} for e in experts]
    share_event([m.request for m in meetings], event)
    unplaced = share_event(list(
        MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.ACTIVE)
        .exclude(pk__in=[m.request_id for m in meetings])
        .select_related("organisation", "expert", "expert2")), event)
    return render(request, "meetings/manage/schedule.html", {
        "event": event, "section": "schedule", "day": day, "rows": rows,
        "unplaced": unplaced, "experts": experts, "meetings": meetings})


@require_POST
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def place(request, event):
    form = PlaceForm(request.POST)
    back = reverse("meetings_manage:schedule", args=[event.slug])
    if not form.is_valid():
        return _refused(request, event, [_("Choose a request, an expert and a slot.")],
                        back=back)
    meeting_request = MeetingRequest.objects.filter(pk=form.cleaned_data["request"],
                                                    event=event).first()
    expert = Expert.objects.filter(pk=form.cleaned_data["expert"], event=event).first()
    expert2 = (Expert.objects.filter(pk=form.cleaned_data["expert2"], event=event).first()
               if form.cleaned_data.get("expert2") else None)
    if meeting_request is None or expert is None or (
            form.cleaned_data.get("expert2") and expert2 is None):
        return _refused(request, event, [_("No such request or expert.")], status=404,
                        back=back)
    try:
        services.place_meeting(event, meeting_request, expert, form.cleaned_data["slot"],
                               by=request.user, expert2=expert2)
    except services.Infeasible as exc:
        return _refused(request, event, exc.messages, status=409, back=back)
    messages.success(request, _("The meeting was placed."))
    return redirect("meetings_manage:schedule", event.slug)


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def remove(request, event, request_pk):
    meeting = get_object_or_404(Meeting.objects.select_related(
        "request__organisation", "expert"), request_id=request_pk, event=event)
    if request.method != "POST":
        day = MeetingDay(event.meeting_settings)
        slot = day.slots[meeting.slot].label if meeting.slot < len(day) else str(meeting.slot)
        return _confirm(
            request, event, title=_("Remove this meeting?"),
            details=[_("%(organisation)s with %(expert)s, %(slot)s (asked for %(target)s).") % {
                "organisation": meeting.request.organisation.name,
                "expert": meeting.expert.name, "slot": slot,
                "target": meeting.request.target_label}],
            consequence=_("The meeting is taken out of the working schedule; the request stays "
                          "and can be placed again. Participants see the change only when you "
                          "publish a new version."),
            confirm_label=_("Remove the meeting"),
            back=reverse("meetings_manage:schedule", args=[event.slug]))
    services.remove_meeting(meeting, by=request.user)
    messages.success(request, _("The meeting was taken out of the working schedule."))
    return redirect("meetings_manage:schedule", event.slug)


@require_http_methods(["GET", "POST"])
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def lose_slot(request, event, slot):
    if request.method != "POST":
        day = MeetingDay(event.meeting_settings)
        if not 0 <= slot < len(day) or slot in day.lost:
            raise Http404(_("No such slot."))
        placed = Meeting.objects.filter(event=event, slot=slot).count()
        return _confirm(
            request, event,
            title=_("Withdraw the slot %(slot)s?") % {"slot": day.slots[slot].label},
            details=[ngettext("%(count)s meeting of the working schedule is in this slot.",
                              "%(count)s meetings of the working schedule are in this slot.",
                              placed) % {"count": placed}],
            consequence=_("The slot is withdrawn for good and its meetings are dropped. Run a "
                          "repair, then publish."),
            confirm_label=_("Withdraw the slot"),
            back=reverse("meetings_manage:schedule", args=[event.slug]))
    try:
        dropped = services.lose_slot(event, slot, by=request.user)
    except ValidationError as exc:
        return _refused(request, event, exc.messages, status=404)
    messages.success(request, ngettext(
        "The slot was withdrawn; %(count)s meeting dropped. Run a repair, then publish.",
        "The slot was withdrawn; %(count)s meetings dropped. Run a repair, then publish.",
        dropped) % {"count": dropped})
    return redirect("meetings_manage:schedule", event.slug)


@require_POST
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def publish(request, event):
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _refused(request, event, [e for errs in form.errors.values() for e in errs])
    try:
        release = publishing.publish(event, by=request.user,
                                     comment=form.cleaned_data["comment"],
                                     close_requests=form.cleaned_data["close_requests"])
    except ValidationError as exc:
        return _refused(request, event, exc.messages, status=409)
    messages.success(request, _("Version %(version)s is published; the people concerned are "
                                "being e-mailed.") % {"version": release.version})
    return redirect("meetings_manage:release", event.slug, release.version)


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
def release_page(request, event, version):
    release = get_object_or_404(MeetingRelease, event=event, version=version)
    meetings = topics.with_visible_topics(
        agenda.with_times(release.snapshot.get("meetings", []), event.tz), organiser=True)
    return render(request, "meetings/manage/release.html", {
        "event": event, "section": "overview", "release": release, "meetings": meetings,
        "moved": {m["request"] for m in release.changes.get("moved", [])},
        "added": set(release.changes.get("added", []))})


@require_safe
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
@needs_settings
def day_page(request, event):
    release = services.latest_release(event)
    meetings = agenda.with_times(release.snapshot["meetings"], event.tz) if release else []
    outcomes = {o.request_id: o for o in MeetingOutcome.objects.filter(
        request_id__in=[m["request"] for m in meetings])}
    for meeting in meetings:
        meeting["outcome"] = outcomes.get(meeting["request"])
    return render(request, "meetings/manage/day.html",
                  {"event": event, "section": "day", "release": release, "meetings": meetings})


@require_POST
@gate("meetings.manage_meetings", second_factor=True, event_time=True)
def day_checkin(request, event, request_pk):
    if services.published_meeting(event, request_pk) is None:
        raise Http404(_("No such meeting."))
    attendance = request.POST.get("attendance", "")
    back = reverse("meetings_manage:day", args=[event.slug])
    try:
        services.check_in(event, request_pk, attendance, by=request.user)
    except ValidationError as exc:
        return _refused(request, event, exc.messages, back=back)
    messages.success(request, _("Check-in recorded."))
    return redirect(back)
