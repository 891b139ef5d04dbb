"""Participants' pages: the tours with their requirements, the ranking while sign-up is open,
free seats and waiting lists after the allocation, and the person's own seats."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
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
                                          gettext_lazy("This event has no site visits.")))


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
        "clearance": (services.clearance_label(services.clearance_status(event, request.user))
                      if any(s.status == "held" for s in seats) else None),
        "organiser": request.user.has_perm("visits.manage_visits", event),
        "standing": (standing(event, request.user, purpose="visits")
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
        messages.error(request, _("Tour sign-up is not open to you."))
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
    messages.success(request, ngettext(
        "Your ranking is saved (%(count)s run). You can change it until sign-up closes.",
        "Your ranking is saved (%(count)s runs). You can change it until sign-up closes.",
        count) % {"count": count})
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
        messages.success(request, _("You have a seat on %(run)s.") % {"run": run})
    else:
        messages.info(request, _("%(run)s is full: you are number %(position)s on its waiting "
                                 "list.") % {"run": run,
                                             "position": services.waiting_position(seat)})
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
            "title": _("Give up this seat?") if held else _("Leave the waiting list?"),
            "details": [f"{seat.run.tour.name}, " + formats.date_format(
                timezone.localtime(seat.run.start, event.tz), "l j F, H:i") + "."],
            "consequence": (_("Your seat goes to the next person on the waiting list; you may "
                              "not get it back.") if held else
                            _("You lose your place on the waiting list.")),
            "confirm_label": _("Give up the seat") if held else _("Leave the waiting list"),
            "action": request.path, "back": reverse("visits:home", args=[event.slug])})
    services.cancel(seat, by=request.user, note="cancelled by the participant")
    messages.success(request, _("Cancelled: %(run)s.") % {"run": seat.run})
    return redirect("visits:home", event.slug)
