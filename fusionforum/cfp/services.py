"""The call for presentations, speaker side and organisers' desk: plain functions that check who
may act, validate, write in one transaction, record an audit entry and queue the e-mails.

Every change of state goes through ``lifecycle.move``. Views only read input and call these.

For other parts of the application:

- ``open_slides(submission)`` / ``open_photo(profile)``: the stored file, opened for reading
  (or None). The public programme pages serve them; they decide who may see them.
- ``confirm(submission, user)`` / ``withdraw(submission, user)``: the speaker's moves.
- ``may_download_slides(user, submission)``: authors, organisers, assigned reviewers.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fusionforum.accounts.models import User
from fusionforum.accounts.twofactor import is_verified
from fusionforum.core import audit, clock
from fusionforum.core.languages import language_codes, language_for, speaking_to
from fusionforum.core.text import (
    clean_multiline,
    normalise_newlines,
    validate_multiline,
    validate_single_line,
)
from fusionforum.core.translated_fields import localized_names
from fusionforum.notifications.services import queue_email
from fusionforum.registration.models import Registration
from fusionforum.registration.states import ACTIVE

from . import lifecycle, uploads
from .categories import categories_for
from .models import (
    ANSWER_FIELDS,
    CallSettings,
    Category,
    KeyFigure,
    Scale,
    Speaker,
    SpeakerProfile,
    Submission,
    Visibility,
)
from .states import EDITABLE, IllegalTransition, SubmissionState

MAX_KEY_FIGURES = 12
MAX_SPEAKERS = 6
MAX_CATEGORIES = 14
# Speakers may replace their slides of an accepted talk until the event ends.
SLIDES_STATES = EDITABLE | {SubmissionState.ACCEPTED, SubmissionState.CONFIRMED}


class SubmissionError(Exception):
    """A rule stops this action; the message says why, for the person who tried."""


class DeadlinePassed(SubmissionError):
    pass


# The call -----------------------------------------------------------------------------------


def call_settings(event) -> CallSettings | None:
    return CallSettings.objects.filter(event=event).first()


def call_state(call: CallSettings | None, now=None) -> str:
    """"none" (no call), "not_yet_open", "open" or "closed"."""
    if call is None:
        return "none"
    now = now or clock.now()
    if now < call.opens_at:
        return "not_yet_open"
    if now >= call.closes_at:
        return "closed"
    return "open"


REASONS = {
    "none": gettext_lazy("This event has no call for presentations."),
    "not_yet_open": gettext_lazy("The call for presentations is not open yet: submissions "
                                 "start when it opens."),
    "closed": gettext_lazy("The call for presentations has closed: no new submissions are "
                           "accepted."),
    "anonymous": gettext_lazy("Log in to submit a presentation."),
    "unverified": gettext_lazy("Confirm your e-mail address before submitting: we sent you a "
                               "link."),
    "no_organisation": gettext_lazy("Tell us which organisation you belong to (in your "
                                    "account) first."),
    "not_registered": gettext_lazy("Only registered participants can submit: register for the "
                                   "event first. The submission belongs to your "
                                   "organisation."),
}


def active_registration(event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (Registration.objects.filter(event=event, user=user, status__in=ACTIVE)
            .select_related("organisation").first())


def submit_block_reason(event, user, now=None) -> str | None:
    """Why ``user`` cannot start a submission now (a key of REASONS), or None."""
    state = call_state(call_settings(event), now)
    if state != "open":
        # The call's state comes first: nobody is told to log in or register for a call that
        # takes no submissions now.
        return state
    if not user.is_authenticated:
        return "anonymous"
    if user.email_verified_at is None:
        return "unverified"
    if not user.organisation_id:
        return "no_organisation"
    registration = active_registration(event, user)
    if registration is None:
        return "not_registered"
    return None


def submitting_organisation(event, user):
    """The organisation a new submission of ``user`` belongs to: the one they registered for."""
    registration = active_registration(event, user)
    return registration.organisation if registration else None


def eligible_speakers(event, organisation):
    """Participants of ``organisation`` with an active registration for ``event``."""
    return (User.objects.filter(
        is_active=True, anonymised_at__isnull=True,
        registrations__event=event, registrations__organisation=organisation,
        registrations__status__in=ACTIVE,
    ).distinct().order_by("full_name", "email"))


def organisation_submissions(event, user):
    """The submissions of the user's registered organisation for ``event`` (for their page)."""
    organisation = submitting_organisation(event, user)
    if organisation is None:
        return Submission.objects.none()
    return (Submission.objects.filter(event=event, organisation=organisation)
            .select_related("created_by").prefetch_related("speaker_links__user"))


