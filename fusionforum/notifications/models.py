from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """The outbox: every e-mail the platform sends is stored here first, then delivered by a
    background job. What was sent, to whom, and what failed stays visible to organisers."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.JSONField(help_text=_("List of recipient addresses."))
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    purpose = models.CharField(max_length=60, db_index=True)
    related_type = models.CharField(max_length=100, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound e-mail")

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
