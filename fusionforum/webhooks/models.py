"""Webhook endpoints of an event, the messages each one is sent, and every delivery attempt.

A ``Message`` is one event type told about one object (``object_key``), with the exact body
signed and sent; messages of one object reach an endpoint in the order they were created
(``services``). An ``Attempt`` is one HTTP request: when, how long, what came back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.core.text import validate_single_line
from fusionforum.events.models import Event


class Endpoint(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True,
                                   validators=[validate_single_line])
    event_types = models.JSONField(_("event types"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The signing secret (``whsec_`` + base64); the previous one stays valid until
    # ``previous_secret_expires_at`` after a rotation (both sign meanwhile).
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Failing: since when no attempt succeeded, and how many messages in a row were given up.
    failing_since = models.DateTimeField(null=True, blank=True)
    messages_given_up = models.PositiveIntegerField(default=0)
    # When the deferred delivery job next wakes up for a retry (one job, not one per message).
    wake_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["event", "created_at", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"{self.event}: {self.url}"


class Message(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        GIVEN_UP = "given_up", _("Given up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="messages")
    webhook_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=60)
    object_key = models.CharField(max_length=100)
    body = models.TextField()
    created_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the message while its request is under way; another worker skips it.
    leased_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["endpoint", "outcome", "next_attempt_at", "id"],
                         name="webhook_message_due"),
            models.Index(fields=["endpoint", "object_key", "outcome", "id"],
                         name="webhook_message_order"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.webhook_id}"


class Attempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    manual = models.BooleanField(default=False)
    succeeded = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.message} #{self.number}"