def is_author(user, submission: Submission) -> bool:
    # The rule itself, not user.has_perm: Django grants a superuser every permission, which
    # made a platform administrator an author of every submission (without a second factor).
    return bool(user.is_authenticated
                and rules.has_perm("cfp.edit_own_submission", user, submission))


def is_organiser(user, event) -> bool:
    return bool(user.is_authenticated and user.has_perm("cfp.manage_call", event))


def _require_organiser(user, event) -> None:
    if not is_organiser(user, event):
        raise PermissionDenied(_("Only the event's organisers can do this."))


def record_export(event, *, by, count: int, fmt: str) -> None:
    """Log an organiser's download of the call's submissions (the rows are read-only)."""
    _require_organiser(by, event)
    audit.record("cfp.export", event, actor=by, summary=f"{count} submissions", format=fmt)


def _require_author(user, submission: Submission) -> None:
    if not is_author(user, submission):
        raise PermissionDenied(_("Only the authors and speakers of this submission can do this."))


def edit_block_reason(submission: Submission, now=None) -> str | None:
    """Why the content of ``submission`` cannot be edited now, or None."""
    now = now or clock.now()
    if submission.state not in EDITABLE:
        return (_("This submission is “%(state)s”: its content can no longer be changed.")
                % {"state": submission.get_state_display().lower()})
    deadline = submission.deadline()
    if now >= deadline:
        local = timezone.localtime(deadline, submission.event.tz)
        return (_("The deadline for changes passed on %(deadline)s (%(zone)s). Contact the "
                  "organisers if something must change.")
                % {"deadline": formats.date_format(local, "j F Y, H:i"),
                   "zone": submission.event.time_zone})
    return None


def can_edit_content(submission: Submission, now=None) -> bool:
    return edit_block_reason(submission, now) is None


# Content ------------------------------------------------------------------------------------


@dataclass
class KeyFigureData:
    label: str
    value: decimal.Decimal
    unit: str = ""


@dataclass
class SubmissionContent:
    """What the speaker writes; the views fill it from the form, the services check it all."""

    title: str
    abstract: str = ""
    breakthroughs: str = ""
    breakthroughs_visibility: str = Visibility.PUBLIC
    breakthrough_scale: str = ""
    challenges: str = ""
    challenges_visibility: str = Visibility.PUBLIC
    iter_help: str = ""
    iter_help_visibility: str = Visibility.PUBLIC
    # The language the answers are written in ("" = not said).
    language: str = ""
    challenge_categories: list = field(default_factory=list)
    help_categories: list = field(default_factory=list)
    speakers: list = field(default_factory=list)
    key_figures: list[KeyFigureData] = field(default_factory=list)


TEXT_LIMITS = {"title": 200, "abstract": 1500, "breakthroughs": 6000, "challenges": 6000,
               "iter_help": 6000}
REQUIRED_TO_SUBMIT = {
    "abstract": gettext_lazy("Write a short abstract before submitting."),
    "breakthroughs": gettext_lazy("Answer question 1 before submitting."),
    "breakthrough_scale": gettext_lazy("Say at what scale your results were obtained before "
                                       "submitting."),
    "challenges": gettext_lazy("Answer question 2 before submitting."),
    "iter_help": gettext_lazy("Answer question 3 before submitting."),
}


