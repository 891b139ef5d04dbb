"""The organisers' report editor (``manage/<slug>/outcomes/``): build themes, rename, merge,
split, order, narrative, priorities, preview and publication. Every action is a plain POST
form; a refused one answers 400 with the reason and changes nothing."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.cfp import visibility
from fusionforum.cfp.visibility import Purpose
from fusionforum.core import clock
from fusionforum.core.languages import language_codes
from fusionforum.events.access import gate

from .. import report as report_module
from .. import services
from ..charts import charts_for
from ..forms import PriorityForm, ReportForm
from ..models import Priority, SurveyResponse, Theme, ThemeSource


def _editor_url(event, anchor: str = "") -> str:
    return reverse("outcomes_manage:editor", args=[event.slug]) + (f"#{anchor}" if anchor
                                                                     else "")


def _editor_context(event, viewer, **extra) -> dict:
    report = services.report_for(event)
    row_list = report_module.theme_rows(event, include_empty=True)
    rows = {row["id"]: row for row in row_list}
    sources = defaultdict(list)
    theme_sources = list(ThemeSource.objects.filter(event=event)
                         .select_related("submission__organisation")
                         .order_by("-closeness", "id"))
    # The policy decides what the organiser reads; who reads the editor depends on the event
    # alone, so the viewer is asked once for all the sources, not once per source.
    readable = visibility.visible_answers_of([source.submission for source in theme_sources],
                                             viewer, Purpose.OUTCOMES_EDITOR)
    for source, (_submission, shown) in zip(theme_sources, readable, strict=True):
        # What the answer's visibility is now (the company may have changed it since the
        # build); None: no longer counted (withdrawn or emptied). Its words and its text are
        # the policy's (an organiser reads every answer in the editor).
        source.visibility_now = services.current_visibility(source.submission, source.question)
        source.visibility_class = visibility.recorded_level(source.submission, source.question)
        source.visibility_status = visibility.outcomes_status(source.visibility_now)
        source.visibility_then = visibility.level_name(source.visibility)
        source.text = next((answer.text for answer in shown
                            if answer.question.key == source.question), "")
        sources[source.theme_id].append(source)
    themes = []
    names = dict(settings.LANGUAGES)
    for theme in Theme.objects.filter(event=event).order_by("position", "id"):
        # The name in the event's default language, then one per other language where the
        # theme has translated names (empty: the default one is shown).
        themes.append({"theme": theme, "row": rows.get(theme.public_id),
                       "sources": sources.get(theme.pk, []),
                       "default_name": report_module.in_language(
                           theme, "label", event.default_language),
                       "other_names": [
                           (code, names[code], getattr(theme, f"label_{code}") or "")
                           for code in language_codes()
                           if code != event.default_language
                           and hasattr(theme, f"label_{code}")],
                       "default_language": names.get(event.default_language, "")})
    themed = {(s.submission_id, s.question) for items in sources.values() for s in items}
    unthemed = [a for a in services.answers(event)
                if (a.submission.pk, a.question) not in themed]
    total = len(report_module.counted_organisations(event))
    priorities = report_module.priority_rows(event, list(rows.values()), total)
    priority_objects = {p.pk: p for p in Priority.objects.filter(event=event)}
    for row in priorities:
        row["object"] = priority_objects[row["_pk"]]
    context = {
        "event": event, "report": report, "themes": themes, "unthemed": unthemed,
        "organisations": total, "priorities": priorities,
        "report_form": extra.pop("report_form", None) or ReportForm(instance=report),
        "priority_form": extra.pop("priority_form", None) or PriorityForm(event=event),
        "versions": services.versions(event), "latest": services.latest_published(event),
        "survey": SurveyResponse.objects.filter(event=event).select_related("organisation"),
        "publication_problems": report_module.label_problems(
            event, [r for r in row_list if r["answers"]]),
    }
    context.update(extra)
    return context


def _refuse(request, event, error: ValidationError, **extra):
    return render(request, "outcomes/manage/editor.html",
                  _editor_context(event, request.user, error_messages=error.messages, **extra),
                  status=400)


@gate("outcomes.manage_report", second_factor=True)
@require_safe
def editor(request, event):
    return render(request, "outcomes/manage/editor.html",
                  _editor_context(event, request.user))


@gate("outcomes.manage_report", second_factor=True)
@require_safe
def preview(request, event):
    latest = services.latest_published(event)
    number = (latest.version + 1) if latest else 1
    data = report_module.localise(
        report_module.build_data(event, version=number, published_at=clock.now()),
        get_language())
    return render(request, "outcomes/manage/preview.html",
                  {"event": event, "data": data, "charts": charts_for(data),
                   "labels": data["labels"], "preview": True,
                   "publication_problems": report_module.label_problems(event)})


def _action(view):
    """POST only; EditorialError/ValidationError → the editor with the reason (400)."""

    @gate("outcomes.manage_report", second_factor=True)
    @require_POST
    def wrapped(request, event, *args, **kwargs):
        try:
            return view(request, event, *args, **kwargs)
        except ValidationError as error:
            return _refuse(request, event, error)

    wrapped.__name__ = view.__name__
    return wrapped


def _int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise services.EditorialError(gettext("Give a whole number for %(name)s.")
                                      % {"name": name}) from None


@_action
def build(request, event):
    k = request.POST.get("k", "").strip()
    report = services.build_themes(event, by=request.user,
                                   k=_int(k, gettext("the number of themes")) if k else None)
    messages.success(request, gettext("Built %(k)s themes from %(answers)s answers.")
                     % {"k": report.method["k"], "answers": report.method["answers"]})
    return redirect(_editor_url(event, "themes"))


@_action
def rename(request, event, pk):
    translations = {code: request.POST[f"label_{code}"] for code in language_codes()
                    if f"label_{code}" in request.POST}
    theme = services.rename_theme(event, pk, request.POST.get("label", ""), by=request.user,
                                  translations=translations)
    messages.success(request, gettext("Theme renamed to “%(name)s”.") % {"name": theme.label})
    return redirect(_editor_url(event, f"theme-{theme.pk}"))


@_action
def merge(request, event):
    pks = [_int(v, "a theme") for v in request.POST.getlist("themes")]
    theme = services.merge_themes(event, pks, by=request.user,
                                  label=request.POST.get("label", ""))
    messages.success(request, gettext("Merged %(count)s themes into “%(name)s”.")
                     % {"count": len(pks), "name": theme.label})
    return redirect(_editor_url(event, f"theme-{theme.pk}"))


@_action
def split(request, event, pk):
    themes = services.split_theme(event, pk, by=request.user)
    messages.success(request, gettext("Split into “%(first)s” and “%(second)s”.")
                     % {"first": themes[0].label, "second": themes[1].label})
    return redirect(_editor_url(event, f"theme-{themes[0].pk}"))


@_action
def move(request, event, pk):
    services.move_theme(event, pk, request.POST.get("direction", ""), by=request.user)
    return redirect(_editor_url(event, f"theme-{pk}"))


@gate("outcomes.manage_report", second_factor=True)
@require_POST
def save_report(request, event):
    report = services.report_for(event)
    form = ReportForm(request.POST, instance=report)
    if not form.is_valid():
        return render(request, "outcomes/manage/editor.html",
                      _editor_context(event, request.user, report_form=form,
                                      error=gettext("The narrative was not saved: see below.")),
                      status=400)
    services.save_narrative(event, by=request.user, **form.cleaned_data)
    messages.success(request, gettext("Narrative and licence saved."))
    return redirect(_editor_url(event, "narrative"))


@gate("outcomes.manage_report", second_factor=True)
@require_POST
def priority(request, event, pk=None):
    instance = get_object_or_404(Priority, event=event, pk=pk) if pk else None
    form = PriorityForm(request.POST, instance=instance, event=event)
    if not form.is_valid():
        return render(request, "outcomes/manage/editor.html",
                      _editor_context(event, request.user, priority_form=form,
                                      error=gettext("The priority was not saved: see below.")),
                      status=400)
    data = form.cleaned_data
    services.save_priority(event, by=request.user, priority=instance, title=data["title"],
                           description=data["description"], feasibility=data["feasibility"],
                           theme_pks=[t.pk for t in data["themes"]])
    messages.success(request, gettext("Priority saved."))
    return redirect(_editor_url(event, "priorities"))


@_action
def delete_priority(request, event, pk):
    services.delete_priority(event, pk, by=request.user)
    messages.success(request, gettext("Priority deleted."))
    return redirect(_editor_url(event, "priorities"))


@_action
def publish(request, event):
    if request.POST.get("approve") != "yes":
        raise services.EditorialError(
            gettext("Tick “I approve this report for publication” first."))
    version = services.publish(event, by=request.user, comment=request.POST.get("comment", ""))
    messages.success(request, gettext("Version %(number)s published.")
                     % {"number": version.version})
    return redirect(_editor_url(event, "publish"))


@gate("outcomes.manage_report", second_factor=True)
@require_http_methods(["GET", "POST"])
def withdraw(request, event, number):
    """Withdraw a published version: a confirmation page with the reason (GET, or a POST
    without ``confirm``), then the withdrawal."""
    version = services.published_version(event, number)
    if version is None:
        raise Http404(gettext("No such version."))
    reason = request.POST.get("reason", "")
    error = None
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.withdraw(event, number, by=request.user, reason=reason)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            current = services.latest_published(event)
            if current:
                text = gettext("Version %(number)s withdrawn. The public now sees version "
                               "%(current)s.") % {"number": number, "current": current.version}
            else:
                text = gettext("Version %(number)s withdrawn. The public sees no report until "
                               "you publish again.") % {"number": number}
            messages.success(request, text)
            return redirect(_editor_url(event, "publish"))
    current = services.latest_published(event)
    successor = (services.ReportVersion.objects.filter(event=event).exclude(pk=version.pk)
                 .order_by("-version").first())
    return render(request, "outcomes/manage/withdraw.html", {
        "event": event, "version": version, "reason": reason, "error": error,
        "is_current": current is not None and current.pk == version.pk,
        "successor": successor}, status=400 if error else 200)
