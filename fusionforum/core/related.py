"""Rows of one event that share the event object the page already holds.

A page that lists many rows of an event (requests, submissions, sessions) and reads something
of the event from each row (``row.event.meeting_settings``, the event's call settings, the
event's default language behind a translated field) would load the event, and what hangs off it,
once per row: Django does not fill a foreign key from the ``filter(event=event)`` that found the
rows. ``share_event`` sets the event the caller holds as each row's loaded event, so those
reads cost one query for the page instead of one per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

Rows = TypeVar("Rows", bound=Iterable)


def share_event(rows: Rows, event, field: str = "event") -> Rows:
    """``rows`` (a list: model instances with a foreign key ``field`` to the event model), each
    given ``event`` as its loaded ``field`` where it belongs to that event; returned as given."""
    for row in rows:
        if getattr(row, f"{field}_id") == event.pk:
            type(row)._meta.get_field(field).set_cached_value(row, event)
    return rows
