"""The organisers' editor of the registration e-mails: list, edit with a preview, reset.

Texts are checked by ``emails.validate_template`` (allow-listed ``{{ placeholder }}`` only, no
other braces, one-line subject) before anything is stored. The preview fills the placeholders
with ``emails.sample_values`` by the same plain substitution the real e-mails use: nothing in an
organiser's text is ever evaluated, and the page shows the result as escaped text.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import audit
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import validate_multiline, validate_single_line

from . import emails
from .access import PERMISSION, organiser_view
from .models import EmailTemplate

# Services -------------------------------------------------------------------------------------


def _require_organiser(user, event) -> None:
    if not user.has_perm(PERMISSION, event):
        raise PermissionDenied("Only the event's organisers edit its e-mails.")


def kind_or_404(key: str) -> emails.EmailKind:
    kind = emails.KINDS.get(key)
    if kind is None:
        raise Http404("No such e-mail.")
    return kind


def preview(subject: str, body: str, values: dict[str, str]) -> tuple[str, str]:
    """The e-mail as it would be sent with ``values``: plain substitution, subject on one
    line, exactly as ``emails.render`` does it."""
    return " ".join(emails.fill(subject, values).split()), emails.fill(body, values)


@transaction.atomic
def save_template(event, key: str, *, subject: str, body: str, by) -> EmailTemplate:
    """Store the organisers' version of one e-mail; ValidationError (nothing stored) if it
    uses unknown placeholders, template code, or a multi-line subject."""
    _require_organiser(by, event)
    emails.validate_template(key, subject, body)
    template = EmailTemplate.objects.filter(event=event, key=key).first()
    created = template is None
    if created:
        template = EmailTemplate(event=event, key=key)
    template.subject = subject
    template.body = body
    template.full_clean()
    template.save()
    audit.record("registration.email_template_saved", template, actor=by,
                 summary=f"{'Customised' if created else 'Edited'} e-mail “{key}”", key=key)
    return template


@transaction.atomic
def reset_template(event, key: str, *, by) -> bool:
    """Back to the default text: the organisers' version is deleted. True if there was one."""
    _require_organiser(by, event)
    kind_or_404(key)
    deleted, _ = EmailTemplate.objects.filter(event=event, key=key).delete()
    if deleted:
        audit.record("registration.email_template_reset", event, actor=by,
                     summary=f"E-mail “{key}” reset to the default", key=key)
    return bool(deleted)


# Form -----------------------------------------------------------------------------------------


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class EmailTemplateForm(AccessibleFormMixin, forms.Form):
    subject = forms.CharField(
        max_length=200, strip=True,
        help_text="One line. You may use the placeholders listed below the form.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "true"}),
    )
    body = forms.CharField(
        max_length=10000, strip=False,
        help_text="Plain text, sent as written. You may use the placeholders listed below the "
                  "form.",
        widget=forms.Textarea(attrs={"rows": 14, "class": "email-body", "spellcheck": "true"}),
    )

    def __init__(self, *args, kind: emails.EmailKind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise ValidationError("The subject must be one line.")
        validate_single_line(subject)
        return subject

    def clean_body(self):
        body = _normalise_newlines(self.cleaned_data["body"])
        if not body.strip():
            raise ValidationError("Write the e-mail's text.")
        validate_multiline(body)
        return body

    def clean(self):
        cleaned = super().clean()
        subject, body = cleaned.get("subject"), cleaned.get("body")
        if subject is not None and body is not None:
            try:
                emails.validate_template(self.kind.key, subject, body)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


# Views ----------------------------------------------------------------------------------------


@organiser_view
@require_safe
def template_list(request, event):
    custom = {t.key: t for t in EmailTemplate.objects.filter(event=event)}
    rows = [{"kind": kind, "custom": custom.get(key)} for key, kind in emails.KINDS.items()]
    return render(request, "registration/emails/list.html",
                  {"event": event, "rows": rows, "nav": "emails"})


@organiser_view
@require_http_methods(["GET", "POST"])
def template_edit(request, event, key):
    kind = kind_or_404(key)
    custom = EmailTemplate.objects.filter(event=event, key=key).first()
    status = 200
    shown = None
    if request.method == "POST":
        form = EmailTemplateForm(request.POST, kind=kind)
        action = request.POST.get("action", "save")
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            if action == "preview":
                shown = preview(subject, body, emails.sample_values(event))
            else:
                try:
                    save_template(event, key, subject=subject, body=body, by=request.user)
                except ValidationError as exc:
                    form.add_error(None, exc)
                    status = 400
                else:
                    messages.success(request, f"“{kind.label}” saved.")
                    return redirect("registration:email_template_edit", slug=event.slug, key=key)
        else:
            status = 400
    else:
        subject, body = emails.template_for(event, key)
        form = EmailTemplateForm(initial={"subject": subject, "body": body}, kind=kind)
        shown = preview(subject, body, emails.sample_values(event))
    return render(request, "registration/emails/edit.html", {
        "event": event, "kind": kind, "form": form, "custom": custom, "preview": shown,
        "previewing": request.method == "POST" and shown is not None, "nav": "emails",
    }, status=status)


@organiser_view
@require_POST
def template_reset(request, event, key):
    kind = kind_or_404(key)
    if reset_template(event, key, by=request.user):
        messages.success(request, f"“{kind.label}” is back to the default text.")
    else:
        messages.info(request, f"“{kind.label}” already uses the default text.")
    return redirect("registration:email_template_edit", slug=event.slug, key=key)
