"""Who may read which answer of a submission: the product's promise to the companies, in one
place.

Each of the three answers carries a level chosen by its authors (``Visibility``): public,
aggregate only, confidential. Whether a person may read an answer depends on the level, on who
they are and on what the text is for (``Purpose``): the same organiser reads a confidential
answer on the call's desk but never in the programme release they publish. Every page, export,
snapshot and the outcomes report asks ``visible_answers`` (or ``may_read`` for one answer);
no other module compares the levels (``tests/cfp/test_visibility_source.py`` checks the
source). The wording of each level, wherever a person reads it, is here too (``WORDING``).

The call's e-mails carry no answer (their placeholders are titles, names and links); one that
ever does must take its text from here.

Who reads what (``may_read``):

=================  ===============================================  ========================
purpose            reader                                           levels
=================  ===============================================  ========================
AUTHOR             the submission's author and speakers (and        every level
                   platform administrators: they hold every
                   permission)
REVIEW             assigned reviewers without a conflict; the       every level
                   event's organisers and platform administrators
ORGANISER_DESK     the event's organisers, platform administrators  every level
OUTCOMES_EDITOR    the event's organisers, platform administrators  every level
EXPERT_MATCHING    the submitting organisation (its own data)       every level
RELEASE_SNAPSHOT   anyone (what a programme release publishes)      public
OUTCOMES_COUNT     anyone (figures, themes, key terms)              public, aggregate (*)
OUTCOMES_QUOTE     anyone (quotes in the report)                    public (*)
MACHINE_EXPORT     whoever the caller lets in (the REST API asks    public
                   its own permission; webhook payloads go to the
                   event's organisers' endpoints): what leaves the
                   platform to other systems
=================  ===============================================  ========================

(*) Only answers that count: the submission was sent to the call and not withdrawn
(``COUNTED_STATES``) and the answer is not empty. Anyone else reads nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.events.questions import WORKSHOP_QUESTIONS, WorkshopQuestion

from .states import SubmissionState

# The three answers by field name, in the order of the questions.
ANSWER_KEYS = tuple(q.key for q in WORKSHOP_QUESTIONS)


@dataclass(frozen=True)
class Wording:
    """How a level reads to people, in each place they meet it."""

    name: str          # inside a sentence: "aggregate only"
    label: str         # beside an answer (the choice label: desk, review, exports, back office)
    author_choice: str  # the author's radio button: what choosing it means
    readers: str       # who reads it, for the reviewers' note
    in_outcomes: str   # the outcomes editor: what the report does with such an answer


WORDING = {
    "public": Wording(
        name=pgettext_lazy("visibility level", "public"),
        label=_("Public: may be shown and quoted"),
        author_choice=_("Public: may appear on the programme and be quoted in the outcomes "
                        "report, with your organisation's name."),
        readers=_("anyone"),
        in_outcomes=pgettext_lazy("visibility level", "public"),
    ),
    "aggregate": Wording(
        name=pgettext_lazy("visibility level", "aggregate only"),
        label=_("Aggregate only: counted in the outcomes, never quoted"),
        author_choice=_("Aggregate only: never shown or quoted; only counted in the outcomes "
                        "report together with other answers (e.g. “9 companies name "
                        "magnets”)."),
        readers=_("counted in the outcomes, never quoted"),
        in_outcomes=_("aggregate only: counted, never quoted"),
    ),
    "confidential": Wording(
        name=pgettext_lazy("visibility level", "confidential"),
        label=_("Confidential: organisers and reviewers only"),
        author_choice=_("Confidential: read only by the organisers and the reviewers of the "
                        "call; never published, not even as a count."),
        readers=_("organisers and reviewers only"),
        in_outcomes=_("confidential: not in the report"),
    ),
}
# The outcomes editor's words for an answer that no longer counts at all.
NOT_COUNTED_IN_OUTCOMES = _("no longer counted (withdrawn or empty): not in the report")


class Visibility(models.TextChoices):
    """The level an answer's authors chose (stored in ``<question>_visibility``)."""

    PUBLIC = "public", WORDING["public"].label
    AGGREGATE = "aggregate", WORDING["aggregate"].label
    CONFIDENTIAL = "confidential", WORDING["confidential"].label


