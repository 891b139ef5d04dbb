import sys

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

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