def _normalise_text(value: str, *, multiline: bool) -> str:
    """LF line ends; one line's runs of spaces folded. A single-line value is checked against
    the input policy before folding, so a line break or a control character that
    ``str.split`` counts as a space is refused, not quietly turned into a space."""
    value = normalise_newlines(value or "")
    if multiline:
        return value.strip()
    validate_single_line(value)
    return " ".join(value.split())


def clean_content(event, organisation, content: SubmissionContent, *,
                  for_submit: bool) -> SubmissionContent:
    """Validate everything; raise one ValidationError naming every problem by field."""
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    for name, limit in TEXT_LIMITS.items():
        try:
            value = _normalise_text(getattr(content, name), multiline=name != "title")
            setattr(content, name, value)
            (validate_single_line if name == "title" else validate_multiline)(value)
        except ValidationError as exc:
            value = getattr(content, name) or ""
            for message in exc.messages:
                add(name, message)
        if len(value) > limit:
            add(name, _("At most %(limit)s characters (now %(count)s).")
                % {"limit": limit, "count": len(value)})
    if not content.title:
        add("title", _("Give your presentation a title."))
    for name in ANSWER_FIELDS:
        if getattr(content, f"{name}_visibility") not in Visibility.values:
            add(f"{name}_visibility", _("Choose who may read this answer."))
    if content.breakthrough_scale and content.breakthrough_scale not in Scale.values:
        add("breakthrough_scale", _("Choose one of the scales listed."))
    if content.language and content.language not in language_codes():
        add("language", _("Choose one of the languages listed."))
    if for_submit:
        for name, message in REQUIRED_TO_SUBMIT.items():
            if not getattr(content, name):
                add(name, str(message))

    event_categories = {c.pk for c in Category.objects.filter(event=event)}
    for name in ("challenge_categories", "help_categories"):
        chosen = list(dict.fromkeys(getattr(content, name)))
        if any(c.pk not in event_categories for c in chosen):
            add(name, _("Choose categories from the list."))
        if len(chosen) > MAX_CATEGORIES:
            add(name, _("Choose at most %(count)s categories.") % {"count": MAX_CATEGORIES})
        setattr(content, name, chosen)

    speakers = list(dict.fromkeys(content.speakers))
    content.speakers = speakers
    if not speakers:
        add("speakers", _("Choose at least one speaker."))
    elif len(speakers) > MAX_SPEAKERS:
        add("speakers", _("At most %(count)s speakers.") % {"count": MAX_SPEAKERS})
    else:
        allowed = set(eligible_speakers(event, organisation).values_list("pk", flat=True))
        if any(person.pk not in allowed for person in speakers):
            add("speakers", _("Speakers must be registered participants of your "
                              "organisation."))

    if len(content.key_figures) > MAX_KEY_FIGURES:
        add("key_figures", _("At most %(count)s key figures.") % {"count": MAX_KEY_FIGURES})
    for index, figure in enumerate(content.key_figures, start=1):
        problems = []
        try:
            figure.label = _normalise_text(figure.label, multiline=False)
            figure.unit = _normalise_text(figure.unit, multiline=False)
        except ValidationError as exc:
            problems.append(exc.messages[0])
        if not figure.label:
            problems.append(_("the label is missing"))
        if len(figure.label) > 120 or len(figure.unit) > 40:
            problems.append(_("the label (120) or unit (40 characters) is too long"))
        value = figure.value
        if not isinstance(value, decimal.Decimal) or not value.is_finite():
            problems.append(_("the value is not a number"))
        else:
            sign, digits, exponent = value.normalize().as_tuple()
            whole = len(digits) + exponent if exponent < 0 else len(digits) + exponent
            if whole > 14 or (exponent < 0 and -exponent > 6):
                problems.append(_("the value is out of range (at most 14 digits before and 6 "
                                  "after the decimal point)"))
        if problems:
            add("key_figures", _("Key figure %(number)s: %(problems)s.")
                % {"number": index, "problems": "; ".join(problems)})
    if errors:
        raise ValidationError(errors)
    return content


