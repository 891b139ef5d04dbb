"""The two-day programme: rooms, sessions (panels, talk blocks, breaks), talks placed in
sessions, and numbered releases. The public never reads the working copy: every public page
and export is built from the latest Release's frozen snapshot (see snapshot.py)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fusionforum.cfp.models import SpeakerProfile, Submission, private_storage
from fusionforum.core.text import validate_single_line
from fusionforum.events.models import Event, StreamLink


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="unique_room_name")]

    def __str__(self):
        return self.name


class ProgrammeSession(models.Model):
    """A block of the programme in one room: a panel or a series of talks with a chair, or a
    break (coffee, lunch) that has no talks."""

    class Kind(models.TextChoices):
        TALKS = "talks", _("Talks")
        PANEL = "panel", _("Panel")
        BREAK = "break", _("Break")
        PLENARY = "plenary", _("Plenary (welcome, keynote, closing)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme_sessions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TALKS)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=3000, blank=True,
                                   help_text=_("Markdown; raw HTML is removed."))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions",
                             null=True, blank=True,
                             help_text=_("Empty only for breaks that concern every room."))
    start = models.DateTimeField()
    end = models.DateTimeField()
    chairs = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    stream = models.ForeignKey(StreamLink, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="sessions",
                               help_text=_("The livestream showing this session, if any; its "
                                           "address is public only from the stream's go-live."))
    # People without an account who present or chair it (imported programmes): see
    # SessionPerson. Registered chairs stay in ``chairs``.
    persons = models.ManyToManyField(SpeakerProfile, through="SessionPerson", blank=True,
                                     related_name="programme_sessions")
    # Where an imported session came from: the source's id (frab/pretalx guid, Indico id,
    # iCalendar UID), its guid and short code when it had them. Re-imports update the session
    # with the same source id; exports keep the guid and code so calendar subscribers keep
    # their entries after the switch.
    source_id = models.CharField(max_length=100, blank=True, editable=False)
    source_guid = models.UUIDField(null=True, blank=True, editable=False)
    source_code = models.CharField(max_length=40, blank=True, editable=False)
    # The group the source filed the entry under: its session slot (Indico), session
    # (schedule2) or track; frab exports give it as the entry's track.
    source_track = models.CharField(max_length=200, blank=True, editable=False)
    # A session inside another (an Indico session slot holding its contributions): it sits
    # in its parent's room and inside its parent's time, may overlap its parent (not its
    # siblings), moves with it and goes when it is deleted. One level only.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children",
                               help_text=_("The session this one is part of (a session "
                                           "slot holding its contributions)."))

    class Meta:
        ordering = ["start", "room__position", "id"]
        verbose_name = _("session")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="session_ends_after_start"),
            models.UniqueConstraint(fields=["event", "source_id"], condition=~Q(source_id=""),
                                    name="unique_session_source"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("A session must end after it starts.")})
        if self.kind != self.Kind.BREAK and self.room_id is None:
            raise ValidationError({"room": _("Only a break can be without a room.")})
        if self.parent_id is not None:
            parent = self.parent
            if parent.event_id != self.event_id:
                raise ValidationError({"parent": _("A session can only be part of a session "
                                                   "of the same event.")})
            if parent.parent_id is not None or (self.pk and parent.pk == self.pk):
                raise ValidationError({"parent": _("A session inside another cannot hold "
                                                   "sessions itself.")})

    @property
    def takes_talks(self) -> bool:
        return self.kind in (self.Kind.TALKS, self.Kind.PANEL)


class SessionPerson(models.Model):
    """A speaker profile presenting (role speaker) or chairing a session, in order."""

    class Role(models.TextChoices):
        SPEAKER = "speaker", pgettext_lazy("a person's part in a session", "Speaker")
        CHAIR = "chair", pgettext_lazy("a person's part in a session", "Chair")

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE,
                                related_name="person_links")
    profile = models.ForeignKey(SpeakerProfile, on_delete=models.CASCADE,
                                related_name="session_links")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.SPEAKER)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "profile", "role"],
                                    name="unique_session_person"),
        ]

    def __str__(self):
        return f"{self.profile} ({self.role}) in {self.session}"


class ItemToPlace(models.Model):
    """An imported entry the file did not schedule (an Indico contribution with no date):
    listed "to place" in the programme editor until an organiser places it as a session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="items_to_place")
    kind = models.CharField(max_length=20, choices=ProgrammeSession.Kind.choices,
                            default=ProgrammeSession.Kind.TALKS)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=3000, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)])
    room_name = models.CharField(max_length=120, blank=True)
    persons = models.ManyToManyField(SpeakerProfile, blank=True, related_name="+")
    source_id = models.CharField(max_length=100, blank=True, editable=False)
    source_guid = models.UUIDField(null=True, blank=True, editable=False)
    source_code = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "source_id"], condition=~Q(source_id=""),
                                    name="unique_item_to_place_source"),
        ]

    def __str__(self):
        return self.title


def guid_of(source_id: str) -> uuid.UUID | None:
    """The source id as a UUID when it is one (frab/pretalx guids), else None."""
    try:
        return uuid.UUID(str(source_id))
    except (ValueError, AttributeError, TypeError):
        return None


