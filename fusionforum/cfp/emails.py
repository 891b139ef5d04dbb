"""The call's e-mails to speakers: the three decisions and the reminder to confirm.

Organisers may rewrite each one (``CfpEmailTemplate``). As for the registration e-mails, the
only syntax is ``{{ placeholder }}`` from a fixed allow-list per e-mail, filled by the plain
one-pass substitution of ``notifications.placeholders.fill``: a submission title such as
``{{ confirm_url }}`` is inserted as text and never expanded, and no template language or
``str.format`` runs over organiser text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fusionforum.core.languages import speaking_to
from fusionforum.notifications import placeholders

# Still importable from here, as other modules have done: the syntax lives in placeholders.
from fusionforum.notifications.placeholders import ANY_BRACES, PLACEHOLDER, fill  # noqa: F401
from fusionforum.notifications.services import queue_email

from .models import CfpEmailTemplate, Review, Submission

COMMON = ("first_name", "full_name", "event_title", "event_dates", "organisation",
          "submission_title", "submission_code", "speakers")


class EmailKind(placeholders.EmailKind):
    """An e-mail of the call: ``COMMON`` plus its ``extra`` placeholders."""

    common = COMMON


KINDS = placeholders.by_key(
    # The default texts are in the catalogue: an e-mail the organisers did not rewrite goes out
    # in the recipient's language.
    EmailKind(
        "accepted", gettext_lazy("Submission accepted"),
        gettext_lazy("{{ event_title }}: your presentation is accepted"),
        gettext_lazy(
            "Dear {{ first_name }},\n\nWe are glad to tell you that “{{ submission_title }}” "
            "({{ organisation }}) is accepted for {{ event_title }} ({{ event_dates }}). "
            "The talk is planned for {{ talk_duration }} minutes.\n\n"
            "Please confirm that you will present it: {{ confirm_url }}\n\n"
            "{{ reviewer_comments }}\n"
            "Speakers: {{ speakers }}\n"),
        ("confirm_url", "talk_duration", "reviewer_comments"),
    ),
    EmailKind(
        "waitlisted", gettext_lazy("Submission on the waiting list"),
        gettext_lazy("{{ event_title }}: your presentation is on the waiting list"),
        gettext_lazy(
            "Dear {{ first_name }},\n\nThank you for submitting “{{ submission_title }}” "
            "({{ organisation }}) to {{ event_title }}. The programme is full for now; your "
            "presentation is on the waiting list. If a place frees up we will write to you "
            "again.\n\n{{ reviewer_comments }}\n"),
        ("reviewer_comments",),
    ),
    EmailKind(
        "rejected", gettext_lazy("Submission not accepted"),
        gettext_lazy("{{ event_title }}: your presentation"),
        gettext_lazy(
            "Dear {{ first_name }},\n\nThank you for submitting “{{ submission_title }}” "
            "({{ organisation }}) to {{ event_title }}. We received many strong proposals and "
            "are sorry that we could not include yours in the programme.\n\n"
            "{{ reviewer_comments }}\nWe hope to see you at the workshop.\n"),
        ("reviewer_comments",),
    ),
    EmailKind(
        "confirm_reminder", gettext_lazy("Reminder: confirm your accepted talk"),
        gettext_lazy("{{ event_title }}: please confirm your presentation"),
        gettext_lazy(
            "Dear {{ first_name }},\n\n“{{ submission_title }}” is accepted for "
            "{{ event_title }} ({{ event_dates }}) but not confirmed yet. Please confirm that "
            "you will present it ({{ talk_duration }} minutes): {{ confirm_url }}\n"),
        ("confirm_url", "talk_duration"),
    ),
)

DECISION_KIND = {"accepted": "accepted", "rejected": "rejected", "waitlisted": "waitlisted"}


def validate_template(key: str, subject: str, body: str) -> None:
    """Refuse an unknown e-mail, unknown placeholders, other braces and a multi-line subject
    (``placeholders.validate_template``, the rules of the registration e-mails, over this
    e-mail's allow-list)."""
    placeholders.validate_template(placeholders.kind_for(KINDS, key), subject, body)


def template_for(event, key: str, language: str | None = None) -> tuple[str, str]:
    """(subject, body) for a reader of ``language`` (the active one if None): the organisers'
    version in that language, else theirs in the event's default language, else the default
    text in that language."""
    placeholders.kind_for(KINDS, key)
    return placeholders.texts_for(CfpEmailTemplate, event, KINDS, [key], language)[key]


def render(event, key: str, values: dict[str, str]) -> tuple[str, str]:
    subject, body = template_for(event, key)
    return preview(subject, body, values)


def preview(subject: str, body: str, values: dict[str, str]) -> tuple[str, str]:
    """Plain substitution, the subject on one line: exactly what is sent."""
    return placeholders.render(subject, body, values)


def confirm_url(submission: Submission) -> str:
    try:
        path = reverse("cfp:confirm", kwargs={"slug": submission.event.slug,
                                              "code": submission.code})
    except NoReverseMatch:  # the confirmation page lives in the call's URLs
        path = f"/{submission.event.slug}/call/{submission.code}/confirm/"
    return settings.SITE_URL + path


def _event_dates(event) -> str:
    return _("%(start)s to %(end)s") % {"start": formats.date_format(event.start_date, "j F"),
                                         "end": formats.date_format(event.end_date, "j F Y")}


def reviewer_comments(submission: Submission) -> str:
    """The reviewers' comments to the speakers, unsigned, as a block of text."""
    comments = [c.strip() for c in Review.objects.filter(
        submission=submission, submitted_at__isnull=False).exclude(comment_to_speaker="")
        .order_by("submitted_at", "id").values_list("comment_to_speaker", flat=True)
        if c.strip()]
    if not comments:
        return ""
    lines = [_("Comments from the reviewers:"), ""]
    for number, comment in enumerate(comments, start=1):
        lines.append(_("Reviewer %(number)s:") % {"number": number})
        lines.extend(f"  {line}" for line in comment.splitlines())
        lines.append("")
    return "\n".join(lines)


def placeholder_values(submission: Submission, speaker, *,
                       include_reviewer_comments: bool = False) -> dict[str, str]:
    event = submission.event
    full_name = speaker.full_name or speaker.email
    names = [u.full_name or u.email for u in
             submission.speakers.order_by("speaker_links__position", "speaker_links__id")]
    return {
        "first_name": full_name.split(" ")[0],
        "full_name": full_name,
        "event_title": event.title,
        "event_dates": _event_dates(event),
        "organisation": submission.organisation.name,
        "submission_title": submission.title,
        "submission_code": submission.code,
        "speakers": ", ".join(names),
        "confirm_url": confirm_url(submission),
        "talk_duration": str(submission.effective_duration()),
        "reviewer_comments": (reviewer_comments(submission)
                              if include_reviewer_comments else ""),
    }


def sample_values(event) -> dict[str, str]:
    """Fictional values for the organisers' preview (in the language of the page)."""
    return {
        "first_name": "Alex", "full_name": "Alex Example", "event_title": event.title,
        "event_dates": _event_dates(event),
        "organisation": _("Example Fusion Ltd (fictional)"),
        "submission_title": _("A synthetic path to a pilot plant"), "submission_code": "EXMPL2",
        "speakers": "Alex Example, Sam Sample",
        "confirm_url": f"{settings.SITE_URL}/{event.slug}/call/EXMPL2/confirm/",
        "talk_duration": "20",
        "reviewer_comments": "\n".join([
            _("Comments from the reviewers:"), "", _("Reviewer %(number)s:") % {"number": 1},
            "  " + _("Clear figures; please say more about the magnet test campaign."), ""]),
    }


def recipients(submission: Submission) -> list:
    people = list(submission.speakers.order_by("speaker_links__position", "speaker_links__id"))
    if not people and submission.created_by_id:
        people = [submission.created_by]
    # Deleted accounts keep a row but no longer receive anything.
    return [p for p in people if p.is_active and not getattr(p, "anonymised_at", None)]


def notify(submission: Submission, key: str, *, include_reviewer_comments: bool = False
           ) -> int:
    """Queue the e-mail ``key`` to each speaker (sent after the transaction commits), each in
    their own language, whoever took the decision in whichever language."""
    event = submission.event
    count = 0
    for person in recipients(submission):
        with speaking_to(person, event):
            subject, body = render(event, key, placeholder_values(
                submission, person, include_reviewer_comments=include_reviewer_comments))
        queue_email(to=[person.email], subject=subject, body=body,
                    reply_to=event.contact_recipients[:1], purpose=f"cfp-{key}",
                    related=submission)
        count += 1
    return count


def notify_decision(submission: Submission, decision: str, *,
                    include_reviewer_comments: bool = False) -> int:
    return notify(submission, DECISION_KIND[decision],
                  include_reviewer_comments=include_reviewer_comments)


def notify_reviewer_added(event, user) -> None:
    """Fixed text (no organiser template): tell a new reviewer where to go."""
    url = settings.SITE_URL + reverse("review:home", kwargs={"slug": event.slug})
    with speaking_to(user, event):
        values = {"event": event.title, "url": url,
                  "first_name": (user.full_name or user.email).split(" ")[0]}
        subject = _("%(event)s: you are a reviewer of the call") % values
        body = _("Dear %(first_name)s,\n\n"
                 "The organisers of %(event)s added you to the team reviewing the call for "
                 "presentations. Your submissions to review: %(url)s\n\n"
                 "Reviewers need a second factor: on your first login you set up an "
                 "authenticator app. Before reviewing, declare the organisations you must not "
                 "review (conflicts of interest) on the same page.\n") % values
    queue_email(to=[user.email], subject=subject, body=body,
                reply_to=event.contact_recipients[:1], purpose="cfp-reviewer-added", related=user)


# The organisers' editor ----------------------------------------------------------------------


def _require_organiser(user, event) -> None:
    if user is None or not user.has_perm("cfp.manage_call", event):
        raise PermissionDenied(_("Only the event's organisers edit its e-mails."))


@transaction.atomic
def save_template(event, key: str, *, subject: str, body: str, by,
                  language: str | None = None) -> CfpEmailTemplate:
    """Store the organisers' version of one e-mail in ``language`` (by default the event's);
    ValidationError (nothing stored) for unknown placeholders, template code or a multi-line
    subject."""
    _require_organiser(by, event)
    kind = placeholders.kind_for(KINDS, key)
    return placeholders.save_custom(CfpEmailTemplate, event, kind, subject=subject, body=body,
                                    by=by, audit_prefix="cfp", language=language)


@transaction.atomic
def reset_template(event, key: str, *, by, language: str | None = None) -> bool:
    """Back to the default text in ``language`` (by default the event's); True if there was an
    organisers' version."""
    _require_organiser(by, event)
    placeholders.kind_for(KINDS, key)
    return placeholders.reset_custom(CfpEmailTemplate, event, key, by=by, audit_prefix="cfp",
                                     language=language)
