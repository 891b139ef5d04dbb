"""Organiser-editable e-mails: the ``{{ placeholder }}`` syntax, its checks and its editor.

Each app that sends such e-mails (registration, the call for presentations) keeps its own kinds
of e-mail, default texts, placeholder values, URLs and template model; this module holds what
they share:

- the syntax: ``{{ name }}`` from a fixed allow-list per e-mail, filled by one pass of plain
  string substitution (``fill``). No template language and no ``str.format`` ever runs over
  organiser text, and a value that itself looks like ``{{ name }}`` is inserted as text, never
  expanded;
- ``EmailKind``: one e-mail with its default text; an app subclasses it to set ``common``, the
  placeholders every one of its e-mails offers, and lists its kinds with ``by_key``;
- ``validate_template``: unknown placeholders, any other braces and a multi-line subject are
  refused before anything is stored;
- the organisers' editor: ``EmailTemplateForm``, ``edit`` (save or preview one e-mail),
  ``rows`` (the list page), ``announce_reset``, ``save_custom`` / ``reset_custom`` (store or
  delete the organisers' version, with its audit entry), and the template include
  ``includes/email_template_editor.html``.

This module sits below the apps: it imports neither registration nor cfp.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from fusionforum.core import audit
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import normalise_newlines, validate_multiline, validate_single_line

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
ANY_BRACES = re.compile(r"\{\{|\}\}|\{%|%\}")


@dataclass(frozen=True)
class EmailKind:
    """One organiser-editable e-mail: its key, its label in the editor, its default subject
    and body, and the placeholders it offers beyond the app's ``common`` ones."""

    key: str
    label: str
    subject: str
    body: str
    extra: tuple[str, ...] = ()

    #: The placeholders every e-mail of the app offers; set by the app's subclass.
    common: ClassVar[tuple[str, ...]] = ()

    @property
    def placeholders(self) -> tuple[str, ...]:
        return self.common + self.extra


def by_key(*kinds: EmailKind) -> dict[str, EmailKind]:
    """An app's kinds of e-mail by key, in the order given (the editor lists them so)."""
    return {kind.key: kind for kind in kinds}


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``{{ name }}`` by its value (empty if there is none), in one pass."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def render(subject: str, body: str, values: Mapping[str, str]) -> tuple[str, str]:
    """The e-mail as it is sent with ``values``: plain substitution, the subject on one line."""
    return " ".join(fill(subject, values).split()), fill(body, values)


def kind_for(kinds: Mapping[str, EmailKind], key: str) -> EmailKind:
    """The kind ``key`` of ``kinds``; ValidationError on the ``key`` field if there is none."""
    kind = kinds.get(key)
    if kind is None:
        raise ValidationError({"key": f"Unknown e-mail “{key}”."})
    return kind


def kind_or_404(kinds: Mapping[str, EmailKind], key: str) -> EmailKind:
    kind = kinds.get(key)
    if kind is None:
        raise Http404("No such e-mail.")
    return kind


def _braced(names) -> str:
    return ", ".join("{{ " + name + " }}" for name in names)