def _write_content(submission: Submission, content: SubmissionContent) -> None:
    for name in ("title", "abstract", "breakthroughs", "breakthroughs_visibility",
                 "breakthrough_scale", "challenges", "challenges_visibility", "iter_help",
                 "iter_help_visibility", "language"):
        setattr(submission, name, getattr(content, name))
    submission.save()
    submission.challenge_categories.set(content.challenge_categories)
    submission.help_categories.set(content.help_categories)
    submission.key_figures.all().delete()
    KeyFigure.objects.bulk_create([
        KeyFigure(submission=submission, label=f.label, value=f.value, unit=f.unit,
                  position=position)
        for position, f in enumerate(content.key_figures)
    ])
    wanted = [person.pk for person in content.speakers]
    submission.speaker_links.exclude(user_id__in=wanted).delete()
    existing = {link.user_id: link for link in submission.speaker_links.all()}
    for position, user_id in enumerate(wanted):
        link = existing.get(user_id)
        if link is None:
            Speaker.objects.create(submission=submission, user_id=user_id, position=position)
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])


def create_submission(event, user, content: SubmissionContent, *,
                      submit: bool = False) -> Submission:
    """A registered participant starts a submission for their organisation (a draft, or
    submitted at once with ``submit``)."""
    reason = submit_block_reason(event, user)
    if reason == "anonymous":
        raise PermissionDenied(str(REASONS[reason]))
    if reason:
        raise SubmissionError(str(REASONS[reason]))
    organisation = submitting_organisation(event, user)
    content = clean_content(event, organisation, content, for_submit=submit)
    if not content.language:
        # Unless they say otherwise, people write in the language they chose for the site.
        content.language = getattr(user, "preferred_language", "") or ""
    with transaction.atomic():
        submission = Submission(event=event, organisation=organisation, created_by=user,
                                created_at=clock.now(), title=content.title)
        _write_content(submission, content)
        audit.record("cfp.submission_created", submission, actor=user,
                     summary=f"Submission {submission.code} created")
        if submit:
            _submit_locked(submission, user)
    return submission


def update_submission(submission: Submission, user, content: SubmissionContent, *,
                      submit: bool = False) -> Submission:
    """An author changes the content (until the deadline); ``submit`` also submits a draft."""
    _require_author(user, submission)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().select_related("event").get(
            pk=submission.pk)
        reason = edit_block_reason(locked)
        if reason:
            raise DeadlinePassed(reason)
        will_submit = submit or locked.state == SubmissionState.SUBMITTED
        content = clean_content(locked.event, locked.organisation, content,
                                for_submit=will_submit)
        _write_content(locked, content)
        audit.record("cfp.submission_edited", locked, actor=user,
                     summary=f"Submission {locked.code} edited")
        if submit and locked.state == SubmissionState.DRAFT:
            _submit_locked(locked, user)
    submission.refresh_from_db()
    return submission


def _missing_for_submit(submission: Submission) -> dict:
    missing = {name: [str(message)] for name, message in REQUIRED_TO_SUBMIT.items()
               if not getattr(submission, name)}
    if not submission.speaker_links.exists():
        missing["speakers"] = [_("Choose at least one speaker.")]
    return missing


def _submit_locked(submission: Submission, user) -> None:
    missing = _missing_for_submit(submission)
    if missing:
        raise ValidationError(missing)
    try:
        lifecycle.move(submission, SubmissionState.SUBMITTED, by=user)
    except IllegalTransition as exc:
        raise SubmissionError(str(exc)) from exc
    _email_submitted(submission)


