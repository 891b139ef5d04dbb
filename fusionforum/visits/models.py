"""Site visits: tour types, their runs, the sign-up window, ranked preferences and seats.

A seat's life cycle is in ``states.py``; ``services.py`` is the only code that changes a seat.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from fusionforum.core.lifecycle import TransitionLog
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.events.models import Event

from .states import ACTIVE, SeatStatus


class VisitSettings(models.Model):
    """The event's sign-up window and whether the allocation has been applied."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="visit_settings")
    signup_opens_at = models.DateTimeField("sign-up opens")
    signup_closes_at = models.DateTimeField(
        _("sign-up closes"),
        help_text=_("Until then participants rank tours; nothing is first-come-first-served."))
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name_plural = _("visit settings")

    def __str__(self) -> str:
        return f"Visits of {self.event}"

    def phase(self, now: dt.datetime) -> str:
        """``before``, ``open`` (ranking), ``closed`` (waiting for the allocation) or
        ``allocated`` (first come, first served)."""
        if self.allocated_at is not None:
            return "allocated"
        if now < self.signup_opens_at:
            return "before"
        if now < self.signup_closes_at:
            return "open"
        return "closed"


class TourType(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tour_types")
    name = models.CharField(max_length=150, validators=[validate_single_line])
    description = models.TextField(validators=[validate_multiline], max_length=5000)
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(99)],
        help_text=_("Leave empty if there is no minimum age."))
    closed_shoes = models.BooleanField(_("closed shoes required"), default=False)
    protective_equipment = models.CharField(
        max_length=300, blank=True, validators=[validate_single_line],
        help_text=_("For example “helmet and high-visibility vest, provided on site”."))
    mobility_limits = models.CharField(
        max_length=300, blank=True, validators=[validate_single_line],
        help_text=_("For example “stairs and ladders; not accessible in a wheelchair”."))
    languages = models.CharField(max_length=200, default="English",
                                 validators=[validate_single_line])
    clearance_lead_days = models.PositiveSmallIntegerField(
        _("clearance lead time (days)"), default=12,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
        help_text=_("The security office needs the identity data this many days before a run."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "name"],
                                               name="one_tour_name_per_event")]

    def __str__(self) -> str:
        return self.name

    @property
    def clearance_lead(self) -> dt.timedelta:
        return dt.timedelta(days=self.clearance_lead_days)


class TourRun(models.Model):
    tour = models.ForeignKey(TourType, on_delete=models.CASCADE, related_name="runs")
    start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(10), MaxValueValidator(12 * 60)])
    meeting_point = models.CharField(max_length=200, validators=[validate_single_line])
    capacity = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("A coach holds about 30 people."))
    guide = models.CharField(max_length=150, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["start", "tour__position", "id"]

    def __str__(self) -> str:
        # Shown to people (run lists, messages): the month and weekday follow the language.
        start = formats.date_format(timezone.localtime(self.start),
                                    pgettext("date format of a tour run", "D j M H:i"))
        return f"{self.tour.name}, {start}"

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.duration_minutes)

    @property
    def clearance_due(self) -> dt.datetime:
        return self.start - self.tour.clearance_lead

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end


class Preference(models.Model):
    """One ranked wish of a participant during the sign-up window (1 = most wanted)."""

    run = models.ForeignKey(TourRun, on_delete=models.CASCADE, related_name="preferences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="tour_preferences")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["user_id", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "user"],
                                               name="one_preference_per_run")]

    def __str__(self) -> str:
        return f"{self.user} ranks {self.run} #{self.rank}"


class Seat(models.Model):
    """A person's place on a run: held, or waiting; ended seats stay for the record."""

    run = models.ForeignKey(TourRun, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="tour_seats")
    status = models.CharField(max_length=20, choices=SeatStatus.choices, db_index=True)
    source = models.CharField(max_length=20, blank=True,
                              help_text=_("allocation, first-come, waiting list or organiser"))
    created_at = models.DateTimeField()
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["run_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], condition=Q(status__in=sorted(ACTIVE)),
                                    name="one_active_seat_per_run_and_person"),
        ]
        indexes = [models.Index(fields=["run", "status", "waitlisted_at", "id"],
                                name="tour_waiting_list_order")]

    def __str__(self) -> str:
        return f"{self.user} on {self.run} ({self.status})"


class SeatTransition(TransitionLog):
    """The log of every change of a seat's state: who, when, from, to (``core.lifecycle``)."""

    subject_field = "seat"

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
