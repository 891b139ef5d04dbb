from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fusionforum.core.languages import validate_language_code
from fusionforum.core.lifecycle import TransitionLog
from fusionforum.core.text import render_markdown, validate_multiline, validate_single_line

TIME_ZONE_CHOICES = sorted((name, name) for name in zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), code="unknown_time_zone",
            params={"value": value},
        ) from exc


def parse_email_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def validate_email_list(value: str) -> None:
    addresses = parse_email_list(value)
    if not addresses:
        raise ValidationError(_("Give at least one e-mail address."), code="required")
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ValidationError(
                _("“%(address)s” is not a valid e-mail address."), code="invalid",
                params={"address": address},
            ) from exc


# First parts of addresses that belong to the platform, not to an event.
RESERVED_SLUGS = frozenset({"admin", "accounts", "manage", "review", "security", "api", "static",
                            "media", "healthz", "favicon.ico", "robots.txt",
                            # /manage/events/new/ and /manage/creators/ (platform pages).
                            "events", "creators",
                            # /about/privacy/... (the platform's notices), /manage/notices/.
                            "about", "notices"})


def validate_event_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is reserved for the platform; choose another."), code="reserved",
            params={"value": value},
        )


class EventStatus(models.TextChoices):
    """An event's life cycle (``events/states.py`` holds the moves)."""

    DRAFT = "draft", pgettext_lazy("event status", "Draft")
    PUBLISHED = "published", pgettext_lazy("event status", "Published")
    ARCHIVED = "archived", pgettext_lazy("event status", "Archived")


def public_q(prefix: str = "") -> Q:
    """Events anyone may see: published, or archived after having been published.
    ``prefix`` names the path from another model (``"event__"``)."""
    return (Q(**{f"{prefix}status": EventStatus.PUBLISHED})
            | Q(**{f"{prefix}status": EventStatus.ARCHIVED,
                   f"{prefix}published_at__isnull": False}))


class Module(models.TextChoices):
    """The parts of the product an event may use; each event switches them on or off
    (``events/modules.py`` is the one place that applies the switch)."""

    REGISTRATION = "registration", _("Registration")
    CALL = "call", _("Call for presentations")
    PROGRAMME = "programme", _("Programme")
    MEETINGS = "meetings", _("Expert meetings")
    VISITS = "visits", _("Site visits")
    OUTCOMES = "outcomes", _("Outcomes report")


def all_modules() -> list[str]:
    return list(Module.values)


def validate_modules(value) -> None:
    if not isinstance(value, list) or any(item not in Module.values for item in value):
        raise ValidationError(_("Choose modules from the list."), code="unknown_module")


def all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def validate_language_list(value) -> None:
    codes = all_languages()
    if not isinstance(value, list) or not value or any(item not in codes for item in value):
        raise ValidationError(_("Choose at least one of the site’s languages."),
                              code="unknown_language")


class EventQuerySet(models.QuerySet):
    def published(self):
        """What the public may see (published, or archived after publication)."""
        return self.filter(public_q())

    def organised_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            team__user=user, team__role=TeamMembership.Role.ORGANISER
        ).distinct()


