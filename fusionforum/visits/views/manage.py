"""Organisers' pages: tours and runs, the sign-up window, the allocation (preview, apply),
per-run lists with the clearance status only, waiting lists and manual moves."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fusionforum.accounts.models import User
from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate

from .. import services
from ..forms import AddPersonForm, MoveForm, RunForm, SettingsForm, TourForm
from ..models import Seat, TourRun, TourType, VisitSettings
from ..states import SeatStatus


def _render(request, event, template, context, status=200):
    return render(request, f"visits/manage/{template}",
                  {"event": event, "nav": "manage", **context}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def overview(request, event):
    settings = services.visit_settings(event)
    form = SettingsForm(posted_data(request), instance=settings or VisitSettings(event=event))
    if request.method == "POST":
        if form.is_valid():
            services.save_window(form.instance, by=request.user)
            messages.success(request, _("Sign-up window saved."))
            return redirect("visits_manage:overview", event.slug)
        status = 400
    else:
        status = 200
    tours = list(TourType.objects.filter(event=event))
    runs = list(services.runs_of(event))
    for tour in tours:
        tour.run_list = [r for r in runs if r.tour_id == tour.pk]
    return _render(request, event, "overview.html", {
        "section": "overview", "form": form, "settings": settings, "tours": tours,
        "phase": settings.phase(clock.now()) if settings else "none",
        "people": services.instance(event)[1] if settings else [],
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def tour_edit(request, event, pk=None):
    tour = get_object_or_404(TourType, pk=pk, event=event) if pk else None
    form = TourForm(posted_data(request), instance=tour, event=event)
    if request.method == "POST" and form.is_valid():
        saved = services.save_tour(form.instance, by=request.user)
        messages.success(request, _("Tour “%(tour)s” saved.") % {"tour": saved.name})
        return redirect("visits_manage:overview", event.slug)
    return _render(request, event, "form.html", {
        "section": "overview", "form": form,
        "heading": tour.name if tour else _("New tour")},
        status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def run_edit(request, event, tour_pk=None, pk=None):
    if pk:
        run = get_object_or_404(TourRun.objects.select_related("tour"), pk=pk,
                                tour__event=event)
        tour = run.tour
    else:
        tour = get_object_or_404(TourType, pk=tour_pk, event=event)
        run = TourRun(tour=tour)
    form = RunForm(posted_data(request), instance=run)
    if request.method == "POST" and form.is_valid():
        try:
            saved, _created = services.save_run(form.instance, by=request.user)
        except services.CapacityBelowHeld as exc:
            form.add_error("capacity", str(exc))
        else:
            messages.success(request, _("Run saved: %(run)s.") % {"run": saved})
            return redirect("visits_manage:overview", event.slug)
    return _render(request, event, "form.html", {
        "section": "overview", "form": form,
        "heading": (_("%(tour)s: edit run") if pk else _("%(tour)s: new run")) % {
            "tour": tour.name}},
        status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def allocation(request, event):
    settings = get_object_or_404(VisitSettings, event=event)
    current_phase = settings.phase(clock.now())
    if request.method == "POST":
        try:
            result = services.apply_allocation(event, by=request.user)
        except services.VisitError as exc:
            messages.error(request, str(exc))
            return redirect("visits_manage:allocation", event.slug)
        messages.success(request, ngettext(
            "Allocation applied: %(count)s person has a tour; everyone has been told by e-mail.",
            "Allocation applied: %(count)s people have a tour; everyone has been told by e-mail.",
            result.served) % {"count": result.served})
        return redirect("visits_manage:allocation", event.slug)
    runs = list(services.runs_of(event))
    users = {}
    if current_phase == "allocated":
        result = None
        fill = {r.pk: r.held for r in runs}
        wanted = {p.id for p in services.instance(event)[1]}
        holding = set(Seat.objects.filter(run__tour__event=event, status=SeatStatus.HELD)
                      .values_list("user_id", flat=True))
        unassigned = sorted(wanted - holding)
    else:
        result, _, people = services.preview(event)
        fill = result.fill([services.allocation.Run(r.pk, r.tour_id, r.start, r.end,
                                                    r.capacity) for r in runs])
        unassigned = result.unassigned(people)
    users = {u.pk: u for u in User.objects.filter(pk__in=unassigned)}
    rows = [{"run": r, "fill": fill.get(r.pk, 0), "demand": r.preferences.count()}
            for r in runs]
    return _render(request, event, "allocation.html", {
        "section": "allocation", "settings": settings, "phase": current_phase,
        "result": result, "rows": rows,
        "unassigned": [users[pk] for pk in unassigned if pk in users]})


def _run_page(request, event, run, *, add_form=None, status=200):
    seats = list(Seat.objects.filter(run=run, status=SeatStatus.HELD).select_related("user")
                 .order_by("user__full_name", "user__email"))
    statuses = services.clearance_statuses(event)
    for seat in seats:
        seat.clearance = services.clearance_label(statuses.get(seat.user_id, ""))
        seat.source_label = services.source_label(seat.source)
    waiting = services.waiting_list(run)
    for position, seat in enumerate(waiting, start=1):
        seat.position = position
        seat.clearance = services.clearance_label(statuses.get(seat.user_id, ""))
    return _render(request, event, "run.html", {
        "section": "overview", "run": run, "seats": seats, "waiting": waiting,
        "free": max(0, run.capacity - len(seats)),
        "add_form": add_form or AddPersonForm(), "move_form": MoveForm(event=event),
    }, status=status)


@require_http_methods(["GET", "HEAD"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def run_page(request, event, pk):
    run = get_object_or_404(TourRun.objects.select_related("tour"), pk=pk, tour__event=event)
    return _run_page(request, event, run)


@require_POST
@gate("visits.manage_visits", second_factor=True, event_time=True)
def run_add(request, event, pk):
    run = get_object_or_404(TourRun.objects.select_related("tour__event"), pk=pk,
                            tour__event=event)
    form = AddPersonForm(request.POST)
    if form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is None or services.confirmed_registration(event, person) is None:
            form.add_error("email", _("No participant with a confirmed registration has this "
                                      "address."))
        else:
            try:
                services.take_seat(run, person, by=request.user, source="organiser",
                                   allow_waitlist=False, organiser=True)
            except services.VisitError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(person)s has a seat on %(run)s.")
                                 % {"person": person, "run": run})
                return redirect("visits_manage:run", event.slug, run.pk)
    return _run_page(request, event, run, add_form=form, status=400)


@require_POST
@gate("visits.manage_visits", second_factor=True, event_time=True)
def seat_move(request, event, pk):
    seat = get_object_or_404(Seat.objects.select_related("run__tour__event", "user"), pk=pk,
                             run__tour__event=event)
    form = MoveForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, _("Choose a run of this event."))
        return redirect("visits_manage:run", event.slug, seat.run_id)
    try:
        new = services.move(seat, form.cleaned_data["run"], by=request.user)
    except services.VisitError as exc:
        messages.error(request, str(exc))
        return redirect("visits_manage:run", event.slug, seat.run_id)
    messages.success(request, _("%(person)s moved to %(run)s.") % {"person": seat.user,
                                                                       "run": new.run})
    return redirect("visits_manage:run", event.slug, seat.run_id)


@require_http_methods(["GET", "POST"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def seat_cancel(request, event, pk):
    seat = get_object_or_404(Seat.objects.select_related("run__tour__event", "user"), pk=pk,
                             run__tour__event=event)
    if request.method != "POST":
        if seat.status not in (SeatStatus.HELD, SeatStatus.WAITLISTED):
            raise Http404(_("This seat has already ended."))
        held = seat.status == SeatStatus.HELD
        return render(request, "visits/confirm.html", {
            "event": event, "base_template": "visits/manage/_base.html",
            "title": (_("Cancel %(person)s's seat?") if held
                      else _("Take %(person)s off the waiting list?")) % {"person": seat.user},
            "details": [f"{seat.run}."],
            "consequence": (_("The seat goes to the next person on the waiting list who can "
                              "still be cleared in time.") if held else
                            _("%(person)s loses their place on the waiting list.")
                            % {"person": seat.user}),
            "confirm_label": (_("Cancel the seat") if held
                              else _("Take them off the waiting list")),
            "action": request.path,
            "back": reverse("visits_manage:run", args=[event.slug, seat.run_id])})
    if seat.status not in (SeatStatus.HELD, SeatStatus.WAITLISTED):
        messages.error(request, _("This seat has already ended."))
    else:
        services.cancel(seat, by=request.user, note="cancelled by an organiser")
        messages.success(request, _("%(person)s's place on %(run)s cancelled.") % {
            "person": seat.user, "run": seat.run})
    return redirect("visits_manage:run", event.slug, seat.run_id)
