"""What of the programme would no longer fit new event dates (``events.dates``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fusionforum.events import dates

from .models import ProgrammeSession


def misfits(event, start, end) -> list[dates.Misfit]:
    return [dates.Misfit(kind=_("Programme session"), name=session.title,
                         when=dates.when(event, session.start, session.end))
            for session in ProgrammeSession.objects.filter(event=event).order_by("start", "id")
            if dates.outside(event, start, end, session.start, session.end)]
