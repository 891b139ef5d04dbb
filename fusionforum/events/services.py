"""Business rules of the public event site. Views call these; so do the admin, tests and
management commands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fusionforum.core import audit, clock, ratelimit
from fusionforum.core.languages import language_codes, speaking_to
from fusionforum.core.text import normalise_newlines, validate_multiline, validate_single_line
from fusionforum.notifications.services import queue_email

from . import streaming
from .archive import ensure_writable
from .models import (
    CalendarRevision,
    ContactMessage,
    Day,
    Event,
    EventCreator,
    EventStatus,
    Module,
    Notice,
    StreamState,
    TeamMembership,
    public_q,
)
from .modules import missing_requirements as modules_missing_requirements
from .states import LIFE_CYCLE


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many messages; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def current_event() -> Event | None:
    """The edition the site's front door leads to: the next or running one, else the latest."""
    today = clock.now().date()
    upcoming = Event.objects.published().filter(end_date__gte=today).order_by("start_date")
    return upcoming.first() or Event.objects.published().order_by("-start_date").first()


@dataclass(frozen=True)
class Group:
    """Events of one series on the site's root (a lone event is a group of one)."""

    series: object  # EventSeries or None
    events: list


def listing(today: dt.date | None = None) -> dict[str, list[Group]]:
    """The site's root: public events, upcoming (and running) ones soonest first, past ones
    latest first; in each, the editions of one series together, in the place of the series'
    first edition in that order."""
    today = today or clock.now().date()
    events = list(Event.objects.published().select_related("series"))
    upcoming = sorted((e for e in events if e.end_date >= today),
                      key=lambda e: (e.start_date, e.pk))
    past = sorted((e for e in events if e.end_date < today),
                  key=lambda e: (e.start_date, e.pk), reverse=True)
    return {"upcoming": _grouped(upcoming), "past": _grouped(past)}


def _grouped(events: list[Event]) -> list[Group]:
    groups: list[Group] = []
    by_series: dict[int, Group] = {}
    for event in events:
        if event.series_id is None:
            groups.append(Group(None, [event]))
        elif event.series_id in by_series:
            by_series[event.series_id].events.append(event)
        else:
            by_series[event.series_id] = Group(event.series, [event])
            groups.append(by_series[event.series_id])
    return groups


def public_event(slug: str, user, *, select_related: tuple[str, ...] = ()) -> Event:
    """The event a visitor may see (404 otherwise); ``select_related`` loads related rows in
    the same query (e.g. the registration settings for the registration pages)."""
    events = Event.objects.select_related(*select_related) if select_related else Event.objects
    event = events.filter(slug=slug).first()
    if event is None or not user.has_perm("events.view_public_event", event):
        raise Http404("No such event.")
    return event


def export_language(event: Event, requested: str | None) -> str:
    """The language of an export (iCalendar, JSON): ``?lang=`` when it names one of the site's
    languages, else the event's default language, whatever the visitor's language."""
    if requested in language_codes():
        return requested
    return event.default_language


@dataclass(frozen=True)
class PublicStream:
    """What the public may know of a stream at one moment. ``url`` is empty before go-live."""

    id: int
    label: str
    day_label: str
    state: StreamState
    visible_from: dt.datetime
    visible_until: dt.datetime | None
    url: str

    @property
    def embed(self) -> streaming.Embed | None:
        """The player for the address the public may have now (none before go-live)."""
        return streaming.embed_for(self.url)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "day": self.day_label or None,
            "state": self.state.value,
            "visible_from": self.visible_from.isoformat(),
            "visible_until": self.visible_until.isoformat() if self.visible_until else None,
            "url": self.url or None,
        }


