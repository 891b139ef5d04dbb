"""The registration form, built from the event's questions, and the answer rules it shares
with the service layer."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import validate_multiline, validate_single_line

from .models import Question, Registration

TEXT_LIMITS = {Question.Kind.TEXT: 300, Question.Kind.LONG_TEXT: 5000}


def field_for(question: Question) -> forms.Field:
    common = {"label": question.label, "required": question.required,
              "help_text": question.help_text}
    kind = question.kind
    if kind == Question.Kind.TEXT:
        return forms.CharField(max_length=TEXT_LIMITS[kind], validators=[validate_single_line],
                               **common)
    if kind == Question.Kind.LONG_TEXT:
        return forms.CharField(max_length=TEXT_LIMITS[kind], validators=[validate_multiline],
                               widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == Question.Kind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *question.choice_pairs()], **common)
    if kind == Question.Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(choices=question.choice_pairs(),
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == Question.Kind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda v: v == "yes", empty_value=None, **common)
    if kind == Question.Kind.COUNTRY:
        return forms.ChoiceField(choices=[("", "—"), *countries], **common)
    if kind == Question.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    raise ValueError(f"Unknown question kind {kind!r}")


def _to_json(question: Question, value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validate_answers(event, raw: dict) -> dict:
    """Check answers keyed by question id against the event's questions; return clean JSON.

    Used by the form and again by the service, so no caller can store an answer the form would
    have refused.
    """
    if not isinstance(raw, dict):
        raise ValidationError(_("Answers must be a mapping of question to answer."))
    questions = {str(q.pk): q for q in event.questions.all()}
    unknown = set(map(str, raw)) - set(questions)
    if unknown:
        raise ValidationError(_("Answers to questions this event does not ask."))
    clean, errors = {}, {}
    for key, question in questions.items():
        value = raw.get(key, raw.get(int(key)))
        if value in (None, "", []):
            if question.required:
                errors[question.label] = _("This question needs an answer.")
            continue
        field = field_for(question)
        try:
            prepared = value
            if question.kind == Question.Kind.YES_NO and isinstance(value, bool):
                prepared = "yes" if value else "no"
            clean[key] = _to_json(question, field.clean(prepared))
        except ValidationError as exc:
            errors[question.label] = " ".join(exc.messages)
    if errors:
        raise ValidationError(dict(errors))
    return clean


def format_answer(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def answers_for_display(questions: list[Question], registration: Registration) -> list[tuple]:
    """(label, answer) for every question of the event, then any answer whose question was
    removed since."""
    answers = dict(registration.answers or {})
    shown = []
    for question in questions:
        value = answers.pop(str(question.pk), None)
        if question.kind == Question.Kind.COUNTRY and isinstance(value, str) and value:
            value = countries.name(value) or value
        elif question.choices and value:  # an option: in the reader's language
            labels = dict(question.choice_pairs())
            value = [labels.get(v, v) for v in value] if isinstance(value, list) \
                else labels.get(value, value)
        shown.append((question.label, format_answer(value)))
    for key, value in sorted(answers.items()):
        shown.append((_("Removed question %(number)s") % {"number": key},
                      format_answer(value)))
    return shown


class RegistrationForm(AccessibleFormMixin, forms.Form):
    consent_public_list = forms.BooleanField(
        required=False,
        label=gettext_lazy("Show my name and organisation on the public participant list"),
    )

    def __init__(self, *args, event, **kwargs):
        self.event = event
        self.questions = list(event.questions.all())
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = field_for(question)
        # Keep the consent last, after the event's own questions.
        self.fields["consent_public_list"] = self.fields.pop("consent_public_list")
        self._describe_fields()

    def answers(self) -> dict:
        return {
            str(q.pk): _to_json(q, self.cleaned_data.get(f"q_{q.pk}"))
            for q in self.questions
            if self.cleaned_data.get(f"q_{q.pk}") not in (None, "", [])
        }


class PassportNameForm(AccessibleFormMixin, forms.Form):
    """The name a visa invitation letter is made out to."""

    passport_name = forms.CharField(
        label=gettext_lazy("Your name as in your passport"), max_length=200,
        validators=[validate_single_line],
        help_text=gettext_lazy("Exactly as printed in your passport, given names and surname."),
    )


class VisaLetterSettingsForm(AccessibleFormMixin, forms.Form):
    """The organisers' letter settings: the question, the signatory, a text per language."""

    question = forms.ModelChoiceField(
        queryset=Question.objects.none(), required=False,
        label=gettext_lazy("Question by which people ask for a letter"),
        help_text=gettext_lazy("A yes-or-no question of the registration form; "
                               "without one, nobody can download a letter."),
    )
    signatory_name = forms.CharField(label=gettext_lazy("Signatory's name"), max_length=200,
                                     validators=[validate_single_line])
    signatory_title = forms.CharField(label=gettext_lazy("Signatory's title"), max_length=200,
                                      required=False, validators=[validate_single_line])

    def __init__(self, *args, event, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = Question.objects.filter(
            event=event, kind=Question.Kind.YES_NO)
        self.languages = languages
        for code, name in languages:
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Letter text in %(language)s") % {"language": name},
                required=False, max_length=5000, validators=[validate_multiline],
                widget=forms.Textarea(attrs={"rows": 10}),
                help_text=_("Empty or unchanged: the default text. Placeholders: {passport_name}, "
                            "{organisation}, {event}, {venue}, {address}, {first_day}, "
                            "{last_day}."))
        self._describe_fields()

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"text_{code}", "") for code, _n in self.languages}