def validate_template(kind: EmailKind, subject: str, body: str) -> None:
    """Refuse unknown placeholders and anything that looks like template code, and a subject
    of more than one line (ValidationError keyed by ``subject`` / ``body``)."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        names = PLACEHOLDER.findall(text or "")
        unknown = sorted(set(names) - set(kind.placeholders))
        if unknown:
            errors[field] = (
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {_braced(unknown)}. "
                f"Allowed: {_braced(kind.placeholders)}."
            )
            continue
        if ANY_BRACES.search(PLACEHOLDER.sub("", text or "")):
            errors[field] = "Only {{ placeholder }} is allowed; remove the other braces."
    if "\n" in (subject or "") or "\r" in (subject or ""):
        errors["subject"] = "The subject must be one line."
    if errors:
        raise ValidationError(errors)


# Storing the organisers' version ------------------------------------------------------------


def save_custom(model, event, kind: EmailKind, *, subject: str, body: str, by,
                audit_prefix: str):
    """Create or update the organisers' version of ``kind`` for ``event`` in ``model`` (a model
    with ``event``, ``key``, ``subject`` and ``body``), after ``validate_template``; audited as
    ``<audit_prefix>.email_template_saved``. The caller checks who may do it and holds the
    transaction."""
    validate_template(kind, subject, body)
    template = model.objects.filter(event=event, key=kind.key).first()
    created = template is None
    if created:
        template = model(event=event, key=kind.key)
    template.subject = subject
    template.body = body
    template.full_clean()
    template.save()
    audit.record(f"{audit_prefix}.email_template_saved", template, actor=by,
                 summary=f"{'Customised' if created else 'Edited'} e-mail “{kind.key}”",
                 key=kind.key)
    return template


def reset_custom(model, event, key: str, *, by, audit_prefix: str) -> bool:
    """Delete the organisers' version of ``key`` (back to the default text); True if there was
    one. Audited as ``<audit_prefix>.email_template_reset``."""
    deleted, _ = model.objects.filter(event=event, key=key).delete()
    if deleted:
        audit.record(f"{audit_prefix}.email_template_reset", event, actor=by,
                     summary=f"E-mail “{key}” reset to the default", key=key)
    return bool(deleted)


# The editor ---------------------------------------------------------------------------------


class EmailTemplateForm(AccessibleFormMixin, forms.Form):
    """Subject and body of one e-mail: characters checked, then ``validate_template`` against
    the kind's allow-list (its messages are shown above the form)."""

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

    def __init__(self, *args, kind: EmailKind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        validate_single_line(subject)
        return subject

    def clean_body(self):
        body = normalise_newlines(self.cleaned_data["body"])
        if not body.strip():
            raise ValidationError("Write the e-mail's text.")
        validate_multiline(body)
        return body

    def clean(self):
        cleaned = super().clean()
        subject, body = cleaned.get("subject"), cleaned.get("body")
        if subject is not None and body is not None:
            try:
                validate_template(self.kind, subject, body)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@dataclass
class Editing:
    """What the edit page shows after ``edit``: the form, the preview (subject, body) if any,
    whether it previews unsaved changes, the status code, and whether the text was saved (the
    view then redirects)."""

    form: EmailTemplateForm
    preview: tuple[str, str] | None
    previewing: bool
    status: int
    saved: bool

    def context(self) -> dict:
        return {"form": self.form, "preview": self.preview, "previewing": self.previewing}


def edit(request, kind: EmailKind, *, current: Callable[[], tuple[str, str]],
         sample: Callable[[], Mapping[str, str]], save: Callable[[str, str], object],
         form_class: type[EmailTemplateForm] = EmailTemplateForm) -> Editing:
    """The edit page's logic for one e-mail. GET: the form holds ``current()`` and the preview
    shows it with ``sample()`` values. POST with ``action=preview``: the posted text previewed,
    nothing stored. Other POST: ``save(subject, body)`` and a "saved" message (the view then
    redirects); a ValidationError it raises goes above
    the form with status 400 (as does an invalid form), nothing stored."""
    status, shown, saved = 200, None, False
    if request.method == "POST":
        form = form_class(request.POST, kind=kind)
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            if request.POST.get("action") == "preview":
                shown = render(subject, body, sample())
            else:
                try:
                    save(subject, body)
                except ValidationError as exc:
                    form.add_error(None, exc)
                    status = 400
                else:
                    messages.success(request, f"“{kind.label}” saved.")
                    saved = True
        else:
            status = 400
    else:
        subject, body = current()
        form = form_class(initial={"subject": subject, "body": body}, kind=kind)
        shown = render(subject, body, sample())
    return Editing(form=form, preview=shown,
                   previewing=request.method == "POST" and shown is not None,
                   status=status, saved=saved)


def rows(kinds: Mapping[str, EmailKind], custom_templates) -> list[dict]:
    """The editor's list: each kind with the organisers' version of it, if any."""
    custom = {t.key: t for t in custom_templates}
    return [{"kind": kind, "custom": custom.get(key)} for key, kind in kinds.items()]


def announce_reset(request, kind: EmailKind, changed: bool) -> None:
    """The message after a reset: back to the default, or it already was."""
    if changed:
        messages.success(request, f"“{kind.label}” is back to the default text.")
    else:
        messages.info(request, f"“{kind.label}” already uses the default text.")
