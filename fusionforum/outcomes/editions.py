"""Recurring editions: clone an event into its next edition.

``clone_edition(event, new_slug=, new_title=, new_start_date=, by=)`` copies, in one
transaction, everything an organiser configured for an edition and nothing any participant
gave. Every date and time moves by the number of days between the two start dates; a time is
moved on the event's wall clock (09:00 stays 09:00 across a change of summer time).

Copied (``COPY_PLAN``; ``plan(event)`` counts it for the preview):

- the event itself (a draft of its own life cycle, in the source's series; new slug, title and
  dates; time zone, venue, description, contact addresses, demo flag, languages, modules),
  its days, its livestream links (addresses copied: they are the
  organisers' configuration, and stay secret until their shifted go-live);
- registration: settings (window shifted), reserved seats, questions, e-mail templates;
- the call: settings (windows shifted), categories, score categories, e-mail templates;
- the programme's rooms (not sessions or talks: the programme is built anew from the new call);
- meetings: the settings (day, slots, breaks, request window shifted, the disciplines taxonomy;
  slots withdrawn on the day are not carried over) and the experts' profiles with their
  availability (slot numbers of the day, so they map onto the new meetings day unchanged);
  an expert's *login link* is not copied: a login is a person's account and the expert has not
  agreed to the new edition yet; organisers link it again on the expert's page;
- site visits (when the ``visits`` app is installed): settings (sign-up window shifted; the
  allocation is not), tour types and their runs (shifted);
- the site-access vault (when installed): which identity fields are asked, retention, the
  instructions; never a record.

Never copied: registrations, submissions, speakers and speaker profiles, reviews, assignments,
conflicts, programme sessions and releases, meeting requests, runs and outcomes, feeds, tour
preferences and seats, access records and logs, contact messages, team memberships. The only
person attached to the new edition is the organiser who cloned it (as its organiser).

Any user foreign key of a copied row (e.g. "allocated by") is left empty, so a field added
later to a copied model cannot carry a person across by accident.

Lineage is kept without a model field: the clone writes the audit entry ``editions.cloned`` on
the new event with the source event's id and slug; ``previous_edition`` and ``lineage`` read it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.core import audit
from fusionforum.core.languages import language_codes
from fusionforum.core.models import AuditEntry
from fusionforum.core.text import validate_single_line
from fusionforum.events.models import Event, EventSeries, TeamMembership, validate_event_slug

CLONED_ACTION = "editions.cloned"


class CloneError(Exception):
    """Refused input, with messages per field (``"__all__"`` for the whole request)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))


@dataclass(frozen=True)
class Part:
    """One model copied with the event: ``parent`` is the attribute pointing at the event (or
    at the copy of another part, named in ``parent_part``)."""

    key: str
    model: str  # "app_label.ModelName"
    label: str
    parent: str = "event"
    parent_part: str | None = None
    reset: dict = field(default_factory=dict)  # field name -> value for the copy


COPY_PLAN: tuple[Part, ...] = (
    Part("days", "events.Day", _("Days")),
    Part("streams", "events.StreamLink", _("Livestream links")),
    Part("registration_settings", "registration.RegistrationSettings", _("Registration settings")),
    Part("reserved_seats", "registration.ReservedSeats", _("Reserved seats"), parent="settings",
         parent_part="registration_settings"),
    Part("questions", "registration.Question", _("Registration questions")),
    Part("email_templates", "registration.EmailTemplate", _("Registration e-mail templates")),
    Part("call_settings", "cfp.CallSettings", _("Call for presentations settings")),
    Part("categories", "cfp.Category", _("Call categories")),
    Part("score_categories", "cfp.ScoreCategory", _("Review score categories")),
    Part("cfp_email_templates", "cfp.CfpEmailTemplate", _("Call e-mail templates")),
    Part("rooms", "programme.Room", _("Programme rooms")),
    Part("meeting_settings", "meetings.MeetingSettings",
         _("Meetings day: slots, breaks, request window, disciplines"), reset={"lost_slots": []}),
    Part("experts", "meetings.Expert", _("Experts (profiles and availability, without logins)"),
         reset={"user": None, "is_active": True}),
    Part("visit_settings", "visits.VisitSettings", _("Site-visit sign-up window"),
         reset={"allocated_at": None, "allocated_by": None}),
    Part("tour_types", "visits.TourType", _("Tour types")),
    Part("tour_runs", "visits.TourRun", _("Tour runs"), parent="tour", parent_part="tour_types"),
    Part("vault_settings", "vault.VaultSettings", _("Site-access fields asked")),
)