def submit(submission: Submission, user) -> Submission:
    """Submit a complete draft before the deadline."""
    _require_author(user, submission)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.state != SubmissionState.DRAFT:
            raise SubmissionError(str(IllegalTransition(locked.state,
                                                        SubmissionState.SUBMITTED)))
        reason = edit_block_reason(locked)
        if reason:
            raise DeadlinePassed(reason)
        _submit_locked(locked, user)
    submission.refresh_from_db()
    return submission


def withdraw(submission: Submission, user, *, note: str = "") -> Submission:
    """An author or speaker withdraws the submission (at any time before a final state)."""
    _require_author(user, submission)
    note = _normalise_text(note, multiline=False)[:300]
    validate_single_line(note)
    with transaction.atomic():
        previous = Submission.objects.select_for_update().get(pk=submission.pk).state
        try:
            lifecycle.move(submission, SubmissionState.WITHDRAWN, by=user, note=note)
        except IllegalTransition as exc:
            raise SubmissionError(str(exc)) from exc
        if previous != SubmissionState.DRAFT:
            _email_withdrawn(submission, user, previous, note)
    return submission


def confirm(submission: Submission, user) -> Submission:
    """A speaker confirms an accepted talk: they will present it."""
    _require_author(user, submission)
    try:
        lifecycle.move(submission, SubmissionState.CONFIRMED, by=user)
    except IllegalTransition as exc:
        raise SubmissionError(str(exc)) from exc
    return submission


# E-mails ------------------------------------------------------------------------------------


def _authors(submission: Submission) -> list:
    """The author and the speakers who still receive e-mail, each once."""
    people = [link.user for link in submission.speaker_links.select_related("user")]
    if submission.created_by_id:
        people.insert(0, submission.created_by)
    seen, found = set(), []
    for person in people:
        if person.is_active and not person.anonymised_at and person.email not in seen:
            seen.add(person.email)
            found.append(person)
    return found


def _author_addresses(submission: Submission) -> list[str]:
    return [person.email for person in _authors(submission)]


def _by_language(people, event) -> dict[str, list]:
    """The people grouped by the language they are written to in, in a stable order."""
    groups: dict[str, list] = {}
    for person in people:
        groups.setdefault(language_for(person, event), []).append(person)
    return groups


def submission_url(submission: Submission) -> str:
    return settings.SITE_URL + reverse("cfp:edit", kwargs={"slug": submission.event.slug,
                                                           "code": submission.code})


def _email_submitted(submission: Submission) -> None:
    """One e-mail per language to the authors and speakers, each in the language they chose."""
    event = submission.event
    for people in _by_language(_authors(submission), event).values():
        with speaking_to(people[0], event):
            deadline = formats.date_format(
                timezone.localtime(submission.deadline(), event.tz), "j F Y, H:i")
            values = {"title": submission.title, "code": submission.code,
                      "event": event.title, "organisation": submission.organisation.name,
                      "deadline": deadline, "zone": event.time_zone,
                      "url": submission_url(submission)}
            body = _(
                "Hello,\n\nThe presentation “%(title)s” (reference %(code)s) was submitted to "
                "the call for presentations of %(event)s on behalf of %(organisation)s.\n\n"
                "You can still change it until %(deadline)s (%(zone)s), or withdraw it: "
                "%(url)s\n\nThe organisers will let you know their decision.\n") % values
            subject = _("%(event)s: submission received: %(title)s") % values
        queue_email(to=[person.email for person in people], subject=subject, body=body,
                    purpose="cfp_submitted", related=submission,
                    reply_to=[event.public_email] if event.public_email else None)


