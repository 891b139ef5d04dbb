"""The public report: web page, PDF, open data (JSON, CSV), versions, and the survey. Every
public output reads a published ``ReportVersion.data``, never the working copy."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fusionforum.core.forms import posted_data
from fusionforum.events.services import public_event

from . import services
from .charts import charts_for
from .forms import SurveyForm

# Cells a spreadsheet would run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_START:
        # A leading apostrophe makes spreadsheets read the cell as text.
        return "'" + text
    return text


def _version(event, number: int | None):
    version = (services.latest_published(event) if number is None
               else services.published_version(event, number))
    if version is None:
        raise Http404("No outcomes report has been published for this event yet."
                      if number is None else "No such version.")
    return version


def _context(event, version) -> dict:
    data = version.data
    return {"event": event, "version": version, "data": data, "charts": charts_for(data),
            "labels": data.get("labels", {}),
            "is_latest": services.latest_published(event).version == version.version}


def report(request, slug, number: int | None = None):
    event = public_event(slug, request.user)
    version = _version(event, number)
    context = _context(event, version)
    context.update({"nav": "outcomes", "versions": services.versions(event)})
    return render(request, "outcomes/public.html", context)


def pdf(request, slug, number: int | None = None):
    from weasyprint import HTML

    event = public_event(slug, request.user)
    version = _version(event, number)
    html = render_to_string("outcomes/pdf.html", _context(event, version), request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{event.slug}-outcomes-v{version.version}.pdf"')
    return response


def _licence_header(response, data) -> None:
    response["Link"] = f'<{data["licence"]["url"]}>; rel="license"'


def report_json(request, slug, number: int | None = None):
    event = public_event(slug, request.user)
    version = _version(event, number)
    response = HttpResponse(json.dumps(version.data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    _licence_header(response, version.data)
    response["Access-Control-Allow-Origin"] = "*"
    return response


CSV_COLUMNS = ["theme_id", "position", "label", "key_terms", "organisations", "answers",
               "share", "challenges_answers", "iter_help_answers", "by_approach", "by_sector",
               "version", "licence"]


def themes_csv(request, slug, number: int | None = None):
    event = public_event(slug, request.user)
    version = _version(event, number)
    data = version.data
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for theme in data["themes"]:
        writer.writerow([safe_cell(v) for v in (
            theme["id"], theme["position"], theme["label"], "; ".join(theme["key_terms"]),
            theme["organisations"], theme["answers"], theme["share"],
            theme["by_question"].get("challenges", 0), theme["by_question"].get("iter_help", 0),
            "; ".join(f"{k}={v}" for k, v in theme["by_approach"].items()),
            "; ".join(f"{k}={v}" for k, v in theme["by_sector"].items()),
            data["version"], data["licence"]["id"])])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-themes-v{version.version}.csv"')
    _licence_header(response, data)
    return response


@require_http_methods(["GET", "POST"])
def survey(request, slug):
    event = public_event(slug, request.user)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    organisation = services.survey_organisation(event, request.user)
    if organisation is None:
        return render(request, "outcomes/survey.html",
                      {"event": event, "nav": "outcomes", "refused": True}, status=403)
    existing = services.SurveyResponse.objects.filter(event=event,
                                                      organisation=organisation).first()
    form = SurveyForm(posted_data(request), instance=existing)
    if request.method == "POST" and form.is_valid():
        services.answer_survey(event, request.user, **form.cleaned_data)
        messages.success(request, "Thank you: your organisation's answer is saved.")
        return redirect(reverse("outcomes:survey", args=[event.slug]))
    return render(request, "outcomes/survey.html",
                  {"event": event, "nav": "outcomes", "form": form, "organisation": organisation,
                   "existing": existing}, status=400 if form.errors else 200)
