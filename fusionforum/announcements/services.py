"""Announcements and reminders: the services the pages, the job and the demo call.

Every function checks who may do it, writes the audit log and is its own transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from fusionforum.core import audit, clock
from fusionforum.core.languages import language_for, speaking_to
from fusionforum.core.text import render_markdown
from fusionforum.core.translated_fields import localized_names
from fusionforum.notifications import placeholders
from fusionforum.notifications.services import queue_email

from . import audiences, reminders
from .models import Announcement, Audience, Delivery, OptOut, ReminderSettings, ReminderTemplate

PERMISSION = "announcements.send_announcements"


def _require_organiser(user, event) -> None:
    if not user.has_perm(PERMISSION, event):
        raise PermissionDenied(_("Only the event's organisers send announcements."))


# Announcements -------------------------------------------------------------------------------

@dataclass
class Draft:
    """An announcement as the organiser typed it, before it is sent: the texts per language
    (``subject_en``, ``body_fr``...), the audience and, for one organisation kind, the kind."""

    audience: str
    organisation_kind: str
    texts: dict[str, str]

    def text(self, name: str, language: str, default_language: str) -> str:
        return (self.texts.get(f"{name}_{language}") or
                self.texts.get(f"{name}_{default_language}") or "")


def check_draft(event, draft: Draft) -> None:
    """ValidationError (keyed by field) for a draft that cannot be sent."""
    errors = {}
    if draft.audience not in Audience.values:
        errors["audience"] = _("Choose who receives the announcement.")
    elif draft.audience == Audience.ORGANISATION_KIND and not draft.organisation_kind:
        errors["organisation_kind"] = _("Choose the organisation kind.")
    default = event.default_language
    for name in ("subject", "body"):
        if not (draft.texts.get(f"{name}_{default}") or "").strip():
            errors[f"{name}_{default}"] = _("Write it in the event's language.")
    if errors:
        raise ValidationError(errors)


def recipients(event, draft: Draft) -> list[audiences.Recipient]:
    kind = draft.organisation_kind if draft.audience == Audience.ORGANISATION_KIND else ""
    return audiences.recipients(event, draft.audience, kind)


def rendered(event, subject: str, body: str, language: str, name: str) -> tuple[str, str]:
    """The e-mail one recipient receives (plain text: the Markdown as written, readable as
    is), with the greeting and the closing line in their language."""
    with translation.override(language):
        greeting = _("Dear %(name)s,") % {"name": name.split(" ")[0]} if name else _("Hello,")
        footer = _("An announcement of the organisers of %(event)s.") % {"event": event.title}
    return subject, f"{greeting}\n\n{body.rstrip()}\n\n-- \n{footer}\n"


@dataclass
class Preview:
    count: int
    by_language: dict[str, int]
    sample_subject: str
    sample_html: str  # the body through the Markdown sanitiser, as the record page shows it
    sample_email: str


def preview(event, draft: Draft, *, by) -> Preview:
    """How many people receive the announcement, in which languages, and a sample in the
    event's language. Nothing is stored."""
    _require_organiser(by, event)
    check_draft(event, draft)
    people = recipients(event, draft)
    by_language: dict[str, int] = {}
    for person in people:
        code = language_for(person.user, event)
        by_language[code] = by_language.get(code, 0) + 1
    default = event.default_language
    subject = draft.text("subject", default, default)
    body = draft.text("body", default, default)
    name = people[0].name if people else "Alex Example"
    _subject, email = rendered(event, subject, body, default, name)
    return Preview(count=len(people), by_language=by_language, sample_subject=subject,
                   sample_html=body_html(body), sample_email=email)


def body_html(body: str) -> str:
    """An announcement's Markdown as HTML for the organisers' pages, through the project's
    sanitiser (core.text.render_markdown: nothing executable survives)."""
    return mark_safe(render_markdown(body))  # noqa: S308  (nh3-sanitised)


def send(event, draft: Draft, *, by, token: uuid.UUID) -> tuple[Announcement, bool]:
    """Store the announcement and queue one e-mail per recipient in their language, with a
    ``Delivery`` row each, in one transaction. ``token`` comes from the preview's form: a
    second submission with the same token sends nothing and answers the first announcement
    (the second return value is False)."""
    _require_organiser(by, event)
    check_draft(event, draft)
    existing = Announcement.objects.filter(event=event, token=token).first()
    if existing is not None:
        return existing, False
    try:
        return _send(event, draft, by=by, token=token), True
    except IntegrityError:  # the same token committed meanwhile by a double submission
        existing = Announcement.objects.filter(event=event, token=token).first()
        if existing is None:
            raise
        return existing, False


