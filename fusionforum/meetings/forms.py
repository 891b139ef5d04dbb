from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import User, normalise_email
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.languages import language_codes
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.core.translated_fields import add_translated_fields

from . import slots as slots_module
from . import taxonomy
from .models import Expert, MeetingOutcome, MeetingSettings
from .publishing import reopening_refused


class RequestForm(AccessibleFormMixin, forms.Form):
    target = forms.ChoiceField(
        label=_("Whom do you want to meet?"),
        help_text=_("A named expert, or anyone of a discipline (the organisers pick who)."))
    target2 = forms.ChoiceField(
        label=_("Together with a second expert (optional)"), required=False,
        help_text=_("For a topic across two fields (for example magnets and cryogenics): both "
                    "experts meet you together in one slot. Such meetings are harder to place."))
    topic = forms.CharField(
        label=_("Topic"), max_length=1500, validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you want to discuss, in a few sentences. Suggestions of experts follow "
                  "as you write."))
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int,
        help_text=_("1 is your organisation's most important request. The order sets the weight "
                  "the scheduler gives each request."))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Who attends"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Registered participants of your organisation; they attend together."))
    confidential = forms.BooleanField(
        label=_("Confidential topic"), required=False,
        help_text=_("Only the expert, the organisers and your organisation see the topic; "
                  "calendars and e-mails leave it out."))

    def __init__(self, *args, event, experts, delegates, max_priority: int, **kwargs):
        super().__init__(*args, **kwargs)
        meeting_settings = event.meeting_settings
        self.experts = {str(e.pk): e for e in experts}
        self.fields["target"].choices = [
            ("", gettext("Choose…")),
            (gettext("Disciplines"), [
                (f"discipline:{k}",
                 gettext("Someone in %(discipline)s") % {"discipline": label.lower()})
                for k, label in meeting_settings.discipline_choices]),
            (gettext("Experts"), [
                (f"expert:{e.pk}", f"{e.name}{' · ' + e.title if e.title else ''}")
                for e in experts]),
        ]
        self.fields["target2"].choices = [("", gettext("No one else: one expert"))] + \
            self.fields["target"].choices[1:]
        self.fields["priority"].choices = [(n, str(n)) for n in range(1, max_priority + 1)]
        self.fields["attendees"].queryset = User.objects.filter(pk__in=[u.pk for u in delegates])
        self.fields["attendees"].label_from_instance = lambda u: u.full_name or u.email
        self._describe_fields()

    def _seat(self, value):
        kind, _, key = value.partition(":")
        if kind == "expert" and key in self.experts:
            return {"expert": self.experts[key], "discipline": ""}
        if kind == "discipline" and key:
            return {"expert": None, "discipline": key}
        raise ValidationError(_("Choose an expert or a discipline from the list."))

    def clean_target(self):
        return self._seat(self.cleaned_data["target"])

    def clean_target2(self):
        value = self.cleaned_data.get("target2") or ""
        return self._seat(value) if value else {"expert": None, "discipline": ""}

    def seats(self) -> dict:
        """The service's keyword arguments for the seats."""
        first, second = self.cleaned_data["target"], self.cleaned_data["target2"]
        return {"expert": first["expert"], "discipline": first["discipline"],
                "expert2": second["expert"], "discipline2": second["discipline"]}

    @staticmethod
    def initial_for(request) -> dict:
        target = (f"expert:{request.expert_id}" if request.expert_id
                  else f"discipline:{request.discipline}")
        target2 = (f"expert:{request.expert2_id}" if request.expert2_id
                   else f"discipline:{request.discipline2}" if request.discipline2 else "")
        return {"target": target, "target2": target2, "topic": request.topic,
                "priority": request.priority,
                "attendees": list(request.attendees.all()),
                "confidential": request.confidential}


