"""The bridge from DRF to the apps' named permissions.

An API view names, per action, the django-rules permission its web page asks
(``permissions = {"list": "events.view_public_event", ...}``) and whether the web page needs
a verified second factor. ``RulePermission`` asks ``rules.has_perm(name, user, obj)``, the same
call as ``events.access.gate``: never a second copy of a rule. It also holds the token's own
limits: a read token refuses unsafe methods (403); a token limited to other events sees
nothing of this one (404, like the web's refusal, in ``resources.EventResource``).
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from fusionforum.accounts.twofactor import is_verified

from .models import ApiToken


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = _("Verify this session with your second factor on the site first, or use "
                       "a personal API token.")
    default_code = "second_factor_required"


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = _("This token may only read: create a token with the write scope.")
    default_code = "read_only_token"


def token_of(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def in_reach(request, rows):
    """A person's own rows (``rows`` has an ``event`` field) narrowed to the events the token
    may reach and, when the list asks for one, to ``?event=<slug>``."""
    token = token_of(request)
    if token is not None and not token.all_events:
        rows = rows.filter(event_id__in=token.event_ids)
    slug = request.query_params.get("event")
    if slug:
        rows = rows.filter(event__slug=slug)
    return rows


def second_factor_passed(request) -> bool:
    """A token stands for the verified session it was created in; a session must have passed
    the second factor itself."""
    return token_of(request) is not None or is_verified(request.user)


class RulePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        token = token_of(request)
        if token is not None and request.method not in permissions.SAFE_METHODS \
                and not token.can_write:
            raise ReadOnlyToken()
        return True

    def has_object_permission(self, request, view, obj):
        return check(request, view, obj)


def permission_name(view) -> str | None:
    names = getattr(view, "permissions", {}) or {}
    action = getattr(view, "action", None) or request_method_action(view)
    return names.get(action, names.get("*"))


def request_method_action(view) -> str:
    return (view.request.method or "get").lower()


def check(request, view, obj) -> bool:
    """Ask the view's named permission about ``obj``; refuse as the web page does: anonymous
    → 401 (the web: the login page), refused → 404 (telling nothing), a staff permission
    without a verified second factor → 403."""
    name = permission_name(view)
    if name is None:
        raise exceptions.PermissionDenied()
    if not rules.has_perm(name, request.user, obj):
        if not request.user.is_authenticated and name in getattr(view, "login_first", ()):
            raise exceptions.NotAuthenticated()
        raise exceptions.NotFound()
    if name in getattr(view, "second_factor", ()) and not second_factor_passed(request):
        raise SecondFactorRequired()
    return True
