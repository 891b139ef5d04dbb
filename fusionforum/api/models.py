"""Personal API tokens.

A token is ``ff_<prefix>_<secret>``: the prefix (8 characters, not secret) names it on the
account page and in logs; only the SHA-256 of the whole token is stored, so a copy of the
database gives no working token. The token is shown once, when it is created.

The events a token may reach are all the events its owner may reach (``all_events``) or a
chosen set; the relation names the events app's model by label, so this app, below ``events``
in the layers, imports nothing of it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.core.text import validate_single_line


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("person"))
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices,
                             default=TokenScope.READ)
    all_events = models.BooleanField(_("all my events"), default=True)
    events = models.ManyToManyField("events.Event", blank=True, related_name="+",
                                    verbose_name=_("events"))
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} (ff_{self.prefix}_…)"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def is_active_at(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def reaches(self, event) -> bool:
        """Whether this token may see anything of ``event`` (an Event or its id)."""
        if self.all_events:
            return True
        event_id = getattr(event, "pk", event)
        return event_id in self.event_ids

    @property
    def event_ids(self) -> set[int]:
        if not hasattr(self, "_event_ids"):
            self._event_ids = set(self.events.values_list("pk", flat=True))
        return self._event_ids
