"""Organisers' pages: tours and runs, the sign-up window, the allocation (preview, apply),
per-run lists with the clearance status only, waiting lists and manual moves."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
            messages.success(request, "Sign-up window saved.")
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
        messages.success(request, f"Tour “{saved.name}” saved.")
        return redirect("visits_manage:overview", event.slug)
    return _render(request, event, "form.html", {
        "section": "overview", "form": form,
        "heading": tour.name if tour else "New tour"},
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
            saved, _ = services.save_run(form.instance, by=request.user)
        except services.CapacityBelowHeld as exc:
            form.add_error("capacity", str(exc))
        else:
            messages.success(request, f"Run saved: {saved}.")
            return redirect("visits_manage:overview", event.slug)
    return _render(request, event, "form.html", {
        "section": "overview", "form": form,
        "heading": f"{tour.name}: {'edit run' if pk else 'new run'}"},
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
        messages.success(request, f"Allocation applied: {result.served} people have a tour; "
                                  "everyone has been told by e-mail.")
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
        seat.clearance = statuses.get(seat.user_id, "")
    waiting = services.waiting_list(run)
    for position, seat in enumerate(waiting, start=1):
        seat.position = position
        seat.clearance = statuses.get(seat.user_id, "")
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
            form.add_error("email", "No participant with a confirmed registration has this "
                                    "address.")
        else:
            try:
                services.take_seat(run, person, by=request.user, source="organiser",
                                   allow_waitlist=False)
            except services.VisitError as exc:
                form.add_error(None, str(exc).replace("You ", "The person ")
                               .replace("your", "their"))
            else:
                messages.success(request, f"{person} has a seat on {run}.")
                return redirect("visits_manage:run", event.slug, run.pk)
    return _run_page(request, event, run, add_form=form, status=400)


@require_POST
@gate("visits.manage_visits", second_factor=True, event_time=True)
def seat_move(request, event, pk):
    seat = get_object_or_404(Seat.objects.select_related("run__tour__event", "user"), pk=pk,
                             run__tour__event=event)
    form = MoveForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, "Choose a run of this event.")
        return redirect("visits_manage:run", event.slug, seat.run_id)
    try:
        new = services.move(seat, form.cleaned_data["run"], by=request.user)
    except services.VisitError as exc:
        messages.error(request, str(exc))
        return redirect("visits_manage:run", event.slug, seat.run_id)
    messages.success(request, f"{seat.user} moved to {new.run}.")
    return redirect("visits_manage:run", event.slug, seat.run_id)


@require_http_methods(["GET", "POST"])
@gate("visits.manage_visits", second_factor=True, event_time=True)
def seat_cancel(request, event, pk):
    seat = get_object_or_404(Seat.objects.select_related("run__tour__event", "user"), pk=pk,
                             run__tour__event=event)
    if request.method != "POST":
        if seat.status not in (SeatStatus.HELD, SeatStatus.WAITLISTED):
            raise Http404("This seat has already ended.")
        held = seat.status == SeatStatus.HELD
        return render(request, "visits/confirm.html", {
            "event": event, "base_template": "visits/manage/_base.html",
            "title": f"Cancel {seat.user}'s seat?" if held
            else f"Take {seat.user} off the waiting list?",
            "details": [f"{seat.run}."],
            "consequence": ("The seat goes to the next person on the waiting list who can "
                            "still be cleared in time." if held else
                            f"{seat.user} loses their place on the waiting list."),
            "confirm_label": "Cancel the seat" if held else "Take them off the waiting list",
            "action": request.path,
            "back": reverse("visits_manage:run", args=[event.slug, seat.run_id])})
    if seat.status not in (SeatStatus.HELD, SeatStatus.WAITLISTED):
        messages.error(request, "This seat has already ended.")
    else:
        services.cancel(seat, by=request.user, note="cancelled by an organiser")
        messages.success(request, f"{seat.user}'s place on {seat.run} cancelled.")
    return redirect("visits_manage:run", event.slug, seat.run_id)
