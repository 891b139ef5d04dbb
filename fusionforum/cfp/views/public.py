"""The call for presentations as speakers see it: the call page, writing and submitting a
presentation, slides, withdrawing, confirming an accepted talk, and the speaker profile.

A submission is found only among those the person may see: anyone else gets the same 404 as
for a code that does not exist. Pages with personal content are never stored by a cache.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core.forms import posted_data
from fusionforum.core.text import render_markdown
from fusionforum.events import services as event_services
from fusionforum.events.access import gate
from fusionforum.events.questions import WORKSHOP_QUESTIONS

from .. import forms, services
from ..models import Submission
from ..states import TRANSITIONS, SubmissionState
from ..visibility import Purpose, visible_answers


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def _render(request, event, template, context, *, status=200):
    context = {"event": event, "nav": "call", **context}
    with timezone.override(event.tz):
        return _private(render(request, f"cfp/{template}", context, status=status))


def _event(request, slug):
    event = event_services.public_event(slug, request.user)
    call = services.call_settings(event)
    if call is None:
        raise Http404(_("This event has no call for presentations."))
    return event, call


def _call_event(request, kwargs):
    return _event(request, kwargs.pop("slug"))[0]


def _with_call(request, event):
    return event, services.call_settings(event)


# A speaker's pages of one submission. Signed-out visitors go to the login and come back (e.g.
# from the acceptance e-mail's confirmation link), before anything is looked up: every code is
# treated alike, so this reveals nothing. The view receives the event and its call.
signed_in = gate("cfp.submit", load=_call_event, passes=_with_call, private=False)
# Writing a submission or the speaker profile: the event and its call first (404 if none).
writing = gate("cfp.submit", load=_call_event, login_first=False, passes=_with_call,
               private=False)


def _own_submission(request, event, code) -> Submission:
    """The submission if the person is one of its authors or speakers; else 404."""
    if not request.user.is_authenticated:
        raise Http404(_("No such submission."))
    submission = (Submission.objects.filter(event=event, code=code)
                  .select_related("event", "organisation", "created_by").first())
    if submission is None or not services.is_author(request.user, submission):
        raise Http404(_("No such submission."))
    return submission


@require_safe
def call_page(request, slug):
    event, call = _event(request, slug)
    state = services.call_state(call)
    reason = services.submit_block_reason(event, request.user)
    own, colleagues = [], []
    if request.user.is_authenticated:
        for submission in services.organisation_submissions(event, request.user):
            (own if services.is_author(request.user, submission) else colleagues).append(
                submission)
        own_ids = {s.pk for s in own}
        own += [s for s in Submission.objects.filter(event=event, speaker_links__user=request.user)
                .select_related("organisation") if s.pk not in own_ids]
    # After the close, the submissions whose content this person may still change (an
    # organiser's extension), each with its own deadline.
    extended = [(s, s.deadline()) for s in own
                if state == "closed" and services.can_edit_content(s)]
    context = {
        "call": call, "state": state, "reason": reason, "extended": extended,
        "reason_text": services.REASONS.get(reason, ""),
        "introduction_html": render_markdown(call.introduction),
        "questions": WORKSHOP_QUESTIONS, "own": own, "colleagues": colleagues,
        "organisation": services.submitting_organisation(event, request.user),
        "may_have_profile": services.may_have_profile(event, request.user),
    }
    return _render(request, event, "call.html", context)


def _form_context(event, submission, form, figures, *, read_only_reason=None, slides_form=None):
    return {
        "submission": submission, "form": form, "figures": figures,
        "read_only_reason": read_only_reason,
        "slides_form": slides_form, "questions": WORKSHOP_QUESTIONS,
        "call": event.call_settings,
    }


def _bound_forms(request, event, organisation, submission=None):
    data = posted_data(request)
    form = forms.SubmissionForm(data, event=event, organisation=organisation,
                                initial=forms.SubmissionForm.initial_for(submission)
                                if submission else None)
    extra = 1 if data is not None and data.get("action") == "add_figure" else 0
    figures = forms.key_figure_formset(data, submission=submission, extra_rows=extra)
    return form, figures


def _add_figure_row(request, figures):
    """The no-JavaScript "add a key figure" button: the posted rows plus one empty row."""
    data = request.POST.copy()
    total = int(data.get("figures-TOTAL_FORMS", "0") or 0)
    if total >= services.MAX_KEY_FIGURES:
        return figures
    data["figures-TOTAL_FORMS"] = str(total + 1)
    return forms.KeyFigureFormSet(data, prefix="figures")


@require_http_methods(["GET", "POST"])
@writing
def new(request, event, call):
    reason = services.submit_block_reason(event, request.user)
    if reason:
        context = {"call": call, "reason_text": services.REASONS[reason]}
        return _render(request, event, "cannot_submit.html", context,
                       status=403 if request.method == "POST" else 200)
    organisation = services.submitting_organisation(event, request.user)
    form, figures = _bound_forms(request, event, organisation)
    if request.method == "GET":
        form.initial["speakers"] = [request.user]
        # People are taken to write in the language they use the site in; the form says so.
        form.initial["language"] = (getattr(request.user, "preferred_language", "")
                                    or translation.get_language() or "")
        return _render(request, event, "edit.html", {
            **_form_context(event, None, form, figures), "organisation": organisation})
    action = request.POST.get("action", "save")
    if action == "add_figure":
        figures = _add_figure_row(request, figures)
        form.is_valid()
        return _render(request, event, "edit.html", {
            **_form_context(event, None, _unvalidated(form), figures),
            "organisation": organisation})
    if form.is_valid() & figures.is_valid():
        try:
            submission = services.create_submission(
                event, request.user, form.content(forms.figures_from(figures)),
                submit=action == "submit")
        except ValidationError as exc:
            forms.errors_to_form(form, exc)
        except services.SubmissionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _saved_message(submission))
            return redirect("cfp:edit", slug=event.slug, code=submission.code)
    return _render(request, event, "edit.html", {
        **_form_context(event, None, form, figures), "organisation": organisation}, status=400)


def _unvalidated(form):
    """The same posted values shown again without error messages (adding a row is not a save)."""
    form._errors = {}
    form._describe_fields()
    return form


def _saved_message(submission) -> str:
    if submission.state == SubmissionState.SUBMITTED:
        return _("Your presentation is submitted. You can still change it until the "
                 "deadline; we sent a confirmation to the speakers.")
    return _("Your draft is saved. It is not submitted yet.")


@require_http_methods(["GET", "POST"])
@signed_in
def edit(request, event, call, code):
    submission = _own_submission(request, event, code)
    read_only_reason = services.edit_block_reason(submission)
    if request.method == "POST" and read_only_reason:
        # Nothing is written after the deadline, whatever was posted.
        messages.error(request, read_only_reason)
        form = forms.SubmissionForm(None, event=event, organisation=submission.organisation,
                                    initial=forms.SubmissionForm.initial_for(submission))
        figures = forms.key_figure_formset(None, submission=submission)
        return _render(request, event, "edit.html", {
            **_form_context(event, submission, form, figures,
                            read_only_reason=read_only_reason,
                            slides_form=_slides_form(call, submission)),
            "organisation": submission.organisation}, status=403)
    form, figures = _bound_forms(request, event, submission.organisation, submission)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "add_figure":
            figures = _add_figure_row(request, figures)
            form.is_valid()
            form = _unvalidated(form)
        elif form.is_valid() & figures.is_valid():
            try:
                submission = services.update_submission(
                    submission, request.user, form.content(forms.figures_from(figures)),
                    submit=action == "submit")
            except ValidationError as exc:
                forms.errors_to_form(form, exc)
                status = 400
            except services.SubmissionError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, _saved_message(submission) if action == "submit"
                                 or submission.state == SubmissionState.DRAFT
                                 else _("Your changes are saved."))
                return redirect("cfp:edit", slug=event.slug, code=submission.code)
        else:
            status = 400
    context = {
        **_form_context(event, submission, form, figures, read_only_reason=read_only_reason,
                        slides_form=_slides_form(call, submission)),
        "organisation": submission.organisation,
        "answers": visible_answers(submission, request.user, Purpose.AUTHOR),
        "slides_locked_reason": services._slides_block_reason(submission),
        "can_withdraw": SubmissionState.WITHDRAWN in _next_states(submission),
        "can_confirm": submission.state == SubmissionState.ACCEPTED,
    }
    return _render(request, event, "edit.html", context, status=status)


def _next_states(submission):
    return TRANSITIONS.get(submission.state, frozenset())


def _slides_form(call, submission, data=None, files=None):
    return forms.SlidesForm(data, files, max_mb=call.max_slides_mb)


@require_POST
def slides(request, slug, code):
    """Upload (or remove) the slides of a submission."""
    event, call = _event(request, slug)
    submission = _own_submission(request, event, code)
    if request.POST.get("action") == "remove":
        try:
            services.remove_slides(submission, request.user)
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
            return redirect("cfp:edit", slug=event.slug, code=submission.code)
        messages.success(request, _("The slides are removed."))
        return redirect("cfp:edit", slug=event.slug, code=submission.code)
    form = _slides_form(call, submission, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.upload_slides(submission, request.user, form.cleaned_data["slides"])
        except ValidationError as exc:
            form.add_error("slides", exc.messages)
        except services.SubmissionError as exc:
            form.add_error(None, str(exc))
            status = 403
        else:
            messages.success(request, _("Your slides are uploaded."))
            return redirect("cfp:edit", slug=event.slug, code=submission.code)
    return _render(request, event, "slides.html",
                   {"submission": submission, "slides_form": form, "call": call}, status=status)


@require_safe
def slides_download(request, slug, code):
    event = event_services.public_event(slug, request.user)
    submission = Submission.objects.filter(event=event, code=code).select_related(
        "event").first()
    if submission is None or not services.may_download_slides(request.user, submission):
        raise Http404(_("No such file."))
    handle = services.open_slides(submission)
    if handle is None:
        raise Http404(_("No slides uploaded."))
    return slides_response(handle, services.slides_download_name(submission))


def slides_response(handle, filename: str) -> FileResponse:
    """A PDF download that no browser renders in place or sniffs, and no cache keeps."""
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
@signed_in
def withdraw(request, event, call, code):
    submission = _own_submission(request, event, code)
    form = forms.WithdrawForm(posted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.withdraw(submission, request.user, note=form.cleaned_data["reason"])
            except services.SubmissionError as exc:
                messages.error(request, str(exc))
                return redirect("cfp:edit", slug=event.slug, code=submission.code)
            messages.success(request, _("“%(title)s” is withdrawn.")
                             % {"title": submission.title})
            return redirect("cfp:call", slug=event.slug)
        status = 400
    allowed = SubmissionState.WITHDRAWN in _next_states(submission)
    return _render(request, event, "withdraw.html",
                   {"submission": submission, "form": form, "allowed": allowed},
                   status=status)


@require_http_methods(["GET", "POST"])
@signed_in
def confirm(request, event, call, code):
    submission = _own_submission(request, event, code)
    if request.method == "POST":
        try:
            services.confirm(submission, request.user)
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
            return redirect("cfp:confirm", slug=event.slug, code=submission.code)
        messages.success(request, _("Thank you: your talk is confirmed."))
        return redirect("cfp:edit", slug=event.slug, code=submission.code)
    return _render(request, event, "confirm.html", {
        "submission": submission, "call": call,
        "duration": submission.effective_duration(),
        "can_confirm": submission.state == SubmissionState.ACCEPTED,
    })


@require_http_methods(["GET", "POST"])
@writing
def profile(request, event, call):
    if not services.may_have_profile(event, request.user):
        return _render(request, event, "cannot_submit.html", {
            "call": call, "reason_text": services.REASONS["not_registered"]},
            status=403 if request.method == "POST" else 200)
    current = services.profile_for(event, request.user)
    initial = {"bio": current.bio} if current else None
    form = forms.ProfileForm(posted_data(request), request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_profile(event, request.user, bio=form.cleaned_data["bio"],
                                      photo=form.cleaned_data["photo"],
                                      remove_photo=form.cleaned_data["remove_photo"])
            except ValidationError as exc:
                forms.errors_to_form(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Your speaker profile is saved."))
                return redirect("cfp:profile", slug=event.slug)
        status = 400
    return _render(request, event, "profile.html", {
        "form": form, "profile": current,
        "bio_html": render_markdown(current.bio) if current else "",
    }, status=status)


@require_safe
def own_photo(request, slug):
    """The person's own stored photo (as re-encoded), for the profile page's preview."""
    event = event_services.public_event(slug, request.user)
    current = services.profile_for(event, request.user)
    handle = services.open_photo(current) if current else None
    if handle is None:
        raise Http404(_("No photo."))
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)