class TalkSlot(models.Model):
    """An accepted submission placed in a session at a time. One slot per submission."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="slot")
    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(240)]
    )

    class Meta:
        ordering = ["start", "id"]

    def __str__(self):
        return f"{self.submission} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def end(self):
        import datetime as dt

        return self.start + dt.timedelta(minutes=self.duration_minutes)


class Release(models.Model):
    """A published, frozen version of the programme. Version numbers count up from 1 per
    event; the public always sees the highest."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme_releases")
    version = models.PositiveIntegerField()
    released_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(max_length=2000, blank=True,
                               help_text=_("Public note on what changed, shown with the "
                                           "change list."))
    snapshot = models.JSONField(help_text=_("The programme as published (snapshot.py format)."))
    changes = models.JSONField(default=dict, blank=True,
                               help_text=_("Difference from the previous release "
                                           "(diff.py format)."))

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["event", "version"], name="unique_release_version"),
        ]

    def __str__(self):
        return f"{self.event} programme v{self.version}"


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class AgendaFeed(models.Model):
    """A person's personal agenda for one event: the starred talks and the secret address of
    their calendar feed (calendar apps cannot log in)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="agenda_feeds")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="unique_agenda_feed"),
        ]

    def __str__(self):
        return f"Agenda of {self.user} at {self.event}"


class StarredTalk(models.Model):
    """A talk in someone's personal agenda, by its public code: stars survive releases and a
    talk that disappears from the programme simply drops out of the agenda."""

    agenda = models.ForeignKey(AgendaFeed, on_delete=models.CASCADE, related_name="stars")
    talk_code = models.CharField(max_length=12)
    starred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "talk_code"], name="unique_starred_talk"),
        ]

    def __str__(self):
        return self.talk_code


def material_slides_path(instance: TalkMaterial, filename: str) -> str:
    # Never the uploader's file name.
    return (f"programme/{instance.submission.event_id}/materials/"
            f"{instance.submission.code}-{secrets.token_hex(8)}.pdf")


class TalkMaterial(models.Model):
    """What organisers attach to a talk for after it: the recording's address and the slides
    as presented (a checked PDF, private storage, served by the talk's page). The public sees
    them once the talk has ended (``programme.materials``)."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE,
                                      related_name="material", verbose_name=_("talk"))
    recording_url = models.URLField(_("recording address"), max_length=500, blank=True)
    slides = models.FileField(_("slides"), upload_to=material_slides_path,
                              storage=private_storage, blank=True, max_length=300)
    slides_uploaded_at = models.DateTimeField(_("slides uploaded at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording and slides")
        verbose_name_plural = _("recordings and slides")

    def __str__(self):
        return f"Recording and slides of {self.submission}"

    @property
    def is_empty(self) -> bool:
        return not self.recording_url and not self.slides


def floor_plan_path(instance: VenueMap, filename: str) -> str:
    # Never the uploader's file name; the stored image is re-encoded (programme.venue).
    return f"programme/{instance.event_id}/maps/{secrets.token_hex(8)}.png"


class VenueMap(models.Model):
    """A floor plan of the venue (one per floor or building), uploaded by the organisers and
    re-encoded on the server; spots are marked on it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="venue_maps",
                              verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    image = models.FileField(_("floor plan"), upload_to=floor_plan_path, storage=private_storage,
                             max_length=300)
    width = models.PositiveIntegerField(_("width in pixels"))
    height = models.PositiveIntegerField(_("height in pixels"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("venue map")
        verbose_name_plural = _("venue maps")

    def __str__(self):
        return self.name

    @property
    def marker_small(self) -> int:
        """A marker's radius in the plan's pixels: visible whatever the plan's size."""
        return max(6, max(self.width, self.height) // 90)

    @property
    def marker_big(self) -> int:
        return self.marker_small * 2


class MapSpot(models.Model):
    """A named place marked on a floor plan, at ``x`` % of its width and ``y`` % of its height
    from the top left. Rooms of the programme, meeting tables and tour meeting points link to
    the spot of the same name (``programme.venue.spot_links``)."""

    class Kind(models.TextChoices):
        ROOM = "room", _("Room")
        TABLE = "table", _("Meeting table")
        MEETING_POINT = "meeting_point", _("Tour meeting point")
        OTHER = "other", _("Other place")

    venue_map = models.ForeignKey(VenueMap, on_delete=models.CASCADE, related_name="spots",
                                  verbose_name=_("venue map"))
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROOM)
    x = models.DecimalField(_("x (% of the width)"), max_digits=5, decimal_places=2,
                            validators=[MinValueValidator(0), MaxValueValidator(100)])
    y = models.DecimalField(_("y (% of the height)"), max_digits=5, decimal_places=2,
                            validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("map spot")
        verbose_name_plural = _("map spots")
        constraints = [
            models.CheckConstraint(condition=Q(x__gte=0, x__lte=100, y__gte=0, y__lte=100),
                                   name="map_spot_on_the_plan"),
            models.UniqueConstraint(fields=["venue_map", "name"], name="unique_spot_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def plan_x(self) -> float:
        """The spot across the plan in the plan's pixels (the SVG's user units)."""
        return round(float(self.x) * self.venue_map.width / 100, 1)

    @property
    def plan_y(self) -> float:
        return round(float(self.y) * self.venue_map.height / 100, 1)
