"""Event content organisers write in each language (see core/translated_fields.py)."""

from fusionforum.core.translated_fields import register

from .models import Day, Event, EventSeries, Notice, StreamLink

register(Event, ("title", "tagline", "description", "venue_name"))
register(EventSeries, ("name",))
register(Day, ("label", "summary"))
register(StreamLink, ("label",))
register(Notice, ("body",))
