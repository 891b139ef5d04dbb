"""The security office's pages: the list of seat holders and their status, one person's
values (each opening logged), the decision, the fields asked, exports and the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.accounts.twofactor import is_verified
from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate
from fusionforum.registration.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from .. import registry, services
from ..fields import CATALOGUE, labels, shown_value
from ..forms import DecisionForm, ExportForm, VaultSettingsForm


@require_safe
@gate("vault.use_security_office", second_factor=True)
def overview(request, event):
    rows = services.overview(event)
    counts: dict[str, int] = {}
    for row in rows:
        # By the status's name in the reader's language (the codes are not for people).
        label = str(row["status_label"])
        counts[label] = counts.get(label, 0) + 1
    return render(request, "vault/security/overview.html", {
        "event": event, "rows": rows, "counts": counts, "section": "people",
        "export_form": ExportForm(),
    })


@sensitive_variables()
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
@gate("vault.use_security_office", second_factor=True)
def person(request, event, user_id):
    subject = get_object_or_404(get_user_model(), pk=user_id)
    holder = registry.seat_holder(event, subject)
    if holder is None and not services.record_for(event, subject):
        raise Http404(gettext("No such person."))
    form = DecisionForm(posted_data(request))
    error, http_status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.decide(event, request.user, subject,
                                approve=form.cleaned_data["decision"] == "approve",
                                reason=form.cleaned_data["reason"])
            except services.VaultError as refused:
                error, http_status = str(refused), refused.status_code
            else:
                messages.success(request, gettext("Decision recorded; the person has been told."))
                return redirect("vault_security:overview", slug=event.slug)
        else:
            http_status = 400
    record, values = services.open_for_officer(event, request.user, subject)
    shown = [(CATALOGUE[k].label, shown_value(k, values.get(k, "")))
             for k in services.asked_fields(event)
             if k in values] + [(CATALOGUE[k].label, shown_value(k, v)) for k, v in values.items()
                                if k in CATALOGUE and k not in services.asked_fields(event)]
    current = record.status if record else services.MISSING
    return render(request, "vault/security/person.html", {
        "event": event, "subject": subject, "holder": holder, "record": record,
        "values": shown, "status_label": services.STATUS_LABELS[current],
        "form": form if record and services.may_edit(record) else None,
        "error": error, "section": "people",
    }, status=http_status)


@require_http_methods(["GET", "HEAD", "POST"])
@gate("vault.use_security_office", second_factor=True)
def vault_settings(request, event):
    current = services.settings_for(event)
    form = VaultSettingsForm(posted_data(request), initial={
        "fields_asked": current.fields, "purge_after_days": current.purge_after_days,
        "instructions": current.instructions})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.update_settings(event, by=request.user,
                                     fields=form.cleaned_data["fields_asked"],
                                     purge_after_days=form.cleaned_data["purge_after_days"],
                                     instructions=form.cleaned_data["instructions"])
            messages.success(request, gettext("Settings saved."))
            return redirect("vault_security:settings", slug=event.slug)
        status = 400
    return render(request, "vault/security/settings.html",
                  {"event": event, "form": form, "section": "settings"}, status=status)


@require_safe
@gate("vault.use_security_office", second_factor=True)
def access_log(request, event):
    entries = list(services.access_log(event)[:500])
    for entry in entries:
        entry.field_labels = labels(entry.fields)
    return render(request, "vault/security/log.html",
                  {"event": event, "entries": entries, "section": "log"})


@require_POST
@gate("vault.use_security_office", second_factor=True)
def export_create(request, event):
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(gettext("Unknown export format."), status=400,
                            content_type="text/plain; charset=utf-8")
    token = services.create_export(event, request.user, form.cleaned_data["fmt"])
    return redirect("vault_security:export_download", slug=event.slug, token=token)


PENDING_EXPORT = "vault:pending-export"


@sensitive_variables()
@require_safe
def export_download(request, slug, token):
    """The single-use export link. A signed-out (or not yet verified) officer must not carry
    the token through the login or second-factor address (it would reach access logs, the
    browser history and Referer headers): it waits in the session, and the login leads to
    ``export_continue``, an address without it. The token itself stays single-use, bound to
    the officer who prepared it and short-lived (``services.consume_export``)."""
    if not request.user.is_authenticated or not is_verified(request.user):
        request.session[PENDING_EXPORT] = {"slug": slug, "token": token}
        return redirect("vault_security:export_continue", slug=slug)
    return _gated_export(request, slug=slug, token=token)


def _serve_export(request, event, token):
    try:
        fmt, content = services.consume_export(event, request.user, token)
    except services.ExportGone as gone:
        return HttpResponse(str(gone), status=410, content_type="text/plain; charset=utf-8")

    response = HttpResponse(content, content_type=CSV_CONTENT_TYPE if fmt == "csv"
                            else XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="site-access-{event.slug}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The signed-in, verified officer opening the link: the same gate as every office page.
_gated_export = gate("vault.use_security_office", second_factor=True)(_serve_export)


@sensitive_variables()
@require_safe
@gate("vault.use_security_office", second_factor=True)
def export_continue(request, event):
    """After the login: the export whose link was opened while signed out, from the session
    (once; the token's own checks still apply)."""
    pending = request.session.pop(PENDING_EXPORT, None)
    if not pending or pending.get("slug") != event.slug:
        return HttpResponse(gettext("No export is waiting: prepare a new export on the "
                                    "security office’s page."), status=410,
                            content_type="text/plain; charset=utf-8")
    return _serve_export(request, event, pending["token"])
