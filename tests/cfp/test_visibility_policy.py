"""The answer-visibility policy (cfp/visibility.py) as a matrix: every viewer x every level x
every purpose. The expected readers are written out here, so a change of the policy has to
change this table too; a purpose added without a row fails."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fusionforum.cfp import review
from fusionforum.cfp.models import ReviewerConflict
from fusionforum.cfp.visibility import (
    ANSWER_KEYS,
    AUTHOR_CHOICES,
    WORDING,
    Purpose,
    Visibility,
    may_read,
    outcomes_status,
    staff_note,
    visible_answers,
    visible_answers_of,
)

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "anonymous_user", "participant", "colleague", "author", "speaker",
           "other_speaker", "assigned_reviewer", "conflicted_reviewer", "unassigned_reviewer",
           "organiser", "other_event_organiser", "platform_admin", "own_organisation",
           "other_organisation"]
EVERYONE = frozenset(VIEWERS)
ALL_LEVELS = frozenset(Visibility.values)

# purpose -> (who is a reader, which levels a reader reads)
EXPECTED = {
    # A platform administrator holds every permission, the author's too (as on the author's
    # pages).
    Purpose.AUTHOR: ({"author", "speaker", "platform_admin"}, ALL_LEVELS),
    Purpose.REVIEW: ({"assigned_reviewer", "organiser", "platform_admin"}, ALL_LEVELS),
    Purpose.ORGANISER_DESK: ({"organiser", "platform_admin"}, ALL_LEVELS),
    Purpose.OUTCOMES_EDITOR: ({"organiser", "platform_admin"}, ALL_LEVELS),
    # The organisation's own data: its delegates (colleagues included) and the organisation.
    Purpose.EXPERT_MATCHING: ({"author", "speaker", "colleague", "own_organisation"},
                              ALL_LEVELS),
    Purpose.RELEASE_SNAPSHOT: (EVERYONE, {"public"}),
    Purpose.OUTCOMES_COUNT: (EVERYONE, {"public", "aggregate"}),
    Purpose.OUTCOMES_QUOTE: (EVERYONE, {"public"}),
    Purpose.MACHINE_EXPORT: (EVERYONE, {"public"}),
}


@pytest.fixture
def world(event, call, organiser, make_submission, make_participant, make_reviewer,
          make_cfp_organisation, org_a, org_b, author, colleague, outsider, make_user,
          other_event_organiser):
    speaker = make_participant(org_a, email="speaker@test.invalid")
    other_speaker = make_participant(org_b, email="other.speaker@test.invalid")
    make_submission(author=other_speaker, state="submitted")
    by_level = {
        level: make_submission(author=author, speakers=[author, speaker], state="submitted",
                               breakthroughs=f"B {level}", breakthroughs_visibility=level,
                               challenges=f"C {level}", challenges_visibility=level,
                               iter_help=f"I {level}", iter_help_visibility=level)
        for level in Visibility.values
    }
    assigned, conflicted, unassigned = make_reviewer(), make_reviewer(), make_reviewer()
    for submission in by_level.values():
        review.assign(submission, assigned, by=organiser)
        review.assign(submission, conflicted, by=organiser)
    ReviewerConflict.objects.create(event=event, reviewer=conflicted, organisation=org_a)
    admin = make_user("admin@test.invalid", is_superuser=True, is_staff=True)
    viewers = {
        "anonymous": None, "anonymous_user": AnonymousUser(), "participant": outsider,
        "colleague": colleague, "author": author, "speaker": speaker,
        "other_speaker": other_speaker, "assigned_reviewer": assigned,
        "conflicted_reviewer": conflicted, "unassigned_reviewer": unassigned,
        "organiser": organiser, "other_event_organiser": other_event_organiser,
        "platform_admin": admin, "own_organisation": org_a, "other_organisation": org_b,
    }
    assert set(viewers) == EVERYONE
    return by_level, viewers


def test_every_purpose_has_a_row():
    assert set(EXPECTED) == set(Purpose)


@pytest.mark.parametrize("purpose", list(Purpose), ids=lambda p: p.value)
def test_matrix(world, purpose):
    by_level, viewers = world
    readers, levels = EXPECTED[purpose]
    wrong = []
    for name, viewer in viewers.items():
        for level, submission in by_level.items():
            expected = name in readers and level in levels
            for key in ANSWER_KEYS:
                if may_read(submission, key, viewer, purpose) != expected:
                    wrong.append((name, level, key, not expected))
            shown = visible_answers(submission, viewer, purpose)
            assert [a.question.key for a in shown] == (list(ANSWER_KEYS) if expected else []), \
                (name, level)
            for answer in shown:
                assert answer.text == f"{answer.question.key[0].upper()} {level}"
                assert answer.visibility == level
    assert not wrong, f"viewer, level, question, wrongly allowed: {wrong}"
    # The many-submissions form (exports) answers the same.
    for viewer in viewers.values():
        many = list(visible_answers_of(by_level.values(), viewer, purpose))
        assert many == [(s, visible_answers(s, viewer, purpose)) for s in by_level.values()]


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_outcomes_read_nothing_of_drafts_and_withdrawn_submissions(make_submission, author,
                                                                   organiser, state):
    submission = make_submission(author=author, state=state)
    for purpose in (Purpose.OUTCOMES_COUNT, Purpose.OUTCOMES_QUOTE):
        assert visible_answers(submission, None, purpose) == []
    # The organisers' editor still shows such an answer (as no longer counted).
    assert len(visible_answers(submission, organiser, Purpose.OUTCOMES_EDITOR)) == 3


def test_outcomes_read_no_empty_answer(make_submission, author):
    submission = make_submission(author=author, state="submitted", challenges="  ")
    keys = [a.question.key for a in visible_answers(submission, None, Purpose.OUTCOMES_COUNT)]
    assert keys == ["breakthroughs", "iter_help"]


def test_questions_narrow_the_answers(make_submission, author):
    submission = make_submission(author=author, state="submitted")
    shown = visible_answers(submission, author, Purpose.AUTHOR, questions=("iter_help",))
    assert [a.question.key for a in shown] == ["iter_help"]


def test_one_wording_for_each_level():
    """Choice labels, the author's choices, the reviewers' note and the outcomes editor all
    read the policy's words."""
    assert set(WORDING) == set(Visibility.values)
    for level in Visibility:
        assert level.label == WORDING[level.value].label
    assert [value for value, _ in AUTHOR_CHOICES] == list(Visibility.values)
    assert dict(AUTHOR_CHOICES)["confidential"] == WORDING["confidential"].author_choice
    note = str(staff_note())
    assert "<strong>confidential</strong> (organisers and reviewers only)" in note
    assert "Do not quote or pass them on." in note
    assert outcomes_status("confidential") == "confidential: not in the report"
    assert outcomes_status(None).startswith("no longer counted")


