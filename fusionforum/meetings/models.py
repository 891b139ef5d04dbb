"""Day-3 expert meetings: the day's slots, experts, organisations' requests, scheduler runs, the
organisers' working schedule, its published (frozen, numbered) versions, and what happened at
each meeting (check-in and the expert's notes).

Participants and experts only ever see a published version (``MeetingRelease.snapshot``); the
working copy (``Meeting``) is the organisers' draft, rewritten by scheduler runs and by hand.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.events.models import Event

from .slots import validate_breaks
from .states import RequestStatus
from .taxonomy import default_disciplines, validate_disciplines


class MeetingSettings(models.Model):
    """How the meetings day is cut into slots, and when organisations may ask for meetings."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE,
                                 related_name="meeting_settings")
    date = models.DateField(help_text=_("The meetings day."))
    start_time = models.TimeField(default=dt.time(9, 0))
    end_time = models.TimeField(default=dt.time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(5), MaxValueValidator(240)])
    breaks = models.JSONField(
        default=list, blank=True,
        help_text=_('Pauses between slots: [{"start": "10:30", "end": "11:00", '
                    '"label": "coffee"}].'))
    tables = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Meeting tables per slot; empty: as many as needed."))
    lost_slots = models.JSONField(
        default=list, blank=True, help_text=_("Slots withdrawn after publication (numbers)."))
    requests_open_at = models.DateTimeField()
    requests_close_at = models.DateTimeField(
        help_text=_("Organisations may add, change and withdraw requests until then."))
    max_requests_per_organisation = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(30)])
    disciplines = models.JSONField(default=default_disciplines,
                                   validators=[validate_disciplines])
    time_limit_seconds = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("How long a scheduler run may search for a better schedule."))

    class Meta:
        verbose_name = _("meeting settings")
        verbose_name_plural = _("meeting settings")
        constraints = [
            models.CheckConstraint(condition=Q(requests_close_at__gt=models.F("requests_open_at")),
                                   name="meeting_request_window_positive"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")),
                                   name="meeting_day_positive"),
        ]

    def __str__(self):
        return f"Meetings of {self.event}"

    def clean(self):
        super().clean()

        if self.requests_open_at and self.requests_close_at \
                and self.requests_close_at <= self.requests_open_at:
            raise ValidationError({"requests_close_at": _("The request window must close after "
                                                          "it opens.")})
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The day must end after it starts.")})
        event = getattr(self, "event", None)
        if event and self.date and not (event.start_date <= self.date <= event.end_date):
            raise ValidationError({"date": _("The meetings day must fall within the event.")})
        validate_breaks(self.breaks)

    def requests_open(self, moment) -> bool:
        return self.requests_open_at <= moment < self.requests_close_at

    def discipline_label(self, key: str) -> str:
        for item in self.disciplines:
            if item["key"] == key:
                return item["label"]
        return key.replace("_", " ")

    @property
    def discipline_choices(self) -> list[tuple[str, str]]:
        return [(d["key"], d["label"]) for d in self.disciplines]