class SettingsForm(AccessibleFormMixin, forms.ModelForm):
    breaks_text = forms.CharField(
        label=_("Breaks"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. “10:40-11:10 coffee”. No meeting overlaps a break."))
    disciplines_text = forms.CharField(
        label=_("Disciplines"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One per line as “key: Label”. Keys are what experts and requests refer to; "
                  "keep them once requests exist."))

    class Meta:
        model = MeetingSettings
        fields = ["date", "start_time", "end_time", "slot_minutes", "tables",
                  "requests_open_at", "requests_close_at", "max_requests_per_organisation",
                  "time_limit_seconds"]
        labels = {"date": _("Date"), "start_time": _("Start time"), "end_time": _("End time"),
                  "slot_minutes": _("Slot length (minutes)"), "tables": _("Tables"),
                  "requests_open_at": _("Requests open at"),
                  "requests_close_at": _("Requests close at"),
                  "max_requests_per_organisation": _("Most requests per organisation"),
                  "time_limit_seconds": _("Scheduler time limit (seconds)")}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "requests_open_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                    format="%Y-%m-%dT%H:%M"),
            "requests_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                     format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["breaks_text"].initial = slots_module.breaks_as_text(instance.breaks or [])
        # One list per language, same keys; the event's default language is required.
        default = getattr(instance, "event", None) and instance.event.default_language
        add_translated_fields(self, names=("disciplines_text",), default_language=default)
        for code in language_codes():
            given = getattr(instance, f"disciplines_{code}", None)
            if not given and code == (default or language_codes()[0]):
                given = instance.disciplines or taxonomy.default_disciplines()
            self.fields[f"disciplines_text_{code}"].initial = taxonomy.as_lines(given or [])
        self._describe_fields()

    def clean_requests_close_at(self):
        value = self.cleaned_data.get("requests_close_at")
        instance = self.instance
        if value is not None and instance.pk and value != instance.requests_close_at:
            reason = reopening_refused(instance.event, value)
            if reason:
                raise forms.ValidationError(reason)
        return value

    def clean_breaks_text(self):
        return slots_module.parse_breaks(self.cleaned_data.get("breaks_text", ""))

    def clean(self):
        data = super().clean()
        parsed = {}
        for code in language_codes():
            name = f"disciplines_text_{code}"
            if name not in data:
                continue
            if not (data[name] or "").strip():
                data[name] = None
                continue
            value = taxonomy.parse_lines(data[name])
            try:
                taxonomy.validate_disciplines(value)
                for item in value:
                    validate_single_line(item["label"])
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            data[name] = parsed[code] = value
        # Requests keep the key: every language lists the default language's keys.
        from django.utils.translation import gettext as _
        default = self.fields and next((code for code in language_codes()
                                        if self.fields[f"disciplines_text_{code}"].required),
                                       None)
        keys = [item["key"] for item in parsed.get(default, [])]
        for code, value in parsed.items():
            if keys and code != default and [item["key"] for item in value] != keys:
                self.add_error(f"disciplines_text_{code}",
                               _("Use the same keys, in the same order, in every language."))
        return data

    def _post_clean(self):
        if "breaks_text" in self.cleaned_data:
            self.instance.breaks = self.cleaned_data["breaks_text"]
        for code in language_codes():
            name = f"disciplines_text_{code}"
            if name in self.cleaned_data:
                setattr(self.instance, f"disciplines_{code}", self.cleaned_data[name])
        super()._post_clean()


class ExpertForm(AccessibleFormMixin, forms.ModelForm):
    disciplines = forms.MultipleChoiceField(label=_("Disciplines"),
                                            widget=forms.CheckboxSelectMultiple)
    available_slots = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Available slots"), help_text=_("None ticked: available all day."))
    login = forms.EmailField(
        label=_("Login (e-mail of an existing account)"), required=False,
        help_text=_("Lets the expert see their agenda and confidential topics, check meetings "
                  "in and write notes."))

    class Meta:
        model = Expert
        fields = ["name", "title", "department", "email", "disciplines", "keywords", "bio",
                  "languages", "available_slots", "max_meetings", "location"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        labels = {"name": _("Name"), "title": _("Title"), "department": _("Department"),
                  "email": _("E-mail"), "keywords": _("Specialities"), "bio": _("Biography"),
                  "languages": _("Languages"), "max_meetings": _("Most meetings in the day"),
                  "location": _("Room or table")}

    def __init__(self, *args, event, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["disciplines"].choices = event.meeting_settings.discipline_choices
        self.fields["available_slots"].choices = [(s.index, s.label) for s in day.slots]
        if self.instance.pk and self.instance.user_id:
            self.fields["login"].initial = self.instance.user.email
        self._describe_fields()

    def clean_login(self):
        address = normalise_email(self.cleaned_data.get("login") or "")
        if not address:
            return None
        user = User.objects.filter(email=address, is_active=True).first()
        if user is None:
            raise ValidationError(_("No account has this address; the expert signs up first."))
        taken = Expert.objects.filter(event=self.event, user=user).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This account is already linked to another expert."))
        return user

    def _post_clean(self):
        # The instance is complete once the form is valid: services.save_expert saves it.
        self.instance.event = self.event
        if "login" in self.cleaned_data:
            self.instance.user = self.cleaned_data["login"]
        super()._post_clean()


class RefusalForm(AccessibleFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation you will not meet"), queryset=None,
        help_text=_("A conflict of interest: the scheduler never places a meeting of yours with "
                    "this organisation, and its delegates cannot ask for you by name."))
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=1000,
        validators=[validate_multiline], widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For your own record. The organisation never sees it."))
    share_reason = forms.BooleanField(
        label=_("Show the reason to the organisers"), required=False,
        help_text=_("Unticked, the organisers only see that a conflict exists."))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self._describe_fields()


class ManageRequestForm(RequestForm):
    """An organiser's request on behalf of an organisation (every confirmed delegate of the
    organisation attends unless chosen otherwise on the participant's side)."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    field_order = ["organisation", "target", "target2", "topic", "priority", "confidential"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["attendees"]
        self.fields["organisation"].queryset = organisations
        self.order_fields(self.field_order)
        self._describe_fields()


class PlaceForm(forms.Form):
    request = forms.IntegerField(min_value=1)
    expert = forms.IntegerField(min_value=1)
    expert2 = forms.IntegerField(min_value=1, required=False)
    slot = forms.IntegerField(min_value=0, max_value=500)


class NotesForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = MeetingOutcome
        fields = ["notes_topic", "category", "follow_up_requested", "follow_up"]
        widgets = {"notes_topic": forms.Textarea(attrs={"rows": 4}),
                   "follow_up": forms.Textarea(attrs={"rows": 3})}
        labels = {"notes_topic": _("What was discussed"), "category": _("Category"),
                  "follow_up_requested": _("The organisation asked for a follow-up"),
                  "follow_up": _("Follow-up")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes_topic"].required = True
        self.fields["category"].required = True
        self._describe_fields()


class PublishForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(label=_("Note on this version"), required=False, max_length=2000,
                              validators=[validate_multiline],
                              widget=forms.Textarea(attrs={"rows": 2}))
    close_requests = forms.BooleanField(
        label=_("Close requests now"), required=False,
        help_text=_("A schedule is published only once requests are closed, so that it answers "
                  "every request; participants can then no longer add, change or withdraw "
                  "them."))