# Models that hold what participants gave (or what was done with it). The tests count their
# rows before and after a clone; none may grow except the cloning organiser's membership.
PERSONAL_MODELS: tuple[str, ...] = (
    "registration.Registration", "registration.RegistrationTransition",
    "cfp.Submission", "cfp.KeyFigure", "cfp.Speaker", "cfp.SpeakerProfile",
    "cfp.SubmissionTransition", "cfp.ReviewerConflict", "cfp.ReviewAssignment", "cfp.Review",
    "cfp.ReviewScore", "cfp.ProfileInvitation", "programme.ProgrammeSession",
    "programme.SessionPerson", "programme.ItemToPlace", "programme.TalkSlot", "programme.Release",
    "programme.AgendaFeed", "programme.StarredTalk", "meetings.MeetingRequest",
    "meetings.ScheduleRun", "meetings.Meeting", "meetings.MeetingRelease",
    "meetings.MeetingOutcome", "meetings.MeetingFeed", "visits.Preference", "visits.Seat",
    "visits.SeatTransition", "vault.AccessRecord", "vault.AccessLogEntry", "vault.ExportToken",
    "events.ContactMessage",
)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def installed_parts() -> list[tuple[Part, type[models.Model]]]:
    """The parts whose app is installed (visits and vault may be absent)."""
    out = []
    for part in COPY_PLAN:
        model = _model(part.model)
        if model is not None:
            out.append((part, model))
    return out


# --- shifting ------------------------------------------------------------------------------

def shift_date(value: dt.date | None, days: int) -> dt.date | None:
    return None if value is None else value + dt.timedelta(days=days)


def shift_datetime(value: dt.datetime | None, days: int, tz: zoneinfo.ZoneInfo):
    """Move ``value`` by whole days on the event's wall clock."""
    if value is None:
        return None
    local = value.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    return local.replace(tzinfo=tz)


# --- validation ----------------------------------------------------------------------------

def validate_request(event: Event, *, new_slug, new_title, new_start_date) -> dict:
    """Check the clone request; returns the cleaned values or raises CloneError."""
    errors: dict[str, list[str]] = {}
    slug = (new_slug or "").strip() if isinstance(new_slug, str) else ""
    title = (new_title or "").strip() if isinstance(new_title, str) else ""
    slug_field = Event._meta.get_field("slug")
    title_field = Event._meta.get_field("title")
    if not slug:
        errors.setdefault("slug", []).append(gettext("Give the new edition’s address."))
    else:
        try:
            slug_field.run_validators(slug)
            validate_event_slug(slug)
            if len(slug) > slug_field.max_length:
                raise ValidationError(gettext("At most %(count)s characters.")
                                      % {"count": slug_field.max_length})
        except ValidationError as exc:
            errors.setdefault("slug", []).extend(exc.messages)
        else:
            if Event.objects.filter(slug__iexact=slug).exists():
                errors.setdefault("slug", []).append(
                    gettext("“%(slug)s” is already the address of another event.") % {"slug": slug})
    if not title:
        errors.setdefault("title", []).append(gettext("Give the new edition’s title."))
    else:
        try:
            validate_single_line(title)
            if len(title) > title_field.max_length:
                raise ValidationError(gettext("At most %(count)s characters.")
                                      % {"count": title_field.max_length})
        except ValidationError as exc:
            errors.setdefault("title", []).extend(exc.messages)
    start = new_start_date
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start.strip())
        except ValueError:
            start = None
            errors.setdefault("start_date", []).append(gettext("Give a date as YYYY-MM-DD."))
    if isinstance(start, dt.datetime) or (start is not None and not isinstance(start, dt.date)):
        errors.setdefault("start_date", []).append(gettext("Give a date as YYYY-MM-DD."))
        start = None
    if start is None and "start_date" not in errors:
        errors.setdefault("start_date", []).append(gettext("Give the new edition’s first day."))
    elif start is not None and start <= event.end_date:
        errors.setdefault("start_date", []).append(
            gettext("The next edition must start after this one ends (%(date)s).")
            % {"date": date_format(event.end_date, "j F Y")})
    elif start is not None and start.year > 9000:
        errors.setdefault("start_date", []).append(gettext("That date is too far away."))
    if errors:
        raise CloneError(errors)
    return {"slug": slug, "title": title, "start_date": start}