# The level a new answer starts at (the authors change it on their form).
DEFAULT = Visibility.PUBLIC
# What the author's form offers, in the order of the levels.
AUTHOR_CHOICES = [(level.value, WORDING[level.value].author_choice) for level in Visibility]

# Submissions whose answers the outcomes report counts: sent to the call (not drafts) and
# not withdrawn.
COUNTED_STATES = (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED,
                  SubmissionState.REJECTED, SubmissionState.WAITLISTED,
                  SubmissionState.CONFIRMED)


class Purpose(enum.Enum):
    """What an answer's text is read for; see the table in the module's docstring."""

    AUTHOR = "author"
    REVIEW = "review"
    ORGANISER_DESK = "organiser_desk"
    OUTCOMES_EDITOR = "outcomes_editor"
    EXPERT_MATCHING = "expert_matching"
    RELEASE_SNAPSHOT = "release_snapshot"
    OUTCOMES_COUNT = "outcomes_count"
    OUTCOMES_QUOTE = "outcomes_quote"
    MACHINE_EXPORT = "machine_export"


# The levels each purpose may show to a reader it admits.
EVERY_LEVEL = frozenset(Visibility.values)
LEVELS = {
    Purpose.AUTHOR: EVERY_LEVEL,
    Purpose.REVIEW: EVERY_LEVEL,
    Purpose.ORGANISER_DESK: EVERY_LEVEL,
    Purpose.OUTCOMES_EDITOR: EVERY_LEVEL,
    Purpose.EXPERT_MATCHING: EVERY_LEVEL,
    Purpose.RELEASE_SNAPSHOT: frozenset({Visibility.PUBLIC}),
    Purpose.OUTCOMES_COUNT: frozenset({Visibility.PUBLIC, Visibility.AGGREGATE}),
    Purpose.OUTCOMES_QUOTE: frozenset({Visibility.PUBLIC}),
    Purpose.MACHINE_EXPORT: frozenset({Visibility.PUBLIC}),
}
# Purposes that read only answers the outcomes count (sent, not withdrawn, not empty).
OUTCOMES_PURPOSES = frozenset({Purpose.OUTCOMES_COUNT, Purpose.OUTCOMES_QUOTE})


@dataclass(frozen=True)
class VisibleAnswer:
    """One answer a reader may read: its question, text and level."""

    question: WorkshopQuestion
    text: str
    visibility: str

    @property
    def visibility_label(self) -> str:
        return WORDING[self.visibility].label


def level_of(submission, question: str) -> str:
    """The level the authors chose for the answer to ``question`` (a key of ANSWER_KEYS)."""
    return getattr(submission, f"{question}_visibility")


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _admits(submission, viewer, purpose: Purpose) -> bool:
    """Whether ``viewer`` is a reader of ``submission`` for ``purpose`` at all. Permissions are
    asked by name (``cfp/rules.py``, ``events/rules.py``)."""
    if purpose in (Purpose.RELEASE_SNAPSHOT, Purpose.OUTCOMES_COUNT, Purpose.OUTCOMES_QUOTE,
                   Purpose.MACHINE_EXPORT):
        return True
    if purpose is Purpose.EXPERT_MATCHING:
        if isinstance(viewer, Organisation):
            organisation_id = viewer.pk
        else:
            organisation_id = getattr(viewer, "organisation_id", None) if _signed_in(viewer) \
                else None
        return organisation_id is not None and organisation_id == submission.organisation_id
    if not _signed_in(viewer):
        return False
    if purpose is Purpose.AUTHOR:
        return viewer.has_perm("cfp.edit_own_submission", submission)
    if purpose is Purpose.REVIEW:
        return (viewer.has_perm("cfp.review_submission", submission)
                or viewer.has_perm("cfp.manage_call", submission.event))
    # ORGANISER_DESK, OUTCOMES_EDITOR
    return viewer.has_perm("cfp.manage_call", submission.event)


