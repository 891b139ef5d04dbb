import sys
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from . import languages
from .middleware import database_unavailable_response, is_database_unreachable


@require_safe
def healthz(request):
    """For load balancers: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Django calls this while handling the error: an unreachable database raised outside a
    # view (by middleware on the way out) still gets the 503, everything else the 500 page.
    error = sys.exc_info()[1]
    if is_database_unreachable(error):
        return database_unavailable_response(request, error)
    return render(request, "500.html", status=500)


# Django's JavaScript catalogue, one address per language ---------------------------------------
# The scripts' strings (gettext(), interpolate()) come from djangojs.po. The address names the
# language, so that browsers and proxies may keep it (no Vary to honour) and each process keeps
# the text it built until the compiled catalogue changes. CSP allows only scripts from 'self':
# base.html loads it as a script file, before the site's scripts.

_catalogues: dict[str, tuple[float, bytes]] = {}
CATALOGUE_MAX_AGE = 60 * 60


def _compiled_catalogue_time(language: str) -> float:
    times = []
    for folder in settings.LOCALE_PATHS:
        mo = Path(folder) / language / "LC_MESSAGES" / "djangojs.mo"
        if mo.exists():
            times.append(mo.stat().st_mtime)
    return max(times, default=0.0)


@require_safe
def javascript_catalogue(request, language):
    if language not in languages.language_codes():
        raise Http404("No such language.")
    stamp = _compiled_catalogue_time(language)
    kept = _catalogues.get(language)
    if kept is None or kept[0] != stamp:
        with translation.override(language):
            built = JavaScriptCatalog.as_view(domain="djangojs")(request)
        kept = (stamp, built.content)
        _catalogues[language] = kept
    response = HttpResponse(kept[1], content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={CATALOGUE_MAX_AGE}"
    return response
