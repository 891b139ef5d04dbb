"""What of the meetings day would no longer fit new event dates (``events.dates``)."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.events import dates

from .models import Meeting, MeetingSettings


def misfits(event, start, end) -> list[dates.Misfit]:
    settings = MeetingSettings.objects.filter(event=event).first()
    if settings is None or start <= settings.date <= end:
        return []
    placed = Meeting.objects.filter(event=event).count()
    return [dates.Misfit(
        kind=_("Meeting slots"),
        name=ngettext("The meetings day, with %(count)s meeting placed",
                      "The meetings day, with %(count)s meetings placed", placed)
        % {"count": placed},
        when=date_format(settings.date, "j F Y"))]
