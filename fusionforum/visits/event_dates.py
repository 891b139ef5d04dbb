"""What of the site visits would no longer fit new event dates (``events.dates``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fusionforum.events import dates

from .models import TourRun


def misfits(event, start, end) -> list[dates.Misfit]:
    runs = TourRun.objects.filter(tour__event=event).select_related("tour").order_by("start")
    return [dates.Misfit(kind=_("Tour run"), name=run.tour.name,
                         when=dates.when(event, run.start, run.end))
            for run in runs if dates.outside(event, start, end, run.start, run.end)]
