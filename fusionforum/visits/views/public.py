"""Participants' pages: the tours with their requirements, the ranking while sign-up is open,
free seats and waiting lists after the allocation, and the person's own seats."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import clock
from fusionforum.events.access import gate, public_event_with
from fusionforum.registration.standing import standing

from .. import services
from ..forms import RankingForm
from ..models import Seat, TourRun, TourType
from ..states import ACTIVE

# Signed-in people of a published event that has tours; the view gets the event. Who may not
# sign up is told so on the page (``registration.standing``).
visits_view = gate("visits.see_tours", login_first=False, event_time=True,
                   load=public_event_with(services.visit_settings,
                                          "This event has no site visits."))


def _home(request, event, form=None, status=200):
    now = clock.now()
    settings = services.visit_settings(event)
    current_phase = settings.phase(now)
    registration = services.confirmed_registration(event, request.user)
    runs = list(services.runs_of(event))
    ranking = services.ranking_of(event, request.user)
    if form is None and current_phase == "open" and registration is not None:
        form = RankingForm(runs=runs, current={p.run_id: p.rank for p in ranking})
    seats = list(services.seats_of(event, request.user))
    for seat in seats:
        seat.position = services.waiting_position(seat)
    mine = {seat.run_id for seat in seats}
    # No button the service would refuse: runs of a tour the person already holds a seat on,
    # or overlapping their seats, talks or meetings, say why instead.
    unavailable = (services.unavailable_runs(event, request.user, runs)
                   if current_phase == "allocated" and registration is not None else {})
    tours = list(TourType.objects.filter(event=event).prefetch_related("runs"))
    by_tour: dict[int, list] = {}
    for run in runs:
        run.free = max(0, run.capacity - run.held)
        run.mine = run.pk in mine
        run.unavailable = unavailable.get(run.pk)
        run.started = run.start <= now
        by_tour.setdefault(run.tour_id, []).append(run)
    for tour in tours:
        tour.run_list = by_tour.get(tour.pk, [])
    context = {
        "event": event, "nav": "visits", "settings": settings, "phase": current_phase,
        "registration": registration, "tours": tours, "runs": runs, "form": form,
        "ranking": ranking, "seats": seats, "now": now,
        "clearance": (services.clearance_status(event, request.user)
                      if any(s.status == "held" for s in seats) else None),
        "organiser": request.user.has_perm("visits.manage_visits", event),
        "standing": (standing(event, request.user, purpose="Site visits are")
                     if registration is None else None),
    }
    return render(request, "visits/home.html", context, status=status)


@require_safe
@visits_view
def home(request, event):
    return _home(request, event)


@require_POST
@visits_view
def ranking(request, event):
    if services.phase(event) != "open" or services.confirmed_registration(
            event, request.user) is None:
        messages.error(request, "Tour sign-up is not open to you.")
        return _home(request, event, status=409)
    runs = list(services.runs_of(event))
    form = RankingForm(request.POST, runs=runs, current={})
    if not form.is_valid():
        return _home(request, event, form=form, status=400)
    try:
        services.save_ranking(event, request.user, form.cleaned_data["ranking"])
    except services.VisitError as exc:
        form.add_error(None, str(exc))
        return _home(request, event, form=form, status=400)
    count = len(form.cleaned_data["ranking"])
    messages.success(request, f"Your ranking is saved ({count} run{'s' if count != 1 else ''}). "
                              "You can change it until sign-up closes.")
    return redirect("visits:home", event.slug)


@require_POST
@visits_view
def take(request, event, pk):
    run = get_object_or_404(TourRun.objects.select_related("tour__event"), pk=pk,
                            tour__event=event)
    try:
        seat = services.take_seat(run, request.user, by=request.user)
    except services.VisitError as exc:
        messages.error(request, str(exc))
        return _home(request, event, status=409)
    if seat.status == "held":
        messages.success(request, f"You have a seat on {run}.")
    else:
        messages.info(request, f"{run} is full: you are number "
                               f"{services.waiting_position(seat)} on its waiting list.")
    return redirect("visits:home", event.slug)


@require_http_methods(["GET", "POST"])
@visits_view
def cancel(request, event, pk):
    seat = get_object_or_404(Seat.objects.select_related("run__tour__event"), pk=pk,
                             user=request.user, run__tour__event=event, status__in=ACTIVE)
    if request.method != "POST":
        # A seat given up goes to the next person waiting: ask first (works without JS).
        held = seat.status == "held"
        return render(request, "visits/confirm.html", {
            "event": event, "nav": "visits",
            "title": "Give up this seat?" if held else "Leave the waiting list?",
            "details": [f"{seat.run.tour.name}, {seat.run.start:%A %d %B, %H:%M}."],
            "consequence": ("Your seat goes to the next person on the waiting list; you may not "
                            "get it back." if held else
                            "You lose your place on the waiting list."),
            "confirm_label": "Give up the seat" if held else "Leave the waiting list",
            "action": request.path, "back": reverse("visits:home", args=[event.slug])})
    services.cancel(seat, by=request.user, note="cancelled by the participant")
    messages.success(request, f"Cancelled: {seat.run}.")
    return redirect("visits:home", event.slug)
