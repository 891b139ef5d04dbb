"""Organisers' and platform administrators' pages about events themselves: start an event
(event creators), name event creators (platform administrators), and an event's own page:
its status (draft, published, archived), modules and dates (a preview of what no longer fits,
then one transaction)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fusionforum.core import clock
from fusionforum.core.forms import posted_data

from .. import dashboard as dashboard_registry
from .. import dates, services
from ..access import gate
from ..archive import EventArchived
from ..forms import CreatorForm, EventDatesForm, ModulesForm, NewEventForm
from ..models import Event, EventCreator
from ..modules import REQUIRES
from ..states import LIFE_CYCLE


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for text in errors:
                form.add_error(name if name in form.fields else None, text)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _sources(user):
    """Earlier editions this person may start from (the clone copies their set-up)."""
    events = Event.objects.all() if user.is_superuser else Event.objects.organised_by(user)
    return events.order_by("-start_date", "slug")


@gate("events.create_event", load=None, second_factor=True)
@require_http_methods(["GET", "POST"])
def new_event(request):
    form = NewEventForm(posted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.create_event(
                    by=request.user, title=data["title"], slug=data["slug"],
                    start_date=data["start_date"], end_date=data["end_date"],
                    time_zone=data["time_zone"], venue_name=data["venue_name"],
                    default_language=data["default_language"], languages=data["languages"],
                    modules=data["modules"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("“%(event)s” was created as a draft: only its team "
                                            "sees it until you publish it.")
                                 % {"event": event.title})
                return redirect(reverse("events_manage:settings", args=[event.slug]))
        status = 400
    return render(request, "events/manage/new.html",
                  {"form": form, "sources": _sources(request.user)}, status=status)


@gate("events.manage_creators", load=None, second_factor=True)
@require_http_methods(["GET"])
def creators(request):
    return _creators_page(request, CreatorForm())


def _creators_page(request, form, status=200):
    listed = EventCreator.objects.select_related("user", "granted_by").order_by(
        "user__email")
    return render(request, "events/manage/creators.html",
                  {"form": form, "creators": listed}, status=status)


@gate("events.manage_creators", load=None, second_factor=True)
@require_POST
def add_creator(request):
    form = CreatorForm(posted_data(request))
    if form.is_valid():
        try:
            creator = services.name_creator(form.cleaned_data["email"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(person)s may now start events.")
                             % {"person": creator.user.email})
            return redirect(reverse("events_manage:creators"))
    return _creators_page(request, form, status=400)


@gate("events.manage_creators", load=None, second_factor=True)
@require_POST
def remove_creator(request, pk: int):
    creator = get_object_or_404(EventCreator.objects.select_related("user"), pk=pk)
    email = creator.user.email
    services.remove_creator(creator, by=request.user)
    messages.success(request, _("%(person)s may no longer start events; the events they "
                                "organise keep them.") % {"person": email})
    return redirect(reverse("events_manage:creators"))


# --- one event's dashboard -----------------------------------------------------------------

@gate("events.see_dashboard", second_factor=True, event_time=True)
@require_http_methods(["GET", "HEAD"])
def dashboard(request, event):
    """What the registered apps count for this person, and what needs them now."""
    board = dashboard_registry.build(event, request.user, clock.now())
    item = {"event": event, **dashboard_registry.roles_of(event, request.user)}
    return render(request, "events/manage/dashboard.html",
                  {"event": event, "board": board, "item": item})


# --- one event's own page ------------------------------------------------------------------

def _settings_page(request, event, *, modules_form=None, status=200):
    modules_form = modules_form or ModulesForm(initial={"modules": event.modules})
    return render(request, "events/manage/settings.html", {
        "event": event, "modules_form": modules_form,
        "actions": services.status_actions(event),
        "status_label": LIFE_CYCLE.label(event.status),
        "transitions": [
            (t, LIFE_CYCLE.label(t.from_status), LIFE_CYCLE.label(t.to_status))
            for t in event.transitions.select_related("by").order_by("-at", "-id")[:10]],
        "requires": [(module, needed) for module, needed in REQUIRES.items()],
        "dates_form": EventDatesForm(initial={"start_date": event.start_date,
                                              "end_date": event.end_date}),
    }, status=status)


@gate("events.change_event", second_factor=True, event_time=True)
@require_http_methods(["GET"])
def settings(request, event):
    return _settings_page(request, event)


@gate("events.change_event_status", second_factor=True, event_time=True)
@require_POST
def status(request, event):
    action = request.POST.get("action", "")
    try:
        services.change_status(event, action, by=request.user,
                               note=(request.POST.get("note") or "")[:300])
    except (ValidationError, LIFE_CYCLE.IllegalTransition) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return _settings_page(request, event, status=409)
    done = {"publish": _("“%(event)s” is published: anyone can see it."),
            "unpublish": _("“%(event)s” is a draft again: only its team sees it."),
            "archive": _("“%(event)s” is archived: it is read-only."),
            "reopen": _("“%(event)s” is open for changes again.")}
    messages.success(request, done.get(action, "%(event)s") % {"event": event.title})
    return redirect(reverse("events_manage:settings", args=[event.slug]))


@gate("events.change_event", second_factor=True, event_time=True)
@require_POST
def modules(request, event):
    form = ModulesForm(posted_data(request))
    if form.is_valid():
        try:
            services.set_modules(event, form.cleaned_data["modules"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The modules were saved."))
            return redirect(reverse("events_manage:settings", args=[event.slug]))
    return _settings_page(request, event, modules_form=form, status=400)


@gate("events.change_event_dates", second_factor=True, event_time=True)
@require_http_methods(["GET", "POST"])
def change_dates(request, event):
    """GET: the form; POST: the preview (what moves, what no longer fits); POST with
    ``confirm``: apply it, if nothing changed since the preview."""
    form = EventDatesForm(posted_data(request), initial={
        "start_date": event.start_date, "end_date": event.end_date})
    context = {"event": event, "form": form}
    if request.method == "GET":
        return render(request, "events/manage/dates.html", context)
    if not form.is_valid():
        return render(request, "events/manage/dates.html", context, status=400)
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    try:
        plan = dates.plan(event, start, end)
    except ValidationError as error:
        _add_errors(form, error)
        return render(request, "events/manage/dates.html", context, status=400)
    context["plan"] = plan
    if request.POST.get("confirm") != plan.fingerprint() or plan.changes_nothing:
        if request.POST.get("confirm"):
            context["stale"] = not plan.changes_nothing
        return render(request, "events/manage/dates.html", context,
                      status=409 if context.get("stale") else 200)
    try:
        dates.apply(event, start, end, by=request.user, confirmed=request.POST["confirm"])
    except dates.Stale:
        context["stale"] = True
        return render(request, "events/manage/dates.html", context, status=409)
    except EventArchived:
        raise
    messages.success(request, _("The dates were changed."))
    return redirect(reverse("events_manage:settings", args=[event.slug]))