def counts_in_outcomes(submission, question: str) -> bool:
    """The answer is part of the outcomes' material at all: the submission was sent and not
    withdrawn, and the answer is not empty (its level decides the rest)."""
    return (submission.state in COUNTED_STATES
            and bool((getattr(submission, question) or "").strip()))


def _shown_for(submission, question: str, purpose: Purpose) -> bool:
    """Whether the answer may serve ``purpose`` at all, whoever reads it."""
    if purpose in OUTCOMES_PURPOSES and not counts_in_outcomes(submission, question):
        return False
    return level_of(submission, question) in LEVELS[purpose]


def may_read(submission, question: str, viewer, purpose: Purpose) -> bool:
    """Whether ``viewer`` (a user, None or an anonymous user for the public; an Organisation
    for EXPERT_MATCHING) may read the answer to ``question`` for ``purpose``."""
    return (_shown_for(submission, question, purpose)
            and _admits(submission, viewer, purpose))


def visible_answers(submission, viewer, purpose: Purpose,
                    questions=ANSWER_KEYS) -> list[VisibleAnswer]:
    """The answers (question, text, level) ``viewer`` may read for ``purpose``, in the order of
    the questions; ``questions`` narrows them to some question keys."""
    if not _admits(submission, viewer, purpose):
        return []
    return _answers(submission, purpose, questions)


def _answers(submission, purpose: Purpose, questions) -> list[VisibleAnswer]:
    return [VisibleAnswer(question, getattr(submission, question.key) or "",
                          level_of(submission, question.key))
            for question in WORKSHOP_QUESTIONS
            if question.key in questions and _shown_for(submission, question.key, purpose)]


# Purposes whose readers depend on the event alone (its organisers), not on the submission.
EVENT_PURPOSES = frozenset({Purpose.ORGANISER_DESK, Purpose.OUTCOMES_EDITOR})


def visible_answers_of(submissions, viewer, purpose: Purpose, questions=ANSWER_KEYS):
    """``(submission, visible_answers(submission, viewer, purpose))`` for many submissions (an
    export); where the readers depend on the event alone, the viewer is asked once per
    event instead of once per submission."""
    admitted: dict[int, bool] = {}
    for submission in submissions:
        if purpose in EVENT_PURPOSES:
            if submission.event_id not in admitted:
                admitted[submission.event_id] = _admits(submission, viewer, purpose)
            reader = admitted[submission.event_id]
        else:
            reader = _admits(submission, viewer, purpose)
        yield submission, (_answers(submission, purpose, questions) if reader else [])


def outcomes_level(submission, question: str) -> str | None:
    """For the organisers' outcomes editor: the level of an answer that counts in the
    outcomes, or None when it no longer counts at all (withdrawn, draft, emptied)."""
    return level_of(submission, question) if counts_in_outcomes(submission, question) else None


def recorded_level(submission, question: str) -> str:
    """The level a theme's source records: its level now, or confidential when it no longer
    counts (shown to the organisers, never part of a fit, a count or a key term)."""
    return outcomes_level(submission, question) or Visibility.CONFIDENTIAL


def level_name(level: str) -> str:
    """A level's name inside a sentence ("aggregate only"), in the active language."""
    return WORDING[level].name


def outcomes_status(level: str | None) -> str:
    """The outcomes editor's words for an answer at ``level`` (None: no longer counted)."""
    return NOT_COUNTED_IN_OUTCOMES if level is None else WORDING[level].in_outcomes


def staff_note():
    """The note above a submission shown in full to reviewers and organisers."""
    aggregate, confidential = WORDING["aggregate"], WORDING["confidential"]
    return format_html(
        gettext("You see every answer, including those marked <strong>{}</strong> ({}) and "
                "<strong>{}</strong> ({}). Do not quote or pass them on."),
        confidential.name, confidential.readers, aggregate.name, aggregate.readers)
