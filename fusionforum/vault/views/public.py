"""The participant's site-access page: status, deadline and, until the security office
decides, the form with their own values (to check and correct them). After the decision the
values are no longer shown here (the person's data download still includes them). Responses
are never cached; no value enters a URL."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate
from fusionforum.events.services import public_event
from fusionforum.registration.standing import standing

from .. import registry, services
from ..forms import IdentityForm


@sensitive_post_parameters()
@sensitive_variables()
@gate("vault.give_own_data", load=None, private=False)
@require_http_methods(["GET", "HEAD", "POST"])
def status(request, slug):
    event = public_event(slug, request.user)
    holder = registry.seat_holder(event, request.user)
    record = services.record_for(event, request.user)
    current = services.clearance_status(event, request.user)
    deadline_passed = bool(holder and clock.now() > holder.clearance_due)
    # After the deadline the form is gone: the page says so and whom to contact.
    editable = holder is not None and services.may_edit(record) and not deadline_passed
    form = None
    error = None
    http_status = 200
    if editable:
        last_tour_date = timezone.localtime(holder.last_end, event.tz).date()
        initial = services.owner_values(record)
        form = IdentityForm(posted_data(request), initial=initial,
                            field_keys=services.asked_fields(event),
                            last_tour_date=last_tour_date, tz=event.tz)
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.submit(event, request.user, form.values())
                except services.VaultError as refused:
                    error, http_status = str(refused), refused.status_code
                else:
                    return redirect("vault:status", slug=event.slug)
            else:
                http_status = 400
    elif request.method == "POST":
        if holder is None:
            error = gettext("Site-access data is only asked from people holding a tour seat.")
        elif deadline_passed and services.may_edit(record):
            error = gettext("The deadline for site-access data has passed; nothing was saved.")
        else:
            error = gettext("The security office has already decided; your data can no longer "
                            "be changed.")
        http_status = 403
    response = render(request, "vault/status.html", {
        "event": event, "holder": holder, "record": record, "status": current,
        "status_label": services.STATUS_LABELS[current], "form": form, "error": error,
        "deadline_passed": deadline_passed,
        "vault_settings": services.settings_for(event),
        "standing": (standing(event, request.user, purpose="visits")
                     if current == "not_required" else None),
    }, status=http_status)
    response["Cache-Control"] = "private, no-store"
    return response
