"""Business rules of "My workshop": the person's schedule (schedule.py) and the secret address
of its calendar feed."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from fusionforum.core import audit, clock

from . import schedule as schedule_module
from .models import PersonalFeed, new_token

MAX_TOKEN_LENGTH = 64


def schedule(event, user, *, now=None) -> schedule_module.Schedule:
    """Everything of ``user`` at ``event`` in time order (schedule.build)."""
    return schedule_module.build(event, user, now=now)


def feed_for(event, user) -> PersonalFeed:
    """The person's calendar address for ``event``, made the first time it is asked for."""
    feed = PersonalFeed.objects.filter(event=event, user=user).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = PersonalFeed.objects.create(event=event, user=user)
        except IntegrityError:  # created at the same moment by another request
            feed = PersonalFeed.objects.get(event=event, user=user)
    return feed


def reset_feed(event, user) -> PersonalFeed:
    """Give the person's calendar a new secret address; the old one stops working at once."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionError("Only the owner resets their calendar address.")
    with transaction.atomic(durable=True):
        feed = feed_for(event, user)
        feed = PersonalFeed.objects.select_for_update().get(pk=feed.pk)
        feed.token = new_token()
        feed.reset_at = clock.now()
        feed.save(update_fields=["token", "reset_at"])
        audit.record("personal.feed_reset", feed, actor=user,
                     summary="Workshop calendar address replaced")
    return feed


def feed_by_token(event, token: str) -> PersonalFeed | None:
    """The feed whose secret is ``token`` at ``event`` (its owner still active), or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = (PersonalFeed.objects.filter(event=event, token=token).select_related("user")
            .first())
    if feed is None or not feed.user.is_active:
        return None
    return feed
