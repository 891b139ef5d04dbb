"""The one model of "My workshop": the secret address of a person's calendar feed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.events.models import Event


def new_token() -> str:
    return secrets.token_urlsafe(24)


class PersonalFeed(models.Model):
    """The secret address of a person's whole-workshop calendar for one event (calendar apps
    cannot sign in: the token is the key). A reset gives a new token; the old one stops
    working at once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="personal_feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="personal_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="unique_personal_feed"),
        ]

    def __str__(self):
        return f"Workshop feed of {self.user} at {self.event}"
