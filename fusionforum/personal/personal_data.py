"""The personal app's part of a person's data download and of forgetting them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import PersonalFeed

describe(Category(
    "workshop_calendar", _("Your “My workshop” calendar address"),
    _("The secret address of the calendar feed of your personal schedule, and when it was "
      "made. The schedule itself is not stored: it is read from your registration, talks, "
      "meetings and tours each time."),
    _("So that your calendar application can follow your schedule."),
    _("Until you reset the address or delete your account."),
    sections=("workshop_calendar_feeds",), order=46))


def provide(user) -> dict:
    """Which events the person has a "My workshop" calendar address for (never the token)."""
    return {"workshop_calendar_feeds": [
        {"event_slug": feed.event.slug, "created_at": feed.created_at.isoformat()}
        for feed in PersonalFeed.objects.filter(user=user).select_related("event")]}


def anonymise(user) -> None:
    """Forgetting a person removes their calendar addresses."""
    PersonalFeed.objects.filter(user=user).delete()