class Expert(models.Model):
    """One of the host's experts taking meetings on the day."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="experts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="expert_profiles",
        help_text=_("The expert's login: their agenda, confidential topics, check-in and notes."))
    name = models.CharField(max_length=150, validators=[validate_single_line])
    email = models.EmailField(blank=True, help_text=_("For the expert's e-mails when they have "
                                                    "no login (else the login's address)."))
    title = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    department = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    disciplines = models.JSONField(default=list)
    keywords = models.CharField(
        max_length=500, blank=True, validators=[validate_single_line],
        help_text=_("Specialities, separated by commas (e.g. HTS cable testing, quench "
                    "detection)."))
    bio = models.TextField(max_length=2000, blank=True, validators=[validate_multiline])
    languages = models.CharField(max_length=200, blank=True, default="English",
                                 validators=[validate_single_line])
    available_slots = models.JSONField(
        default=list, blank=True, help_text=_("Slot numbers the expert can take; empty: all."))
    max_meetings = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(40)])
    location = models.CharField(_("room or table"), max_length=120, blank=True,
                                validators=[validate_single_line])
    is_active = models.BooleanField(default=True, help_text=_("Off: the expert cancelled."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], condition=Q(user__isnull=False),
                                    name="one_expert_profile_per_user"),
        ]

    def __str__(self):
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class ExpertRefusal(models.Model):
    """A conflict of interest: the expert will not meet this organisation (constraint H10 of
    ``fusion-matchmaking/2``). The reason is the expert's; organisers read it only when the
    expert shares it, and the organisation never learns it."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="refusals")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="expert_refusals")
    reason = models.TextField(_("reason"), max_length=1000, blank=True,
                              validators=[validate_multiline])
    share_reason = models.BooleanField(
        _("show the reason to the organisers"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "organisation"],
                                    name="one_refusal_per_expert_organisation"),
        ]

    def __str__(self):
        return f"{self.expert} does not meet {self.organisation}"

    @property
    def reason_for_organisers(self) -> str:
        return self.reason if self.share_reason else ""


class MeetingRequest(models.Model):
    """An organisation's request to meet a named expert or someone of a discipline, or two
    experts together (a group request: a second seat, itself a named expert or a discipline).
    """

    Status = RequestStatus  # its life cycle: states.py

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="meeting_requests")
    expert = models.ForeignKey(Expert, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="requests")
    discipline = models.CharField(max_length=60, blank=True)
    expert2 = models.ForeignKey(Expert, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="second_seat_requests")
    discipline2 = models.CharField(max_length=60, blank=True)
    topic = models.TextField(max_length=1500, validators=[validate_multiline])
    priority = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("1 is the organisation's most important request."))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meeting_requests")
    confidential = models.BooleanField(
        default=False, help_text=_("The topic is shown to the expert and the organisers only."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "priority", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(expert__isnull=False, discipline="")
                           | Q(expert__isnull=True) & ~Q(discipline="")),
                name="meeting_request_one_target"),
            models.CheckConstraint(
                condition=Q(expert2__isnull=True) | Q(discipline2=""),
                name="meeting_request_one_second_seat"),
            models.UniqueConstraint(
                fields=["event", "organisation", "expert"],
                condition=Q(status="active", expert__isnull=False),
                name="one_active_request_per_org_expert"),
            models.UniqueConstraint(
                fields=["event", "organisation", "expert2"],
                condition=Q(status="active", expert2__isnull=False),
                name="one_active_request_per_org_second_expert"),
            models.UniqueConstraint(
                fields=["event", "organisation", "discipline"],
                condition=(Q(status="active", expert2__isnull=True, discipline2="")
                           & ~Q(discipline="")),
                name="one_active_request_per_org_discipline"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.target_label}"

    @property
    def is_group(self) -> bool:
        return bool(self.expert2_id or self.discipline2)

    @property
    def seats(self) -> list[tuple[int | None, str]]:
        """(expert id, discipline) per seat: one for a 1:1 request, two for a group."""
        seats = [(self.expert_id, self.discipline)]
        if self.is_group:
            seats.append((self.expert2_id, self.discipline2))
        return seats

    @property
    def named_expert_ids(self) -> list[int]:
        return [pk for pk, _key in self.seats if pk]

    def _seat_label(self, expert, discipline) -> str:
        if expert is not None:
            return expert.name
        settings_ = getattr(self.event, "meeting_settings", None)
        label = settings_.discipline_label(discipline) if settings_ else discipline
        return gettext("someone in %(discipline)s") % {"discipline": label.lower()}

    @property
    def target_label(self) -> str:
        """The expert's name, or the discipline in words (both seats of a group request).
        Reads ``self.event`` and its meeting settings: a page listing many requests shares
        its event with them first (``core.related.share_event``), else every row loads both
        again."""
        first = self._seat_label(self.expert if self.expert_id else None, self.discipline)
        if not self.is_group:
            return first
        second = self._seat_label(self.expert2 if self.expert2_id else None, self.discipline2)
        return gettext("%(first)s together with %(second)s") % {"first": first,
                                                                 "second": second}


