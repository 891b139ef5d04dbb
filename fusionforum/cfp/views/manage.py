"""The organisers' submission desk under /manage/<event>/call/: settings of the call, the
category list, the submissions (filters, search, export) and one submission in full.

Every view goes through the gate (``cfp.manage_call``: organisers of this event with a verified
second factor; anyone else a 404). Views are thin: they read input, call ``services``, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.core.related import share_event
from fusionforum.core.translated_fields import translated_values
from fusionforum.events.access import gate
from fusionforum.registration import exports as sheet

from .. import forms, services
from ..categories import categories_for
from ..models import Category, Submission
from ..states import SubmissionState
from ..visibility import Purpose, visible_answers, visible_answers_of
from .public import slides_response


def _render(request, event, template, context, *, status=200, section=""):
    context = {"event": event, "desk_section": section, **context}
    with timezone.override(event.tz):
        return render(request, f"cfp/manage/{template}", context, status=status)


def _filtered(event, params):
    form = forms.FilterForm(params or None, event=event)
    submissions = (Submission.objects.filter(event=event)
                   .select_related("organisation", "created_by")
                   .prefetch_related("speaker_links__user", "challenge_categories",
                                     "help_categories")
                   .order_by("-submitted_at", "-created_at"))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            submissions = submissions.filter(state=data["state"])
        if data["kind"]:
            submissions = submissions.filter(organisation__kind=data["kind"])
        if data["approach"]:
            submissions = submissions.filter(organisation__fusion_approach=data["approach"])
        if data["category"]:
            submissions = submissions.filter(
                Q(challenge_categories__slug=data["category"])
                | Q(help_categories__slug=data["category"])).distinct()
        if data["q"]:
            q = data["q"]
            submissions = submissions.filter(
                Q(title__icontains=q) | Q(code__iexact=q) | Q(organisation__name__icontains=q)
                | Q(speaker_links__user__full_name__icontains=q)).distinct()
    return form, submissions


@gate("cfp.manage_call", second_factor=True)
@require_safe
def submissions(request, event):
    call = services.call_settings(event)
    if call is None:
        return redirect("cfp_manage:settings", slug=event.slug)
    form, found = _filtered(event, request.GET)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    counts = dict(Submission.objects.filter(event=event).values_list("state")
                  .annotate(n=Count("id")).values_list("state", "n"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(request, event, "submissions.html", {
        "call": call, "form": form, "page": page, "filtered": bool(query.urlencode()),
        "query": query.urlencode(),
        "counts": [(label, counts.get(value, 0)) for value, label in SubmissionState.choices],
        "state": services.call_state(call),
    }, section="submissions", status=400 if form.is_bound and form.errors else 200)


def _submission(event, code) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("organisation", "created_by", "event")
        .prefetch_related("speaker_links__user", "key_figures", "challenge_categories",
                          "help_categories", "transitions__by"),
        event=event, code=code)


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "POST"])
def detail(request, event, code):
    submission = _submission(event, code)
    deadline_form = forms.DeadlineForm(initial={"edit_deadline": submission.edit_deadline})
    duration_form = forms.DurationForm(initial={"duration_minutes": submission.duration_minutes})
    notes_form = forms.NotesForm(initial={"internal_notes": submission.internal_notes})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            with timezone.override(event.tz):
                if action == "deadline":
                    deadline_form = forms.DeadlineForm(request.POST)
                    if deadline_form.is_valid():
                        services.extend_deadline(submission, request.user,
                                                 deadline_form.cleaned_data["edit_deadline"])
                        messages.success(request, _("The edit deadline is saved."))
                        return redirect("cfp_manage:detail", slug=event.slug, code=code)
                elif action == "duration":
                    duration_form = forms.DurationForm(request.POST)
                    if duration_form.is_valid():
                        services.set_duration(submission, request.user,
                                              duration_form.cleaned_data["duration_minutes"])
                        messages.success(request, _("The talk length is saved."))
                        return redirect("cfp_manage:detail", slug=event.slug, code=code)
                elif action == "notes":
                    notes_form = forms.NotesForm(request.POST)
                    if notes_form.is_valid():
                        services.set_internal_notes(submission, request.user,
                                                    notes_form.cleaned_data["internal_notes"])
                        messages.success(request, _("The notes are saved."))
                        return redirect("cfp_manage:detail", slug=event.slug, code=code)
                else:
                    messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            target = {"deadline": deadline_form, "duration": duration_form,
                      "notes": notes_form}.get(action)
            if target is not None:
                forms.errors_to_form(target, exc)
        status = 400
    return _render(request, event, "detail.html", {
        "submission": submission, "call": event.call_settings,
        "deadline_form": deadline_form, "duration_form": duration_form,
        "notes_form": notes_form, "now": clock.now(),
        "editable_now": services.can_edit_content(submission),
        "answers": {a.question.key: a for a in visible_answers(
            submission, request.user, Purpose.ORGANISER_DESK)},
    }, section="submissions", status=status)


@gate("cfp.manage_call", second_factor=True)
@require_safe
def slides(request, event, code):
    submission = _submission(event, code)
    handle = services.open_slides(submission)
    if handle is None:
        raise Http404(_("No slides."))
    return slides_response(handle, services.slides_download_name(submission))


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "POST"])
def call_settings(request, event):
    call = services.call_settings(event)
    with timezone.override(event.tz):
        form = forms.CallSettingsForm(posted_data(request), instance=call, event=event)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                values = {name: form.cleaned_data[name] for name in services.CALL_FIELDS}
                try:
                    services.save_call_settings(event, request.user, values)
                except ValidationError as exc:
                    forms.errors_to_form(form, exc)
                else:
                    messages.success(request, _("The call's settings are saved."))
                    return redirect("cfp_manage:settings", slug=event.slug)
            status = 400
    return _render(request, event, "settings.html", {"form": form, "call": call},
                   section="settings", status=status)


@gate("cfp.manage_call", second_factor=True)
@require_http_methods(["GET", "POST"])
def categories(request, event):
    items = categories_for(event)
    form = forms.CategoryForm(posted_data(request), event=event)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_category(event, request.user,
                                      **translated_values(form, "name"))
            except ValidationError as exc:
                form.add_error(f"name_{event.default_language}", exc.messages)
            else:
                messages.success(request, _("The category is added."))
                return redirect("cfp_manage:categories", slug=event.slug)
        status = 400
    usage = {c.pk: services.category_usage(c) for c in items}
    return _render(request, event, "categories.html", {
        "form": form, "items": [(c, usage[c.pk]) for c in items],
    }, section="categories", status=status)


@gate("cfp.manage_call", second_factor=True)
@require_POST
def category_action(request, event, pk):
    category = get_object_or_404(Category, event=event, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "rename":
            services.rename_category(category, request.user, request.POST.get("name", ""))
            messages.success(request, _("The category is renamed."))
        elif action in ("up", "down"):
            services.move_category(category, request.user, action)
        elif action == "delete":
            services.delete_category(category, request.user)
            messages.success(request, _("“%(name)s” is removed.") % {"name": category.name})
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        messages.error(request, _("“%(name)s” was not renamed: %(reasons)s")
                       % {"name": category.name, "reasons": " ".join(exc.messages)})
        return redirect("cfp_manage:categories", slug=event.slug)
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
    return redirect("cfp_manage:categories", slug=event.slug)


# Column headers for people reading the spreadsheet, in the organiser's language.
EXPORT_HEADER = [
    gettext_lazy("Code"), pgettext_lazy("export column", "State"), gettext_lazy("Title"),
    gettext_lazy("Organisation"), gettext_lazy("Organisation kind"), gettext_lazy("Approach"),
    gettext_lazy("Country"), gettext_lazy("Speakers"), gettext_lazy("Abstract"),
    gettext_lazy("Q1 breakthroughs"), gettext_lazy("Q1 visibility"), gettext_lazy("Scale"),
    gettext_lazy("Key figures"), gettext_lazy("Q2 challenges"), gettext_lazy("Q2 visibility"),
    gettext_lazy("Q2 categories"), gettext_lazy("Q3 how ITER can help"),
    gettext_lazy("Q3 visibility"), gettext_lazy("Q3 categories"),
    gettext_lazy("Duration (minutes)"), gettext_lazy("Slides"), gettext_lazy("Created"),
    gettext_lazy("Submitted"), gettext_lazy("Edit deadline"),
]


def export_rows(event, submissions, viewer):
    def when(moment):
        return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    def answer(answers, key) -> tuple[str, str]:
        # Text and level of an answer the viewer may read; empty cells otherwise.
        found = answers.get(key)
        return (found.text, str(found.visibility_label)) if found else ("", "")

    rows = []
    # Each row reads the event's call settings (the default duration): loaded once.
    submissions = share_event(list(submissions), event)
    for s, shown in visible_answers_of(submissions, viewer, Purpose.ORGANISER_DESK):
        org = s.organisation
        answers = {a.question.key: a for a in shown}
        rows.append([
            s.code, str(s.get_state_display()), s.title, org.name, str(org.get_kind_display()),
            str(org.get_fusion_approach_display()) if org.fusion_approach else "", org.country.code,
            "; ".join(link.user.full_name or link.user.email for link in s.speaker_links.all()),
            s.abstract, *answer(answers, "breakthroughs"),
            str(s.get_breakthrough_scale_display()) if s.breakthrough_scale else "",
            "; ".join(str(f) for f in s.key_figures.all()),
            *answer(answers, "challenges"),
            "; ".join(c.name for c in s.challenge_categories.all()),
            *answer(answers, "iter_help"),
            "; ".join(c.name for c in s.help_categories.all()),
            s.effective_duration(), _("yes") if s.slides else _("no"), when(s.created_at),
            when(s.submitted_at), when(s.edit_deadline),
        ])
    return rows


@gate("cfp.manage_call", second_factor=True)
@require_safe
def export(request, event, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("No such format."))
    _unused, found = _filtered(event, request.GET)
    found = found.prefetch_related("key_figures")
    rows = export_rows(event, found, request.user)
    services.record_export(event, by=request.user, count=len(rows), fmt=fmt)
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    header = [str(name) for name in EXPORT_HEADER]
    if fmt == "csv":
        body, content_type = sheet.to_csv(header, rows), sheet.CSV_CONTENT_TYPE
    else:
        body = sheet.to_xlsx(header, rows, title=_("Submissions"))
        content_type = sheet.XLSX_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-submissions-{stamp}.{fmt}"')
    response["X-Content-Type-Options"] = "nosniff"
    return response
