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
  ``includes/email_template_editor.html``;
- languages: the default texts of an ``EmailKind`` are translatable strings, so an untouched
  e-mail goes out in the language active when it is rendered (``core.languages.speaking_to``).
  A template model with a ``language`` column holds one organisers' version per language;
  ``texts_for`` chooses the recipient's language version, else the one in the event's default
  language, else the default text translated. The editor shows one tab per language
  (``language_tabs``) and warns where one language was edited and another was not. A model
  without the column keeps one version for every language.

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
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fusionforum.core import audit
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.languages import language_codes
from fusionforum.core.text import normalise_newlines, validate_multiline, validate_single_line

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
ANY_BRACES = re.compile(r"\{\{|\}\}|\{%|%\}")


@dataclass(frozen=True)
class EmailKind:
    """One organiser-editable e-mail: its key, its label in the editor, its default subject
    and body (``gettext_lazy`` strings: ``default_text`` gives them in a language), and the
    placeholders it offers beyond the app's ``common`` ones."""

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
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), str(text))


# Runs of white space a subject collapses to one space: every kind but the non-breaking spaces
# French typography puts before « : » and « ? » (they stay where the text has them).
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and runs of spaces become one space, ends trimmed;
    non-breaking spaces are kept."""
    return _SPACES.sub(" ", text).strip(" ")


def render(subject: str, body: str, values: Mapping[str, str]) -> tuple[str, str]:
    """The e-mail as it is sent with ``values``: plain substitution, the subject on one line."""
    return one_line(fill(subject, values)), fill(body, values)


def kind_for(kinds: Mapping[str, EmailKind], key: str) -> EmailKind:
    """The kind ``key`` of ``kinds``; ValidationError on the ``key`` field if there is none."""
    kind = kinds.get(key)
    if kind is None:
        raise ValidationError({"key": _("Unknown e-mail “%(key)s”.") % {"key": key}})
    return kind


def kind_or_404(kinds: Mapping[str, EmailKind], key: str) -> EmailKind:
    kind = kinds.get(key)
    if kind is None:
        raise Http404(_("No such e-mail."))
    return kind


def _braced(names) -> str:
    return ", ".join("{{ " + name + " }}" for name in names)


def validate_template(kind: EmailKind, subject: str, body: str) -> None:
    """Refuse unknown placeholders and anything that looks like template code, and a subject
    of more than one line (ValidationError keyed by ``subject`` / ``body``)."""
    errors = {}
    subject, body = str(subject or ""), str(body or "")  # a default text is a lazy string
    for field, text in (("subject", subject), ("body", body)):
        names = PLACEHOLDER.findall(text)
        unknown = sorted(set(names) - set(kind.placeholders))
        if unknown:
            errors[field] = ngettext(
                "Unknown placeholder: %(unknown)s. Allowed: %(allowed)s.",
                "Unknown placeholders: %(unknown)s. Allowed: %(allowed)s.",
                len(unknown),
            ) % {"unknown": _braced(unknown), "allowed": _braced(kind.placeholders)}
            continue
        if ANY_BRACES.search(PLACEHOLDER.sub("", text)):
            errors[field] = _("Only {{ placeholder }} is allowed; remove the other braces.")
    if "\n" in subject or "\r" in subject:
        errors["subject"] = _("The subject must be one line.")
    if errors:
        raise ValidationError(errors)


# Storing the organisers' version ------------------------------------------------------------


def per_language(model) -> bool:
    """Whether ``model`` keeps one organisers' version per language (a ``language`` column)."""
    return any(field.name == "language" for field in model._meta.get_fields())


def edited_language(model, event, language: str | None) -> str | None:
    """The language a version is stored in: ``language`` if it is one of the site's, else the
    event's default language; None for a model with one version for all languages."""
    if not per_language(model):
        return None
    return language if language in language_codes() else event.default_language


def _versions(model, event, keys=None, language: str | None = None):
    found = model.objects.filter(event=event)
    if keys is not None:
        found = found.filter(key__in=list(keys))
    if language is not None:
        found = found.filter(language=language)
    return found


