"""The front desk pages on the day: the check-in page (badge code or a search by name) and all
badges in one PDF. The check-in itself is ``frontdesk.check_in``."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.events.access import gate

from .. import badges
from ..frontdesk import (
    CheckInRefused,
    badges_to_print,
    check_in,
    check_in_registration,
    counts,
    find_people,
    recent_check_ins,
)
from ..models import Registration


class CheckInForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Badge code"), max_length=badges.MAX_TOKEN_LENGTH, strip=True,
        help_text=gettext_lazy("Scan the QR code on the badge, or type the code and press "
                               "Enter."),
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "off", "autocapitalize": "off",
            "autocorrect": "off", "spellcheck": "false", "inputmode": "text",
            "enterkeyhint": "go", "class": "checkin-input",
        }),
        error_messages={"required": gettext_lazy("Scan a badge or type its code."),
                        "max_length": gettext_lazy("This is not a badge code (too long).")},
    )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: str
    message: str
    registration: Registration | None
    status: int


@gate("registration.check_in", second_factor=True)
@require_http_methods(["GET", "POST"])
def checkin(request, event):
    outcome = None
    status = 200
    if request.method == "POST" and "registration" in request.POST:
        outcome = _check_in_by_hand(request, event)
        form = CheckInForm()
    elif request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            outcome = _check_in_by_code(request, event, form.cleaned_data["code"])
            form = CheckInForm()  # empty again for the next badge
        else:
            status = 400
    else:
        form = CheckInForm()
    if outcome is not None:
        status = outcome.status
    query = request.GET.get("q", "")
    with timezone.override(event.tz):
        return render(request, "registration/frontdesk/checkin.html", {
            "event": event, "form": form, "outcome": outcome, "counts": counts(event),
            "recent": recent_check_ins(event), "query": query[:100],
            "found": find_people(event, query), "nav": "checkin",
        }, status=status)


def _check_in_by_code(request, event, code) -> Outcome:
    try:
        registration = check_in(code, by=request.user, event=event)
    except CheckInRefused as refused:
        return _refusal(refused, event)
    return Outcome(True, "checked_in", _("Checked in."), registration, 200)


def _check_in_by_hand(request, event) -> Outcome:
    raw = request.POST.get("registration", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return Outcome(False, "unknown", _("No such registration."), None, 404)
    registration_id = int(raw)
    try:
        registration = check_in_registration(registration_id, by=request.user, event=event)
    except CheckInRefused as refused:
        return _refusal(refused, event)
    return Outcome(True, "checked_in", _("Checked in (found by name)."), registration,
                   200)


def _refusal(refused: CheckInRefused, event) -> Outcome:
    # Show who it is only for this event's registrations.
    registration = refused.registration
    if registration is not None and registration.event_id != event.pk:
        registration = None
    return Outcome(False, refused.code, str(refused), registration, refused.status)


@gate("registration.check_in", second_factor=True)
@require_safe
def all_badges(request, event):
    """Every confirmed badge of the event in one PDF, by organisation then name."""
    registrations = badges_to_print(event, by=request.user)
    content = badges.render_badges(registrations,
                                   title=_("Badges · %(event)s") % {"event": event.title})
    return badges.pdf_response(content, f"badges-{event.slug}.pdf")
