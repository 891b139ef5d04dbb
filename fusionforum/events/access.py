"""The one gate in front of every page that is not public: staff pages (organisers, reviewers,
security officers, /manage/) and participant pages (registration, the call, meetings, visits,
site access, the survey, the personal agenda).

``gate(permission, ...)`` decorates a view. In order, it:

1. sends an anonymous visitor to the login page (``login_first``; participant pages that first
   tell "no such event" or "this event has no meetings day" pass ``login_first=False``);
2. loads the object the permission is about (``load``; default: the Event of the ``slug``
   argument, 404 when there is none; ``public_event`` only finds events anyone may see or their
   organisers may preview; ``None``: no object, the view keeps its arguments);
3. asks the named django-rules permission about the signed-in person and that object; a
   refused person gets a 404 telling nothing, or what the ``refused`` hook renders (a "where you
   stand" page);
4. sends a person whose session has not passed the second factor to the verification page
   (``second_factor``);
5. calls the view with what ``passes`` gives (default: the loaded object), inside the event's
   time zone when ``event_time``, and marks the answer ``Cache-Control: private, no-store``
   unless the view set its own (``private``).

Permissions are asked with ``rules.has_perm``, not ``user.has_perm``: Django's
``User.has_perm`` answers yes to a platform administrator for every name, and a platform
administrator is no reviewer, security officer or expert. Each app names its permissions in its
own ``rules.py``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import rules
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from fusionforum.accounts.twofactor import is_verified
from fusionforum.api.permissions import token_of
from fusionforum.api.resources import ApiViewSet

from . import services as event_services
from .models import Event

Loader = Callable[[HttpRequest, dict], Any]
Hook = Callable[[HttpRequest, Any], HttpResponse]


def staff_event(request: HttpRequest, kwargs: dict) -> Event:
    """Any event by its ``slug`` (published or not); 404 when there is none. Staff pages ask
    the permission next, so an unknown event and a refusal look the same."""
    event = Event.objects.filter(slug=kwargs.pop("slug")).first()
    if event is None:
        raise Http404("No such page.")
    return event


def public_event(request: HttpRequest, kwargs: dict) -> Event:
    """The event of ``slug`` if anyone may see it (published), or this person may preview it
    (its organisers); 404 otherwise."""
    return event_services.public_event(kwargs.pop("slug"), request.user)


def public_event_with(part: Callable[[Event], Any], missing: str) -> Loader:
    """``public_event``, and 404 with ``missing`` when ``part(event)`` (an app's settings: the
    call, the meetings day, the site visits) is None: the event does not use that app."""

    def load(request: HttpRequest, kwargs: dict) -> Event:
        event = public_event(request, kwargs)
        if part(event) is None:
            raise Http404(missing)
        return event

    return load


def login_page(request: HttpRequest, target: Any = None) -> HttpResponse:
    """The login page, coming back here afterwards."""
    return redirect_to_login(request.get_full_path())


def verification_page(request: HttpRequest) -> HttpResponse:
    verify_url = reverse("accounts:two_factor_verify")
    return redirect(f"{verify_url}?{urlencode({'next': request.get_full_path()})}")


def nothing_here(request: HttpRequest, target: Any = None) -> HttpResponse:
    """Refused: the same 404 as for an address that does not exist."""
    raise Http404("No such page.")


@dataclass(frozen=True)
class Gate:
    """What guards a view; kept on the decorated view as ``access_gate`` for tests and tools."""

    permission: str
    load: Loader | None = staff_event
    login_first: bool = True
    second_factor: bool = False
    refused: Hook = nothing_here
    anonymous: Callable[[HttpRequest, Any], HttpResponse | None] | None = None
    private: bool = True
    event_time: bool = False
    passes: Callable[[HttpRequest, Any], tuple] | None = None

    def __call__(self, view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            return self.enter(view, request, args, dict(kwargs))

        wrapped.access_gate = self
        return wrapped

    def enter(self, view, request, args, kwargs):
        user = request.user
        if self.login_first and not user.is_authenticated:
            return self._anonymous(request, None)
        target = self.load(request, kwargs) if self.load is not None else None
        if not user.is_authenticated:
            return self._anonymous(request, target)
        with self._time_zone(target):
            if not rules.has_perm(self.permission, user, target):
                return self._private(self.refused(request, target))
            if self.second_factor and not is_verified(user):
                return verification_page(request)
            if self.passes is not None:
                received = self.passes(request, target)
            else:
                received = () if self.load is None else (target,)
            return self._private(view(request, *received, *args, **kwargs))

    def _anonymous(self, request, target):
        response = self.anonymous(request, target) if self.anonymous is not None else None
        return response if response is not None else login_page(request, target)

    def _time_zone(self, target):
        if self.event_time and target is not None:
            return timezone.override(target.tz)
        return contextlib.nullcontext()

    def _private(self, response):
        # People's data and unpublished work: never kept by a browser or a proxy.
        if self.private:
            response.setdefault("Cache-Control", "private, no-store")
        return response


def gate(permission: str, *, load: Loader | None = staff_event, login_first: bool = True,
         second_factor: bool = False, refused: Hook = nothing_here,
         anonymous: Callable[[HttpRequest, Any], HttpResponse | None] | None = None,
         private: bool = True, event_time: bool = False,
         passes: Callable[[HttpRequest, Any], tuple] | None = None) -> Gate:
    """The decorator for a page that needs ``permission`` (a name in some app's ``rules.py``).
    See the module's docstring for the order of the checks and what each argument changes."""
    return Gate(permission=permission, load=load, login_first=login_first,
                second_factor=second_factor, refused=refused, anonymous=anonymous,
                private=private, event_time=event_time, passes=passes)


# The API's gate ------------------------------------------------------------------------------
# The API asks the same named permissions (``fusionforum.api.permissions``); this loads the
# event of an API address as ``staff_event`` / ``public_event`` load a page's, and applies the
# token's own limit: a token limited to other events sees nothing of this one (404).


def api_event(request, slug: str, *, module: str | None = None) -> Event:
    """The Event of ``slug`` for an API request: 404 when there is none, when the token does
    not reach it, or when it does not use ``module`` (an app switched off has no API either).
    The view then asks its named permission about it."""
    event = Event.objects.filter(slug=slug).first()
    token = token_of(request)
    if event is None or (token is not None and not token.reaches(event)):
        raise Http404("No such event.")
    if module is not None and not event.uses(module):
        raise Http404("This event does not use that part of the site.")
    return event


class ApiEventResource(ApiViewSet):
    """An API resource of one event (``/api/v1/events/<slug>/...``): the event is loaded by
    ``api_event`` (the token's limit, the module) and the action's named permission is asked
    about it before anything else is read."""

    permissions = {"list": "events.view_public_event", "retrieve": "events.view_public_event"}
    module: str | None = None

    def event(self) -> Event:
        if not hasattr(self, "_event"):
            self._event = api_event(self.request, self.kwargs["slug"], module=self.module)
            self.check_rule(self._event)
        return self._event
