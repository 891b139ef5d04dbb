"""Who may use the security office's pages: the event's security officers, verified."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from fusionforum.accounts.twofactor import is_verified
from fusionforum.events.models import Event
from fusionforum.events.rules import is_security_officer


def security_officer_view(view):
    """Security officers of the event (``slug``) with a two-factor verified session only.

    Anonymous: login. No such event or not its security officer (organisers included): 404,
    telling nothing. Not verified: the second-factor page. The view receives the Event; its
    responses are never stored by a browser or proxy.
    """

    @functools.wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        event = Event.objects.filter(slug=slug).first()
        if event is None or not is_security_officer(request.user, event):
            raise Http404("No such page.")
        if not is_verified(request.user):
            verify_url = reverse("accounts:two_factor_verify")
            return redirect(f"{verify_url}?{urlencode({'next': request.get_full_path()})}")
        response = view(request, event, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapped
