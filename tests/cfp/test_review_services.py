"""Review services: score categories and weighted scores, balanced assignment and conflicts,
reviews and who sees them, ranking."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.cfp import review
from fusionforum.cfp.models import (
    Review,
    ReviewAssignment,
    ReviewerConflict,
    ReviewScore,
    ScoreCategory,
)
from fusionforum.events.models import TeamMembership

pytestmark = pytest.mark.django_db


def full_scores(event, value=None, **by_name):
    scores = {}
    for category in review.score_categories(event):
        scores[category.pk] = by_name.get(category.name, category.max_score if value is None
                                          else value)
    return scores


# Score categories and weighted score -----------------------------------------------------------


def test_default_score_categories_are_installed_once(event, call):
    first = review.score_categories(event)
    assert [c.name for c in first] == [d[0] for d in review.DEFAULT_SCORE_CATEGORIES]
    assert sum(c.weight for c in first) == Decimal(9)
    assert review.install_default_score_categories(event) == first
    assert ScoreCategory.objects.filter(event=event).count() == 4


def test_an_event_with_its_own_categories_keeps_them(event, call):
    ScoreCategory.objects.create(event=event, name="Only one", weight=1, max_score=10)
    assert [c.name for c in review.score_categories(event)] == ["Only one"]


def test_weighted_score_is_a_weighted_mean_of_shares_on_0_to_100(event):
    a = ScoreCategory.objects.create(event=event, name="A", weight=3, max_score=5)
    b = ScoreCategory.objects.create(event=event, name="B", weight=1, max_score=10)
    assert review.weighted_score({a.pk: 5, b.pk: 10}, [a, b]) == Decimal("100.000")
    assert review.weighted_score({a.pk: 0, b.pk: 0}, [a, b]) == Decimal("0.000")
    # 3 * 4/5 + 1 * 5/10 = 2.9 of 4 -> 72.5
    assert review.weighted_score({a.pk: 4, b.pk: 5}, [a, b]) == Decimal("72.500")
    assert review.weighted_score({}, [a, b]) is None
    zero_a = ScoreCategory(pk=a.pk, name="A", weight=0, max_score=5)
    zero_b = ScoreCategory(pk=b.pk, name="B", weight=0, max_score=10)
    # All weights 0: the categories count equally.
    assert review.weighted_score({a.pk: 5, b.pk: 0}, [zero_a, zero_b]) == Decimal("50.000")


def test_changing_a_weight_recomputes_submitted_reviews(event, call, organiser,
                                                         make_submission, make_reviewer, org_b):
    reviewer = make_reviewer()
    submission = make_submission(state="submitted")
    review.assign(submission, reviewer, by=organiser)
    categories = review.score_categories(event)
    scores = {c.pk: 0 for c in categories}
    scores[categories[0].pk] = 5
    saved = review.save_review(submission, reviewer, scores=scores, submit=True)
    assert saved.weighted_score == Decimal("33.333")  # weight 3 of 9
    first = categories[0]
    review.save_score_category(event, by=organiser, category=first, name=first.name,
                               description="", weight=Decimal(6), max_score=5, position=0)
    saved.refresh_from_db()
    assert saved.weighted_score == Decimal("50.000")  # 6 of 12
    with pytest.raises(ValidationError) as caught:
        review.save_score_category(event, by=organiser, category=first, name=first.name,
                                   description="", weight=Decimal(6), max_score=4, position=0)
    assert "already gives 5" in str(caught.value)
    with pytest.raises(review.ReviewError, match="weight to 0"):
        review.delete_score_category(first, by=organiser)


# Assignment ------------------------------------------------------------------------------------


@pytest.fixture
def team(make_reviewer, make_cfp_organisation):
    def build(n, **kwargs):
        return [make_reviewer(**kwargs) for _ in range(n)]
    return build


def loads(event):
    counts = {}
    for a in ReviewAssignment.objects.filter(submission__event=event):
        counts[a.reviewer_id] = counts.get(a.reviewer_id, 0) + 1
    return counts


def test_auto_assign_balances_and_respects_conflicts(event, call, organiser, make_submission,
                                                     team, org_a, org_b, author, outsider):
    reviewers = team(4)
    reviewers[0].organisation = org_a  # same organisation as the author's submissions
    reviewers[0].save()
    ReviewerConflict.objects.create(event=event, reviewer=reviewers[1], organisation=org_b)
    subs = [make_submission(author=author, state="submitted") for _ in range(3)]
    subs += [make_submission(author=outsider, state="submitted") for _ in range(3)]
    make_submission(author=outsider, state="draft")  # never reviewed
    report = review.auto_assign(event, by=organiser)
    assert not report.short
    assert len(report.created) == 12
    for submission in subs:
        assigned = list(ReviewAssignment.objects.filter(submission=submission))
        assert len(assigned) == 2
        for a in assigned:
            assert a.automatic
            assert not review.conflict_reason(a.reviewer, submission)
    counts = loads(event)
    assert max(counts.values()) - min(counts.values()) <= 1
    # Running again changes nothing.
    again = review.auto_assign(event, by=organiser)
    assert again.created == [] and not again.short


def test_auto_assign_keeps_existing_and_reports_shortfalls(event, call, organiser,
                                                            make_submission, team, author,
                                                            org_a):
    reviewers = team(2)
    ReviewerConflict.objects.create(event=event, reviewer=reviewers[1], organisation=org_a)
    submission = make_submission(author=author, state="submitted")
    review.assign(submission, reviewers[0], by=organiser)
    report = review.auto_assign(event, by=organiser)
    assert report.created == []
    assert [(s.submission, s.has, s.needed) for s in report.short] == [(submission, 1, 2)]
    assert ReviewAssignment.objects.get(submission=submission).automatic is False


def test_auto_assign_is_deterministic(event, call, organiser, make_submission, team):
    team(5)
    subs = [make_submission(state="submitted") for _ in range(7)]
    review.auto_assign(event, by=organiser)
    first = sorted(ReviewAssignment.objects.values_list("submission_id", "reviewer_id"))
    ReviewAssignment.objects.all().delete()
    review.auto_assign(event, by=organiser)
    assert sorted(ReviewAssignment.objects.values_list("submission_id", "reviewer_id")) == first
    assert len(first) == 2 * len(subs)


def test_auto_assign_is_for_organisers_only(event, call, make_reviewer, other_event_organiser):
    with pytest.raises(PermissionDenied):
        review.auto_assign(event, by=make_reviewer())
    with pytest.raises(PermissionDenied):
        review.auto_assign(event, by=other_event_organiser)


def test_assigning_by_hand_refuses_conflicts_with_a_reason(event, call, organiser,
                                                           make_submission, make_reviewer,
                                                           author, org_a, org_b):
    submission = make_submission(author=author, state="submitted")
    colleague_reviewer = make_reviewer(organisation=org_a, full_name="Rita Samecompany")
    declared = make_reviewer(full_name="Dev Declared")
    ReviewerConflict.objects.create(event=event, reviewer=declared, organisation=org_a)
    with pytest.raises(review.ReviewError, match="belongs to Fictional Helix Fusion"):
        review.assign(submission, colleague_reviewer, by=organiser)
    with pytest.raises(review.ReviewError, match="declared a conflict"):
        review.assign(submission, declared, by=organiser)
    draft = make_submission(author=author)
    fine = make_reviewer()
    with pytest.raises(review.ReviewError, match="draft"):
        review.assign(draft, fine, by=organiser)
    review.assign(submission, fine, by=organiser)
    with pytest.raises(review.ReviewError, match="already reviews"):
        review.assign(submission, fine, by=organiser)
    assert ReviewAssignment.objects.count() == 1
    assert [r.pk for r in review.eligible_reviewers(submission)] == [fine.pk]


def test_declaring_a_conflict_takes_back_open_assignments(event, call, organiser,
                                                          make_submission, make_reviewer,
                                                          author, org_a):
    reviewer = make_reviewer()
    open_one = make_submission(author=author, state="submitted")
    done_one = make_submission(author=author, state="submitted")
    review.assign(open_one, reviewer, by=organiser)
    review.assign(done_one, reviewer, by=organiser)
    review.save_review(done_one, reviewer, scores=full_scores(event), submit=True)
    review.save_review(open_one, reviewer, scores={}, submit=False)
    _, removed = review.declare_conflict(event, reviewer, org_a, reason="Former employer")
    assert removed == 1
    assert not ReviewAssignment.objects.filter(submission=open_one).exists()
    assert not Review.objects.filter(submission=open_one).exists()
    # The submitted review stays, but the reviewer no longer reaches the submission.
    assert Review.objects.filter(submission=done_one, submitted_at__isnull=False).exists()
    assert not review.may_review(reviewer, done_one)
    with pytest.raises(review.ReviewError, match="already declared"):
        review.declare_conflict(event, reviewer, org_a)


def test_removing_a_reviewer_keeps_submitted_reviews(event, call, organiser, make_submission,
                                                     make_reviewer):
    reviewer = make_reviewer()
    a, b = make_submission(state="submitted"), make_submission(state="submitted")
    review.assign(a, reviewer, by=organiser)
    review.assign(b, reviewer, by=organiser)
    review.save_review(a, reviewer, scores=full_scores(event), submit=True)
    assert review.remove_reviewer(event, reviewer, by=organiser) == 1
    assert not TeamMembership.objects.filter(user=reviewer).exists()
    assert Review.objects.filter(submission=a).count() == 1
    assert not ReviewAssignment.objects.filter(submission=b).exists()


def test_adding_a_reviewer_by_e_mail(event, call, organiser, make_user,
                                     django_capture_on_commit_callbacks):
    from fusionforum.notifications.models import OutboundEmail

    person = make_user("Future.Reviewer@test.invalid", full_name="Fay Future")
    with django_capture_on_commit_callbacks(execute=False):
        assert review.add_reviewer(event, "future.reviewer@TEST.invalid", by=organiser) == person
    assert TeamMembership.objects.filter(user=person, role="reviewer", event=event).exists()
    email = OutboundEmail.objects.get(purpose="cfp-reviewer-added")
    assert email.to == [person.email] and f"/review/{event.slug}/" in email.body
    with pytest.raises(review.ReviewError, match="already a reviewer"):
        review.add_reviewer(event, person.email, by=organiser)
    with pytest.raises(review.ReviewError, match="no account"):
        review.add_reviewer(event, "nobody@test.invalid", by=organiser)


# The balance property, over random conflict sets ---------------------------------------------


def _reachable_improvement(pairs, reviewers, forbidden, existing, load):
    """Is there a chain of moves of new assignments from a reviewer to one with a load at least
    2 lower? Then the loads were not as even as the conflicts allow."""
    assigned = set(pairs) | set(existing)
    new_by_reviewer = {}
    for s, r in pairs:
        new_by_reviewer.setdefault(r, []).append(s)
    edges = {r: set() for r in reviewers}
    for r, subs in new_by_reviewer.items():
        for s in subs:
            for other in reviewers:
                if other != r and (s, other) not in forbidden and (s, other) not in assigned:
                    edges[r].add(other)
    for start in reviewers:
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for nxt in edges[node]:
                if nxt not in seen:
                    if load[start] - load[nxt] >= 2:
                        return True
                    seen.add(nxt)
                    stack.append(nxt)
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_subs=st.integers(min_value=0, max_value=14),
    n_revs=st.integers(min_value=1, max_value=7),
    per=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_balance_property(n_subs, n_revs, per, data):
    subs = list(range(100, 100 + n_subs))
    revs = list(range(1, 1 + n_revs))
    all_pairs = [(s, r) for s in subs for r in revs]
    forbidden = set(data.draw(st.lists(st.sampled_from(all_pairs), unique=True)
                              if all_pairs else st.just([])))
    allowed_pairs = [p for p in all_pairs if p not in forbidden]
    existing = set(data.draw(st.lists(st.sampled_from(allowed_pairs), unique=True, max_size=6)
                             if allowed_pairs else st.just([])))
    base = {r: sum(1 for _, x in existing if x == r) for r in revs}
    pairs = review.balance(subs, revs, per_submission=per, existing=existing,
                           forbidden=forbidden, base_load=base)
    assert pairs == review.balance(subs, revs, per_submission=per, existing=existing,
                                   forbidden=forbidden, base_load=base)  # deterministic
    assert len(set(pairs)) == len(pairs)
    assert not set(pairs) & forbidden and not set(pairs) & existing
    for s in subs:
        eligible = sum(1 for r in revs if (s, r) not in forbidden)
        have = sum(1 for p in existing if p[0] == s)
        total = have + sum(1 for p in pairs if p[0] == s)
        assert total == max(have, min(per, eligible))
    load = dict(base)
    for _, r in pairs:
        load[r] += 1
    assert not _reachable_improvement(pairs, revs, forbidden, existing, load)
    if not forbidden and not existing and n_revs >= per:
        assert max(load.values()) - min(load.values()) <= 1


# Reviews and their visibility ------------------------------------------------------------------


@pytest.fixture
def assigned(event, call, organiser, make_submission, make_reviewer, author):
    submission = make_submission(author=author, state="submitted")
    first, second, third = make_reviewer(), make_reviewer(), make_reviewer()
    for person in (first, second):
        review.assign(submission, person, by=organiser)
    return submission, first, second, third


def test_draft_then_submit_computes_the_weighted_score(event, assigned, clock):
    submission, first, *_ = assigned
    categories = review.score_categories(event)
    draft = review.save_review(submission, first, scores={categories[0].pk: 3},
                               comment_to_organisers="Half done")
    assert draft.submitted_at is None and draft.weighted_score is None
    with pytest.raises(ValidationError) as caught:
        review.save_review(submission, first, scores={categories[0].pk: 3}, submit=True)
    assert set(caught.value.message_dict) == {f"score_{c.pk}" for c in categories[1:]}
    saved = review.save_review(submission, first, scores=full_scores(event, 4), submit=True)
    assert saved.submitted_at == clock.now()
    assert saved.weighted_score == Decimal("80.000")
    assert ReviewScore.objects.filter(review=saved).count() == 4
    # Changing a submitted review keeps it submitted (a "draft" save cannot un-submit it).
    changed = review.save_review(submission, first, scores=full_scores(event, 5), submit=False)
    assert changed.submitted_at == saved.submitted_at and changed.weighted_score == 100


@pytest.mark.parametrize("bad", [-1, 6, "4", None, True, 2.5])
def test_bad_scores_write_nothing(event, assigned, bad):
    submission, first, *_ = assigned
    scores = full_scores(event, 3)
    key = next(iter(scores))
    scores[key] = bad
    with pytest.raises(ValidationError) as caught:
        review.save_review(submission, first, scores=scores, submit=True)
    assert f"score_{key}" in caught.value.message_dict
    assert not Review.objects.exists() and not ReviewScore.objects.exists()


@pytest.mark.parametrize("field,text", [("comment_to_organisers", "bad\x00null"),
                                        ("comment_to_speaker", "x" * 5001),
                                        ("comment_to_speaker", "evil\u202eoverride")])
def test_bad_comments_write_nothing(event, assigned, field, text):
    submission, first, *_ = assigned
    with pytest.raises(ValidationError) as caught:
        review.save_review(submission, first, scores=full_scores(event), submit=True,
                           **{field: text})
    assert field in caught.value.message_dict
    assert not Review.objects.exists()


def test_reviews_close_at_the_review_deadline(event, assigned, clock, call):
    submission, first, *_ = assigned
    review.save_review(submission, first, scores=full_scores(event), submit=True)
    call.review_closes_at = clock.now()
    call.save()
    with pytest.raises(review.ReviewError, match="closed"):
        review.save_review(submission, first, scores=full_scores(event, 1), submit=True)
    assert Review.objects.get().weighted_score == 100


def test_unassigned_or_conflicted_reviewer_cannot_review(event, assigned, org_a):
    submission, first, _, third = assigned
    with pytest.raises(PermissionDenied):
        review.save_review(submission, third, scores=full_scores(event), submit=True)
    ReviewerConflict.objects.create(event=event, reviewer=first, organisation=org_a)
    with pytest.raises(PermissionDenied):
        review.save_review(submission, first, scores=full_scores(event), submit=True)
    assert not Review.objects.exists()


def test_other_reviews_only_after_submitting_ones_own(event, assigned, organiser):
    submission, first, second, third = assigned
    review.save_review(submission, second, scores=full_scores(event, 2), submit=True,
                       comment_to_organisers="Second's view")
    with pytest.raises(review.ReviewsHidden):
        review.other_reviews(submission, first)
    review.save_review(submission, first, scores={}, comment_to_organisers="draft")
    with pytest.raises(review.ReviewsHidden):  # a draft is not enough
        review.other_reviews(submission, first)
    review.save_review(submission, first, scores=full_scores(event, 4), submit=True)
    assert [r.reviewer for r in review.other_reviews(submission, first)] == [second]
    assert [r.reviewer for r in review.other_reviews(submission, second)] == [first]
    with pytest.raises(PermissionDenied):
        review.other_reviews(submission, third)  # not assigned
    assert len(review.other_reviews(submission, organiser)) == 2


def test_ranking_spread_and_missing_reviews(event, call, organiser, make_submission,
                                            make_reviewer):
    r1, r2, r3 = make_reviewer(), make_reviewer(), make_reviewer()
    agreed = make_submission(state="submitted", title="Agreed")
    split = make_submission(state="submitted", title="Split")
    untouched = make_submission(state="submitted", title="Untouched")
    for s in (agreed, split, untouched):
        review.assign(s, r1, by=organiser)
        review.assign(s, r2, by=organiser)
    review.save_review(agreed, r1, scores=full_scores(event, 4), submit=True)
    review.save_review(agreed, r2, scores=full_scores(event, 4), submit=True)
    review.save_review(split, r1, scores=full_scores(event, 5), submit=True)
    review.save_review(split, r2, scores=full_scores(event, 0), submit=True)
    rows = review.ranking(event)
    assert [r.submission for r in rows] == [agreed, split, untouched]
    assert rows[0].mean == Decimal("80.0") and not rows[0].disagreement
    assert rows[1].mean == Decimal("50.0") and rows[1].stdev == Decimal("50.0")
    assert rows[1].disagreement and rows[1].minimum == 0 and rows[1].maximum == 100
    assert rows[2].mean is None and rows[2].missing == 2
    progress = {p.reviewer: p for p in review.reviewer_progress(event)}
    assert progress[r1].missing == [untouched] and progress[r1].submitted == 2
    assert progress[r3].assigned == 0
    assert [r.submission for r in review.ranking(event, approach="z_pinch")] == []
    assert [r.submission for r in review.ranking(event, state="accepted")] == []
