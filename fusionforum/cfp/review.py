"""Review of the call's submissions: the reviewer team, conflicts, score categories,
assignment (by hand and balanced), reviews and their visibility, the organisers' ranking, and
decisions with their e-mails.

Every function here checks who may act, validates, writes and logs (``core.audit``); views,
the demo and tests call them. A submission changes state only through ``lifecycle.move``.

Two rules carry the weight of the whole review:

- a reviewer never reviews a submission of their own organisation or of an organisation they
  declared a conflict with (``rules.has_conflict``), whether assigned by hand or automatically;
- a reviewer sees the other reviews of a submission only once their own is submitted
  (``other_reviews`` raises ``ReviewsHidden`` before that).
"""

from __future__ import annotations

import heapq
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from fusionforum.accounts.models import Organisation, User
from fusionforum.core import audit, clock
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.events.models import Event, TeamMembership
from fusionforum.events.rules import is_reviewer

from . import emails, lifecycle
from .models import (
    CallSettings,
    Review,
    ReviewAssignment,
    ReviewerConflict,
    ReviewScore,
    ScoreCategory,
    Submission,
)
from .states import DECISIONS, UNDER_REVIEW, IllegalTransition, SubmissionState

S = SubmissionState

# Automatic assignment serves the submissions that still wait for a decision.
AWAITING_DECISION = frozenset({S.SUBMITTED, S.WAITLISTED})
# Standard deviation of the weighted scores (0-100) from which organisers are told the
# reviewers disagree: e.g. 40/60/80 (16.3) is flagged, 60/70/75 (6.2) is not.
DISAGREEMENT_STDEV = Decimal(15)

DEFAULT_SCORE_CATEGORIES = (
    # name, description, weight, max score
    # (installed in the event's default language: from then on they are the organisers' text)
    (gettext_lazy("Relevance to the workshop's questions"),
     gettext_lazy("Does it answer what was achieved, what remains, and how ITER can help?"),
     Decimal(3), 5),
    (gettext_lazy("Technical substance"),
     gettext_lazy("Evidence, figures and scale behind the claims."), Decimal(3), 5),
    (gettext_lazy("What ITER can offer"),
     gettext_lazy("A concrete, realistic request where ITER's experience or data can help."),
     Decimal(2), 5),
    (gettext_lazy("Clarity"),
     gettext_lazy("Could the audience follow and reuse it?"), Decimal(1), 5),
)


class ReviewError(Exception):
    """A readable refusal (shown to the person as written)."""


class ReviewsHidden(PermissionDenied):
    """The reviewer has not submitted their own review of this submission yet."""


def _require(user, permission: str, obj, message: str) -> None:
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied(message)


def call_settings(event: Event) -> CallSettings | None:
    return CallSettings.objects.filter(event=event).first()


def reviews_per_submission(event: Event) -> int:
    settings = call_settings(event)
    return settings.reviews_per_submission if settings else 3


# Score categories -----------------------------------------------------------------------------


def install_default_score_categories(event: Event) -> list[ScoreCategory]:
    """Give ``event`` the default score categories if it has none; return its categories.
    Idempotent: an event whose organisers set up their own keeps them."""
    with transaction.atomic(), translation.override(event.default_language):
        if not ScoreCategory.objects.filter(event=event).exists():
            ScoreCategory.objects.bulk_create([
                ScoreCategory(event=event, name=str(name), description=str(description),
                              weight=weight,
                              max_score=max_score, position=index * 10)
                for index, (name, description, weight, max_score)
                in enumerate(DEFAULT_SCORE_CATEGORIES, start=1)
            ])
    return list(ScoreCategory.objects.filter(event=event))


def score_categories(event: Event) -> list[ScoreCategory]:
    """The event's categories; the defaults are installed the first time they are needed."""
    categories = list(ScoreCategory.objects.filter(event=event))
    return categories or install_default_score_categories(event)


