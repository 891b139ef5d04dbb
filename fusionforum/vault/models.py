"""The site-access vault: per-event settings, one sealed record per person, the access log and
single-use export tokens.

Identity values are only ever stored sealed (``crypto.seal``) in ``AccessRecord.sealed``; no
other column, log entry, e-mail or cache holds them. Nothing here prints a value: the
representations name ids and states only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fusionforum.events.models import Event

from .fields import DEFAULT_FIELDS
from .states import ClearanceStatus


def _default_fields():
    return list(DEFAULT_FIELDS)


class VaultSettings(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="vault_settings")
    fields = models.JSONField(default=_default_fields,
                              help_text=_("Keys of the identity fields asked (fields.CATALOGUE)."))
    purge_after_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Identity values are deleted this many days after the person's "
                               "last tour."))
    instructions = models.TextField(blank=True, max_length=2000)

    def __repr__(self):
        return f"<VaultSettings event={self.event_id}>"

    def __str__(self):
        return repr(self)


class AccessRecord(models.Model):
    """One person's site-access data for one event. No row = missing (if they hold a seat)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="access_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="access_records")
    sealed = models.TextField(blank=True, default="", editable=False)
    filled_fields = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=ClearanceStatus.choices,
                              default=ClearanceStatus.SUBMITTED)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True, max_length=1000)
    last_tour_end = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"],
                                               name="vault_one_record_per_person")]
        indexes = [models.Index(fields=["purged_at", "last_tour_end"])]

    def __repr__(self):
        # Never the values, not even their length.
        return (f"<AccessRecord {self.pk} event={self.event_id} user={self.user_id} "
                f"status={self.status}{' purged' if self.purged_at else ''}>")

    def __str__(self):
        return repr(self)

    @property
    def has_values(self) -> bool:
        return bool(self.sealed)


class AccessLogEntry(models.Model):
    """Who looked at or handled whose site-access data, when, and which fields: never values."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded an export")
        APPROVE = "approve", pgettext_lazy("access log", "Approved")
        REFUSE = "refuse", pgettext_lazy("access log", "Refused")
        PURGE = "purge", _("Values deleted")
        SETTINGS = "settings", _("Changed the fields asked")
        ROTATE = "rotate", _("Re-encrypted with the newest key")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="vault_log")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    subject_ids = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __repr__(self):
        return f"<AccessLogEntry {self.pk} {self.action} event={self.event_id}>"

    def __str__(self):
        return repr(self)


class ExportToken(models.Model):
    """A security export prepared for one officer: served once, shortly after, then dead.

    Only the SHA-256 of the token is stored; the file is built when it is fetched and never
    written to disk or cache."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    fmt = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __repr__(self):
        return f"<ExportToken {self.pk} event={self.event_id} user={self.user_id}>"

    def __str__(self):
        return repr(self)
