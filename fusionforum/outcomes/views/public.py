"""The public report: web page, PDF, open data (JSON, CSV), versions, and the survey. Every
public output reads a published ``ReportVersion.data``, never the working copy."""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.core.forms import posted_data
from fusionforum.core.languages import language_codes
from fusionforum.events import access
from fusionforum.events.access import gate
from fusionforum.events.services import public_event

from .. import services
from ..charts import charts_for
from ..forms import SurveyForm
from ..models import ReportVersion
from ..report import localise

# Cells a spreadsheet would run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_START:
        # A leading apostrophe makes spreadsheets read the cell as text.
        return "'" + text
    return text


class Withdrawn(Exception):
    def __init__(self, version):
        self.version = version


def _version(event, number: int | None):
    """The version a public address asks for: the latest not withdrawn, or version
    ``number``. Withdrawn → ``Withdrawn`` (410 Gone with the notice)."""
    if number is None:
        version = services.latest_published(event)
        if version is None:
            withdrawn = services.published_version(event, _last_number(event))
            if withdrawn is not None:
                raise Withdrawn(withdrawn)
            raise Http404(gettext("No outcomes report has been published for this event yet."))
        return version
    version = services.published_version(event, number)
    if version is None:
        raise Http404(gettext("No such version."))
    if version.withdrawn_at is not None:
        raise Withdrawn(version)
    return version


def _last_number(event) -> int:
    from django.db.models import Max

    return ReportVersion.every.filter(event=event).aggregate(m=Max("version"))["m"] or 0


def _gone(request, event, version, *, page: bool):
    """410 Gone for a withdrawn version: a page that says so (when, why, where the current
    version is) or, for the files, one line of text."""
    current = services.latest_published(event)
    if page:
        response = render(request, "outcomes/withdrawn.html", {
            "event": event, "withdrawn": version, "current": current,
            "nav": "outcomes" if current else ""},
            status=410)
    else:
        text = gettext("Version %(number)s of this outcomes report was withdrawn on "
                       "%(date)s: %(reason)s") % {
            "number": version.version,
            "date": formats.date_format(version.withdrawn_at, "j F Y"),
            "reason": version.withdrawal_reason} + "\n"
        if current is not None:
            text += gettext("The current version is at %(url)s") % {
                "url": request.build_absolute_uri(reverse("outcomes:report", args=[event.slug]))
            } + "\n"
        response = HttpResponse(text, status=410, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _public(page: bool):
    """Find the event and the version, answer 410 for a withdrawn one; reading only (GET,
    HEAD): the published report changes through the editor's services, never here."""

    def decorator(view):
        @require_safe
        @functools.wraps(view)
        def wrapped(request, slug, number: int | None = None):
            event = public_event(slug, request.user)
            try:
                version = _version(event, number)
            except Withdrawn as gone:
                return _gone(request, event, gone.version, page=page)
            response = view(request, event, version)
            # Withdrawal must take effect at once: browsers and proxies revalidate.
            response.setdefault("Cache-Control", "no-cache")
            return response

        return wrapped

    return decorator


def published_languages(event, data: dict) -> list[str]:
    """The languages a version is published in (versions published before the report spoke
    several languages: the event's default language)."""
    return [code for code in (data.get("languages") or [event.default_language])
            if code in language_codes()] or [language_codes()[0]]


def _context(event, version, language: str | None = None) -> dict:
    """The page or PDF context in ``language`` (the active language by default): call it
    inside ``translation.override(language)``."""
    language = language or get_language()
    data = localise(version.data, language)
    latest = services.latest_published(event)
    names = dict(settings.LANGUAGES)
    return {"event": event, "version": version, "data": data, "charts": charts_for(data),
            "labels": data.get("labels", {}), "report_language": language,
            "pdf_languages": [(code, names[code])
                              for code in published_languages(event, version.data)],
            "is_latest": latest is not None and latest.version == version.version}


@_public(page=True)
def report(request, event, version):
    context = _context(event, version)
    context.update({"nav": "outcomes", "versions": services.versions(event)})
    return render(request, "outcomes/public.html", context)


FONT_FILES = {"font_regular": "fusionforum/fonts/DejaVuSans.woff2",
              "font_bold": "fusionforum/fonts/DejaVuSans-Bold.woff2"}


def _font_urls() -> dict[str, str]:
    from django.contrib.staticfiles import finders

    return {name: Path(finders.find(path)).as_uri() for name, path in FONT_FILES.items()}


def _fonts_only_fetcher():
    """WeasyPrint may read the report's two font files and nothing else: no address from the
    report's text (a link, an image in the narrative) is ever fetched by the server."""
    from weasyprint.urls import URLFetcher

    allowed = set(_font_urls().values())

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Not fetched while making the PDF: {url[:80]}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols={"file"})


@_public(page=False)
def pdf(request, event, version):
    """The PDF in ``?lang=`` (one of the site's languages), else in the reader's language."""
    from weasyprint import HTML

    asked = request.GET.get("lang", "")
    language = asked if asked in language_codes() else get_language()
    with translation.override(language):
        context = {**_context(event, version, language), **_font_urls(),
                   "page_counter_css": page_counter_css()}
        html = render_to_string("outcomes/pdf.html", context, request=request)
    document = render_pdf(HTML(string=html, base_url=request.build_absolute_uri("/"),
                               url_fetcher=_fonts_only_fetcher()))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{event.slug}-outcomes-v{version.version}-{language}.pdf"')
    response["Content-Language"] = language
    if asked not in language_codes():
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def page_counter_css() -> str:
    """The PDF's page footer as a CSS ``content`` value, in the active language: the
    sentence is translated whole and the page counters are put in its placeholders."""
    text = gettext("Page %(page)s of %(pages)s").replace('"', "'").replace("\\", "")
    return '"' + text % {"page": '" counter(page) "', "pages": '" counter(pages) "'} + '"'


def _licence_header(response, data) -> None:
    response["Link"] = f'<{data["licence"]["url"]}>; rel="license"'


def render_pdf(html) -> bytes:
    """A tagged, accessible PDF (PDF/UA-1: structure tree, marked content, document language
    and title from the page); fonts are embedded (DejaVu Sans, the site's font)."""
    return html.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


@_public(page=False)
def report_json(request, event, version):
    response = HttpResponse(json.dumps(version.data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    _licence_header(response, version.data)
    response["Access-Control-Allow-Origin"] = "*"
    return response


CSV_COLUMNS = ["theme_id", "position", "label", "key_terms", "organisations", "answers",
               "share", "challenges_answers", "iter_help_answers", "by_approach", "by_sector",
               "version", "licence"]


def csv_columns() -> list[str]:
    """``label`` is the theme's name in the event's default language; ``label_<language>``
    its name in each site language, empty where the organisers gave none."""
    return CSV_COLUMNS + [f"label_{code}" for code in language_codes()]


@_public(page=False)
def themes_csv(request, event, version):
    data = version.data
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_columns())
    translations = data.get("translations") or {}
    default = published_languages(event, data)[0]
    for theme in data["themes"]:
        writer.writerow([safe_cell(v) for v in (
            theme["id"], theme["position"], theme["label"], "; ".join(theme["key_terms"]),
            theme["organisations"], theme["answers"], theme["share"],
            theme["by_question"].get("challenges", 0), theme["by_question"].get("iter_help", 0),
            "; ".join(f"{k}={v}" for k, v in theme["by_approach"].items()),
            "; ".join(f"{k}={v}" for k, v in theme["by_sector"].items()),
            data["version"], data["licence"]["id"],
            *[translations.get(code, {}).get("themes", {}).get(theme["id"])
              or (theme["label"] if code == default else "") for code in language_codes()])])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-themes-v{version.version}.csv"')
    _licence_header(response, data)
    return response


def _survey_refused(request, event):
    return render(request, "outcomes/survey.html",
                  {"event": event, "nav": "outcomes", "refused": True}, status=403)


@require_http_methods(["GET", "POST"])
@gate("outcomes.see_survey", load=access.public_event, login_first=False,
      refused=_survey_refused, private=False)
def survey(request, event):
    organisation = services.survey_organisation(event, request.user)
    if organisation is None:
        # Organisers see the form as participants do, without answering (they answer for no
        # organisation); the answers are in the report editor.
        return render(request, "outcomes/survey.html",
                      {"event": event, "nav": "outcomes", "form": SurveyForm(),
                       "preview": True})
    existing = services.SurveyResponse.objects.filter(event=event,
                                                      organisation=organisation).first()
    form = SurveyForm(posted_data(request), instance=existing)
    if request.method == "POST" and form.is_valid():
        services.answer_survey(event, request.user, **form.cleaned_data)
        messages.success(request, gettext("Thank you: your organisation’s answer is saved."))
        return redirect(reverse("outcomes:survey", args=[event.slug]))
    return render(request, "outcomes/survey.html",
                  {"event": event, "nav": "outcomes", "form": form, "organisation": organisation,
                   "existing": existing}, status=400 if form.errors else 200)
