"""Middleware of the platform."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, gettext_noop

from fusionforum.core import languages
from fusionforum.core.text import LINE_BREAKS, normalise_newlines


def normalise_line_breaks(get_response):
    """Browsers send every form value's line breaks as CR LF (the HTML form submission
    algorithm normalises them so). Rewrite the POST body's values to LF once, before any view,
    form or validator reads them, so that every form of the product (and every view that reads
    ``request.POST`` itself) sees the line ends that are stored. Other characters are left to
    the validators (``core.text``): a single-line field still refuses the line break."""

    def middleware(request):
        if request.method == "POST":
            post = request.POST
            if any(any(b in value for b in LINE_BREAKS)
                   for values in post.lists() for value in values[1]):
                normalised = post.copy()
                for key, values in post.lists():
                    normalised.setlist(key, [normalise_newlines(v) for v in values])
                normalised._mutable = False
                request.POST = normalised
        return get_response(request)

    return middleware


# The database is unreachable -----------------------------------------------------------------
# While the database server is down (or restarting) every request that needs it fails with the
# driver's connection error. Those requests get a plain 503 with Retry-After instead of the
# 500 page: nothing they tried to write was committed (the transaction died with the
# connection), and the same request will work once the server is back. Django discards the
# broken connection at the end of the request (``errors_occurred`` plus the health check of
# persistent connections), so the next request connects again by itself.

logger = logging.getLogger("fusionforum.database")

RETRY_AFTER_SECONDS = 5
# English here (the tests and the logs compare it); answers carry it in the request's language.
DATABASE_UNAVAILABLE_MESSAGE = gettext_noop(
    "The site cannot reach its database. Try again in a moment; nothing was saved.")
# SQLSTATEs of a server that cannot be reached or is going away: class 08 (connection
# exception), shut down by the administrator or a crash, starting up or shutting down
# ("cannot connect now"), and "too many clients" (a refused connection).
_SQLSTATE_CLASS_UNREACHABLE = "08"
_SQLSTATES_UNREACHABLE = frozenset({"57P01", "57P02", "57P03", "53300"})
# A refused connect carries no SQLSTATE, only the text. A server that answered it with FATAL is
# reachable and says no for a reason to fix (a wrong password, a missing database): a 500,
# unless it said it is starting, stopping or full (PostgreSQL's own, English, messages).
_FATAL_WHILE_UNAVAILABLE = (
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "the database system is not accepting connections",
    "sorry, too many clients already",
    "remaining connection slots are reserved",
)


def _driver_connection_gone(wrapper) -> bool:
    raw = wrapper.connection
    return raw is None or bool(getattr(raw, "closed", False))


def is_database_unreachable(error: BaseException | None) -> bool:
    """Whether ``error`` says that the database cannot be reached, as opposed to a query or a
    program that is wrong (those stay 500s, to be seen and fixed).

    PostgreSQL: the server's SQLSTATE when it sent one; otherwise (a refused connect, a
    connection that broke under the query) the driver's own error, counted only when the
    connection is in fact gone and the server did not refuse the connect for a reason that
    will not pass (authentication, a missing database). SQLite: only a database file that
    cannot be opened; a locked database is a busy one (a writer held the lock past the 20 s
    busy timeout), not an unreachable one, and stays a 500 to be looked into.
    """
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    sqlite_error = getattr(cause, "sqlite_errorname", None)
    if sqlite_error is not None:
        return sqlite_error == "SQLITE_CANTOPEN"
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate:
        return (sqlstate.startswith(_SQLSTATE_CLASS_UNREACHABLE)
                or sqlstate in _SQLSTATES_UNREACHABLE)
    message = str(cause)
    if "FATAL:" in message and not any(text in message for text in _FATAL_WHILE_UNAVAILABLE):
        return False
    return any(wrapper.vendor == "postgresql" and _driver_connection_gone(wrapper)
               for wrapper in connections.all(initialized_only=True))


def _wants_json(request) -> bool:
    if request.path.endswith(".json") and request.headers.get("Accept", "*/*") == "*/*":
        return True
    return request.get_preferred_type(
        ["text/html", "application/json", "application/problem+json"]
    ) in ("application/json", "application/problem+json")


def database_unavailable_response(request, error: BaseException) -> HttpResponse:
    """The 503 for a request that failed because the database is unreachable, and its one line
    in the log (no traceback: during an outage every request would print the same one)."""
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    logger.warning("Database unreachable, answered 503: %s %s (%s: %s)", request.method,
                   request.path, type(error).__name__, detail)
    if _wants_json(request):
        response = JsonResponse(
            {"type": "about:blank", "title": "Service Unavailable", "status": 503,
             "detail": gettext(DATABASE_UNAVAILABLE_MESSAGE)},
            status=503, content_type="application/problem+json")
    else:
        # Rendered without the request: no context processor may reach for the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Django logs every 5xx once more ("Service Unavailable: /path", with the traceback when
    # the error came through the 500 handler); the line above is this request's one line.
    response._has_been_logged = True
    return response


def unless_database_unreachable(request, check):
    """Run a middleware's own database lookup (``check()``, returning None or a response);
    the 503 when the database cannot be reached. Errors raised in another middleware's
    ``process_view`` never reach ``DatabaseUnavailableMiddleware``."""
    try:
        return check()
    except DatabaseError as error:
        if is_database_unreachable(error):
            return database_unavailable_response(request, error)
        raise


class DatabaseUnavailableMiddleware:
    """Turns a view's (or its template's) error from an unreachable database into the 503.
    Errors raised by other middleware (a session saved on the way out) reach the 500 handler,
    ``core.views.server_error``, which makes the same decision."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unreachable(exception):
            return database_unavailable_response(request, exception)
        return None


# The language of each page ---------------------------------------------------------------------


class LanguageMiddleware:
    """Answers each request in the language ``core.languages.request_language`` picks (it
    replaces Django's LocaleMiddleware, which cannot see the signed-in person or the event).
    It runs after the authentication middleware. Before the view, a page under an event whose
    visitor asked for no language (no preference, cookie or Accept-Language) switches to the
    event's default language. Every answer varies on Accept-Language and Cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = languages.chosen_language(request)
        request.language_chosen = chosen is not None
        self._activate(request, chosen or languages.request_language(request))
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("slug")
        if not request.language_chosen and isinstance(slug, str):
            self._activate(request, languages.request_language(
                request, languages.event_language(slug)))
        return None

    @staticmethod
    def _activate(request, language):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