def _email_withdrawn(submission: Submission, user, previous: str, note: str) -> None:
    event = submission.event
    to = event.contact_recipients
    if not to:
        return
    desk_url = settings.SITE_URL + reverse("cfp_manage:detail", kwargs={
        "slug": event.slug, "code": submission.code})
    # To the organisers' shared addresses: in the event's default language.
    with speaking_to(None, event):
        values = {"title": submission.title, "code": submission.code,
                  "organisation": submission.organisation.name,
                  "person": user.full_name or user.email,
                  "state": SubmissionState(previous).label.lower(), "note": note,
                  "url": desk_url, "event": event.title}
        body = (_("The submission “%(title)s” (%(code)s) of %(organisation)s was withdrawn by "
                  "%(person)s.\nIt was “%(state)s”.\n") % values
                + (_("Reason given: %(note)s\n") % values if note else "")
                + "\n" + _("Details: %(url)s\n") % values)
        subject = _("%(event)s: submission withdrawn: %(title)s") % values
    queue_email(to=to, subject=subject, body=body, purpose="cfp_withdrawn",
                related=submission)


# Slides -------------------------------------------------------------------------------------


def may_download_slides(user, submission: Submission) -> bool:
    """Authors and speakers; organisers and assigned reviewers with a verified second factor."""
    if not user.is_authenticated:
        return False
    if is_author(user, submission):
        return True
    return bool(user.has_perm("cfp.see_submission", submission) and is_verified(user))


def _slides_block_reason(submission: Submission, now=None) -> str | None:
    now = now or clock.now()
    if submission.state in EDITABLE:
        return edit_block_reason(submission, now)
    if submission.state in SLIDES_STATES:
        event = submission.event
        end = dt.datetime.combine(event.end_date + dt.timedelta(days=1), dt.time(),
                                  tzinfo=event.tz)
        if now >= end:
            return _("The event is over: slides can no longer be changed.")
        return None
    return (_("This submission is “%(state)s”: slides can no longer be changed.")
            % {"state": submission.get_state_display().lower()})


def upload_slides(submission: Submission, user, uploaded) -> Submission:
    """Check and store the slides (replacing earlier ones). Authors until the deadline (for an
    accepted talk until the event ends); organisers at any time."""
    organiser = is_organiser(user, submission.event)
    if not organiser:
        _require_author(user, submission)
        reason = _slides_block_reason(submission)
        if reason:
            raise DeadlinePassed(reason)
    call = submission.event.call_settings
    data = uploads.check_pdf(uploaded, max_bytes=call.max_slides_mb * 1024 * 1024)
    storage = submission.slides.storage
    old_name = submission.slides.name
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        locked.slides.save("slides.pdf", ContentFile(data), save=False)
        new_name = locked.slides.name
        transaction.on_commit(lambda: old_name and storage.delete(old_name))
        try:
            Submission.objects.filter(pk=locked.pk).update(
                slides=new_name, slides_uploaded_at=clock.now(), updated_at=clock.now())
            audit.record("cfp.slides_uploaded", locked, actor=user,
                         summary=f"Slides for {locked.code} ({len(data)} bytes)")
        except Exception:
            storage.delete(new_name)
            raise
    submission.refresh_from_db()
    return submission


def remove_slides(submission: Submission, user) -> Submission:
    organiser = is_organiser(user, submission.event)
    if not organiser:
        _require_author(user, submission)
        reason = _slides_block_reason(submission)
        if reason:
            raise DeadlinePassed(reason)
    old_name = submission.slides.name
    if not old_name:
        return submission
    storage = submission.slides.storage
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(slides="", slides_uploaded_at=None)
        audit.record("cfp.slides_removed", submission, actor=user,
                     summary=f"Slides of {submission.code} removed")
        transaction.on_commit(lambda: storage.delete(old_name))
    submission.refresh_from_db()
    return submission


def open_slides(submission: Submission):
    """The stored slides opened for reading (a File), or None if there are none or the file is
    gone. The caller closes it (FileResponse does)."""
    if not submission.slides:
        return None
    try:
        return submission.slides.storage.open(submission.slides.name, "rb")
    except (FileNotFoundError, OSError):
        return None