class EventSeries(models.Model):
    """Editions of one recurring event (the site's root groups them). A clone puts the next
    edition in the series of the one it was made from."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self):
        return self.name


class Event(models.Model):
    """One edition of the workshop."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True,
                            validators=[validate_event_slug],
                            help_text=_("Part of every public address."))
    title = models.CharField(_("title"), max_length=200)
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone],
        help_text=_("Every time on the public site is shown in this zone."),
    )
    # Public pages fall back to it when the visitor's language has no translation of the
    # organisers' text; the exports use it unless ?lang= asks for another.
    default_language = models.CharField(
        _("default language"), max_length=10, default="en", validators=[validate_language_code]
    )
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.TextField(_("venue address"), blank=True)
    map_url = models.URLField(_("map link"), blank=True, max_length=500)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown. Raw HTML is removed when it is shown.")
    )
    contact_emails = models.CharField(
        _("contact addresses"), max_length=500, validators=[validate_email_list],
        help_text=_("Where messages from the contact form go; separate several with commas. "
                    "Never shown publicly."),
    )
    public_email = models.EmailField(
        _("public e-mail address"), blank=True,
        help_text=_("Shown on the site as the organisers' address (optional)."),
    )
    is_demo = models.BooleanField(
        _("demonstration"), default=False,
        help_text=_("Synthetic demonstration data; the site says so on every page."),
    )
    # Written only through the life cycle (events/states.py, events/services.py).
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices,
                              default=EventStatus.DRAFT)
    # The first publication; an archived event stays public when it was ever published.
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    series = models.ForeignKey(EventSeries, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="events", verbose_name=_("series"))
    languages = models.JSONField(
        _("languages offered"), default=all_languages, validators=[validate_language_list],
        help_text=_("The languages the event’s own texts are written in; the default language "
                    "is one of them."),
    )
    modules = models.JSONField(
        _("modules"), default=all_modules, blank=True, validators=[validate_modules],
        help_text=_("The parts of the site this event uses; the others’ pages do not exist."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="event_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:home", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        """Anyone may see it: published, or archived after having been published."""
        return self.status == EventStatus.PUBLISHED or (
            self.status == EventStatus.ARCHIVED and self.published_at is not None)

    @property
    def is_draft(self) -> bool:
        return self.status == EventStatus.DRAFT

    @property
    def is_archived(self) -> bool:
        return self.status == EventStatus.ARCHIVED

    def uses(self, module: str) -> bool:
        return module in (self.modules or [])

    # For templates: {% if event.uses_registration %}.
    @property
    def uses_registration(self) -> bool:
        return self.uses(Module.REGISTRATION)

    @property
    def uses_call(self) -> bool:
        return self.uses(Module.CALL)

    @property
    def uses_programme(self) -> bool:
        return self.uses(Module.PROGRAMME)

    @property
    def uses_meetings(self) -> bool:
        return self.uses(Module.MEETINGS)

    @property
    def uses_visits(self) -> bool:
        return self.uses(Module.VISITS)

    @property
    def uses_outcomes(self) -> bool:
        return self.uses(Module.OUTCOMES)

    @property
    def language_names(self) -> list[str]:
        names = dict(settings.LANGUAGES)
        return [str(names[code]) for code in self.languages or [] if code in names]

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The event cannot end before it starts.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if (self.default_language and isinstance(self.languages, list) and self.languages
                and self.default_language not in self.languages):
            raise ValidationError({"languages": _(
                "The default language must be one of the languages offered.")})

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def description_html(self) -> str:
        return render_markdown(self.description)

    @property
    def contact_recipients(self) -> list[str]:
        return parse_email_list(self.contact_emails)

    @property
    def osm_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
            f"#map=16/{self.latitude}/{self.longitude}"
        )

    @property
    def venue_map_url(self) -> str:
        return self.map_url or self.osm_url

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)


class TeamMembership(models.Model):
    """A person's role on one event. Roles, not is_staff, open the back office."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        REVIEWER = "reviewer", _("Reviewer")
        SECURITY_OFFICER = "security_officer", _("Security officer")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="team",
                              verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_roles",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices,
                            default=Role.ORGANISER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "role"], name="unique_team_role")
        ]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.event})"


class EventCreator(models.Model):
    """A person the platform administrators allow to start events (a platform role: the
    platform has no host organisations; see docs/architecture.md, "Events")."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="event_creator", verbose_name=_("person"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("named by"))
    granted_at = models.DateTimeField(_("named"))

    class Meta:
        ordering = ["granted_at", "id"]
        verbose_name = _("event creator")
        verbose_name_plural = _("event creators")

    def __str__(self):
        return str(self.user)


class EventTransition(TransitionLog):
    """The log of an event's life cycle (draft, published, archived)."""

    subject_field = "event"
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)

    class Meta(TransitionLog.Meta):
        verbose_name = _("event status change")
        verbose_name_plural = _("event status changes")


