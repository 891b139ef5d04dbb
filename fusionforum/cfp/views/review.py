"""Review pages. Reviewers: /review/<event>/ (their assignments, conflicts, one submission with
the review form). Organisers: /manage/<event>/call/review/ (ranking and decisions, one
submission's reviews, the reviewer team and assignment, score categories, e-mails).

Views are thin: access through the gate (``cfp.review_call``, ``cfp.manage_call``), input
through ``review_forms``, every change through ``review`` / ``emails``. Bad input answers 400
with the messages and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.accounts.models import User
from fusionforum.events.access import gate
from fusionforum.notifications import placeholders

from .. import emails, review, services
from .. import review_forms as forms
from ..models import (
    CfpEmailTemplate,
    Review,
    ReviewAssignment,
    ReviewerConflict,
    ScoreCategory,
    Submission,
)
from ..states import DECISIONS, UNDER_REVIEW, SubmissionState
from ..visibility import Purpose, staff_note, visible_answers

MAX_BULK = 500


def _render(request, event, template, context, *, status=200):
    with timezone.override(event.tz):
        return render(request, f"cfp/review/{template}", {"event": event, **context},
                      status=status)


def _content_context(submission: Submission, viewer) -> dict:
    return {
        "submission": submission,
        "answers": visible_answers(submission, viewer, Purpose.REVIEW),
        "staff_note": staff_note(),
        "key_figures": list(submission.key_figures.all()),
        "challenge_categories": list(submission.challenge_categories.all()),
        "help_categories": list(submission.help_categories.all()),
        "speakers": [link.user for link in submission.speaker_links.select_related("user")],
    }


# One sentence per decision (the French agrees the participle with its subject).
DECIDED = {
    SubmissionState.ACCEPTED: lambda: _("“%(title)s” accepted; the speakers are e-mailed."),
    SubmissionState.REJECTED: lambda: _("“%(title)s” rejected; the speakers are e-mailed."),
    SubmissionState.WAITLISTED: lambda: _("“%(title)s” waitlisted; the speakers are "
                                          "e-mailed."),
}
_NOT_DECIDED = {
    SubmissionState.ACCEPTED: lambda: _("%(who)s: not accepted. %(message)s"),
    SubmissionState.REJECTED: lambda: _("%(who)s: not rejected. %(message)s"),
    SubmissionState.WAITLISTED: lambda: _("%(who)s: not waitlisted. %(message)s"),
}


def _bulk_done(decision: str, count: int) -> str:
    if decision == SubmissionState.ACCEPTED:
        return ngettext("%(count)s submission accepted, speakers e-mailed: %(titles)s.",
                        "%(count)s submissions accepted, speakers e-mailed: %(titles)s.", count)
    if decision == SubmissionState.REJECTED:
        return ngettext("%(count)s submission rejected, speakers e-mailed: %(titles)s.",
                        "%(count)s submissions rejected, speakers e-mailed: %(titles)s.", count)
    return ngettext("%(count)s submission waitlisted, speakers e-mailed: %(titles)s.",
                    "%(count)s submissions waitlisted, speakers e-mailed: %(titles)s.", count)


# Reviewers ------------------------------------------------------------------------------------


def _reviewable(event, user, code) -> Submission:
    """The submission if ``user`` is an assigned reviewer without conflict; else 404 (the page
    does not say whether it exists)."""
    submission = (Submission.objects.select_related("event", "organisation")
                  .filter(event=event, code=code).first())
    if submission is None or not review.may_review(user, submission):
        raise Http404(_("No such submission."))
    return submission


@gate("cfp.review_call", second_factor=True)
@require_safe
def home(request, event):
    mine = review.assignments_of(event, request.user)
    done = sum(1 for a in mine if a.review and a.review.submitted_at)
    return _render(request, event, "home.html", {
        "assignments": mine, "done": done,
        "conflicts": ReviewerConflict.objects.filter(event=event, reviewer=request.user)
        .select_related("organisation").order_by("organisation__name"),
        "window_open": review.review_window_open(event),
        "call": review.call_settings(event), "section": "home",
    })


@gate("cfp.review_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def conflicts(request, event):
    form = forms.ConflictForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _conflict, removed = review.declare_conflict(
                    event, request.user, form.cleaned_data["organisation"],
                    reason=form.cleaned_data["reason"])
            except review.ReviewError as exc:
                form.add_error("organisation", str(exc))
            else:
                name = form.cleaned_data["organisation"].name
                text = _("Conflict with %(organisation)s declared.") % {"organisation": name}
                if removed:
                    text += " " + ngettext(
                        "%(count)s submission taken back from you.",
                        "%(count)s submissions taken back from you.", removed) % {
                        "count": removed}
                messages.success(request, text)
                return redirect("review:conflicts", slug=event.slug)
        status = 400
    return _render(request, event, "conflicts.html", {
        "form": form,
        "conflicts": ReviewerConflict.objects.filter(event=event, reviewer=request.user)
        .select_related("organisation").order_by("organisation__name"),
        "own_organisation": request.user.organisation, "section": "conflicts",
    }, status=status)


@gate("cfp.review_call", second_factor=True)
@require_POST
def conflict_withdraw(request, event, pk):
    conflict = get_object_or_404(ReviewerConflict.objects.select_related("organisation"),
                                 pk=pk, event=event, reviewer=request.user)
    review.withdraw_conflict(conflict, by=request.user)
    messages.success(request, _("Conflict with %(organisation)s withdrawn.")
                     % {"organisation": conflict.organisation.name})
    return redirect("review:conflicts", slug=event.slug)


@gate("cfp.review_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def review_submission(request, event, code):
    submission = _reviewable(event, request.user, code)
    categories = review.score_categories(event)
    own = review.review_of(submission, request.user)
    window_open = review.review_window_open(event)
    status = 200
    if request.method == "POST":
        submitting = request.POST.get("action") == "submit" or bool(own and own.submitted_at)
        form = forms.ReviewForm(request.POST, categories=categories, submitting=submitting)
        if not window_open:
            form.is_valid()
            form.add_error(None, _("Reviewing is closed: scores can no longer be changed."))
            status = 400
        elif form.is_valid():
            try:
                saved = review.save_review(
                    submission, request.user, scores=form.scores(),
                    comment_to_organisers=form.cleaned_data["comment_to_organisers"],
                    comment_to_speaker=form.cleaned_data["comment_to_speaker"],
                    submit=submitting)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            except review.ReviewError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                if not own or not own.submitted_at:
                    messages.success(request, _("Review submitted: you can now read the other "
                                                "reviews.") if saved.submitted_at
                                     else _("Draft saved. Submit it when it is complete."))
                else:
                    messages.success(request, _("Your review is updated."))
                return redirect("review:submission", slug=event.slug, code=submission.code)
        else:
            status = 400
    else:
        initial = {}
        if own:
            initial = {"comment_to_organisers": own.comment_to_organisers,
                       "comment_to_speaker": own.comment_to_speaker}
            initial.update({f"score_{s.category_id}": s.value for s in own.scores.all()})
        form = forms.ReviewForm(initial=initial, categories=categories)
    others, hidden = [], True
    try:
        others = review.other_reviews(submission, request.user)
        hidden = False
    except review.ReviewsHidden:
        pass
    return _render(request, event, "review.html", {
        **_content_context(submission, request.user), "form": form, "own": own,
        "others": others,
        "others_hidden": hidden, "window_open": window_open, "categories": categories,
        "call": review.call_settings(event), "section": "home",
        "slides_url": reverse("review:slides", kwargs={"slug": event.slug,
                                                       "code": submission.code}),
    }, status=status)


def _slides_response(submission: Submission):
    handle = services.open_slides(submission)
    if handle is None:
        raise Http404(_("No slides."))
    response = FileResponse(handle, as_attachment=True,
                            filename=services.slides_download_name(submission),
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@gate("cfp.review_call", second_factor=True)
@require_safe
def slides(request, event, code):
    return _slides_response(_reviewable(event, request.user, code))


# Organisers: ranking and decisions ------------------------------------------------------------


def _overview_url(event, query: str = "") -> str:
    url = reverse("cfp_decide:overview", kwargs={"slug": event.slug})
    return f"{url}?{query}" if query else url


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def overview(request, event):
    if request.method == "POST":
        return _bulk_decide(request, event)
    form = forms.RankingFilterForm(request.GET or None, event=event)
    filters = form.cleaned()
    rows = review.ranking(event, **filters)
    query = request.GET.urlencode()
    states = [s for s in SubmissionState if s in UNDER_REVIEW]
    return _render(request, event, "overview.html", {
        "form": form, "rows": rows, "filtered": bool(filters), "query": query,
        "progress": review.reviewer_progress(event),
        "required": review.reviews_per_submission(event),
        "decisions": [s for s in SubmissionState if s in DECISIONS],
        "states": states, "section": "overview",
        "accepted_waiting": Submission.objects.filter(event=event,
                                                      state=SubmissionState.ACCEPTED).count(),
        "disagreement": review.DISAGREEMENT_STDEV,
    }, status=400 if form.is_bound and form.errors else 200)


def _bulk_decide(request, event):
    back = _overview_url(event, request.POST.get("query", "")[:2000])
    decision = request.POST.get("decision", "")
    ids = []
    for raw in request.POST.getlist("ids")[:MAX_BULK]:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    if decision not in DECISIONS:
        messages.error(request, _("Choose a decision for the selected submissions."))
        return redirect(back)
    if not ids:
        messages.error(request, _("Select at least one submission."))
        return redirect(back)
    outcomes = review.bulk_decide(
        event, ids, decision, by=request.user,
        include_reviewer_comments=request.POST.get("include_reviewer_comments") == "on")
    done = [o for o in outcomes if o.ok]
    if done:
        messages.success(request, _bulk_done(decision, len(done)) % {
            "count": len(done), "titles": ", ".join(o.who for o in done)})
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(request, _NOT_DECIDED[decision]() % {
                "who": outcome.who or _("Not changed"), "message": outcome.message})
    return redirect(back)


def _event_submission(event, code) -> Submission:
    return get_object_or_404(Submission.objects.select_related("event", "organisation"),
                             event=event, code=code, state__in=UNDER_REVIEW | {
                                 SubmissionState.WITHDRAWN})


@gate("cfp.manage_call", second_factor=True)
@require_safe
def submission_detail(request, event, code):
    submission = _event_submission(event, code)
    return _render_detail(request, event, submission)


def _render_detail(request, event, submission, *, decision_form=None, status=200):
    reviews = review.other_reviews(submission, request.user)
    drafts = list(Review.objects.filter(submission=submission, submitted_at__isnull=True)
                  .select_related("reviewer"))
    assignments = list(ReviewAssignment.objects.filter(submission=submission)
                       .select_related("reviewer"))
    assigned_ids = {a.reviewer_id for a in assignments}
    submitted_ids = {r.reviewer_id for r in reviews}
    eligible = [r for r in review.eligible_reviewers(submission) if r.pk not in assigned_ids]
    scores = [r.weighted_score for r in reviews if r.weighted_score is not None]
    row = review.RankingRow(submission, sorted(scores), review.reviews_per_submission(event),
                            len(assignments), len(drafts))
    return _render(request, event, "submission.html", {
        **_content_context(submission, request.user), "reviews": reviews, "drafts": drafts,
        "assignments": [(a, a.reviewer_id in submitted_ids) for a in assignments],
        "eligible": eligible, "row": row, "categories": review.score_categories(event),
        "decision_form": decision_form or forms.DecisionForm(),
        "transitions": submission.transitions.select_related("by"),
        "decidable": submission.state in UNDER_REVIEW, "section": "overview",
        "slides_url": reverse("cfp_decide:slides", kwargs={"slug": event.slug,
                                                           "code": submission.code}),
    }, status=status)


@gate("cfp.manage_call", second_factor=True)
@require_safe
def submission_slides(request, event, code):
    return _slides_response(_event_submission(event, code))


@gate("cfp.manage_call", second_factor=True)
@require_POST
def decide(request, event, code):
    submission = _event_submission(event, code)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, event, submission, decision_form=form, status=400)
    data = form.cleaned_data
    try:
        review.decide(submission, data["decision"], by=request.user, note=data["note"],
                      include_reviewer_comments=data["include_reviewer_comments"],
                      duration_minutes=data["duration_minutes"])
    except review.EXPECTED_ERRORS as exc:
        form.add_error(None, review.error_text(exc))
        submission.refresh_from_db()
        return _render_detail(request, event, submission, decision_form=form, status=400)
    messages.success(request, DECIDED[data["decision"]]() % {"title": submission.title})
    return redirect("cfp_decide:submission", slug=event.slug, code=submission.code)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def assign(request, event, code):
    submission = _event_submission(event, code)
    form = forms.AssignReviewerForm(request.POST, reviewers=review.reviewers(event))
    if not form.is_valid():
        messages.error(request, _("Choose one of the event's reviewers."))
    else:
        try:
            review.assign(submission, form.cleaned_data["reviewer"], by=request.user)
        except review.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            reviewer = form.cleaned_data["reviewer"]
            messages.success(request, _("%(name)s assigned.")
                             % {"name": reviewer.full_name or reviewer.email})
    return redirect("cfp_decide:submission", slug=event.slug, code=submission.code)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def unassign(request, event, code, reviewer_id):
    submission = _event_submission(event, code)
    reviewer = get_object_or_404(User, pk=reviewer_id)
    try:
        review.unassign(submission, reviewer, by=request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s no longer reviews this submission.")
                         % {"name": reviewer.full_name or reviewer.email})
    return redirect("cfp_decide:submission", slug=event.slug, code=submission.code)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def auto_assign(request, event):
    report = review.auto_assign(event, by=request.user)
    if not report.reviewer_count:
        messages.error(request, _("The event has no reviewers yet: add some first."))
        return redirect("cfp_decide:reviewers", slug=event.slug)
    made = len(report.created)
    messages.success(request, ngettext("%(count)s assignment made.",
                                       "%(count)s assignments made.", made) % {"count": made})
    for short in report.short:
        messages.error(request, ngettext(
            "“%(title)s” has %(has)s of %(needed)s reviewer: not enough reviewers without a "
            "conflict.",
            "“%(title)s” has %(has)s of %(needed)s reviewers: not enough reviewers without a "
            "conflict.", short.needed) % {
            "title": short.submission.title, "has": short.has, "needed": short.needed})
    return redirect("cfp_decide:reviewers", slug=event.slug)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def reminders(request, event):
    count = review.send_confirmation_reminders(event, by=request.user)
    messages.success(request, ngettext(
        "Reminder sent to the speakers of %(count)s accepted talk not yet confirmed.",
        "Reminder sent to the speakers of %(count)s accepted talks not yet confirmed.",
        count) % {"count": count})
    return redirect("cfp_decide:overview", slug=event.slug)


# Organisers: the reviewer team ----------------------------------------------------------------


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def reviewers(request, event):
    form = forms.AddReviewerForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = review.add_reviewer(event, form.cleaned_data["email"], by=request.user)
            except review.ReviewError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(request, _("%(name)s is now a reviewer and has been told "
                                            "by e-mail.")
                                 % {"name": user.full_name or user.email})
                return redirect("cfp_decide:reviewers", slug=event.slug)
        status = 400
    return _render(request, event, "reviewers.html", {
        "form": form, "progress": review.reviewer_progress(event),
        "required": review.reviews_per_submission(event),
        "awaiting": Submission.objects.filter(event=event,
                                              state__in=review.AWAITING_DECISION).count(),
        "section": "reviewers",
    }, status=status)


def _event_reviewer(event, pk) -> User:
    user = review.reviewers(event).filter(pk=pk).first()
    if user is None:
        raise Http404(_("No such reviewer."))
    return user


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def reviewer_detail(request, event, pk):
    reviewer = _event_reviewer(event, pk)
    if request.method == "POST":
        done, failed = 0, []
        wanted = request.POST.getlist("codes")[:MAX_BULK]
        for submission in Submission.objects.filter(event=event, code__in=wanted):
            try:
                review.assign(submission, reviewer, by=request.user)
            except review.ReviewError as exc:
                failed.append(str(exc))
            else:
                done += 1
        if not wanted:
            messages.error(request, _("Select at least one submission."))
        if done:
            messages.success(request, ngettext("%(count)s submission assigned.",
                                               "%(count)s submissions assigned.", done)
                             % {"count": done})
        for text in failed:
            messages.error(request, text)
        return redirect("cfp_decide:reviewer", slug=event.slug, pk=reviewer.pk)
    assigned = {a.submission_id for a in ReviewAssignment.objects.filter(
        reviewer=reviewer, submission__event=event)}
    conflicted = review.conflict_organisations(event, reviewer)
    mine = review.assignments_of(event, reviewer)
    candidates = (Submission.objects.filter(event=event, state__in=UNDER_REVIEW)
                  .exclude(pk__in=assigned).exclude(organisation_id__in=conflicted)
                  .select_related("organisation").order_by("title"))
    return _render(request, event, "reviewer.html", {
        "reviewer": reviewer, "assignments": mine,
        "candidates": candidates,
        "conflicts": ReviewerConflict.objects.filter(event=event, reviewer=reviewer)
        .select_related("organisation"),
        "section": "reviewers",
    })


@gate("cfp.manage_call", second_factor=True)
@require_POST
def reviewer_remove(request, event, pk):
    reviewer = _event_reviewer(event, pk)
    removed = review.remove_reviewer(event, reviewer, by=request.user)
    messages.success(request, ngettext(
        "%(name)s is no longer a reviewer; %(count)s open assignment removed. Submitted "
        "reviews stay.",
        "%(name)s is no longer a reviewer; %(count)s open assignments removed. Submitted "
        "reviews stay.", removed) % {"name": reviewer.full_name or reviewer.email,
                                     "count": removed})
    return redirect("cfp_decide:reviewers", slug=event.slug)


# Organisers: score categories -----------------------------------------------------------------


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def score_categories(request, event):
    categories = review.score_categories(event)
    form = forms.ScoreCategoryForm(request.POST if request.method == "POST" else None,
                                   initial={"position": (len(categories) + 1) * 10})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review.save_score_category(event, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("“%(name)s” added.")
                                 % {"name": form.cleaned_data["name"]})
                return redirect("cfp_decide:scores", slug=event.slug)
        status = 400
    return _render(request, event, "scores.html", {
        "categories": categories, "form": form, "section": "scores",
    }, status=status)


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def score_category_edit(request, event, pk):
    category = get_object_or_404(ScoreCategory, pk=pk, event=event)
    if request.method == "POST":
        form = forms.ScoreCategoryForm(request.POST)
        if form.is_valid():
            try:
                review.save_score_category(event, by=request.user, category=category,
                                           **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("“%(name)s” saved; weighted scores "
                                            "re-computed.") % {"name": category.name})
                return redirect("cfp_decide:scores", slug=event.slug)
        category.refresh_from_db()
        status = 400
    else:
        form = forms.ScoreCategoryForm(initial={
            "name": category.name, "description": category.description,
            "weight": category.weight, "max_score": category.max_score,
            "position": category.position})
        status = 200
    return _render(request, event, "score_edit.html", {
        "category": category, "form": form, "section": "scores"}, status=status)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def score_category_delete(request, event, pk):
    category = get_object_or_404(ScoreCategory, pk=pk, event=event)
    try:
        review.delete_score_category(category, by=request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(name)s” deleted.") % {"name": category.name})
    return redirect("cfp_decide:scores", slug=event.slug)


# Organisers: e-mail templates -----------------------------------------------------------------


def _kind_or_404(key: str) -> emails.EmailKind:
    return placeholders.kind_or_404(emails.KINDS, key)


@gate("cfp.manage_call", second_factor=True)
@require_safe
def email_list(request, event):
    rows = placeholders.rows(emails.KINDS, CfpEmailTemplate.objects.filter(event=event))
    return _render(request, event, "emails.html", {"rows": rows, "section": "emails"})


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def email_edit(request, event, key):
    kind = _kind_or_404(key)
    language = placeholders.requested_language(request, event)
    url = reverse("cfp_decide:email", kwargs={"slug": event.slug, "key": key})
    tabs = placeholders.language_tabs(
        event, kind, CfpEmailTemplate.objects.filter(event=event, key=key), language, url)
    editing = placeholders.edit(
        request, kind, form_class=forms.EmailTemplateForm, language=language,
        current=lambda: emails.template_for(event, key, language),
        sample=lambda: emails.sample_values(event),
        save=lambda subject, body: emails.save_template(event, key, subject=subject, body=body,
                                                        by=request.user, language=language))
    if editing.saved:
        return redirect(f"{url}?language={language}")
    return _render(request, event, "email_edit.html", {
        "kind": kind, **editing.context(), **tabs, "section": "emails",
    }, status=editing.status)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def email_reset(request, event, key):
    kind = _kind_or_404(key)
    language = placeholders.requested_language(request, event)
    try:
        changed = emails.reset_template(event, key, by=request.user, language=language)
    except PermissionDenied as exc:  # pragma: no cover - the decorator already checked
        raise Http404 from exc
    placeholders.announce_reset(request, kind, changed)
    url = reverse("cfp_decide:email", kwargs={"slug": event.slug, "key": key})
    return redirect(f"{url}?language={language}")