def slides_download_name(submission: Submission) -> str:
    base = slugify(submission.title)[:60] or "slides"
    return f"{submission.code}-{base}.pdf"


# Speaker profiles ---------------------------------------------------------------------------


def profile_for(event, user) -> SpeakerProfile | None:
    if not user.is_authenticated:
        return None
    return SpeakerProfile.objects.filter(event=event, user=user).first()


def may_have_profile(event, user) -> bool:
    if not user.is_authenticated:
        return False
    return (active_registration(event, user) is not None
            or Speaker.objects.filter(user=user, submission__event=event).exists())


def save_profile(event, user, *, bio: str, photo=None, remove_photo: bool = False
                 ) -> SpeakerProfile:
    """The speaker's bio and photo for this event; the photo is re-encoded before storing."""
    if not may_have_profile(event, user):
        raise PermissionDenied(_("Only registered participants and speakers have a profile."))
    bio = _normalise_text(bio, multiline=True)
    errors = {}
    try:
        validate_multiline(bio)
    except ValidationError as exc:
        errors["bio"] = exc.messages
    if len(bio) > 2000:
        errors["bio"] = [_("At most %(limit)s characters (now %(count)s).")
                         % {"limit": 2000, "count": len(bio)}]
    jpeg = None
    if photo is not None:
        try:
            jpeg = uploads.process_photo(photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile, _created = SpeakerProfile.objects.select_for_update().get_or_create(
            event=event, user=user)
        storage = profile.photo.storage
        old_name = profile.photo.name
        profile.bio = bio
        if jpeg is not None:
            profile.photo.save("photo.jpg", ContentFile(jpeg), save=False)
        elif remove_photo:
            profile.photo = ""
        profile.save()
        if old_name and old_name != profile.photo.name:
            transaction.on_commit(lambda: storage.delete(old_name))
        audit.record("cfp.profile_saved", profile, actor=user,
                     summary="Speaker profile saved" + (" with a new photo" if jpeg else ""))
    return profile


def open_photo(profile: SpeakerProfile):
    """The speaker's re-encoded JPEG photo opened for reading, or None."""
    if not profile.photo:
        return None
    try:
        return profile.photo.storage.open(profile.photo.name, "rb")
    except (FileNotFoundError, OSError):
        return None


# Organisers ---------------------------------------------------------------------------------


CALL_FIELDS = ("opens_at", "closes_at", "introduction", "default_duration_minutes",
               "max_slides_mb", "reviews_per_submission", "review_closes_at")


def save_call_settings(event, user, values: dict) -> CallSettings:
    """Create or change the call's settings (``values``: CALL_FIELDS already typed)."""
    _require_organiser(user, event)
    with transaction.atomic():
        call = CallSettings.objects.select_for_update().filter(event=event).first()
        created = call is None
        call = call or CallSettings(event=event)
        for name in CALL_FIELDS:
            if name in values:
                setattr(call, name, values[name])
        if call.introduction:
            call.introduction = clean_multiline(call.introduction)
        call.full_clean()
        call.save()
        categories_for(event)
        audit.record("cfp.call_settings", call, actor=user,
                     summary="Call created" if created else "Call settings changed")
    return call


def _clean_category_name(event, name: str, *, exclude=None) -> tuple[str, str]:
    name = _normalise_text(name, multiline=False)
    validate_single_line(name)
    if not name:
        raise ValidationError(_("Give the category a name."))
    if len(name) > 120:
        raise ValidationError(_("At most 120 characters."))
    slug = slugify(name)[:80]
    if not slug:
        raise ValidationError(_("Use at least one letter or digit in the name."))
    clash = Category.objects.filter(event=event, slug=slug)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError(_("A category with this name already exists."))
    return name, slug


def add_category(event, user, name: str = "", **translations) -> Category:
    """``name`` in the active language, or ``name_en=``, ``name_fr=``… per language; the
    slug comes from the event's default language."""
    _require_organiser(user, event)
    names = {loc: translations.get(loc) or "" for loc in localized_names("name")}
    if not any(names.values()):
        names[f"name_{get_language()}"] = name
    main = f"name_{event.default_language}"
    if not names.get(main):
        main = next(loc for loc, value in names.items() if value) if any(names.values()) \
            else main
    for loc, value in names.items():
        if value and loc != main:
            names[loc] = _normalise_text(value, multiline=False)
            validate_single_line(names[loc])
    names[main], slug = _clean_category_name(event, names.get(main, ""))
    with transaction.atomic():
        last = Category.objects.filter(event=event).aggregate(m=Max("position"))["m"] or 0
        category = Category(event=event, slug=slug, position=last + 10)
        for loc, value in names.items():
            setattr(category, loc, value or None)
        category.save()
        audit.record("cfp.category_added", category, actor=user, summary=name)
    return category


def rename_category(category: Category, user, name: str) -> Category:
    _require_organiser(user, category.event)
    name, slug = _clean_category_name(category.event, name, exclude=category)
    with transaction.atomic():
        old = category.name
        category.name, category.slug = name, slug
        category.save(update_fields=["name", "slug"])
        audit.record("cfp.category_renamed", category, actor=user, summary=f"{old} → {name}")
    return category


def move_category(category: Category, user, direction: str) -> None:
    """Move one place "up" or "down" in the list."""
    _require_organiser(user, category.event)
    with transaction.atomic():
        ordered = list(Category.objects.select_for_update().filter(event=category.event))
        index = next(i for i, c in enumerate(ordered) if c.pk == category.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            if item.position != position * 10:
                item.position = position * 10
                item.save(update_fields=["position"])


def category_usage(category: Category) -> int:
    return (Submission.challenge_categories.through.objects.filter(category=category).count()
            + Submission.help_categories.through.objects.filter(category=category).count())


def delete_category(category: Category, user) -> None:
    _require_organiser(user, category.event)
    with transaction.atomic():
        used = category_usage(category)
        if used:
            raise SubmissionError(
                f"“{category.name}” is used by {used} answer{'s' if used != 1 else ''}; "
                f"rename it instead of removing it.")
        audit.record("cfp.category_removed", category, actor=user, summary=category.name)
        category.delete()


def extend_deadline(submission: Submission, user, until: dt.datetime | None) -> Submission:
    """Give one submission more time to be edited (None: back to the call's deadline)."""
    _require_organiser(user, submission.event)
    call = submission.event.call_settings
    if until is not None and until <= call.closes_at:
        raise ValidationError({"edit_deadline": _("An extension must end after the call "
                                                  "closes.")})
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(edit_deadline=until)
        submission.edit_deadline = until
        audit.record("cfp.deadline_extended", submission, actor=user,
                     summary=f"Edit deadline {until.isoformat() if until else 'removed'}")
    return submission


def set_duration(submission: Submission, user, minutes: int | None) -> Submission:
    _require_organiser(user, submission.event)
    if minutes is not None and not 5 <= minutes <= 240:
        raise ValidationError({"duration_minutes": _("Between 5 and 240 minutes.")})
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(duration_minutes=minutes)
        submission.duration_minutes = minutes
        audit.record("cfp.duration_set", submission, actor=user,
                     summary=f"Duration {minutes or 'default'}")
    return submission


def set_internal_notes(submission: Submission, user, notes: str) -> Submission:
    _require_organiser(user, submission.event)
    notes = _normalise_text(notes, multiline=True)
    validate_multiline(notes)
    if len(notes) > 10000:
        raise ValidationError({"internal_notes": _("At most 10,000 characters.")})
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(internal_notes=notes)
        submission.internal_notes = notes
        audit.record("cfp.notes_changed", submission, actor=user, summary="Internal notes")
    return submission