@transaction.atomic
def save_score_category(event: Event, *, by, category: ScoreCategory | None = None,
                        name: str, description: str, weight: Decimal, max_score: int,
                        position: int) -> ScoreCategory:
    """Create or change a category. A maximum below a score already given is refused; a new
    weight re-computes the weighted score of every submitted review."""
    _require(by, "cfp.manage_call", event, _("Only the event's organisers set score categories."))
    errors = {}
    for key, value in (("name", name), ("description", description)):
        try:
            validate_single_line(value)
        except ValidationError as error:
            errors[key] = error.messages
    if errors:
        raise ValidationError(errors)
    created = category is None
    if created:
        category = ScoreCategory(event=event)
    elif category.event_id != event.pk:
        raise PermissionDenied(_("This category belongs to another event."))
    highest = (ReviewScore.objects.filter(category=category).order_by("-value")
               .values_list("value", flat=True).first() if not created else None)
    if highest is not None and max_score < highest:
        raise ValidationError({"max_score": _(
            "A review already gives %(highest)s in this category; the maximum cannot be "
            "lower.") % {"highest": highest}})
    category.name = name
    category.description = description
    category.weight = weight
    category.max_score = max_score
    category.position = position
    category.full_clean()
    category.save()
    recompute_weighted_scores(event)
    audit.record("cfp.score_category_saved", category, actor=by,
                 summary=f"{'Added' if created else 'Changed'} score category “{name}”",
                 weight=str(weight), max_score=max_score)
    return category


@transaction.atomic
def delete_score_category(category: ScoreCategory, *, by) -> None:
    event = category.event
    _require(by, "cfp.manage_call", event, _("Only the event's organisers set score categories."))
    used = ReviewScore.objects.filter(category=category).count()
    if used:
        raise ReviewError(f"“{category.name}” already has {used} score{'s' if used != 1 else ''}"
                          " in reviews; change its weight to 0 instead of deleting it.")
    if ScoreCategory.objects.filter(event=event).count() <= 1:
        raise ReviewError(_("Keep at least one score category."))
    name = category.name
    category.delete()
    audit.record("cfp.score_category_deleted", event, actor=by,
                 summary=f"Deleted score category “{name}”")


def recompute_weighted_scores(event: Event) -> int:
    """After a change of categories: every submitted review's weighted score again."""
    categories = list(ScoreCategory.objects.filter(event=event))
    reviews = (Review.objects.filter(submission__event=event, submitted_at__isnull=False)
               .prefetch_related("scores"))
    changed = []
    for review in reviews:
        score = weighted_score({s.category_id: s.value for s in review.scores.all()},
                               categories)
        if score != review.weighted_score:
            review.weighted_score = score
            changed.append(review)
    Review.objects.bulk_update(changed, ["weighted_score"])
    return len(changed)


