"""Forms of the review pages. They check shape and characters; the rules (ranges against the
categories, who may act, the review window) are checked again by ``review``'s services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fusionforum.accounts.models import Organisation
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import normalise_newlines, validate_multiline, validate_single_line
from fusionforum.notifications import placeholders

from .models import Category, Review
from .states import DECISIONS, UNDER_REVIEW, SubmissionState


class ReviewForm(AccessibleFormMixin, forms.Form):
    """One score per category (0..max), a comment to the organisers, an optional one to the
    speakers. A draft may leave scores empty; submitting needs them all."""

    comment_to_organisers = forms.CharField(
        label=gettext_lazy("Comment to the organisers"), required=False, strip=False,
        max_length=Review._meta.get_field("comment_to_organisers").max_length,
        help_text=gettext_lazy("Only the organisers and, once they have submitted theirs, "
                               "the other reviewers of this submission read it."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    comment_to_speaker = forms.CharField(
        label=gettext_lazy("Comment to the speakers (optional)"), required=False, strip=False,
        max_length=Review._meta.get_field("comment_to_speaker").max_length,
        help_text=gettext_lazy("The organisers may include it, unsigned, in the decision "
                               "e-mail."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, categories, submitting: bool = False, **kwargs):
        self.categories = list(categories)
        self.submitting = submitting
        super().__init__(*args, **kwargs)
        score_fields = {}
        for category in self.categories:
            score_fields[f"score_{category.pk}"] = forms.IntegerField(
                label=category.name, required=False, min_value=0, max_value=category.max_score,
                help_text=(f"{category.description} " if category.description else "")
                + _("From 0 to %(max)s; weight %(weight)s.") % {
                    "max": category.max_score, "weight": f"{category.weight.normalize():f}"},
                widget=forms.NumberInput(attrs={"min": 0, "max": category.max_score,
                                                "step": 1, "inputmode": "numeric",
                                                "class": "score-input"}),
                error_messages={"invalid": _("Give a whole number."),
                                "min_value": _("Give a score from 0 to %(max)s.")
                                % {"max": category.max_score},
                                "max_value": _("Give a score from 0 to %(max)s.")
                                % {"max": category.max_score}},
            )
        # Scores first, in the categories' order.
        self.fields = {**score_fields, **self.fields}
        self._describe_fields()

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.categories]

    def comment_fields(self):
        return [self["comment_to_organisers"], self["comment_to_speaker"]]

    def _clean_comment(self, name):
        text = normalise_newlines(self.cleaned_data.get(name) or "")
        validate_multiline(text)
        return text

    def clean_comment_to_organisers(self):
        return self._clean_comment("comment_to_organisers")

    def clean_comment_to_speaker(self):
        return self._clean_comment("comment_to_speaker")

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            for category in self.categories:
                name = f"score_{category.pk}"
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(name, _("Give a score from 0 to %(max)s to submit the "
                                           "review.") % {"max": category.max_score})
        return cleaned

    def scores(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.categories}


class ConflictForm(AccessibleFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), label=gettext_lazy("Organisation"),
        help_text=gettext_lazy("Its submissions will never be given to you, and those already "
                               "given are taken back."),
        error_messages={"invalid_choice": gettext_lazy("Choose an organisation from the list.")},
    )
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), required=False,
                             max_length=200,
                             help_text=gettext_lazy("For example: former employer, "
                                                    "shareholder, partner."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        validate_single_line(reason)
        return reason


class AddReviewerForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address of the account"),
                             max_length=254,
                             help_text=gettext_lazy("The person must already have an account "
                                                    "on this site."))


class ScoreCategoryForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300,
                                  required=False,
                                  help_text=gettext_lazy("One line shown to reviewers under "
                                                         "the name."))
    weight = forms.DecimalField(label=gettext_lazy("Weight"), min_value=Decimal(0),
                                max_digits=5, decimal_places=2, initial=Decimal(1),
                                help_text=gettext_lazy("How much this category counts in the "
                                                       "weighted score (0 to leave it out)."))
    max_score = forms.IntegerField(label=gettext_lazy("Highest score"), min_value=1,
                                   max_value=100, initial=5,
                                   help_text=gettext_lazy("Scores go from 0 to this value."))
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0,
                                  max_value=100000, initial=0,
                                  help_text=gettext_lazy("Smaller comes first."))

    def clean_name(self):
        # Checked before spaces are folded: folding would quietly turn a line break or a
        # control character that str.split() counts as a space into a space.
        validate_single_line(self.cleaned_data["name"])
        return " ".join(self.cleaned_data["name"].split())

    def clean_description(self):
        description = self.cleaned_data["description"]
        validate_single_line(description)
        return description


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Reviewer"),
        error_messages={"invalid_choice": gettext_lazy("Choose a reviewer.")})

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class DecisionForm(AccessibleFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(s.value, s.label) for s in SubmissionState if s in DECISIONS],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a decision."),
                        "invalid_choice": gettext_lazy("Choose a decision.")})
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Talk length in minutes (optional, on acceptance)"), required=False,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=gettext_lazy("Empty: the call's default length."))
    include_reviewer_comments = forms.BooleanField(
        label=gettext_lazy("Include the reviewers' comments to the speakers in the e-mail"),
        required=False)
    note = forms.CharField(label=gettext_lazy("Internal note (optional)"), required=False,
                           max_length=300)

    def clean_note(self):
        note = self.cleaned_data["note"]
        validate_single_line(note)
        return note

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("duration_minutes") is not None and cleaned.get("decision") not in (
                None, SubmissionState.ACCEPTED):
            self.add_error("duration_minutes", _("A talk length is set only when accepting."))
        return cleaned


class RankingFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, label=gettext_lazy("State"),
                              choices=[("", gettext_lazy("Any state"))] + [
                                  (s.value, s.label) for s in SubmissionState
                                  if s in UNDER_REVIEW])
    category = forms.ChoiceField(required=False, label=gettext_lazy("Category"))
    approach = forms.ChoiceField(required=False, label=gettext_lazy("Approach"),
                                 choices=[("", gettext_lazy("Any approach")),
                                          *Organisation.Approach.choices])

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any category"))] + [
            (c.slug, c.name) for c in Category.objects.filter(event=event)]

    def cleaned(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


# The e-mail editor's form is the one the registration e-mails use too: subject and body,
# characters checked, then the allow-list of the e-mail's placeholders.
EmailTemplateForm = placeholders.EmailTemplateForm