# --- preview -------------------------------------------------------------------------------

def _rows(event: Event, part: Part, model) -> models.QuerySet:
    if part.parent_part is None:
        return model.objects.filter(**{part.parent: event})
    parent = next(p for p in COPY_PLAN if p.key == part.parent_part)
    parent_model = _model(parent.model)
    return model.objects.filter(**{f"{part.parent}__in": _rows(event, parent, parent_model)})


def plan(event: Event) -> list[dict]:
    """What a clone of ``event`` copies: one line per part with its row count."""
    return [{"key": part.key, "label": part.label, "count": _rows(event, part, model).count()}
            for part, model in installed_parts()]


# --- the clone -----------------------------------------------------------------------------

# Fields a copy never takes from its source: an edition starts its own life cycle (a draft,
# never published) under the model's defaults.
FRESH_FIELDS = {"events.event": frozenset({"status", "published_at", "series"})}


def _copy_row(obj: models.Model, *, days: int, tz, overrides: dict) -> models.Model:
    model = type(obj)
    values = {}
    fresh = FRESH_FIELDS.get(model._meta.label_lower, frozenset())
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in overrides or f.name in fresh:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        value = getattr(obj, f.attname)
        if f.is_relation:
            if f.related_model is not None and f.related_model._meta.label == \
                    settings.AUTH_USER_MODEL:
                value = None  # never carry a person across
            elif f.unique:
                continue
        elif isinstance(f, models.DateTimeField):
            value = shift_datetime(value, days, tz)
        elif isinstance(f, models.DateField):
            value = shift_date(value, days)
        elif f.unique and f.has_default():
            continue  # fresh codes and tokens
        values[f.attname] = value
    for name, value in overrides.items():
        f = model._meta.get_field(name)
        values[f.attname if f.is_relation and not isinstance(value, models.Model) else name] = value
    copy = model(**values)
    copy.save(force_insert=True)
    return copy


def _new_title_columns(event: Event, title: str) -> dict[str, str]:
    """The new edition's title is given in one language, the event's default one: the other
    languages' titles of the old edition (their year, their name) are not carried over, so
    their readers see the new title until organisers translate it."""
    columns = {}
    for code in language_codes():
        column = f"title_{code}"
        if hasattr(event, column):
            columns[column] = title if code == event.default_language else ""
    return columns


def _series_of(event: Event) -> EventSeries:
    """The series the new edition joins: the source's, or a new one named after the source's
    title without its year (the source joins it too). Joining a series only groups the
    editions on the site's root, so it is written even to an archived source (one UPDATE)."""
    if event.series_id is not None:
        return event.series
    name = " ".join(re.sub(r"\b(19|20)\d\d\b", " ", event.title).split()) or event.title
    series = EventSeries.objects.create(name=name[:200])
    Event.objects.filter(pk=event.pk).update(series=series)
    event.series = series
    return series


def clone_edition(event: Event, *, new_slug, new_title, new_start_date, by) -> Event:
    """Create the next edition of ``event``; see the module docstring for what is copied."""
    cleaned = validate_request(event, new_slug=new_slug, new_title=new_title,
                               new_start_date=new_start_date)
    days = (cleaned["start_date"] - event.start_date).days
    tz = event.tz
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            new = _copy_row(event, days=days, tz=tz, overrides={
                "slug": cleaned["slug"], "title": cleaned["title"],
                "series": _series_of(event),
                **_new_title_columns(event, cleaned["title"]),
            })
            mapping: dict[str, dict[int, models.Model]] = {}
            day_map: dict[int, int] = {}
            for part, model in installed_parts():
                mapping[part.key] = {}
                rows = _rows(event, part, model).order_by("pk")
                for obj in rows:
                    overrides = dict(part.reset)
                    if part.parent_part is None:
                        overrides[part.parent] = new
                    else:
                        parent_id = getattr(obj, f"{part.parent}_id")
                        overrides[part.parent] = mapping[part.parent_part][parent_id]
                    if part.key == "streams" and obj.day_id:
                        overrides["day_id"] = day_map.get(obj.day_id)
                    copy = _copy_row(obj, days=days, tz=tz, overrides=overrides)
                    mapping[part.key][obj.pk] = copy
                    if part.key == "days":
                        day_map[obj.pk] = copy.pk
                counts[part.key] = len(mapping[part.key])
            if by is not None and getattr(by, "is_authenticated", False):
                TeamMembership.objects.get_or_create(
                    event=new, user=by, role=TeamMembership.Role.ORGANISER)
            audit.record(CLONED_ACTION, new, actor=by,
                         summary=f"Cloned from {event.slug} into {new.slug}",
                         source_id=event.pk, source_slug=event.slug, shift_days=days,
                         counts=counts)
    except IntegrityError as exc:
        # A concurrent clone took the slug between the check and the insert.
        raise CloneError({"slug": [gettext("“%(slug)s” is already the address of another "
                                           "event.") % {"slug": cleaned["slug"]}]}) from exc
    return new


# --- lineage -------------------------------------------------------------------------------

def previous_edition(event: Event) -> Event | None:
    entry = (AuditEntry.objects.filter(action=CLONED_ACTION, object_type="events.event",
                                       object_id=str(event.pk)).order_by("-at", "-id").first())
    if entry is None:
        return None
    return Event.objects.filter(pk=entry.data.get("source_id")).first()


def next_editions(event: Event) -> list[Event]:
    ids = [int(e.object_id) for e in AuditEntry.objects.filter(
        action=CLONED_ACTION, object_type="events.event", data__source_id=event.pk)]
    return list(Event.objects.filter(pk__in=ids).order_by("start_date"))


def lineage(event: Event, limit: int = 20) -> list[Event]:
    """Earlier editions, most recent first (following clone entries)."""
    out: list[Event] = []
    seen = {event.pk}
    current = event
    while len(out) < limit:
        current = previous_edition(current)
        if current is None or current.pk in seen:
            break
        seen.add(current.pk)
        out.append(current)
    return out


def suggest_next(event: Event) -> dict:
    """Default values for the clone form: a year later, the year replaced in slug and title."""
    start = event.start_date
    try:
        nxt = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        nxt = start + dt.timedelta(days=365)
    # Keep the weekday: move to the same weekday closest to a year later.
    nxt = nxt + dt.timedelta(days=(start.weekday() - nxt.weekday() + 3) % 7 - 3)
    year, new_year = str(start.year), str(nxt.year)
    slug = event.slug.replace(year, new_year) if year in event.slug else f"{event.slug}-{new_year}"
    title = (event.title.replace(year, new_year) if year in event.title
             else f"{event.title} {new_year}")
    # The form must be sendable as shown: never propose the address of an existing event.
    base, n = slug[:56], 2
    slug = slug[:60]
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return {"slug": slug, "title": title[:200], "start_date": nxt}