def save_custom(model, event, kind: EmailKind, *, subject: str, body: str, by,
                audit_prefix: str, language: str | None = None):
    """Create or update the organisers' version of ``kind`` for ``event`` in ``model`` (a model
    with ``event``, ``key``, ``subject`` and ``body``, and optionally ``language``: then the
    version in ``language``, by default the event's), after ``validate_template``; audited as
    ``<audit_prefix>.email_template_saved``. The caller checks who may do it and holds the
    transaction."""
    validate_template(kind, subject, body)
    language = edited_language(model, event, language)
    template = _versions(model, event, [kind.key], language).first()
    created = template is None
    if created:
        template = model(event=event, key=kind.key)
        if language is not None:
            template.language = language
    template.subject = subject
    template.body = body
    template.full_clean()
    template.save()
    in_language = f" ({language})" if language else ""
    audit.record(f"{audit_prefix}.email_template_saved", template, actor=by,
                 summary=f"{'Customised' if created else 'Edited'} e-mail “{kind.key}”"
                         f"{in_language}",
                 key=kind.key, **({"language": language} if language else {}))
    return template


def reset_custom(model, event, key: str, *, by, audit_prefix: str,
                 language: str | None = None) -> bool:
    """Delete the organisers' version of ``key`` (in ``language``, by default the event's, for a
    model with one version per language): back to the default text; True if there was one.
    Audited as ``<audit_prefix>.email_template_reset``."""
    language = edited_language(model, event, language)
    deleted, _counts = _versions(model, event, [key], language).delete()
    if deleted:
        in_language = f" ({language})" if language else ""
        audit.record(f"{audit_prefix}.email_template_reset", event, actor=by,
                     summary=f"E-mail “{key}”{in_language} reset to the default", key=key,
                     **({"language": language} if language else {}))
    return bool(deleted)


# Choosing the text for a recipient ----------------------------------------------------------


def default_text(kind: EmailKind, language: str | None = None) -> tuple[str, str]:
    """The default subject and body of ``kind`` in ``language`` (the active one if None)."""
    if language is None:
        return str(kind.subject), str(kind.body)
    with translation.override(language):
        return str(kind.subject), str(kind.body)


def texts_for(model, event, kinds: Mapping[str, EmailKind], keys,
              language: str | None = None) -> dict[str, tuple[str, str]]:
    """(subject, body) of each of ``keys`` for a reader of ``language`` (the active one if
    None): the organisers' version in that language, else their version in the event's default
    language, else the default text in ``language``. One query however many keys. A model
    without a ``language`` column has one organisers' version for every language."""
    keys = list(keys)
    language = language or translation.get_language() or event.default_language
    found = _versions(model, event, keys).only("key", "subject", "body",
                                               *(["language"] if per_language(model) else []))
    custom: dict[tuple[str, str | None], tuple[str, str]] = {}
    for template in found:
        custom[(template.key, getattr(template, "language", None))] = (template.subject,
                                                                       template.body)
    texts = {}
    for key in keys:
        texts[key] = (custom.get((key, language)) or custom.get((key, event.default_language))
                      or custom.get((key, None)) or default_text(kinds[key], language))
    return texts


# The editor ---------------------------------------------------------------------------------


class EmailTemplateForm(AccessibleFormMixin, forms.Form):
    """Subject and body of one e-mail: characters checked, then ``validate_template`` against
    the kind's allow-list (its messages are shown above the form)."""

    subject = forms.CharField(
        label=gettext_lazy("Subject"), max_length=200, strip=True,
        help_text=gettext_lazy("One line. You may use the placeholders listed below the form."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "true"}),
    )
    body = forms.CharField(
        label=gettext_lazy("Body"), max_length=10000, strip=False,
        help_text=gettext_lazy("Plain text, sent as written. You may use the placeholders "
                               "listed below the form."),
        widget=forms.Textarea(attrs={"rows": 14, "class": "email-body", "spellcheck": "true"}),
    )

    def __init__(self, *args, kind: EmailKind, language: str | None = None, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)
        if language:  # the text is written in the tab's language: spell-check it as such
            for field in ("subject", "body"):
                self.fields[field].widget.attrs["lang"] = language

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        validate_single_line(subject)
        return subject

    def clean_body(self):
        body = normalise_newlines(self.cleaned_data["body"])
        if not body.strip():
            raise ValidationError(_("Write the e-mail's text."))
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
         form_class: type[EmailTemplateForm] = EmailTemplateForm,
         language: str | None = None) -> Editing:
    """The edit page's logic for one e-mail. GET: the form holds ``current()`` and the preview
    shows it with ``sample()`` values. POST with ``action=preview``: the posted text previewed,
    nothing stored. Other POST: ``save(subject, body)`` and a "saved" message (the view then
    redirects); a ValidationError it raises goes above
    the form with status 400 (as does an invalid form), nothing stored. With ``language`` (the
    version being edited), ``current`` and ``sample`` run in that language."""
    status, shown, saved = 200, None, False

    def in_language(function):
        if language is None:
            return function()
        with translation.override(language):
            return function()

    if request.method == "POST":
        form = form_class(request.POST, kind=kind, language=language)
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            if request.POST.get("action") == "preview":
                shown = render(subject, body, in_language(sample))
            else:
                try:
                    save(subject, body)
                except ValidationError as exc:
                    form.add_error(None, exc)
                    status = 400
                else:
                    messages.success(request, _("“%(email)s” saved.") % {"email": kind.label})
                    saved = True
        else:
            status = 400
    else:
        subject, body = in_language(current)
        form = form_class(initial={"subject": subject, "body": body}, kind=kind,
                          language=language)
        shown = render(subject, body, in_language(sample))
    return Editing(form=form, preview=shown,
                   previewing=request.method == "POST" and shown is not None,
                   status=status, saved=saved)


