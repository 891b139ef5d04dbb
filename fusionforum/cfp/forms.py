"""Forms of the call for presentations. They check types, lengths and characters; the rules
(who may speak, which categories, what a submission needs) are checked again by the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.languages import language_choices
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.core.translated_fields import add_translated_fields
from fusionforum.events.questions import WORKSHOP_QUESTIONS

from . import services, visibility
from .models import CallSettings, Category, Scale
from .states import SubmissionState

# The author's choice of who may read each answer; the wording is the policy's.
VISIBILITY_CHOICES = visibility.AUTHOR_CHOICES
QUESTIONS = {q.key: q for q in WORKSHOP_QUESTIONS}


def _numbered(key: str):
    """"1. What fusion breakthroughs…", in the language of the page (lazy)."""
    question = QUESTIONS[key]
    return format_lazy("{number}. {text}", number=question.number, text=question.text)


class SpeakerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class SubmissionForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            validators=[validate_single_line],
                            help_text=_("At most 200 characters."))
    abstract = forms.CharField(
        label=_("Short abstract"), required=False, max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4}), validators=[validate_multiline],
        help_text=_("A few sentences for the programme (always public once the talk is "
                    "accepted). At most 1,500 characters."))
    breakthroughs = forms.CharField(
        label=_numbered("breakthroughs"), required=False, max_length=6000,
        widget=forms.Textarea(attrs={"rows": 7}), validators=[validate_multiline],
        help_text=_("At most 6,000 characters."))
    breakthroughs_visibility = forms.ChoiceField(
        label=_("Who may read your answer to question 1"), choices=VISIBILITY_CHOICES,
        widget=forms.RadioSelect, initial=visibility.DEFAULT)
    breakthrough_scale = forms.ChoiceField(
        label=_("At what scale were these results obtained?"), required=False,
        choices=[("", _("Choose a scale…")), *Scale.choices],
        help_text=_("The most advanced scale your results were obtained at."))
    challenges = forms.CharField(
        label=_numbered("challenges"), required=False, max_length=6000,
        widget=forms.Textarea(attrs={"rows": 7}), validators=[validate_multiline],
        help_text=_("At most 6,000 characters."))
    challenges_visibility = forms.ChoiceField(
        label=_("Who may read your answer to question 2"), choices=VISIBILITY_CHOICES,
        widget=forms.RadioSelect, initial=visibility.DEFAULT)
    challenge_categories = forms.ModelMultipleChoiceField(
        label=_("Which areas do these challenges concern?"), required=False,
        queryset=Category.objects.none(), widget=forms.CheckboxSelectMultiple)
    iter_help = forms.CharField(
        label=_numbered("iter_help"), required=False, max_length=6000,
        widget=forms.Textarea(attrs={"rows": 7}), validators=[validate_multiline],
        help_text=_("At most 6,000 characters."))
    iter_help_visibility = forms.ChoiceField(
        label=_("Who may read your answer to question 3"), choices=VISIBILITY_CHOICES,
        widget=forms.RadioSelect, initial=visibility.DEFAULT)
    help_categories = forms.ModelMultipleChoiceField(
        label=_("In which areas could ITER help?"), required=False,
        queryset=Category.objects.none(), widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(
        label=_("Language of your answers"), required=False,
        choices=[("", _("Not said")), *language_choices()],
        help_text=_("The language you wrote in. Your answers are shown as you wrote them, "
                    "never translated."))
    speakers = SpeakerChoiceField(
        label=_("Speakers"), queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Registered participants of your organisation; at least one. The "
                    "organisers set the length of the talk."))

    def __init__(self, *args, event, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(event=event)
        self.fields["challenge_categories"].queryset = categories
        self.fields["help_categories"].queryset = categories
        self.fields["speakers"].queryset = services.eligible_speakers(event, organisation)
        self.fields["speakers"].error_messages["required"] = _("Choose at least one speaker.")
        self.fields["title"].error_messages["required"] = _("Give your presentation a title.")
        self._describe_fields()

    def content(self, key_figures) -> services.SubmissionContent:
        data = self.cleaned_data
        return services.SubmissionContent(
            title=data["title"], abstract=data["abstract"], breakthroughs=data["breakthroughs"],
            breakthroughs_visibility=data["breakthroughs_visibility"],
            breakthrough_scale=data["breakthrough_scale"], challenges=data["challenges"],
            challenges_visibility=data["challenges_visibility"], iter_help=data["iter_help"],
            iter_help_visibility=data["iter_help_visibility"],
            language=data.get("language", ""),
            challenge_categories=list(data["challenge_categories"]),
            help_categories=list(data["help_categories"]),
            speakers=list(data["speakers"]), key_figures=key_figures,
        )

    @staticmethod
    def initial_for(submission) -> dict:
        initial = {name: getattr(submission, name) for name in (
            "title", "abstract", "breakthroughs", "breakthroughs_visibility",
            "breakthrough_scale", "challenges", "challenges_visibility", "iter_help",
            "iter_help_visibility", "language")}
        initial["challenge_categories"] = list(submission.challenge_categories.all())
        initial["help_categories"] = list(submission.help_categories.all())
        initial["speakers"] = [link.user for link in submission.speaker_links.all()]
        return initial


class KeyFigureForm(AccessibleFormMixin, forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=120, required=False, validators=[validate_single_line],
        widget=forms.TextInput(attrs={"placeholder": _("e.g. plasma current")}))
    value = forms.DecimalField(label=_("Value"), max_digits=20, decimal_places=6,
                               required=False,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False,
                           validators=[validate_single_line],
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. MA")}))

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        label, value, unit = data.get("label"), data.get("value"), data.get("unit")
        if (label or unit or value is not None) and not self.errors:
            if not label:
                self.add_error("label", _("Say what the figure measures."))
            if value is None:
                self.add_error("value", _("Give the value as a number, e.g. 1.2 or 150000."))
        return data

    def figure(self) -> services.KeyFigureData | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("label"):
            return None
        return services.KeyFigureData(label=data["label"], value=data["value"],
                                      unit=data.get("unit", ""))


KeyFigureFormSet = formset_factory(KeyFigureForm, extra=0, can_delete=True,
                                   max_num=services.MAX_KEY_FIGURES, validate_max=True,
                                   absolute_max=services.MAX_KEY_FIGURES + 5)


def key_figure_formset(data=None, *, submission=None, extra_rows: int = 0):
    initial = []
    if submission is not None:
        initial = [{"label": f.label, "value": f"{f.value.normalize():f}", "unit": f.unit}
                   for f in submission.key_figures.all()]
    formset = KeyFigureFormSet(data, initial=initial, prefix="figures")
    if data is None and not initial:
        formset.extra = 1
    formset.extra += extra_rows
    return formset


def figures_from(formset) -> list[services.KeyFigureData]:
    return [figure for form in formset.forms if (figure := form.figure()) is not None]


class SlidesForm(AccessibleFormMixin, forms.Form):
    slides = forms.FileField(label=_("Slides (PDF)"), allow_empty_file=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slides"].help_text = _(
            "A PDF file of at most %(max_mb)s MB, not password-protected. It is shown only to "
            "your co-speakers, the organisers and the reviewers until the talk is "
            "published.") % {"max_mb": max_mb}
        self._describe_fields()


class WithdrawForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (optional, sent to the organisers)"), required=False,
                             max_length=300, validators=[validate_single_line])


class ProfileForm(AccessibleFormMixin, forms.Form):
    bio = forms.CharField(
        label=_("Short biography"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}), validators=[validate_multiline],
        help_text=_("Plain text or Markdown (links, emphasis, lists); shown on your public "
                    "speaker page once your talk is in the programme. At most 2,000 "
                    "characters."))
    photo = forms.FileField(
        label=_("Photo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 10 MB. We store a resized copy without the "
                    "file's metadata (location, camera)."))
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)


# Organisers ---------------------------------------------------------------------------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallSettingsForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = CallSettings
        fields = ["opens_at", "closes_at", "introduction", "default_duration_minutes",
                  "max_slides_mb", "reviews_per_submission", "review_closes_at"]
        widgets = {"opens_at": DATETIME_WIDGET, "closes_at": DATETIME_WIDGET,
                   "review_closes_at": DATETIME_WIDGET,
                   "introduction": forms.Textarea(attrs={"rows": 6})}
        labels = {"opens_at": _("Opens"), "closes_at": _("Closes"),
                  "introduction": _("Introduction"),
                  "default_duration_minutes": _("Default talk length (minutes)"),
                  "max_slides_mb": _("Largest slides file (MB)"),
                  "reviews_per_submission": _("Reviews per submission"),
                  "review_closes_at": _("Reviews close")}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at", "review_closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = _("In the event's time zone (%(zone)s).") % {
                "zone": event.time_zone}
        self.fields["introduction"].validators.append(validate_multiline)
        self.fields["introduction"].max_length = 10000
        self._describe_fields()

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The call must close after it opens."))
        return data


class CategoryForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=120,
                           validators=[validate_single_line])

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        add_translated_fields(self, model=Category, names=("name",),
                              default_language=event.default_language)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        validators=[validate_single_line],
                        help_text=_("Title, code, organisation or speaker."))
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Organisation kind"), required=False)
    approach = forms.ChoiceField(label=_("Approach"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Any state")), *SubmissionState.choices]
        self.fields["kind"].choices = [("", _("Any kind")), *Organisation.Kind.choices]
        self.fields["approach"].choices = [("", _("Any approach")),
                                           *Organisation.Approach.choices]
        self.fields["category"].choices = [("", _("Any category"))] + [
            (c.slug, c.name) for c in Category.objects.filter(event=event)]


class DeadlineForm(AccessibleFormMixin, forms.Form):
    edit_deadline = forms.DateTimeField(
        label=_("Edits allowed until"), required=False, widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: the call's closing time applies."))


class DurationForm(AccessibleFormMixin, forms.Form):
    duration_minutes = forms.IntegerField(
        label=_("Talk length (minutes)"), required=False, min_value=5, max_value=240,
        help_text=_("Empty: the call's default length."))


class NotesForm(AccessibleFormMixin, forms.Form):
    internal_notes = forms.CharField(
        label=_("Internal notes"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}), validators=[validate_multiline],
        help_text=_("Seen by the organisers only."))


def errors_to_form(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form (by field when the form has it)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None,
                           errors if name in form.fields else [f"{e}" for e in errors])
    else:
        form.add_error(None, exc.messages)
