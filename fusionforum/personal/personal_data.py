"""The personal app's part of a person's data download and of forgetting them."""

from __future__ import annotations

from .models import PersonalFeed


def provide(user) -> dict:
    """Which events the person has a "My workshop" calendar address for (never the token)."""
    return {"workshop_calendar_feeds": [
        {"event_slug": feed.event.slug, "created_at": feed.created_at.isoformat()}
        for feed in PersonalFeed.objects.filter(user=user).select_related("event")]}


def anonymise(user) -> None:
    """Forgetting a person removes their calendar addresses."""
    PersonalFeed.objects.filter(user=user).delete()
