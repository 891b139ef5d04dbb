"""Forms of the outcomes report: the survey, the editor's narrative, themes and priorities."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.translated_fields import add_translated_fields, localized_names

from .models import OutcomesReport, Priority, SurveyResponse, Theme

RATING = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(AccessibleFormMixin, forms.ModelForm):
    usefulness = forms.TypedChoiceField(choices=RATING, coerce=int, widget=forms.RadioSelect,
                                        label=_("How useful was the workshop? (1 low, 5 high)"))
    meetings_rating = forms.TypedChoiceField(
        choices=[("", _("No meeting"))] + RATING, coerce=int, empty_value=None, required=False,
        widget=forms.RadioSelect, label=_("How useful were the expert meetings?"))
    likely_to_engage = forms.TypedChoiceField(
        choices=RATING, coerce=int, widget=forms.RadioSelect,
        label=_("How likely is your organisation to engage with ITER in the next year?"))

    class Meta:
        model = SurveyResponse
        fields = ["usefulness", "meetings_rating", "likely_to_engage", "comments"]
        labels = {"comments": _("Comments")}
        widgets = {"comments": forms.Textarea(attrs={"rows": 4})}


class ReportForm(AccessibleFormMixin, forms.ModelForm):

    class Meta:
        model = OutcomesReport
        fields = [*localized_names("title"), *localized_names("narrative"), "licence",
                  "attribution"]
        labels = {"licence": _("Licence"), "attribution": _("Attribution")}
        widgets = {name: forms.Textarea(attrs={"rows": 14})
                   for name in localized_names("narrative")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_translated_fields(self)


class PriorityForm(AccessibleFormMixin, forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(queryset=Theme.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text=_("The themes that show the demand."),
                                            label=_("Themes"))

    class Meta:
        model = Priority
        fields = ["title", "description", "feasibility", "themes"]
        labels = {"title": _("Title"), "description": _("Description"),
                  "feasibility": _("Feasibility")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(event=event)
        self.fields["themes"].label_from_instance = lambda t: t.label
