"""The call's part of the event's dashboard (``events.dashboard``): submissions by state and
reviews missing for the organisers (``cfp.manage_call``), each reviewer's own reviews
(``cfp.review_call``), and the to-dos: reviews running late, submissions waiting for a
decision, a reviewer's reviews to write."""

from __future__ import annotations

import datetime as dt

import rules
from django.db.models import CharField, Count
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.events import dashboard
from fusionforum.notifications.models import OutboundEmail

from . import review
from .models import Submission
from .states import SubmissionState

# Missing reviews become a to-do this long before reviewing closes (and stay one after).
REVIEW_WARNING = dt.timedelta(days=3)


def _manages(user, event) -> bool:
    return event.uses_call and rules.has_perm("cfp.manage_call", user, event)


def _reviews(user, event) -> bool:
    return event.uses_call and rules.has_perm("cfp.review_call", user, event)


def _missing_reviews(event) -> int:
    return sum(len(row.missing) for row in review.reviewer_progress(event))


def figures(event, user, now: dt.datetime) -> dashboard.Panel | None:
    if _manages(user, event):
        counts = dict(Submission.objects.filter(event=event).order_by().values("state")
                      .annotate(n=Count("id")).values_list("state", "n"))
        overview = reverse("cfp_decide:overview", kwargs={"slug": event.slug})
        panel = dashboard.Panel(
            key="call", title=_("Call for presentations"), order=20,
            url=reverse("cfp_manage:submissions", kwargs={"slug": event.slug}))
        panel.figures.append(dashboard.Figure(
            _("Submitted"), sum(n for state, n in counts.items()
                                if state != SubmissionState.DRAFT),
            url=panel.url))
        panel.figures.append(dashboard.Figure(
            _("Waiting for a decision"), counts.get(SubmissionState.SUBMITTED, 0),
            url=overview))
        panel.figures.append(dashboard.Figure(_("Reviews missing"), _missing_reviews(event),
                                              url=overview))
        panel.breakdowns.append(dashboard.Breakdown(
            _("Submissions by state"),
            [(str(label), counts[state]) for state, label in SubmissionState.choices
             if counts.get(state)]))
        return panel
    if _reviews(user, event):
        mine = review.assignments_of(event, user)
        done = sum(1 for item in mine if item.review and item.review.submitted_at)
        return dashboard.Panel(
            key="call", title=_("Your reviews"), order=20,
            url=reverse("review:home", kwargs={"slug": event.slug}),
            figures=[dashboard.Figure(_("Reviews submitted"), done, out_of=len(mine),
                                      url=reverse("review:home", kwargs={"slug": event.slug}))])
    return None


def _closing(event) -> dt.datetime | None:
    settings = review.call_settings(event)
    return settings.review_closes_at if settings else None


def failed_emails(event):
    """E-mails about this event's submissions that the outbox gave up on."""
    ids = Submission.objects.filter(event=event).annotate(
        key=Cast("pk", CharField())).values("key")
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED,
                                        related_type=Submission._meta.label_lower,
                                        related_id__in=ids)


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    items = []
    if _manages(user, event):
        overview = reverse("cfp_decide:overview", kwargs={"slug": event.slug})
        failed = list(failed_emails(event).order_by("-created_at")
                      .values_list("related_id", flat=True)[:50])
        if failed:
            code = Submission.objects.filter(pk=int(failed[0])).values_list(
                "code", flat=True).first()
            items.append(dashboard.Todo(
                ngettext("%(count)s e-mail about a submission could not be delivered.",
                         "%(count)s e-mails about submissions could not be delivered.",
                         len(failed)) % {"count": len(failed)},
                reverse("cfp_decide:submission", kwargs={"slug": event.slug, "code": code})
                if code else overview, urgency=0, count=len(failed), key="call-failed-emails"))
        closes = _closing(event)
        if closes is not None and now >= closes - REVIEW_WARNING:
            missing = _missing_reviews(event)
            if missing:
                text = (ngettext("%(count)s review is overdue: reviewing closed on %(when)s.",
                                 "%(count)s reviews are overdue: reviewing closed on %(when)s.",
                                 missing) if now >= closes else
                        ngettext("%(count)s review is still missing: reviewing closes on "
                                 "%(when)s.",
                                 "%(count)s reviews are still missing: reviewing closes on "
                                 "%(when)s.", missing))
                items.append(dashboard.Todo(
                    text % {"count": missing, "when": dashboard.deadline_text(event, closes)},
                    overview, urgency=0, count=missing, key="call-reviews-overdue"))
        if closes is not None and now >= closes:
            waiting = Submission.objects.filter(event=event,
                                                state=SubmissionState.SUBMITTED).count()
            if waiting:
                items.append(dashboard.Todo(
                    ngettext("%(count)s submission waits for your decision.",
                             "%(count)s submissions wait for your decision.", waiting)
                    % {"count": waiting}, overview, urgency=1, count=waiting,
                    key="call-decisions"))
    elif _reviews(user, event) and review.review_window_open(event, now):
        mine = review.assignments_of(event, user)
        left = sum(1 for item in mine if not (item.review and item.review.submitted_at))
        if left:
            closes = _closing(event)
            text = ngettext("%(count)s submission waits for your review.",
                            "%(count)s submissions wait for your review.", left) % {
                "count": left}
            if closes is not None:
                text = " ".join([text, _("Reviewing closes on %(when)s.")
                                 % {"when": dashboard.deadline_text(event, closes)}])
            items.append(dashboard.Todo(
                text, reverse("review:home", kwargs={"slug": event.slug}),
                urgency=0 if closes is not None and now >= closes - REVIEW_WARNING else 1,
                count=left, key="call-my-reviews"))
    return items