def weighted_score(values: dict[int, int], categories: Iterable[ScoreCategory]) -> Decimal | None:
    """The weighted mean of the scores, each taken as a share of its category's maximum,
    on a scale of 0 to 100 (three decimals). Categories without a score are left out; if
    every weight is 0 the categories count equally. None if nothing is scored."""
    scored = [(c, values[c.pk]) for c in categories if values.get(c.pk) is not None]
    if not scored:
        return None
    weights = [Decimal(c.weight) for c, _ in scored]
    if sum(weights) == 0:
        weights = [Decimal(1)] * len(scored)
    total = sum(w * Decimal(v) / Decimal(c.max_score)
                for w, (c, v) in zip(weights, scored, strict=True))
    return (total / sum(weights) * 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


# The reviewer team ----------------------------------------------------------------------------


def reviewers(event: Event):
    return (User.objects.filter(event_roles__event=event,
                                event_roles__role=TeamMembership.Role.REVIEWER)
            .select_related("organisation").order_by("full_name", "email").distinct())


@transaction.atomic
def add_reviewer(event: Event, email: str, *, by) -> User:
    """Make the account with ``email`` a reviewer of ``event``. The person must have an account
    (they sign up themselves); they will need a second factor to review."""
    _require(by, "cfp.manage_call", event, _("Only the event's organisers choose reviewers."))
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None or not user.is_active:
        raise ReviewError("There is no account with this e-mail address. Ask the person to "
                          "sign up first, then add them.")
    membership, created = TeamMembership.objects.get_or_create(
        event=event, user=user, role=TeamMembership.Role.REVIEWER)
    if not created:
        raise ReviewError(f"{user.full_name or user.email} is already a reviewer.")
    audit.record("cfp.reviewer_added", membership, actor=by,
                 summary=f"{user.email} became a reviewer")

    emails.notify_reviewer_added(event, user)
    return user


@transaction.atomic
def remove_reviewer(event: Event, user: User, *, by) -> int:
    """Take the reviewer role away. Assignments without a submitted review go with it (and
    their drafts); submitted reviews stay. Returns how many assignments were removed."""
    _require(by, "cfp.manage_call", event, _("Only the event's organisers choose reviewers."))
    deleted, _count = TeamMembership.objects.filter(
        event=event, user=user, role=TeamMembership.Role.REVIEWER).delete()
    if not deleted:
        raise ReviewError(_("This person is not a reviewer of the event."))
    removed = _drop_open_assignments(
        ReviewAssignment.objects.filter(submission__event=event, reviewer=user))
    audit.record("cfp.reviewer_removed", event, actor=by,
                 summary=f"{user.email} is no longer a reviewer", assignments_removed=removed)
    return removed


def _drop_open_assignments(assignments) -> int:
    """Delete the assignments whose review is not submitted, with their draft reviews."""
    open_ones = [a for a in assignments.select_related("submission")
                 if not Review.objects.filter(submission=a.submission, reviewer_id=a.reviewer_id,
                                              submitted_at__isnull=False).exists()]
    for assignment in open_ones:
        Review.objects.filter(submission=assignment.submission, reviewer_id=assignment.reviewer_id,
                              submitted_at__isnull=True).delete()
        assignment.delete()
    return len(open_ones)


# Conflicts ------------------------------------------------------------------------------------


def conflict_organisations(event: Event, reviewer: User) -> set[int]:
    """Organisations whose submissions ``reviewer`` must not review: their own and declared."""
    ids = set(ReviewerConflict.objects.filter(event=event, reviewer=reviewer)
              .values_list("organisation_id", flat=True))
    if reviewer.organisation_id:
        ids.add(reviewer.organisation_id)
    return ids


@transaction.atomic
def declare_conflict(event: Event, reviewer: User, organisation: Organisation, *,
                     reason: str = "") -> tuple[ReviewerConflict, int]:
    """A reviewer declares they must not review ``organisation``. Their open assignments to
    its submissions are withdrawn at once. Returns the conflict and how many were withdrawn."""
    if not is_reviewer(reviewer, event):
        raise PermissionDenied(_("Only reviewers of the event declare conflicts."))
    conflict, created = ReviewerConflict.objects.get_or_create(
        event=event, reviewer=reviewer, organisation=organisation,
        defaults={"reason": reason[:200]})
    if not created:
        raise ReviewError(_("You already declared a conflict with %(organisation)s.")
                          % {"organisation": organisation.name})
    removed = _drop_open_assignments(ReviewAssignment.objects.filter(
        submission__event=event, submission__organisation=organisation, reviewer=reviewer))
    audit.record("cfp.conflict_declared", conflict, actor=reviewer,
                 summary=f"Conflict with {organisation.name}", assignments_removed=removed)
    return conflict, removed


@transaction.atomic
def withdraw_conflict(conflict: ReviewerConflict, *, by) -> None:
    if conflict.reviewer_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the reviewer who declared a conflict withdraws it."))
    audit.record("cfp.conflict_withdrawn", conflict.event, actor=by,
                 summary=f"Conflict with {conflict.organisation.name} withdrawn")
    conflict.delete()


# Assignment by hand ---------------------------------------------------------------------------


def eligible_reviewers(submission: Submission) -> list[User]:
    """The event's reviewers who may review ``submission`` (no conflict)."""
    conflicted = set(ReviewerConflict.objects.filter(
        event_id=submission.event_id, organisation_id=submission.organisation_id)
        .values_list("reviewer_id", flat=True))
    return [r for r in reviewers(submission.event)
            if r.pk not in conflicted and r.organisation_id != submission.organisation_id]


def conflict_reason(reviewer: User, submission: Submission) -> str:
    if reviewer.organisation_id and reviewer.organisation_id == submission.organisation_id:
        return (f"{reviewer.full_name or reviewer.email} belongs to "
                f"{submission.organisation.name}, the submitting organisation.")
    if ReviewerConflict.objects.filter(event_id=submission.event_id, reviewer=reviewer,
                                       organisation_id=submission.organisation_id).exists():
        return (f"{reviewer.full_name or reviewer.email} declared a conflict with "
                f"{submission.organisation.name}.")
    return ""


@transaction.atomic
def assign(submission: Submission, reviewer: User, *, by, automatic: bool = False
           ) -> ReviewAssignment:
    event = submission.event
    _require(by, "cfp.manage_call", event, _("Only the event's organisers assign reviewers."))
    who = reviewer.full_name or reviewer.email
    if not is_reviewer(reviewer, event):
        raise ReviewError(f"{who} is not a reviewer of this event.")
    if submission.state not in UNDER_REVIEW:
        raise ReviewError(f"“{submission.title}” is "
                          f"{submission.get_state_display().lower()}: it is not reviewed.")
    reason = conflict_reason(reviewer, submission)
    if reason:
        raise ReviewError(_("Not assigned: %(reason)s") % {"reason": reason})
    assignment, created = ReviewAssignment.objects.get_or_create(
        submission=submission, reviewer=reviewer,
        defaults={"assigned_at": clock.now(), "assigned_by": by if by.is_authenticated else None,
                  "automatic": automatic})
    if not created:
        raise ReviewError(f"{who} already reviews “{submission.title}”.")
    audit.record("cfp.reviewer_assigned", submission, actor=by,
                 summary=f"{reviewer.email} assigned", reviewer=reviewer.email)
    return assignment


@transaction.atomic
def unassign(submission: Submission, reviewer: User, *, by) -> None:
    _require(by, "cfp.manage_call", submission.event,
             _("Only the event's organisers assign reviewers."))
    if Review.objects.filter(submission=submission, reviewer=reviewer,
                             submitted_at__isnull=False).exists():
        raise ReviewError(f"{reviewer.full_name or reviewer.email} has already submitted a "
                          "review of this submission; it stays.")
    removed = _drop_open_assignments(
        ReviewAssignment.objects.filter(submission=submission, reviewer=reviewer))
    if not removed:
        raise ReviewError(_("This reviewer was not assigned to this submission."))
    audit.record("cfp.reviewer_unassigned", submission, actor=by,
                 summary=f"{reviewer.email} unassigned", reviewer=reviewer.email)


# Balanced automatic assignment ----------------------------------------------------------------


def balance(submissions: list[int], reviewer_ids: list[int], *, per_submission: int,
            existing: set[tuple[int, int]], forbidden: set[tuple[int, int]],
            base_load: dict[int, int] | None = None) -> list[tuple[int, int]]:
    """New (submission, reviewer) pairs so that each submission has ``per_submission``
    reviewers where possible, never a forbidden pair, existing pairs kept, and the load (number
    of assignments, ``base_load`` plus the new ones) as even as the constraints allow.

    Pure and deterministic (no Django): a minimum-cost flow in which a reviewer's k-th
    assignment costs k, so the total cost is lowest for the most even loads (a difference of
    at most 1 between reviewers whenever the forbidden pairs allow it). Every submission gets
    min(per_submission, eligible reviewers) in total.
    """
    reviewer_ids = sorted(set(reviewer_ids))
    submissions = sorted(set(submissions))
    load = dict.fromkeys(reviewer_ids, 0)
    for r, n in (base_load or {}).items():
        if r in load:
            load[r] = n
    have = Counter(s for s, r in existing if r in load)
    allowed = {s: [r for r in reviewer_ids if (s, r) not in forbidden and (s, r) not in existing]
               for s in submissions}
    need = {s: max(0, min(per_submission - have[s], len(allowed[s]))) for s in submissions}
    if not any(need.values()):
        return []
    # Nodes: 0 source, 1 sink, then submissions, then reviewers.
    sub_node = {s: 2 + i for i, s in enumerate(submissions)}
    rev_node = {r: 2 + len(submissions) + i for i, r in enumerate(reviewer_ids)}
    size = 2 + len(submissions) + len(reviewer_ids)
    graph: list[list[int]] = [[] for _ in range(size)]
    to: list[int] = []
    cap: list[int] = []
    cost: list[int] = []

    def edge(a: int, b: int, capacity: int, price: int) -> None:
        graph[a].append(len(to))
        to.append(b), cap.append(capacity), cost.append(price)
        graph[b].append(len(to))
        to.append(a), cap.append(0), cost.append(-price)

    for s in submissions:
        if need[s]:
            edge(0, sub_node[s], need[s], 0)
            for r in allowed[s]:
                edge(sub_node[s], rev_node[r], 1, 0)
    demand = Counter(r for s in submissions if need[s] for r in allowed[s])
    for r in reviewer_ids:
        # The k-th new assignment of r brings its load to load[r] + k and costs that much.
        for k in range(1, demand[r] + 1):
            edge(rev_node[r], 1, 1, load[r] + k)

    # Successive shortest paths with potentials (Dijkstra); costs start non-negative.
    potential = [0] * size
    pairs_flow = sum(need.values())
    while pairs_flow:
        dist = [None] * size
        via = [-1] * size
        dist[0] = 0
        heap = [(0, 0)]
        while heap:
            d, node = heapq.heappop(heap)
            if d != dist[node]:
                continue
            for e in graph[node]:
                if cap[e] <= 0:
                    continue
                nd = d + cost[e] + potential[node] - potential[to[e]]
                if dist[to[e]] is None or nd < dist[to[e]]:
                    dist[to[e]] = nd
                    via[to[e]] = e
                    heapq.heappush(heap, (nd, to[e]))
        if dist[1] is None:
            break
        for node in range(size):
            if dist[node] is not None:
                potential[node] += dist[node]
        node = 1
        while node != 0:
            e = via[node]
            cap[e] -= 1
            cap[e ^ 1] += 1
            node = to[e ^ 1]
        pairs_flow -= 1

    by_node = {n: s for s, n in sub_node.items()}
    by_rev = {n: r for r, n in rev_node.items()}
    result = []
    for s in submissions:
        for e in graph[sub_node[s]]:
            if e % 2 == 0 and to[e] in by_rev and cap[e] == 0:
                result.append((by_node[sub_node[s]], by_rev[to[e]]))
    return sorted(result)


@dataclass
class Shortfall:
    submission: Submission
    has: int
    needed: int


@dataclass
class AssignmentReport:
    created: list[ReviewAssignment] = field(default_factory=list)
    short: list[Shortfall] = field(default_factory=list)
    reviewer_count: int = 0


def auto_assign(event: Event, *, by) -> AssignmentReport:
    """Give every submission awaiting a decision the call's number of reviewers, balanced
    (``balance``), keeping the assignments already made. Reports the submissions that could
    not get enough reviewers (too few without a conflict)."""
    _require(by, "cfp.manage_call", event, _("Only the event's organisers assign reviewers."))
    with transaction.atomic():
        # One assignment run at a time per event.
        CallSettings.objects.select_for_update().filter(event=event).first()
        per_submission = reviews_per_submission(event)
        team = list(reviewers(event))
        subs = list(Submission.objects.filter(event=event, state__in=AWAITING_DECISION)
                    .select_related("organisation").order_by("id"))
        existing_rows = list(ReviewAssignment.objects.filter(submission__event=event)
                             .values_list("submission_id", "reviewer_id"))
        existing = set(existing_rows)
        base_load = Counter(r for _, r in existing_rows)
        declared = defaultdict(set)
        for reviewer_id, organisation_id in ReviewerConflict.objects.filter(
                event=event).values_list("reviewer_id", "organisation_id"):
            declared[reviewer_id].add(organisation_id)
        forbidden = set()
        for s in subs:
            for r in team:
                if (r.organisation_id == s.organisation_id
                        or s.organisation_id in declared[r.pk]):
                    forbidden.add((s.pk, r.pk))
        pairs = balance([s.pk for s in subs], [r.pk for r in team],
                        per_submission=per_submission, existing=existing,
                        forbidden=forbidden, base_load=dict(base_load))
        now = clock.now()
        actor = by if by.is_authenticated else None
        report = AssignmentReport(reviewer_count=len(team))
        report.created = ReviewAssignment.objects.bulk_create([
            ReviewAssignment(submission_id=s, reviewer_id=r, assigned_at=now, assigned_by=actor,
                             automatic=True) for s, r in pairs])
        got = Counter(s for s, r in existing | set(pairs)
                      if r in {m.pk for m in team})
        for s in subs:
            if got[s.pk] < per_submission:
                report.short.append(Shortfall(s, got[s.pk], per_submission))
        audit.record("cfp.reviewers_assigned_automatically", event, actor=actor,
                     summary=f"{len(pairs)} assignments made, {len(report.short)} "
                             "submissions short of reviewers",
                     created=len(pairs), short=[s.submission.code for s in report.short])
    return report


# Reviews --------------------------------------------------------------------------------------


def may_review(user, submission: Submission) -> bool:
    """Assigned reviewer of the event, no conflict, submission in a reviewed state."""
    return (submission.state in UNDER_REVIEW
            and user.has_perm("cfp.review_submission", submission))


def review_window_open(event: Event, moment=None) -> bool:
    settings = call_settings(event)
    closes = settings.review_closes_at if settings else None
    return closes is None or (moment or clock.now()) < closes


def review_of(submission: Submission, reviewer: User) -> Review | None:
    return (Review.objects.filter(submission=submission, reviewer=reviewer)
            .prefetch_related("scores").first())


def save_review(submission: Submission, reviewer: User, *, scores: dict[int, int | None],
                comment_to_organisers: str = "", comment_to_speaker: str = "",
                submit: bool = False) -> Review:
    """Store the reviewer's draft, or submit it (every category scored). A submitted review
    can be changed until the review closes and stays submitted. ValidationError with the
    problems (keys ``score_<category id>``, ``comment_to_organisers``...): nothing is written.
    """
    if not may_review(reviewer, submission):
        raise PermissionDenied(_("You do not review this submission."))
    event = submission.event
    if not review_window_open(event):
        raise ReviewError(_("Reviewing is closed: scores can no longer be changed."))
    categories = score_categories(event)
    errors: dict[str, list[str]] = {}
    clean: dict[int, int] = {}
    known = {c.pk for c in categories}
    for category_id in scores:
        if category_id not in known:
            errors.setdefault("__all__", []).append(_("A score for an unknown category was sent."))
    existing = review_of(submission, reviewer)
    submit = submit or bool(existing and existing.submitted_at)
    for category in categories:
        value = scores.get(category.pk)
        key = f"score_{category.pk}"
        if value is None:
            if submit:
                errors[key] = [_("Give a score from 0 to %(max)s.") % {"max": category.max_score}]
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[key] = [_("Give a whole number.")]
        elif not 0 <= value <= category.max_score:
            errors[key] = [_("Give a score from 0 to %(max)s.") % {"max": category.max_score}]
        else:
            clean[category.pk] = value
    for name, text in (("comment_to_organisers", comment_to_organisers),
                       ("comment_to_speaker", comment_to_speaker)):
        limit = Review._meta.get_field(name).max_length
        if len(text or "") > limit:
            errors[name] = [_("At most %(limit)s characters (this has %(count)s).")
                            % {"limit": limit, "count": len(text)}]
        else:
            try:
                validate_multiline(text or "")
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        review = (Review.objects.select_for_update()
                  .filter(submission=submission, reviewer=reviewer).first())
        first_submission = False
        if review is None:
            review = Review(submission=submission, reviewer=reviewer)
        review.comment_to_organisers = comment_to_organisers or ""
        review.comment_to_speaker = comment_to_speaker or ""
        if submit and review.submitted_at is None:
            review.submitted_at = clock.now()
            first_submission = True
        review.weighted_score = (weighted_score(clean, categories)
                                 if review.submitted_at else None)
        review.save()
        ReviewScore.objects.filter(review=review).exclude(category_id__in=clean).delete()
        for category_id, value in clean.items():
            ReviewScore.objects.update_or_create(review=review, category_id=category_id,
                                                 defaults={"value": value})
        if submit:
            audit.record("cfp.review_submitted" if first_submission else "cfp.review_changed",
                         submission, actor=reviewer,
                         summary=f"Review {'submitted' if first_submission else 'changed'}, "
                                 f"weighted score {review.weighted_score}")
    return review


def other_reviews(submission: Submission, user: User) -> list[Review]:
    """The submitted reviews of ``submission`` by others, for ``user``.

    Organisers of the event see them all. A reviewer sees them only once their own review is
    submitted (``ReviewsHidden`` before that); anyone else is refused.
    """
    queryset = (Review.objects.filter(submission=submission, submitted_at__isnull=False)
                .select_related("reviewer").prefetch_related("scores__category")
                .order_by("submitted_at", "id"))
    if user.has_perm("cfp.decide_submission", submission):
        return list(queryset)
    if not may_review(user, submission):
        raise PermissionDenied(_("You do not review this submission."))
    if not Review.objects.filter(submission=submission, reviewer=user,
                                 submitted_at__isnull=False).exists():
        raise ReviewsHidden(_("Submit your own review to see the others."))
    return list(queryset.exclude(reviewer=user))


@dataclass
class MyAssignment:
    submission: Submission
    review: Review | None

    @property
    def status_code(self) -> str:
        """The same as ``status`` for style sheets: the same in every language."""
        if self.review is None:
            return "not-started"
        return "submitted" if self.review.submitted_at else "draft"

    @property
    def status(self) -> str:
        if self.review is None:
            return pgettext("review", "Not started")
        return (pgettext("review", "Submitted") if self.review.submitted_at
                else pgettext("review", "Draft"))


def assignments_of(event: Event, reviewer: User) -> list[MyAssignment]:
    """What ``reviewer`` has to review (no conflicts, states under review)."""
    conflicted = conflict_organisations(event, reviewer)
    subs = (Submission.objects.filter(event=event, review_assignments__reviewer=reviewer,
                                      state__in=UNDER_REVIEW)
            .exclude(organisation_id__in=conflicted)
            .select_related("organisation").order_by("title", "id"))
    reviews = {r.submission_id: r for r in Review.objects.filter(
        submission__event=event, reviewer=reviewer)}
    return [MyAssignment(s, reviews.get(s.pk)) for s in subs]


# Ranking and progress -------------------------------------------------------------------------


@dataclass
class RankingRow:
    submission: Submission
    scores: list[Decimal]
    required: int
    assigned: int
    drafts: int

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> Decimal | None:
        if not self.scores:
            return None
        return (sum(self.scores) / len(self.scores)).quantize(Decimal("0.1"))

    @property
    def minimum(self):
        return min(self.scores) if self.scores else None

    @property
    def maximum(self):
        return max(self.scores) if self.scores else None

    @property
    def stdev(self) -> Decimal | None:
        if len(self.scores) < 2:
            return None
        return Decimal(statistics.pstdev([float(s) for s in self.scores])).quantize(
            Decimal("0.1"))

    @property
    def disagreement(self) -> bool:
        return self.stdev is not None and self.stdev >= DISAGREEMENT_STDEV

    @property
    def missing(self) -> int:
        return max(0, self.required - self.count)


def ranking(event: Event, *, state: str = "", category: str = "", approach: str = ""
            ) -> list[RankingRow]:
    """Submissions under review, best mean weighted score first (unscored last)."""
    queryset = (Submission.objects.filter(event=event, state__in=UNDER_REVIEW)
                .select_related("organisation")
                .annotate(assigned=Count("review_assignments", distinct=True)))
    if state:
        queryset = queryset.filter(state=state)
    if category:
        queryset = queryset.filter(Q(challenge_categories__slug=category)
                                   | Q(help_categories__slug=category)).distinct()
    if approach:
        queryset = queryset.filter(organisation__fusion_approach=approach)
    required = reviews_per_submission(event)
    scores = defaultdict(list)
    drafts = Counter()
    for submission_id, score, submitted in Review.objects.filter(
            submission__event=event).values_list("submission_id", "weighted_score",
                                                 "submitted_at"):
        if submitted is not None and score is not None:
            scores[submission_id].append(score)
        elif submitted is None:
            drafts[submission_id] += 1
    rows = [RankingRow(s, sorted(scores[s.pk]), required, s.assigned, drafts[s.pk])
            for s in queryset]
    rows.sort(key=lambda row: (row.mean is None, -(row.mean or 0), row.submission.title.lower(),
                               row.submission.pk))
    return rows


@dataclass
class ReviewerProgress:
    reviewer: User
    assigned: int
    submitted: int
    drafts: int
    missing: list[Submission]


def reviewer_progress(event: Event) -> list[ReviewerProgress]:
    """Per reviewer: assigned, submitted, drafts, and the submissions still missing a review."""
    rows = []
    assignments = defaultdict(list)
    for a in (ReviewAssignment.objects.filter(submission__event=event,
                                              submission__state__in=UNDER_REVIEW)
              .select_related("submission")):
        assignments[a.reviewer_id].append(a.submission)
    state = {(r.submission_id, r.reviewer_id): r.submitted_at is not None
             for r in Review.objects.filter(submission__event=event)}
    for reviewer in reviewers(event):
        subs = assignments.get(reviewer.pk, [])
        submitted = [s for s in subs if state.get((s.pk, reviewer.pk))]
        drafts = [s for s in subs if state.get((s.pk, reviewer.pk)) is False]
        missing = [s for s in subs if not state.get((s.pk, reviewer.pk))]
        rows.append(ReviewerProgress(reviewer, len(subs), len(submitted), len(drafts),
                                     sorted(missing, key=lambda s: s.title.lower())))
    rows.sort(key=lambda p: (-len(p.missing), (p.reviewer.full_name or p.reviewer.email).lower()))
    return rows


# Decisions ------------------------------------------------------------------------------------


DECISION_LABELS = {S.ACCEPTED: pgettext_lazy("decision", "accepted"),
                   S.REJECTED: pgettext_lazy("decision", "rejected"),
                   S.WAITLISTED: pgettext_lazy("decision", "waitlisted")}


def decide(submission: Submission, decision: str, *, by, note: str = "",
           include_reviewer_comments: bool = False,
           duration_minutes: int | None = None) -> Submission:
    """Accept, reject or put on the waiting list (or correct an earlier decision, as the
    transition table allows), then e-mail every speaker. Raises IllegalTransition, ReviewError
    or PermissionDenied; on any of them nothing changes and nothing is sent."""
    _require(by, "cfp.decide_submission", submission,
             _("Only the event's organisers decide on submissions."))
    if decision not in DECISIONS:
        raise ReviewError(_("Choose accept, reject or waiting list."))
    if duration_minutes is not None:
        if decision != S.ACCEPTED:
            raise ReviewError(_("A talk length is set only when accepting."))
        if not 5 <= duration_minutes <= 240:
            raise ReviewError(_("A talk lasts from 5 to 240 minutes."))

    with transaction.atomic():
        lifecycle.move(submission, decision, by=by, note=note)
        if duration_minutes is not None:
            Submission.objects.filter(pk=submission.pk).update(duration_minutes=duration_minutes)
            submission.duration_minutes = duration_minutes
        emails.notify_decision(submission, decision,
                               include_reviewer_comments=include_reviewer_comments)
    return submission


@dataclass
class Outcome:
    submission: Submission | None
    ok: bool
    message: str

    @property
    def who(self) -> str:
        return f"“{self.submission.title}”" if self.submission else ""


EXPECTED_ERRORS = (IllegalTransition, ReviewError, PermissionDenied, ValidationError)


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def bulk_decide(event: Event, ids: list[int], decision: str, *, by,
                include_reviewer_comments: bool = False) -> list[Outcome]:
    """The same decision for each selected submission, one at a time: one that cannot take it
    (e.g. already confirmed, withdrawn, another event's) is reported, the others proceed."""
    if decision not in DECISIONS:
        raise ReviewError(_("Choose accept, reject or waiting list."))
    _require(by, "cfp.manage_call", event, _("Only the event's organisers decide on submissions."))
    found = {s.pk: s for s in Submission.objects.filter(event=event, pk__in=ids)
             .select_related("event", "organisation")}
    outcomes = []
    for pk in dict.fromkeys(ids):
        submission = found.get(pk)
        if submission is None:
            outcomes.append(Outcome(None, False, _("Submission %(id)s is not one of this "
                                                   "event's.") % {"id": pk}))
            continue
        try:
            decide(submission, decision, by=by,
                   include_reviewer_comments=include_reviewer_comments)
        except EXPECTED_ERRORS as exc:
            outcomes.append(Outcome(submission, False, error_text(exc)))
        else:
            outcomes.append(Outcome(submission, True, str(DECISION_LABELS[decision])))
    return outcomes


def send_confirmation_reminders(event: Event, *, by) -> int:
    """Remind the speakers of accepted talks not yet confirmed; returns how many talks."""
    _require(by, "cfp.manage_call", event, _("Only the event's organisers send reminders."))

    with transaction.atomic():
        pending = list(Submission.objects.filter(event=event, state=S.ACCEPTED)
                       .select_related("event", "organisation"))
        for submission in pending:
            emails.notify(submission, "confirm_reminder")
        audit.record("cfp.confirmation_reminders_sent", event, actor=by,
                     summary=f"Reminded the speakers of {len(pending)} accepted talks")
    return len(pending)


__all__ = [
    "AWAITING_DECISION", "AssignmentReport", "DEFAULT_SCORE_CATEGORIES", "EXPECTED_ERRORS",
    "Outcome", "ReviewError", "ReviewsHidden", "add_reviewer", "assign", "assignments_of",
    "auto_assign", "balance", "bulk_decide", "decide", "declare_conflict",
    "delete_score_category", "eligible_reviewers", "error_text",
    "install_default_score_categories", "other_reviews", "ranking", "remove_reviewer",
    "reviewer_progress", "save_review", "save_score_category", "score_categories",
    "send_confirmation_reminders", "unassign", "weighted_score", "withdraw_conflict",
]