def language_name(code: str) -> str:
    """The name of a language in the language of the page (``fr`` → "French" / "Français")."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def rows(kinds: Mapping[str, EmailKind], custom_templates) -> list[dict]:
    """The editor's list: each kind with the organisers' version of it, if any (``custom``: the
    first found), and for a model with one version per language ``versions``: each language of
    the site with its version or None."""
    model = getattr(custom_templates, "model", None)
    custom_templates = list(custom_templates)
    by_language = per_language(model) if model is not None else any(
        hasattr(t, "language") for t in custom_templates)
    custom: dict[str, object] = {}
    custom_in: dict[tuple[str, str], object] = {}
    for template in custom_templates:
        custom.setdefault(template.key, template)
        if by_language:
            custom_in[(template.key, template.language)] = template
    result = []
    for key, kind in kinds.items():
        row = {"kind": kind, "custom": custom.get(key)}
        if by_language:
            row["versions"] = [{"code": code, "name": language_name(code),
                                "custom": custom_in.get((key, code))}
                               for code in language_codes()]
        result.append(row)
    return result


def language_tabs(event, kind: EmailKind, custom_templates, language: str, url: str) -> dict:
    """What the editor shows of the languages of one e-mail, for a model with one version per
    language: ``languages`` (each with its name, whether it is the one edited, the organisers'
    version if any, and the address of its tab: ``url?language=<code>``), ``language`` and
    ``language_name`` (the one edited), ``custom`` (its version) and ``language_warnings``
    (where one language was edited and another still uses the default text, and what the
    readers of each receive)."""
    custom = {t.language: t for t in custom_templates if t.key == kind.key}
    default = event.default_language
    languages = [{"code": code, "name": language_name(code), "current": code == language,
                  "custom": custom.get(code), "url": f"{url}?language={code}"}
                 for code in language_codes()]
    warnings = []
    if custom:
        edited = ", ".join(language_name(code) for code in language_codes() if code in custom)
        for code in language_codes():
            if code in custom:
                continue
            if code != default and default in custom:
                warnings.append(_(
                    "The %(language)s version still uses the default text: its readers "
                    "receive your %(default)s version (the event's language) until you write "
                    "one."
                ) % {"language": language_name(code), "default": language_name(default)})
            else:
                warnings.append(_(
                    "The %(language)s version still uses the default text, while you edited "
                    "the %(edited)s version: its readers receive the default text."
                ) % {"language": language_name(code), "edited": edited})
    return {"languages": languages, "language": language, "language_name": language_name(language),
            "custom": custom.get(language), "language_warnings": warnings}


def requested_language(request, event) -> str:
    """The language whose version the editor shows or changes: ``language`` from the query or
    the form if it is one of the site's, else the event's default language."""
    asked = request.POST.get("language") or request.GET.get("language")
    return asked if asked in language_codes() else event.default_language


def announce_reset(request, kind: EmailKind, changed: bool) -> None:
    """The message after a reset: back to the default, or it already was."""
    if changed:
        messages.success(request, _("“%(email)s” is back to the default text.")
                         % {"email": kind.label})
    else:
        messages.info(request, _("“%(email)s” already uses the default text.")
                      % {"email": kind.label})
