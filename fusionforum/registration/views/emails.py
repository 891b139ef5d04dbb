"""The organisers' editor of the registration e-mails: list, edit with a preview, reset (the
checks and the saving are in ``registration.email_templates``)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.events.access import gate
from fusionforum.notifications import placeholders

from .. import emails
from ..email_templates import EmailTemplateForm, kind_or_404, reset_template, save_template
from ..models import EmailTemplate


@gate("registration.manage_registrations", second_factor=True)
@require_safe
def template_list(request, event):
    rows = placeholders.rows(emails.KINDS, EmailTemplate.objects.filter(event=event))
    return render(request, "registration/emails/list.html",
                  {"event": event, "rows": rows, "nav": "emails"})


def _edit_url(event, key: str, language: str) -> str:
    url = reverse("registration:email_template_edit", kwargs={"slug": event.slug, "key": key})
    return f"{url}?language={language}"


@gate("registration.manage_registrations", second_factor=True)
@require_http_methods(["GET", "POST"])
def template_edit(request, event, key):
    kind = kind_or_404(key)
    language = placeholders.requested_language(request, event)
    tabs = placeholders.language_tabs(
        event, kind, EmailTemplate.objects.filter(event=event, key=key), language,
        reverse("registration:email_template_edit", kwargs={"slug": event.slug, "key": key}))
    editing = placeholders.edit(
        request, kind, form_class=EmailTemplateForm, language=language,
        current=lambda: emails.template_for(event, key, language),
        sample=lambda: emails.sample_values(event),
        save=lambda subject, body: save_template(event, key, subject=subject, body=body,
                                                 language=language,
                                                 by=request.user))
    if editing.saved:
        return redirect(_edit_url(event, key, language))
    return render(request, "registration/emails/edit.html", {
        "event": event, "kind": kind, **editing.context(), **tabs, "nav": "emails",
    }, status=editing.status)


@gate("registration.manage_registrations", second_factor=True)
@require_POST
def template_reset(request, event, key):
    kind = kind_or_404(key)
    language = placeholders.requested_language(request, event)
    placeholders.announce_reset(request, kind, reset_template(event, key, by=request.user,
                                                              language=language))
    return redirect(_edit_url(event, key, language))