def test_the_author_form_and_the_model_offer_the_policys_choices():
    from fusionforum.cfp.forms import SubmissionForm
    from fusionforum.cfp.models import Submission

    field = Submission._meta.get_field("challenges_visibility")
    assert list(field.choices) == list(Visibility.choices)
    assert list(SubmissionForm.base_fields["challenges_visibility"].choices) == AUTHOR_CHOICES


def test_the_calls_emails_carry_no_answer():
    """No e-mail of the call may name an answer: one that does must take it from the policy
    (and this test must then check the purpose it uses)."""
    from fusionforum.cfp import emails

    answer_names = {*ANSWER_KEYS, *(f"{key}_visibility" for key in ANSWER_KEYS)}
    assert emails.KINDS
    for kind in emails.KINDS.values():
        assert not set(kind.placeholders) & answer_names, kind.key


def test_the_desk_export_takes_its_answers_from_the_policy(world, event):
    from fusionforum.cfp.models import Submission
    from fusionforum.cfp.views.manage import EXPORT_HEADER, export_rows

    by_level, viewers = world
    submissions = Submission.objects.filter(pk=by_level["confidential"].pk)
    q3, q3_level = EXPORT_HEADER.index("Q3 how ITER can help"), EXPORT_HEADER.index(
        "Q3 visibility")
    row = export_rows(event, submissions, viewers["organiser"])[0]
    assert (row[q3], row[q3_level]) == ("I confidential", WORDING["confidential"].label)
    # Anyone else who reached the export would get empty cells, not the answers.
    row = export_rows(event, submissions, viewers["assigned_reviewer"])[0]
    assert (row[q3], row[q3_level]) == ("", "")
