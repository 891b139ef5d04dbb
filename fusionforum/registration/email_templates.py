"""The organisers' editor of the registration e-mails: list, edit with a preview, reset.

Texts are checked by ``emails.validate_template`` (allow-listed ``{{ placeholder }}`` only, no
other braces, one-line subject) before anything is stored. The preview fills the placeholders
with ``emails.sample_values`` by the same plain substitution the real e-mails use: nothing in an
organiser's text is ever evaluated, and the page shows the result as escaped text. The form, the
edit logic and the page's editor part are shared with the call's e-mails
(``notifications.placeholders``, ``includes/email_template_editor.html``).

Organisers keep one version of each e-mail per language: a participant receives the version in
their language, else the one in the event's default language, else the default text in their
language (``emails.templates_for``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fusionforum.notifications import placeholders

from . import emails
from .models import EmailTemplate

# Services -------------------------------------------------------------------------------------


def _require_organiser(user, event) -> None:
    if not user.has_perm("registration.manage_registrations", event):
        raise PermissionDenied(_("Only the event's organisers edit its e-mails."))


def kind_or_404(key: str) -> emails.EmailKind:
    return placeholders.kind_or_404(emails.KINDS, key)


def preview(subject: str, body: str, values: dict[str, str]) -> tuple[str, str]:
    """The e-mail as it would be sent with ``values``: plain substitution, subject on one
    line, exactly as ``emails.render`` does it."""
    return placeholders.render(subject, body, values)


@transaction.atomic
def save_template(event, key: str, *, subject: str, body: str, by,
                  language: str | None = None) -> EmailTemplate:
    """Store the organisers' version of one e-mail in ``language`` (by default the event's);
    ValidationError (nothing stored) if it uses unknown placeholders, template code, or a
    multi-line subject."""
    _require_organiser(by, event)
    kind = placeholders.kind_for(emails.KINDS, key)
    return placeholders.save_custom(EmailTemplate, event, kind, subject=subject, body=body,
                                    by=by, audit_prefix="registration", language=language)


@transaction.atomic
def reset_template(event, key: str, *, by, language: str | None = None) -> bool:
    """Back to the default text: the organisers' version in ``language`` (by default the
    event's) is deleted. True if there was one."""
    _require_organiser(by, event)
    kind_or_404(key)
    return placeholders.reset_custom(EmailTemplate, event, key, by=by,
                                     audit_prefix="registration", language=language)


# Form -----------------------------------------------------------------------------------------


class EmailTemplateForm(placeholders.EmailTemplateForm):
    """The shared form; a subject of more than one line is named as such here."""

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise ValidationError(_("The subject must be one line."))
        return super().clean_subject()