def _send(event, draft: Draft, *, by, token) -> Announcement:
    with transaction.atomic(durable=True):
        texts = {name: draft.texts.get(name, "") for name in
                 [*localized_names("subject"), *localized_names("body")]}
        announcement = Announcement(event=event, audience=draft.audience,
                                    organisation_kind=(draft.organisation_kind if draft.audience
                                                       == Audience.ORGANISATION_KIND else ""),
                                    token=token, sent_by=by, sent_at=clock.now(), **texts)
        # The token's uniqueness is the database's to decide (see ``send``), not a query here.
        announcement.full_clean(exclude=["token"])
        announcement.save()
        people = recipients(event, draft)
        default = event.default_language
        for person in people:
            language = language_for(person.user, event)
            with speaking_to(person.user, event):
                subject, body = rendered(event, draft.text("subject", language, default),
                                         draft.text("body", language, default), language,
                                         person.name)
            delivery = Delivery.objects.create(announcement=announcement, user=person.user,
                                               address=person.address, language=language)
            delivery.email = queue_email(to=[person.address], subject=subject, body=body,
                                         reply_to=event.contact_recipients[:1],
                                         purpose="announcement", related=delivery)
            delivery.save(update_fields=["email"])
        announcement.recipient_count = len(people)
        announcement.save(update_fields=["recipient_count"])
        audit.record("announcements.sent", announcement, actor=by,
                     summary=f"Announcement sent to {len(people)} recipient(s)",
                     audience=draft.audience, recipients=len(people))
    return announcement


def deliveries(announcement) -> list[Delivery]:
    return list(announcement.deliveries.select_related("email", "user"))


# Reminder settings and texts ----------------------------------------------------------------

def settings_for(event) -> ReminderSettings:
    found = ReminderSettings.objects.filter(event=event).first()
    return found if found is not None else ReminderSettings(event=event)


SETTINGS_FIELDS = ("site_access_due", "site_access_days", "tour_tomorrow", "meetings_tomorrow",
                   "livestream", "livestream_minutes", "survey")


def save_settings(event, *, by, **values) -> ReminderSettings:
    _require_organiser(by, event)
    with transaction.atomic(durable=True):
        reminder_settings = (ReminderSettings.objects.select_for_update().filter(event=event)
                             .first() or ReminderSettings(event=event))
        for name in SETTINGS_FIELDS:
            if name in values:
                setattr(reminder_settings, name, values[name])
        reminder_settings.full_clean()
        reminder_settings.save()
        audit.record("announcements.reminders_saved", reminder_settings, actor=by,
                     summary="Reminder settings saved",
                     on=[k for k in reminders.KINDS if reminder_settings.is_on(k)])
    return reminder_settings


def save_template(event, key: str, *, subject: str, body: str, by,
                  language: str | None = None) -> ReminderTemplate:
    _require_organiser(by, event)
    kind = placeholders.kind_for(reminders.KINDS, key)
    with transaction.atomic(durable=True):
        return placeholders.save_custom(ReminderTemplate, event, kind, subject=subject,
                                        body=body, by=by, audit_prefix="announcements",
                                        language=language)


def reset_template(event, key: str, *, by, language: str | None = None) -> bool:
    _require_organiser(by, event)
    placeholders.kind_or_404(reminders.KINDS, key)
    with transaction.atomic(durable=True):
        return placeholders.reset_custom(ReminderTemplate, event, key, by=by,
                                         audit_prefix="announcements", language=language)


# Opting out ----------------------------------------------------------------------------------

def is_opted_out(event, address: str) -> bool:
    return OptOut.objects.filter(event=event, address=address.strip().lower()).exists()


def set_opt_out(event, address: str, opted_out: bool, *, by=None) -> bool:
    """Stop (or restart) the optional reminders of ``event`` to ``address``: from the signed
    link of an e-mail (``by`` None) or from the person's own page. True if it changed."""
    address = address.strip().lower()
    with transaction.atomic(durable=True):
        if opted_out:
            _row, changed = OptOut.objects.get_or_create(
                event=event, address=address, defaults={"created_at": clock.now()})
        else:
            changed = bool(OptOut.objects.filter(event=event, address=address).delete()[0])
        if changed:
            audit.record("announcements.opt_out" if opted_out else "announcements.opt_in",
                         event, actor=by, summary=("Optional reminders stopped" if opted_out
                                                   else "Optional reminders restarted"))
    return changed


def opt_out_by_token(event, token: str) -> str:
    """The address a signed link stands for, if it was made for ``event``; ValidationError
    otherwise. Nothing is changed: the page asks for a click first."""
    found = reminders.read_opt_out_token(token)
    if found is None or found[0] != event.pk:
        raise ValidationError(_("This link is not valid. Use the link of your latest reminder "
                                "or sign in to change your reminders."))
    return found[1]

