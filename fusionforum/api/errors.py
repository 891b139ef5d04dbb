"""Errors as ``application/problem+json`` (RFC 9457).

Every refusal of the API, DRF's and Django's alike, is one JSON object::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "No such talk in the programme.", "instance": "/api/v1/...",
     "code": "not_found"}

``title`` is the HTTP status phrase (the type is ``about:blank``: the status says what kind of
problem it is), ``detail`` what happened in the reader's language, ``code`` a stable word for
programs. A validation error adds ``errors``: one ``{"field", "pointer", "detail", "code"}`` per
message (``pointer`` a JSON Pointer into the request body). Django's own answers under
``/api/`` (an address that matches no route, the 500 page, the database unavailable page) are
turned into the same shape by ``ProblemMiddleware``.
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from fusionforum.core.lifecycle import IllegalTransition

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = gettext_lazy("This conflicts with the current state of the resource.")
    default_code = "conflict"


def problem(status: int, *, detail: str = "", code: str = "", instance: str = "",
            errors: list | None = None) -> dict:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": str(detail or HTTPStatus(status).description), "instance": instance,
            "code": code or HTTPStatus(status).phrase.lower().replace(" ", "_")
            .replace("-", "_").replace("'", "")}
    if errors is not None:
        body["errors"] = errors
    return body


def _field_errors(detail, path: tuple = ()) -> list[dict]:
    """DRF's nested error detail as a flat list with JSON Pointers."""
    found = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            found += _field_errors(value, (*path, str(key)))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            for item in detail:
                found.append(_error(path, item))
        else:
            for index, item in enumerate(detail):
                found += _field_errors(item, (*path, str(index)))
    else:
        found.append(_error(path, detail))
    return found


def _error(path: tuple, message) -> dict:
    field = ".".join(path) if path and path[0] != "non_field_errors" else ""
    pointer = "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path) \
        if field else "#"
    return {"field": field, "pointer": pointer, "detail": str(message),
            "code": getattr(message, "code", "invalid")}


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or None)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                       exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, IllegalTransition):
        return Conflict(str(exc))
    return exc


def problem_handler(exc, context):
    """DRF's exception handler: the same statuses and headers DRF gives, as problem+json."""
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500, turned into a problem by the middleware
    request = context.get("request")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        body = problem(exc.status_code, detail=_("The request has invalid fields."),
                       code="invalid", instance=instance, errors=_field_errors(exc.detail))
    else:
        detail = exc.detail
        if isinstance(detail, list | dict):
            detail = " ".join(str(item) for item in _field_errors(detail))
        body = problem(exc.status_code, detail=str(detail),
                       code=getattr(detail, "code", None) or exc.default_code,
                       instance=instance)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_JSON)


def problem_response(request, status: int, detail: str = "", code: str = "") -> JsonResponse:
    return JsonResponse(problem(status, detail=detail, code=code,
                                instance=request.get_full_path()),
                        status=status, content_type=PROBLEM_JSON)


class ProblemMiddleware:
    """Under ``/api/``: Django's own error pages (no such route, a bug, the database down)
    become problem+json, keeping their status and ``Retry-After``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith((PROBLEM_JSON, "application/json")):
            return response
        detail = {404: _("There is nothing at this address."),
                  503: _("The service is unavailable for a moment: try again later."),
                  500: _("Something went wrong on our side.")}.get(response.status_code, "")
        replaced = problem_response(request, response.status_code, detail)
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if response.has_header(header):
                replaced[header] = response[header]
        return replaced
