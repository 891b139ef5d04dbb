"""Forms of the outcomes report: the survey, the editor's narrative, themes and priorities."""

from __future__ import annotations

from django import forms

from fusionforum.core.forms import AccessibleFormMixin

from .models import OutcomesReport, Priority, SurveyResponse, Theme

RATING = [(n, str(n)) for n in range(1, 6)]


def _lines(value: str) -> str:
    """Browsers send text areas with CRLF line ends; store plain newlines."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


class NewlinesMixin:
    multiline_fields: tuple[str, ...] = ()

    def _clean_fields(self):
        data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)
        for name in self.multiline_fields:
            key = self.add_prefix(name)
            if key in data:
                data[key] = _lines(data[key])
        self.data = data
        super()._clean_fields()


class SurveyForm(NewlinesMixin, AccessibleFormMixin, forms.ModelForm):
    multiline_fields = ("comments",)
    usefulness = forms.TypedChoiceField(choices=RATING, coerce=int, widget=forms.RadioSelect,
                                        label="How useful was the workshop? (1 low, 5 high)")
    meetings_rating = forms.TypedChoiceField(
        choices=[("", "No meeting")] + RATING, coerce=int, empty_value=None, required=False,
        widget=forms.RadioSelect, label="How useful were the expert meetings?")
    likely_to_engage = forms.TypedChoiceField(
        choices=RATING, coerce=int, widget=forms.RadioSelect,
        label="How likely is your organisation to engage with ITER in the next year?")

    class Meta:
        model = SurveyResponse
        fields = ["usefulness", "meetings_rating", "likely_to_engage", "comments"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 4})}


class ReportForm(NewlinesMixin, AccessibleFormMixin, forms.ModelForm):
    multiline_fields = ("narrative",)

    class Meta:
        model = OutcomesReport
        fields = ["title", "narrative", "licence", "attribution"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 14})}


class PriorityForm(NewlinesMixin, AccessibleFormMixin, forms.ModelForm):
    multiline_fields = ("description",)
    themes = forms.ModelMultipleChoiceField(queryset=Theme.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text="The themes that show the demand.")

    class Meta:
        model = Priority
        fields = ["title", "description", "feasibility", "themes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(event=event)
        self.fields["themes"].label_from_instance = lambda t: t.label
