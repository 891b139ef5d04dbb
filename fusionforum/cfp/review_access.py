"""Who may use the review pages: reviewers under /review/<event>/, organisers under
/manage/<event>/call/review/. Same behaviour as ``registration.access.organiser_view``:
anonymous → login; no role on this event (or no such event) → a plain 404; role but a session
without the second factor → the verification page. The view receives the Event."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from fusionforum.accounts.twofactor import is_verified
from fusionforum.events.models import Event
from fusionforum.events.rules import is_reviewer


def _staff_view(allowed):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            event = Event.objects.filter(slug=slug).first()
            if event is None or not allowed(request.user, event):
                raise Http404("No such page.")
            if not is_verified(request.user):
                verify_url = reverse("accounts:two_factor_verify")
                return redirect(f"{verify_url}?{urlencode({'next': request.get_full_path()})}")
            response = view(request, event, *args, **kwargs)
            # Unpublished work and people's judgements: never kept by a browser or a proxy.
            response.setdefault("Cache-Control", "private, no-store")
            return response

        return wrapped

    return decorator


reviewer_view = _staff_view(lambda user, event: is_reviewer(user, event))
call_organiser_view = _staff_view(lambda user, event: user.has_perm("cfp.manage_call", event))