class Day(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="days",
                              verbose_name=_("event"))
    date = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=120,
                             help_text=_("For example “Day 3: open doors”."))
    summary = models.TextField(_("summary"), blank=True,
                               help_text=_("One or two sentences; plain text."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("day")
        verbose_name_plural = _("days")
        constraints = [
            models.UniqueConstraint(fields=["event", "date"], name="unique_event_day"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        event = getattr(self, "event", None)
        if event and self.date and not (event.start_date <= self.date <= event.end_date):
            raise ValidationError({"date": _(
                "The day must fall within the event (%(start)s to %(end)s)."
            ) % {"start": date_format(event.start_date, "j F Y"),
                 "end": date_format(event.end_date, "j F Y")}})


class StreamState(enum.StrEnum):
    UPCOMING = "upcoming"
    LIVE = "live"
    ENDED = "ended"


class StreamLink(models.Model):
    """A livestream whose address the public may only learn from ``visible_from`` on.

    ``public_url_at`` is the only way public code gets at an address; it returns nothing
    before go-live, the stream during the window and the replay (if any) afterwards.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="streams",
                              verbose_name=_("event"))
    day = models.ForeignKey(
        Day, on_delete=models.SET_NULL, null=True, blank=True, related_name="streams",
        verbose_name=_("day"),
    )
    label = models.CharField(_("label"), max_length=200)
    url = models.URLField(_("stream URL"), max_length=500)
    visible_from = models.DateTimeField(
        _("visible from"), help_text=_("Before this moment the address is secret.")
    )
    visible_until = models.DateTimeField(
        _("visible until"), null=True, blank=True,
        help_text=_("After this moment the replay (if any) is shown instead."),
    )
    replay_url = models.URLField(_("replay URL"), blank=True, max_length=500)

    class Meta:
        ordering = ["visible_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visible_until__isnull=True)
                | Q(visible_until__gt=models.F("visible_from")),
                name="stream_window_is_positive",
            )
        ]
        verbose_name = _("livestream link")
        verbose_name_plural = _("livestream links")

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.visible_from and self.visible_until and self.visible_until <= self.visible_from:
            raise ValidationError({"visible_until": _("Must be after “visible from”.")})
        if self.day_id and self.event_id and self.day.event_id != self.event_id:
            raise ValidationError({"day": _("This day belongs to another event.")})
        for field in ("url", "replay_url"):
            value = getattr(self, field)
            if value and not value.lower().startswith(("https://", "http://")):
                raise ValidationError({field: _("Only http and https addresses are allowed.")})

    def state_at(self, now: dt.datetime) -> StreamState:
        if now < self.visible_from:
            return StreamState.UPCOMING
        if self.visible_until is None or now < self.visible_until:
            return StreamState.LIVE
        return StreamState.ENDED

    def public_url_at(self, now: dt.datetime) -> str:
        state = self.state_at(now)
        if state is StreamState.LIVE:
            return self.url
        if state is StreamState.ENDED:
            return self.replay_url
        return ""

    def next_change_after(self, now: dt.datetime) -> dt.datetime | None:
        """The next moment at which what the public sees of this stream changes."""
        for moment in (self.visible_from, self.visible_until):
            if moment is not None and moment > now:
                return moment
        return None


class ContactMessage(models.Model):
    class Topic(models.TextChoices):
        GENERAL = "general", _("General question")
        REGISTRATION = "registration", _("Registration and attendance")
        PROGRAMME = "programme", _("Programme and presentations")
        MEETINGS = "meetings", _("Meetings with experts")
        VISITS = "visits", _("Site visits")
        PRESS = "press", _("Press and media")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("contact message status", "New")
        ANSWERED = "answered", pgettext_lazy("contact message status", "Answered")
        CLOSED = "closed", _("Closed without answer")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="contact_messages",
                              verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    topic = models.CharField(
        _("topic"), max_length=30, choices=Topic.choices, default=Topic.GENERAL
    )
    message = models.TextField(_("message"), max_length=5000)
    received_at = models.DateTimeField(_("received"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("contact message")
        verbose_name_plural = pgettext_lazy("model name", "contact messages")

    def __str__(self):
        return f"{self.name}: {self.get_topic_display()}"


class CalendarRevision(models.Model):
    """The revision (iCalendar SEQUENCE) of one entry of the event's calendar (``event.ics``:
    a day, a livestream window), per language of the feed: 0 the first time the feed carries
    the entry, one more each time what the entry shows has changed since the feed was last
    built (``services.calendar_sequences``), so calendar clients replace their copy."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=200)
    language = models.CharField(max_length=10)
    digest = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "uid", "language"],
                                    name="unique_calendar_revision"),
        ]

    def __str__(self):
        return f"{self.uid} ({self.language}) #{self.sequence}"


class Notice(models.Model):
    """The part of a notice (privacy, legal, accessibility) a person writes, in Markdown, per
    language: the platform operator's (no event; platform administrators edit it) or an
    event's organisers' (their event's page adds it to the operator's). The privacy notice's
    list of what is stored comes from the personal-data registry, not from here."""

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Privacy notice")
        LEGAL = "legal", _("Legal notice")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="notices")
    kind = models.CharField(_("notice"), max_length=20, choices=Kind.choices)
    body = models.TextField(_("text"), max_length=20000, blank=True,
                            validators=[validate_multiline],
                            help_text=_("Markdown: headings, lists, links, emphasis."))
    updated_at = models.DateTimeField(_("last changed"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(event__isnull=True),
                                    name="one_platform_notice_per_kind"),
            models.UniqueConstraint(fields=["event", "kind"], condition=Q(event__isnull=False),
                                    name="one_event_notice_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.event or 'platform'})"

    def body_html(self) -> str:
        return render_markdown(self.body)
