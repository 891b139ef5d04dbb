"""The demo workshop's review: three fictional reviewers, the default score categories,
automatic assignment, submitted reviews with varied scores and comments, and decisions
(about twenty accepted, most confirmed by their speakers, some on the waiting list, some
rejected). A few submissions stay undecided, with the demo reviewer's review still to write,
so the review pages can be tried.

Runs after ``cfp.demo`` (the submissions). Every person and comment here is invented; the
pseudo-random scores are derived from the titles, so every load gives the same reviews.
Loading twice keeps what is there (and refills the reviewers' backup codes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.db import transaction

from fusionforum.accounts.models import Organisation, User
from fusionforum.core import clock
from fusionforum.events.demo import DEMO_TZ, _give_backup_codes, create_demo_user
from fusionforum.events.models import TeamMembership

from . import lifecycle, review
from .models import CallSettings, Review, ReviewerConflict, Submission
from .states import SubmissionState

S = SubmissionState

DEMO_REVIEWER_EMAIL = "reviewer@demo.fusionforum.invalid"
REVIEWERS = [
    # e-mail, name, organisation (None: independent)
    (DEMO_REVIEWER_EMAIL, "Robin Example (demo reviewer)",
     "Demo Fusion Research Institute (fictional)"),
    ("reviewer.two@demo.fusionforum.invalid", "Kai Sample (demo reviewer)", None),
    ("reviewer.three@demo.fusionforum.invalid", "Noor Placeholder (demo reviewer)",
     "Demo Materials Laboratory (fictional)"),
]
ACCEPT = 20
CONFIRMED = 16
WAITLIST = 4
UNDECIDED = 3

TO_ORGANISERS = {
    "high": ["Strong, well-evidenced results; a good fit for the tokamak or stellarator panel.",
             "Clear figures and an honest account of what is not solved yet. Recommend.",
             "Exactly the kind of concrete request to ITER we hoped for."],
    "mid": ["Solid but the scale of the result is unclear; would work as a short talk.",
            "Interesting request; the breakthroughs part repeats earlier public material.",
            "Reasonable, but overlaps with two other submissions on the same topic."],
    "low": ["Mostly marketing; few figures to support the claims.",
            "The request to ITER is vague; little the workshop can act on.",
            "Off-topic for days 1 and 2; perhaps a day-3 expert meeting instead."],
}
TO_SPEAKER = {
    "high": ["Thank you: the key figures make the progress easy to follow. Please keep the "
             "talk focused on the open challenges.",
             "Please bring the measured data behind the pulse-length figure."],
    "mid": ["Say at what scale the result was obtained, and what the next device will prove.",
            "The request to ITER would be stronger with one concrete example."],
    "low": ["The submission would gain from measured results rather than projections.",
            ""],
}


def _rng(*parts: str) -> random.Random:
    seed = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return random.Random(int(seed, 16))  # noqa: S311 - demo data, not security


def _reviewers(event) -> list[User]:
    people = []
    for email, name, organisation_name in REVIEWERS:
        organisation = None
        if organisation_name:
            organisation, _ = Organisation.objects.get_or_create(
                name=organisation_name, defaults={"kind": Organisation.Kind.PUBLIC_LAB,
                                                  "country": "FR"})
        person = User.objects.filter(email=email).first()
        if person is None:
            person = create_demo_user(email, full_name=name,
                                              organisation=organisation,
                                              email_verified_at=clock.now())
        TeamMembership.objects.get_or_create(event=event, user=person,
                                             role=TeamMembership.Role.REVIEWER)
        _give_backup_codes(person)
        people.append(person)
    return people


def _band(quality: float) -> str:
    return "high" if quality >= 3.6 else "mid" if quality >= 2.6 else "low"


def _write_reviews(event, submission: Submission, team: list[User], categories, moment,
                   *, skip: User | None = None) -> None:
    quality = 1.6 + 3.2 * _rng(submission.title).random()
    for n, reviewer in enumerate(team):
        if reviewer == skip or not review.may_review(reviewer, submission):
            continue
        rng = _rng(submission.title, reviewer.email)
        # One reviewer in nine disagrees strongly with the others.
        bias = (rng.choice([-2.2, 2.2]) if rng.random() < 0.11 else rng.uniform(-0.7, 0.7))
        scores = {c.pk: max(0, min(c.max_score, round((quality + bias) * c.max_score / 5
                                                      + rng.uniform(-0.6, 0.6))))
                  for c in categories}
        band = _band(quality + bias)
        with clock.frozen(moment + dt.timedelta(hours=7 * n + rng.randint(0, 30))):
            review.save_review(
                submission, reviewer, scores=scores,
                comment_to_organisers=rng.choice(TO_ORGANISERS[band]),
                comment_to_speaker=rng.choice(TO_SPEAKER[band]) if rng.random() < 0.7 else "",
                submit=True)


@transaction.atomic
def load(event) -> str:
    call = CallSettings.objects.filter(event=event).first()
    submissions = list(Submission.objects.filter(event=event).order_by("created_at", "id"))
    if call is None or not submissions:
        return ""
    team = _reviewers(event)
    categories = review.install_default_score_categories(event)
    if Review.objects.filter(submission__event=event).exists():
        return (f"Review: {len(team)} demo reviewers (reviewer@demo.fusionforum.invalid), "
                f"{Review.objects.filter(submission__event=event).count()} reviews (kept)")
    organiser = (User.objects.filter(event_roles__event=event,
                                     event_roles__role=TeamMembership.Role.ORGANISER)
                 .order_by("id").first())
    if organiser is None:
        return ""
    # Reviewers may still change their reviews until the workshop's last day.
    end = dt.datetime.combine(event.end_date, dt.time(18), tzinfo=DEMO_TZ)
    CallSettings.objects.filter(pk=call.pk).update(review_closes_at=end)

    # The demo reviewer declares a conflict with one company (a former employer).
    conflict_with = submissions[4].organisation
    ReviewerConflict.objects.get_or_create(
        event=event, reviewer=team[0], organisation=conflict_with,
        defaults={"reason": "Former employer (demo)"})

    start = call.closes_at + dt.timedelta(days=1)
    with clock.frozen(start):
        report = review.auto_assign(event, by=organiser)
    undecided = submissions[-UNDECIDED:]
    for index, submission in enumerate(submissions):
        moment = start + dt.timedelta(days=1 + index % 5)
        _write_reviews(event, submission, team, categories, moment,
                       skip=team[0] if submission in undecided else None)

    ranked = [row.submission for row in review.ranking(event) if row.submission not in undecided]
    decided_at = call.closes_at + dt.timedelta(days=9)
    accepted, waitlisted, rejected = (ranked[:ACCEPT], ranked[ACCEPT:ACCEPT + WAITLIST],
                                      ranked[ACCEPT + WAITLIST:])
    with clock.frozen(decided_at):
        for submission in accepted:
            review.decide(submission, S.ACCEPTED, by=organiser, note="Demo decision",
                          include_reviewer_comments=True,
                          duration_minutes=30 if submission == ranked[0] else None)
        for submission in waitlisted:
            review.decide(submission, S.WAITLISTED, by=organiser, note="Demo decision")
        for submission in rejected:
            review.decide(submission, S.REJECTED, by=organiser, note="Demo decision",
                          include_reviewer_comments=True)
    for index, submission in enumerate(accepted[:CONFIRMED]):
        speaker = submission.speakers.order_by("speaker_links__position").first()
        with clock.frozen(decided_at + dt.timedelta(days=1, hours=5 * index)):
            lifecycle.move(submission, S.CONFIRMED, by=speaker, note="Confirmed (demo)")
    return (f"Review: {len(team)} demo reviewers ({DEMO_REVIEWER_EMAIL}, backup codes as for "
            f"staff), {len(report.created)} assignments, "
            f"{Review.objects.filter(submission__event=event).count()} reviews; "
            f"{len(accepted)} accepted ({CONFIRMED} confirmed), {len(waitlisted)} waitlisted, "
            f"{len(rejected)} rejected, {len(undecided)} awaiting a decision")
