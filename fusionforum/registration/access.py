"""Who may use the organisers' pages (desk, front desk, e-mail templates): one check for all."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from fusionforum.accounts.twofactor import is_verified
from fusionforum.events.models import Event

PERMISSION = "registration.manage_registrations"


def organiser_view(view):
    """Organisers of the event (``slug``) with a two-factor verified session only.

    Anonymous: to the login page. Signed in but not an organiser of this event, or no such
    event: 404, telling nothing. Organiser without a verified session: to the second-factor
    page. The view receives the Event instead of the slug; its response is never cached.
    """

    @functools.wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        event = Event.objects.filter(slug=slug).first()
        if event is None or not request.user.has_perm(PERMISSION, event):
            raise Http404("No such page.")
        if not is_verified(request.user):
            verify_url = reverse("accounts:two_factor_verify")
            return redirect(f"{verify_url}?{urlencode({'next': request.get_full_path()})}")
        response = view(request, event, *args, **kwargs)
        # Lists of people: never kept by a browser or a proxy.
        response.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapped
