"""A person's reminders: the signed link of a reminder e-mail (a page with one button, so a
mail scanner following links stops nothing), and the setting on their own page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fusionforum.core.forms import posted_data
from fusionforum.events import access
from fusionforum.events import services as event_services
from fusionforum.events.access import gate

from .. import services
from ..forms import PreferencesForm


@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, slug, token):
    event = event_services.public_event(slug, request.user)
    try:
        address = services.opt_out_by_token(event, token)
    except ValidationError as error:
        return render(request, "announcements/opt_out.html",
                      {"event": event, "invalid": error.messages[0]}, status=400)
    done = False
    if request.method == "POST":
        services.set_opt_out(event, address, True,
                             by=request.user if request.user.is_authenticated else None)
        done = True
    response = render(request, "announcements/opt_out.html", {
        "event": event, "done": done,
        "already": not done and services.is_opted_out(event, address),
    })
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves the site
    return response


@gate("announcements.choose_reminders", load=access.public_event)
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, event):
    address = request.user.email
    form = PreferencesForm(posted_data(request),
                           initial={"optional": not services.is_opted_out(event, address)})
    if request.method == "POST" and form.is_valid():
        services.set_opt_out(event, address, not form.cleaned_data["optional"], by=request.user)
        messages.success(request, _("Your reminder settings are saved."))
        return redirect(reverse("reminders:preferences", args=[event.slug]))
    return render(request, "announcements/preferences.html", {"event": event, "form": form})