def calendar_sequences(event: Event, language: str, digests: dict[str, str]) -> dict[str, int]:
    """The SEQUENCE of each entry of the event's calendar (RFC 5545 3.8.7.4), by UID, from the
    digest of what the entry shows now: 0 the first time, the stored number while the entry
    is unchanged, one more when it changed since the feed was last built. Kept per event,
    entry and language (each language's feed is its own document). Two processes building
    the same new version count it once: a row moves on only from the digest it was read at.
    """
    language = language[:10]
    stored = {row.uid: row for row in CalendarRevision.objects.filter(
        event=event, language=language, uid__in=list(digests))}
    sequences: dict[str, int] = {}
    new = []
    for uid, digest in digests.items():
        row = stored.get(uid)
        if row is None:
            new.append(CalendarRevision(event=event, uid=uid[:200], language=language,
                                        digest=digest, sequence=0))
            sequences[uid] = 0
        elif row.digest == digest:
            sequences[uid] = row.sequence
        else:
            CalendarRevision.objects.filter(pk=row.pk, digest=row.digest).update(
                digest=digest, sequence=row.sequence + 1)
            sequences[uid] = row.sequence + 1
    if new:
        CalendarRevision.objects.bulk_create(new, ignore_conflicts=True)
    return sequences


def public_streams(event: Event, now: dt.datetime) -> tuple[list[PublicStream], dt.datetime | None]:
    """The streams as the public may see them at ``now`` and the next moment that changes."""
    streams = []
    next_change = None
    for stream in event.streams.select_related("day"):
        event_tz = event.tz
        streams.append(
            PublicStream(
                id=stream.pk,
                label=stream.label,
                day_label=stream.day.label if stream.day else "",
                state=stream.state_at(now),
                visible_from=stream.visible_from.astimezone(event_tz),
                visible_until=stream.visible_until.astimezone(event_tz)
                if stream.visible_until else None,
                url=stream.public_url_at(now),
            )
        )
        change = stream.next_change_after(now)
        if change is not None and (next_change is None or change < next_change):
            next_change = change
    return streams, next_change


def check_contact_rate(event: Event, client: str) -> None:
    """Count one contact-form attempt from ``client``; raise RateLimited past the limit."""
    decision = ratelimit.hit(
        "contact", f"{event.pk}:{client}", limit=settings.CONTACT_RATE_LIMIT,
        window=dt.timedelta(hours=1),
    )
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


@transaction.atomic
def receive_contact_message(event: Event, *, name: str, email: str, organisation: str,
                            topic: str, message: str) -> ContactMessage:
    """Store a message to the organisers and queue its e-mail, both or neither. Every field
    goes through the input policy (``core.text``): a name or organisation with a line break
    would otherwise write lines of its own into the organisers' e-mail."""
    errors = {}
    for field, value, check in (("name", name, validate_single_line),
                                ("organisation", organisation, validate_single_line),
                                ("message", message, validate_multiline)):
        try:
            check(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    message = normalise_newlines(message)
    contact = ContactMessage(
        event=event, name=name, email=email, organisation=organisation, topic=topic,
        message=message, received_at=clock.now(),
    )
    contact.full_clean()
    contact.save()
    # The organisers are written to in the event's default language (the addresses are a
    # list, not accounts with a preference), whatever language the sender used.
    with speaking_to(None, event):
        subject = _("[%(event)s] %(topic)s: message from %(name)s") % {
            "event": event.title, "topic": contact.get_topic_display(), "name": name}
        body = _render_in_event_time(
            event, "events/email/contact_message.txt", {"event": event, "contact": contact}
        )
    queue_email(
        to=event.contact_recipients,
        subject=subject,
        body=body,
        reply_to=[email],
        purpose="contact-message",
        related=contact,
    )
    audit.record("contact.received", contact, summary=f"Topic {topic}")
    return contact


@transaction.atomic
def mark_contact_message(contact: ContactMessage, status: str, *, by) -> ContactMessage:
    if not by.has_perm("events.change_contactmessage", contact.event):
        raise PermissionDenied(_("Only the event’s organisers handle its messages."))
    if status not in ContactMessage.Status.values:
        raise ValueError(f"Unknown status {status!r}.")
    previous = contact.status
    contact.status = status
    contact.handled_by = by if status != ContactMessage.Status.NEW else None
    contact.handled_at = clock.now() if status != ContactMessage.Status.NEW else None
    contact.save(update_fields=["status", "handled_by", "handled_at"])
    audit.record("contact.status", contact, actor=by, summary=f"{previous} → {status}")
    return contact


def _render_in_event_time(event: Event, template: str, context: dict) -> str:
    with timezone.override(event.tz):
        return render_to_string(template, context)


# --- event creators (a platform role) -------------------------------------------------------

def name_creator(email: str, *, by) -> EventCreator:
    """Allow the person with ``email`` to start events (platform administrators only)."""
    if not by.has_perm("events.manage_creators"):
        raise PermissionDenied(_("Only platform administrators name event creators."))
    User = get_user_model()
    address = (email or "").strip()
    user = User.objects.filter(email__iexact=address, is_active=True).first() if address \
        else None
    if user is None:
        raise ValidationError({"email": [_("No active account has this e-mail address; the "
                                           "person signs up first.")]})
    # Not durable: the back office's add page calls it inside its own transaction.
    with transaction.atomic():
        creator, created = EventCreator.objects.get_or_create(
            user=user, defaults={"granted_by": by, "granted_at": clock.now()})
        if not created:
            raise ValidationError({"email": [_("%(person)s may already start events.")
                                             % {"person": user.email}]})
        audit.record("events.creator_named", creator, actor=by,
                     summary=f"Event creator named: user {user.pk}", user_id=user.pk)
    return creator


def grant_creator_from_identity_provider(user, *, provider: str) -> bool:
    """Allow ``user`` to start events because their organisation's identity provider puts them
    in a group the platform administrators mapped to this role (single sign-on). True if the
    role is new. ``withdraw_creator_from_identity_provider`` takes back only a role given so."""
    with transaction.atomic():
        creator, created = EventCreator.objects.get_or_create(
            user=user, defaults={"granted_by": None, "granted_at": clock.now()})
        if created:
            audit.record("events.creator_named", creator, actor=user,
                         summary=f"Event creator named by identity provider {provider}: "
                                 f"user {user.pk}", user_id=user.pk, provider=provider)
    return created


def withdraw_creator_from_identity_provider(user, *, provider: str, creator_id: int) -> bool:
    """Take back the right to start events that the identity provider's group mapping gave
    (the EventCreator row ``creator_id``), because the person's groups no longer include a
    mapped group. A role named by the administrators (another row) is left alone. True if
    withdrawn. The events they started keep them as organisers."""
    with transaction.atomic():
        creator = EventCreator.objects.filter(pk=creator_id, user=user).first()
        if creator is None:
            return False
        audit.record("events.creator_removed", creator, actor=user,
                     summary=f"Event creator withdrawn by identity provider {provider}: "
                             f"user {user.pk}", user_id=user.pk, provider=provider)
        creator.delete()
    return True


def remove_creator(creator: EventCreator, *, by) -> None:
    """Withdraw the right to start events; the events they started keep them as organisers."""
    if not by.has_perm("events.manage_creators"):
        raise PermissionDenied(_("Only platform administrators name event creators."))
    with transaction.atomic():  # the back office's delete page holds its own transaction
        user_id = creator.user_id
        audit.record("events.creator_removed", creator, actor=by,
                     summary=f"Event creator removed: user {user_id}", user_id=user_id)
        creator.delete()


# --- starting an event ----------------------------------------------------------------------

MAX_EVENT_DAYS = 31


def _check_dates(start: dt.date | None, end: dt.date | None, errors: dict) -> None:
    if start is None or end is None:
        return
    if end < start:
        errors.setdefault("end_date", []).append(_("The event cannot end before it starts."))
    elif (end - start).days + 1 > MAX_EVENT_DAYS:
        errors.setdefault("end_date", []).append(
            _("An event lasts at most %(count)s days.") % {"count": MAX_EVENT_DAYS})


def check_modules(modules: list[str]) -> list[str]:
    """The sentences refusing ``modules`` (unknown names, a module without one it needs)."""
    labels = dict(Module.choices)
    problems = [_("“%(module)s” is not a module.") % {"module": m}
                for m in modules if m not in labels]
    problems += [_("%(module)s needs %(needed)s: switch it on too, or this one off.")
                 % {"module": labels[module], "needed": labels[needed]}
                 for module, needed in modules_missing_requirements(modules)]
    return problems


def create_event(*, by, title: str, slug: str, start_date: dt.date, end_date: dt.date,
                 time_zone: str, venue_name: str, default_language: str,
                 languages: list[str], modules: list[str]) -> Event:
    """Start an event from blank: a draft, its days (one per date), and its creator as its
    first organiser. Refused with messages per field (``ValidationError``)."""
    if not by.has_perm("events.create_event"):
        raise PermissionDenied(_("Only event creators and platform administrators start "
                                 "events."))
    errors: dict[str, list[str]] = {}
    slug = (slug or "").strip().lower()
    title = (title or "").strip()
    venue_name = (venue_name or "").strip()
    for name, value in (("title", title), ("venue_name", venue_name)):
        try:
            validate_single_line(value)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
    _check_dates(start_date, end_date, errors)
    languages = [code for code in language_codes() if code in (languages or [])]
    if not languages:
        errors.setdefault("languages", []).append(_("Offer at least one language."))
    elif default_language not in languages:
        errors.setdefault("default_language", []).append(
            _("The default language must be one of the languages offered."))
    module_problems = check_modules(list(modules or []))
    if module_problems:
        errors.setdefault("modules", []).extend(module_problems)
    if slug and Event.objects.filter(slug__iexact=slug).exists():
        errors.setdefault("slug", []).append(
            _("“%(slug)s” is already the address of another event.") % {"slug": slug})
    event = Event(
        slug=slug, start_date=start_date, end_date=end_date, time_zone=time_zone,
        default_language=default_language, languages=languages,
        modules=[m for m in Module.values if m in modules],
        contact_emails=by.email,
    )
    setattr(event, f"title_{default_language}", title)
    setattr(event, f"venue_name_{default_language}", venue_name)
    try:
        event.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            name = name.removesuffix(f"_{default_language}")
            for text in messages:
                if text not in errors.get(name, []):
                    errors.setdefault(name, []).append(text)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(durable=True):
            event.save()
            for number, offset in enumerate(range((end_date - start_date).days + 1), start=1):
                day = Day(event=event, date=start_date + dt.timedelta(days=offset))
                with translation.override(default_language):
                    setattr(day, f"label_{default_language}",
                            _("Day %(number)s") % {"number": number})
                day.save()
            TeamMembership.objects.create(event=event, user=by,
                                          role=TeamMembership.Role.ORGANISER)
            audit.record("events.created", event, actor=by,
                         summary=f"Event {event.slug} started from blank",
                         modules=event.modules, languages=event.languages)
    except IntegrityError as exc:
        # Someone took the address between the check and the insert.
        raise ValidationError({"slug": [_("“%(slug)s” is already the address of another "
                                          "event.") % {"slug": slug}]}) from exc
    return event


# --- the life cycle -------------------------------------------------------------------------

def change_status(event: Event, action: str, *, by, note: str = "") -> Event:
    """Publish, unpublish, archive or reopen ``event`` (its organisers and the platform
    administrators). Reopening returns an event to published if it ever was, else to draft."""
    if not by.has_perm("events.change_event_status", event):
        raise PermissionDenied(_("Only the event’s organisers change its status."))
    targets = {"publish": EventStatus.PUBLISHED, "unpublish": EventStatus.DRAFT,
               "archive": EventStatus.ARCHIVED}
    with transaction.atomic(durable=True):
        current = LIFE_CYCLE.refresh(event)
        if action == "reopen":
            target = EventStatus.PUBLISHED if event.published_at else EventStatus.DRAFT
        elif action in targets:
            target = targets[action]
        else:
            raise ValidationError(_("Unknown change of status."))
        if LIFE_CYCLE.action(current, target) != action:
            raise LIFE_CYCLE.IllegalTransition(current, target)
        changes = {}
        if event.published_at is None and (target == EventStatus.PUBLISHED
                                           or current == EventStatus.PUBLISHED):
            # First publication (or a published row that never recorded it).
            changes["published_at"] = clock.now()
        LIFE_CYCLE.move(event, target, actor=by, note=note, changes=changes)
        audit.record("events.status", event, actor=by,
                     summary=f"{current} → {target}", action_name=action)
    return event


def status_actions(event: Event) -> list[str]:
    """The life-cycle actions open to ``event`` now, in the order a page offers them."""
    return [LIFE_CYCLE.action(event.status, target)
            for target in (EventStatus.PUBLISHED, EventStatus.DRAFT, EventStatus.ARCHIVED)
            if LIFE_CYCLE.allows(event.status, target)
            and not (event.status == EventStatus.ARCHIVED
                     and target != (EventStatus.PUBLISHED if event.published_at
                                    else EventStatus.DRAFT))]


def set_modules(event: Event, modules: list[str], *, by) -> Event:
    """Switch the event's modules on or off. A module switched off keeps its data; its pages
    answer 404 until it is switched on again."""
    if not by.has_perm("events.change_event", event):
        raise PermissionDenied(_("Only the event’s organisers change its modules."))
    ensure_writable(event)
    modules = list(modules or [])
    problems = check_modules(modules)
    if problems:
        raise ValidationError({"modules": problems})
    chosen = [m for m in Module.values if m in modules]
    with transaction.atomic(durable=True):
        before = list(event.modules)
        event.modules = chosen
        event.save(update_fields=["modules", "updated_at"])
        audit.record("events.modules", event, actor=by,
                     summary=f"Modules: {', '.join(chosen) or '(none)'}",
                     before=before, after=chosen)
    return event


def extend_dates(event: Event, *, start_date: dt.date, end_date: dt.date, by,
                 system: bool = False) -> Event:
    """Widen ``event``'s dates, adding a day for each new date (``events.dates.extend``; a
    programme import whose file has more days than the event)."""
    from . import dates

    return dates.extend(event, start_date=start_date, end_date=end_date, by=by, system=system)


def visible_events(user):
    """The events ``user`` may see: the public ones, the ones whose team they are on, and
    every event for a platform administrator (``events.view_public_event``, as a queryset)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return Event.objects.all()
    visible = public_q()
    if user.is_authenticated and user.is_active:
        visible |= Q(team__user=user)
    return Event.objects.filter(visible).distinct()


# Notices: privacy, legal, accessibility -----------------------------------------------------

NOTICE_MAX_LENGTH = 20000


def notice_kind(kind: str) -> str:
    """``kind`` if it names a notice, else 404 (addresses carry it)."""
    if kind not in Notice.Kind.values:
        raise Http404(_("No such notice."))
    return kind


def notice(kind: str, event: Event | None = None) -> Notice | None:
    """The written part of a notice: the platform operator's (``event`` None) or the event's."""
    return Notice.objects.filter(kind=kind, event=event).first()


def save_notice(kind: str, *, by, texts: dict[str, str], event: Event | None = None) -> Notice:
    """Write the operator's part of a notice (platform administrators) or an event's part
    (its organisers), one Markdown text per language (empty: none in that language).
    Rendered through the project's sanitiser (``core.text.render_markdown``)."""
    notice_kind(kind)
    permission = ("events.edit_event_notices" if event is not None
                  else "events.edit_platform_notices")
    if not rules.has_perm(permission, by, event):
        raise PermissionDenied(_("You may not change this notice."))
    ensure_writable(event)
    errors = {}
    cleaned = {}
    for code in language_codes():
        text = normalise_newlines(texts.get(code) or "").strip()
        try:
            validate_multiline(text)
        except ValidationError as exc:
            errors[f"body_{code}"] = exc.messages
            continue
        if len(text) > NOTICE_MAX_LENGTH:
            errors[f"body_{code}"] = [_("Keep the text under %(n)s characters.")
                                      % {"n": NOTICE_MAX_LENGTH}]
            continue
        cleaned[code] = text
    unknown = set(texts) - set(language_codes())
    if unknown:
        errors["__all__"] = [_("Not one of the site's languages.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        row = Notice.objects.select_for_update().filter(kind=kind, event=event).first()
        if row is None:
            row = Notice(kind=kind, event=event)
        for code, text in cleaned.items():
            setattr(row, f"body_{code}", text)
        row.updated_at = clock.now()
        row.updated_by = by
        row.save()
        audit.record("events.notice_saved", row, actor=by,
                     summary=f"{kind} notice of {event.slug if event else 'the platform'} saved",
                     kind=kind, event=event.pk if event else None,
                     languages=sorted(code for code, text in cleaned.items() if text))
    return row
