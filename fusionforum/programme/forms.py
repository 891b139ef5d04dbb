"""Forms of the programme editor. Times are entered as local times (HH:MM, 5-minute steps)
on one of the event's days, in the event's time zone; the services check every rule."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.core.translated_fields import (
    add_translated_fields,
    translated_field_names,
    translated_values,
)

from . import services
from .conflicts import event_dates
from .models import MapSpot, ProgrammeSession, Room

TIME_FORMATS = ["%H:%M"]
# How long a session entered with an end time earlier than its start may run past midnight.
OVERNIGHT_LIMIT = dt.timedelta(hours=12)


def _time_field(label, required=True, help_text=""):
    return forms.TimeField(
        label=label, required=required, input_formats=TIME_FORMATS, help_text=help_text,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 300}),
        error_messages={"invalid": _("Enter a time as HH:MM, for example 09:30.")},
    )


def _on_grid(value: dt.time | None) -> bool:
    return value is None or (value.minute % 5 == 0 and value.second == 0)


class RoomForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "description", "capacity", "position"]
        labels = {"name": _("Name"), "description": _("Description"), "capacity": _("Capacity"),
                  "position": _("Position")}
        help_texts = {"position": _("Rooms are shown left to right by this number.")}

    def __init__(self, *args, event, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs["max"] = 100000
        self.fields["capacity"].validators.append(MaxValueValidator(100000))
        self.fields["position"].validators.append(MaxValueValidator(10000))
        self.fields["position"].required = False

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        validate_single_line(name)
        if not name:
            raise forms.ValidationError(gettext("Give the room a name."))
        clash = Room.objects.filter(event=self.event, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                gettext("There is already a room called “%(name)s”.") % {"name": name})
        return name

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        validate_single_line(value)
        return value


class SessionForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeSession.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    description = forms.CharField(
        label=_("Description"), max_length=3000, required=False,
        validators=[validate_multiline], widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown; raw HTML is removed."))
    room = forms.ModelChoiceField(queryset=Room.objects.none(), required=False, label=_("Room"),
                                  empty_label=_("No room (a break for everyone)"),
                                  help_text=_("Only a break can be without a room."))
    day = forms.TypedChoiceField(label=_("Day"), choices=(), coerce=dt.date.fromisoformat)
    start_time = _time_field(_("Starts at"), help_text=_("Local time in 5-minute steps."))
    end_time = _time_field(_("Ends at"),
                           help_text=_("A time earlier than the start is on the next day: a "
                                       "session may run past midnight (23:00 to 01:00)."))
    chairs = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Chairs"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Registered participants and team members. Hold Ctrl (or ⌘) to pick "
                    "several."))
    stream = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Livestream"), empty_label=_("No livestream"),
        help_text=_("Its address becomes public only from the stream's go-live."))

    def __init__(self, *args, event, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(event=event)
        days = {d.date: d.label for d in event.days.all()}
        self.fields["day"].choices = [
            (date.isoformat(), f"{days.get(date) or ''} ({date_format(date, 'D j M Y')})".strip())
            for date in event_dates(event)]
        self.fields["chairs"].queryset = services.eligible_chairs(event)
        self.fields["chairs"].label_from_instance = (
            lambda user: f"{user.full_name or user.email}"
                         f"{f' ({user.organisation.name})' if user.organisation_id else ''}")
        self.fields["stream"].queryset = event.streams.all()
        add_translated_fields(self, model=ProgrammeSession, names=("title", "description"),
                              default_language=event.default_language)

    @classmethod
    def initial_for(cls, session: ProgrammeSession) -> dict:
        tz = session.event.tz
        start, end = session.start.astimezone(tz), session.end.astimezone(tz)
        return {"kind": session.kind, **{name: getattr(session, name) or "" for name in
                                          translated_field_names(ProgrammeSession)},
                "room": session.room_id,
                "day": start.date().isoformat(), "start_time": start.time(),
                "end_time": end.time(), "chairs": list(session.chairs.all()),
                "stream": session.stream_id}

    def clean(self):
        data = super().clean()
        day, start_time, end_time = data.get("day"), data.get("start_time"), data.get("end_time")
        for name in ("start_time", "end_time"):
            if not _on_grid(data.get(name)):
                self.add_error(name, gettext("Use 5-minute steps (e.g. 09:30, 09:35)."))
        if day and start_time and end_time and not self.errors:
            tz = self.event.tz
            start = dt.datetime.combine(day, start_time, tzinfo=tz)
            end = dt.datetime.combine(day, end_time, tzinfo=tz)
            overnight = end_time <= start_time
            if overnight:  # past midnight: the end is on the next day
                end = dt.datetime.combine(day + dt.timedelta(days=1), end_time, tzinfo=tz)
            # An end before the start reads as the next morning only for a plausible late
            # session; 10:00 to 09:00 is a mistake, not a 23-hour session.
            if end <= start or (overnight and end_time != dt.time(0, 0)
                                and end - start > OVERNIGHT_LIMIT):
                self.add_error("end_time", gettext("The session must end after it starts "
                                                   "(%(start)s).")
                               % {"start": f"{start_time:%H:%M}"})
            data["start"], data["end"] = start, end
        if data.get("kind") != ProgrammeSession.Kind.BREAK and "room" in data \
                and data["room"] is None and "kind" in data:
            self.add_error("room", gettext("Only a break can be without a room."))
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {**{name: data[name] for name in
                   ("kind", "room", "start", "end", "chairs", "stream")},
                **translated_values(self, "title"), **translated_values(self, "description")}


class PlaceTalkForm(AccessibleFormMixin, forms.Form):
    """Place (or move) one talk: which session, when, how long."""

    session = forms.ModelChoiceField(queryset=ProgrammeSession.objects.none(),
                                     empty_label=None, label=_("Session"),
                                     error_messages={"invalid_choice": _(
                                         "Choose a talks or panel session of this event.")})
    start = _time_field(_("Starts at"), required=False,
                        help_text=_("Empty: right after the session's last talk."))
    duration = forms.IntegerField(
        label=_("Minutes"), required=False,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        widget=forms.NumberInput(attrs={"min": 5, "max": 240, "step": 5}),
        error_messages={"invalid": _("Enter the length as a whole number of minutes.")})

    def __init__(self, *args, event, sessions=None, **kwargs):
        self.event = event
        prefix = kwargs.pop("prefix", None)
        super().__init__(*args, prefix=prefix, **kwargs)
        queryset = (ProgrammeSession.objects.filter(
            event=event, kind__in=[ProgrammeSession.Kind.TALKS, ProgrammeSession.Kind.PANEL])
            .select_related("room"))
        self.fields["session"].queryset = queryset
        tz = event.tz
        self.fields["session"].label_from_instance = lambda s: (
            f"{date_format(s.start.astimezone(tz), 'D j M H:i')}-{s.end.astimezone(tz):%H:%M} "
            f"{s.title}{f' ({s.room.name})' if s.room_id else ''}")

    def clean(self):
        data = super().clean()
        if not _on_grid(data.get("start")):
            self.add_error("start", gettext("Use 5-minute steps (e.g. 09:30, 09:35)."))
        duration = data.get("duration")
        if duration is not None and duration % 5:
            self.add_error("duration", gettext("Use 5-minute steps (e.g. 20, 25)."))
        return data

    def start_datetime(self) -> dt.datetime | None:
        start, session = self.cleaned_data.get("start"), self.cleaned_data["session"]
        if start is None:
            return None
        return services.time_in_session(self.event, session, start)


class ReleaseForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Public comment"), max_length=2000, required=False,
        validators=[validate_multiline], widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the public with the change list and included in the speakers' "
                    "e-mails, e.g. “The magnet talk moves to the afternoon.”"))


class PlaceItemForm(AccessibleFormMixin, forms.Form):
    """Place an imported entry that had no time: which day, when, which room."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=dt.date.fromisoformat)
    start = _time_field(_("Starts at"))
    room = forms.ModelChoiceField(queryset=Room.objects.none(), required=False,
                                  empty_label=_("All rooms (breaks only)"), label=_("Room"))

    def __init__(self, *args, event, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["day"].choices = [(d.isoformat(), date_format(d, "l j F"))
                                      for d in event_dates(event)]
        self.fields["room"].queryset = Room.objects.filter(event=event)
        if item is not None and item.room_name and not self.is_bound:
            self.initial.setdefault("room", Room.objects.filter(
                event=event, name__iexact=item.room_name).first())

    def clean(self):
        data = super().clean()
        if not _on_grid(data.get("start")):
            self.add_error("start", _("Choose a time on the 5-minute grid."))
        return data

    def start_datetime(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"],
                                   tzinfo=self.event.tz)


class InviteForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class PersonForm(AccessibleFormMixin, forms.Form):
    """What an import wrote about a person without an account, corrected by an organiser
    (the bio comes from the file or, once they claim the profile, from the person)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    honorific = forms.CharField(label=_("Title"), max_length=60, required=False,
                                help_text=_("For example “Dr.” or “Prof.”."))
    affiliation = forms.CharField(label=_("Affiliation"), max_length=200, required=False)


class MaterialForm(AccessibleFormMixin, forms.Form):
    """The recording's address and the slides as presented, attached to a talk for after it."""

    recording_url = forms.URLField(
        label=_("Recording address"), required=False, max_length=500,
        validators=[validate_single_line], assume_scheme="https",
        help_text=_("The address of the video (YouTube, Vimeo or your own server). Shown on "
                    "the talk's page once the talk has ended."))
    slides = forms.FileField(
        label=_("Slides as presented (PDF)"), required=False, allow_empty_file=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf"}))
    remove_slides = forms.BooleanField(label=_("Remove the slides"), required=False)

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slides"].help_text = _(
            "A PDF file of at most %(max_mb)s MB, not password-protected. Leave empty to keep "
            "the slides already attached.") % {"max_mb": max_mb}
        self._describe_fields()


class VenueMapForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the plan"), max_length=120,
                           validators=[validate_single_line],
                           help_text=_("For example “Ground floor” or “Building B”."))
    image = forms.FileField(
        label=_("Floor plan (PNG, JPEG or WebP)"), allow_empty_file=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("At most 8 MB and 8000 pixels a side."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe_fields()


class SpotForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the place"), max_length=120, validators=[validate_single_line],
        help_text=_("The same name as the room, the meeting table or the tour meeting point, "
                    "so their pages link here."))
    kind = forms.ChoiceField(label=_("Kind"), choices=MapSpot.Kind.choices)
    x = forms.DecimalField(label=_("Across (x, % of the width from the left)"), min_value=0,
                           max_value=100, decimal_places=2, max_digits=5)
    y = forms.DecimalField(label=_("Down (y, % of the height from the top)"), min_value=0,
                           max_value=100, decimal_places=2, max_digits=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe_fields()
