"""Announcements organisers send to an audience, and the automatic reminders.

- ``Announcement``: subject and Markdown body (one column per language, modeltranslation),
  the audience, who sent it and when; ``token`` makes a double submission one announcement.
- ``Delivery``: one row per recipient of an announcement, linked to its outbox e-mail (the
  e-mail's status is the delivery state).
- ``ReminderSettings``: per event, which reminders are on and their lead times.
- ``ReminderTemplate``: the organisers' version of a reminder in one language.
- ``ReminderSent``: one row per reminder kind, occasion and address, written in the same
  transaction that queues the e-mail: a reminder is never sent twice.
- ``OptOut``: a person (an address) who asked for no optional reminders of an event.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.core.languages import validate_language_code
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.events.models import Event
from fusionforum.notifications.models import OutboundEmail


class Audience(models.TextChoices):
    CONFIRMED = "confirmed", _("All confirmed participants")
    SPEAKERS = "speakers", _("Speakers (accepted and confirmed talks)")
    EXPERTS = "experts", _("Experts of the meetings day")
    TOUR_SEATS = "tour_seats", _("Tour seat holders")
    SITE_ACCESS_MISSING = "site_access_missing", _("Seat holders whose site-access data is "
                                                   "missing")
    ORGANISATION_KIND = "organisation_kind", _("Confirmed participants of one organisation kind")


class Announcement(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    audience = models.CharField(_("audience"), max_length=30, choices=Audience.choices)
    organisation_kind = models.CharField(_("organisation kind"), max_length=30, blank=True,
                                         choices=Organisation.Kind.choices)
    subject = models.CharField(_("subject"), max_length=200, validators=[validate_single_line])
    body = models.TextField(_("body"), max_length=10000, validators=[validate_multiline])
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """Who got an announcement: their address and language, and the outbox e-mail (gone if
    the outbox forgot the address when the person deleted their account)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    address = models.EmailField(max_length=254)
    language = models.CharField(max_length=10, validators=[validate_language_code])
    email = models.ForeignKey(OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        ordering = ["address", "id"]
        constraints = [models.UniqueConstraint(fields=["announcement", "address"],
                                               name="one_delivery_per_address")]

    def __str__(self):
        return f"{self.announcement_id} → {self.address}"


class ReminderKind(models.TextChoices):
    SITE_ACCESS_DUE = "site_access_due", _("Site-access data due")
    TOUR_TOMORROW = "tour_tomorrow", _("Tour tomorrow")
    MEETINGS_TOMORROW = "meetings_tomorrow", _("Meetings tomorrow")
    LIVESTREAM = "livestream", _("Livestream starting")
    SURVEY = "survey", _("Survey after the event")


class ReminderSettings(models.Model):
    """Which reminders an event sends. Off by default: organisers switch each one on."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE,
                                 related_name="reminder_settings")
    site_access_due = models.BooleanField(_("site-access data due"), default=False)
    site_access_days = models.PositiveSmallIntegerField(
        _("days before the site-access deadline"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)])
    tour_tomorrow = models.BooleanField(_("tour tomorrow"), default=False)
    meetings_tomorrow = models.BooleanField(_("meetings tomorrow"), default=False)
    livestream = models.BooleanField(_("livestream starting"), default=False)
    livestream_minutes = models.PositiveSmallIntegerField(
        _("minutes before a livestream starts"), default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)])
    survey = models.BooleanField(_("survey after the event"), default=False)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return f"Reminders of {self.event}"

    def is_on(self, kind: str) -> bool:
        return bool(getattr(self, kind))


class ReminderTemplate(models.Model):
    """The organisers' version of one reminder in one language (``notifications.placeholders``
    picks the recipient's language, else the event's, else the default text)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminder_templates")
    key = models.CharField(_("reminder"), max_length=30, choices=ReminderKind.choices)
    language = models.CharField(_("language"), max_length=10,
                                validators=[validate_language_code])
    subject = models.CharField(_("subject"), max_length=200, validators=[validate_single_line])
    body = models.TextField(_("body"), max_length=10000, validators=[validate_multiline])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "key", "language"],
                                               name="unique_reminder_template_language")]

    def __str__(self):
        return f"{self.event}: {self.key} ({self.language})"


class ReminderSent(models.Model):
    """A reminder of ``kind`` for ``occasion`` (a tour run, a stream, a deadline...) to
    ``address``: the unique constraint is what keeps it from being sent twice."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    occasion = models.CharField(max_length=64, validators=[validate_single_line])
    address = models.EmailField(max_length=254)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    email = models.ForeignKey(OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "kind", "occasion", "address"],
                                               name="one_reminder_per_occasion")]

    def __str__(self):
        return f"{self.kind} {self.occasion} → {self.address}"


class OptOut(models.Model):
    """No optional reminders of ``event`` to ``address`` (lower case)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(max_length=254)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "address"],
                                               name="one_opt_out_per_address")]

    def __str__(self):
        return f"{self.address} ({self.event_id})"