class ScheduleRun(models.Model):
    """One background run of the optimiser: its input, progress and result."""

    class Kind(models.TextChoices):
        SOLVE = "solve", _("Whole schedule")
        REPAIR = "repair", _("Repair the published schedule")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_runs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SOLVE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    time_limit = models.FloatField(default=20)
    seed = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    instance = models.JSONField(default=dict, blank=True)
    solution = models.JSONField(default=dict, blank=True)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} run {self.pk} ({self.get_status_display()})"

    @property
    def fraction(self) -> float:
        """How far along the run is, 0..1 (time spent against the limit; 1 when done)."""
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 1.0
        elapsed = float(self.progress.get("elapsed", 0) or 0)
        return max(0.0, min(0.99, elapsed / self.time_limit)) if self.time_limit else 0.0


def joined_names(names) -> str:
    """A meeting's experts' names joined in the active language ("A and B", « A et B »): for a
    live meeting and for a published one alike."""
    return gettext(" and ").join(names)


class Meeting(models.Model):
    """The organisers' working schedule: one row per request that has a meeting."""

    class Source(models.TextChoices):
        SCHEDULER = "scheduler", _("Scheduler")
        HAND = "hand", _("Placed by hand")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE,
                                   related_name="meeting")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="meetings")
    expert2 = models.ForeignKey(Expert, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="second_seat_meetings",
                                help_text=_("The second expert of a group request's meeting."))
    slot = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SCHEDULER)

    class Meta:
        ordering = ["slot", "expert__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "slot"], name="one_meeting_per_expert_slot"),
            models.UniqueConstraint(fields=["expert2", "slot"],
                                    name="one_meeting_per_second_expert_slot"),
        ]

    def __str__(self):
        return f"{self.request} in slot {self.slot}"

    @property
    def experts(self) -> list[Expert]:
        return [self.expert] + ([self.expert2] if self.expert2_id else [])

    @property
    def expert_names(self) -> str:
        return joined_names(e.name for e in self.experts)


class MeetingRelease(models.Model):
    """A published, frozen version of the meetings day (snapshot format in publishing.py)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_releases")
    version = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(max_length=2000, blank=True, validators=[validate_multiline])
    snapshot = models.JSONField()
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["event", "version"],
                                    name="unique_meeting_release_version"),
        ]

    def __str__(self):
        return f"{self.event} meetings v{self.version}"


class MeetingOutcome(models.Model):
    """What happened at a published meeting: check-in on the day, the expert's notes after."""

    class Attendance(models.TextChoices):
        HELD = "held", _("Held")
        NO_SHOW = "no_show", _("No-show")

    class Category(models.TextChoices):
        TECHNICAL_ADVICE = "technical_advice", _("Technical advice")
        COLLABORATION = "collaboration", _("Possible collaboration")
        PROCUREMENT = "procurement", _("Procurement and supply chain")
        LICENSING = "licensing", _("Licensing and regulation")
        DATA_ACCESS = "data_access", _("Access to data, facilities or codes")
        OTHER = "other", _("Other")

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE,
                                   related_name="outcome")
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    notes_topic = models.TextField(_("what was discussed"), max_length=3000, blank=True,
                                   validators=[validate_multiline])
    follow_up_requested = models.BooleanField(default=False)
    follow_up = models.TextField(_("follow-up"), max_length=2000, blank=True,
                                 validators=[validate_multiline])
    category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    notes_at = models.DateTimeField(null=True, blank=True)
    notes_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"Outcome of {self.request}"


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingFeed(models.Model):
    """The secret address of a person's meetings calendar (calendar apps cannot log in)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="meeting_feeds")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="unique_meeting_feed"),
        ]

    def __str__(self):
        return f"Meetings feed of {self.user} at {self.event}"
