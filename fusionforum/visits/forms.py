from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.translated_fields import add_translated_fields, localized_names

from .models import TourRun, TourType, VisitSettings
from .states import SeatStatus

_DT = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}


class SettingsForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = VisitSettings
        fields = ["signup_opens_at", "signup_closes_at"]
        widgets = {"signup_opens_at": forms.DateTimeInput(**_DT),
                   "signup_closes_at": forms.DateTimeInput(**_DT)}
        labels = {"signup_opens_at": _("Sign-up opens"), "signup_closes_at": _("Sign-up closes")}

    def clean(self):
        data = super().clean()
        opens, closes = data.get("signup_opens_at"), data.get("signup_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("signup_closes_at", _("Sign-up must close after it opens."))
        return data


class TourForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = TourType
        fields = [*localized_names("name"), *localized_names("description"), "minimum_age",
                  "closed_shoes", "protective_equipment", "mobility_limits", "languages",
                  "clearance_lead_days", "position"]
        labels = {"minimum_age": _("Minimum age"), "closed_shoes": _("Closed shoes required"),
                  "protective_equipment": _("Protective equipment"),
                  "mobility_limits": _("Mobility limits"), "languages": _("Languages"),
                  "clearance_lead_days": _("Clearance lead time (days)"),
                  "position": _("Position in the list")}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        add_translated_fields(self, default_language=event.default_language)

    def clean(self):
        from django.utils.translation import gettext as _

        data = super().clean()
        for name in localized_names("name"):
            value = (data.get(name) or "").strip()
            data[name] = value or None
            clash = TourType.objects.filter(event=self.instance.event,
                                            **{f"{name}__iexact": value})
            if value and clash.exclude(pk=self.instance.pk).exists():
                self.add_error(name, _("Another tour already has this name."))
        return data


class RunForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = TourRun
        fields = ["start", "duration_minutes", "meeting_point", "capacity", "guide"]
        widgets = {"start": forms.DateTimeInput(**_DT)}
        labels = {"start": _("Start"), "duration_minutes": _("Duration (minutes)"),
                  "meeting_point": _("Meeting point"), "capacity": _("Capacity"),
                  "guide": _("Guide")}
        # The capacity is checked against the seats held by services.save_run, under the
        # run's lock: a check here would count without it.


class RankingForm(AccessibleFormMixin, forms.Form):
    """One optional rank per run: 1 for the most wanted; blank for runs not wanted."""

    def __init__(self, *args, runs, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.runs = list(runs)
        for run in self.runs:
            self.fields[f"run_{run.pk}"] = forms.IntegerField(
                label=str(run), required=False, min_value=1, max_value=len(self.runs),
                initial=current.get(run.pk),
                widget=forms.NumberInput(attrs={"class": "rank-input"}))

    def clean(self):
        data = super().clean()
        ranks = {}
        for run in self.runs:
            rank = data.get(f"run_{run.pk}")
            if rank is None:
                continue
            if rank in ranks.values():
                self.add_error(f"run_{run.pk}", _("Each rank can be used only once."))
            ranks[run.pk] = rank
        data["ranking"] = [pk for pk, _ in sorted(ranks.items(), key=lambda kv: kv[1])]
        return data

    def rows(self):
        return [(run, self[f"run_{run.pk}"]) for run in self.runs]


class MoveForm(AccessibleFormMixin, forms.Form):
    run = forms.ModelChoiceField(queryset=TourRun.objects.none(), label=_("Move to run"))

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = TourRun.objects.filter(tour__event=event).select_related(
            "tour")


class AddPersonForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("Participant's e-mail address"),
                             help_text=_("A participant with a confirmed registration."))


def annotate_fill(queryset):
    return queryset.annotate(held=Count("seats", filter=Q(seats__status=SeatStatus.HELD)))
