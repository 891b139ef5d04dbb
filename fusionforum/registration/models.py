from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.core.languages import validate_language_code
from fusionforum.core.lifecycle import TransitionLog
from fusionforum.core.text import validate_single_line
from fusionforum.core.translated_fields import content_default_language
from fusionforum.events.models import Event

from .emails import validate_template
from .states import ACTIVE, Status


class RegistrationSettings(models.Model):
    """How many seats an event has and how people get them. Its row is the seat lock: every
    change that takes or frees a seat locks it first."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE,
                                 related_name="registration_settings")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats in all."))
    delegates_per_organisation = models.PositiveIntegerField(
        _("delegates per organisation"), null=True, blank=True,
        help_text=_("Most confirmed people per organisation; empty: no cap."),
    )
    requires_approval = models.BooleanField(
        _("requires approval"), default=True,
        help_text=_("Organisers approve each registration before it gets a seat."),
    )
    offer_hold_hours = models.PositiveIntegerField(
        _("offer hold (hours)"), default=48,
        help_text=_("How long a seat offered from the waiting list is held."),
    )
    public_list_enabled = models.BooleanField(
        _("public participant list"), default=True,
        help_text=_("Publish the list of participants who agreed to appear on it."),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                   name="registration_window_positive"),
        ]

    def __str__(self):
        return f"Registration for {self.event}"

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Registration must close after it opens.")})

    def is_open_at(self, moment) -> bool:
        return self.opens_at <= moment < self.closes_at


class ReservedSeats(models.Model):
    """Seats kept for one kind of organisation (e.g. 40 for public laboratories)."""

    settings = models.ForeignKey(RegistrationSettings, on_delete=models.CASCADE,
                                 related_name="reserved")
    organisation_kind = models.CharField(_("organisation kind"), max_length=30,
                                         choices=Organisation.Kind.choices)
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["settings", "organisation_kind"],
                                               name="unique_reserved_kind")]
        verbose_name = _("reserved seats")
        verbose_name_plural = _("reserved seats")

    def __str__(self):
        return f"{self.seats} for {self.get_organisation_kind_display()}"


class Question(models.Model):
    """A question of the event's registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        YES_NO = "yes_no", _("Yes or no")
        COUNTRY = "country", _("Country")
        DATE = "date", _("Date")

    class Visibility(models.TextChoices):
        ORGANISERS = "organisers", _("Organisers only")
        PARTICIPANT_LIST = "participant_list", _("Also on the public participant list")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions",
                              verbose_name=_("event"))
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("options"), default=list, blank=True,
                               help_text=_("The options, for choice questions."))
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices,
                                  default=Visibility.ORGANISERS)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.label

    def stored_choices(self) -> list:
        """The options as answers keep them: in the event's default language."""
        default = content_default_language(self)
        return (getattr(self, f"choices_{default}", None) if default else None) or self.choices

    def choice_pairs(self) -> list[tuple[str, str]]:
        """(kept in the answer, shown to the reader) per option: the reader sees the options
        in their language when it has as many as the default language's."""
        stored, shown = self.stored_choices(), self.choices
        return list(zip(stored, shown if len(shown) == len(stored) else stored, strict=True))

    def clean(self):
        super().clean()
        choice_kinds = (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)
        if self.kind in choice_kinds:
            if (not isinstance(self.choices, list) or len(self.choices) < 2
                    or not all(isinstance(c, str) and c.strip() for c in self.choices)):
                raise ValidationError({"choices": _("Give at least two non-empty options.")})
            if len(set(self.choices)) != len(self.choices):
                raise ValidationError({"choices": _("Options must differ.")})
        elif self.choices:
            raise ValidationError({"choices": _("Only choice questions have options.")})


def _badge_nonce() -> str:
    return secrets.token_urlsafe(9)


class Registration(models.Model):
    """One person's registration for one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="registrations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="registrations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              db_index=True)
    seat_pool = models.CharField(
        _("seat pool"), max_length=30, blank=True,
        help_text=_("Where the held seat comes from: an organisation kind's reserved seats, "
                    "or 'general'. Empty while no seat is held."),
    )
    priority = models.IntegerField(_("priority"), default=0,
                                   help_text=_("Higher goes first on the waiting list."))
    submitted_at = models.DateTimeField(_("submitted at"))
    waitlisted_at = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    consent_public_list = models.BooleanField(
        default=False, verbose_name=_("Show my name and organisation on the participant list")
    )
    answers = models.JSONField(default=dict, blank=True)
    badge_nonce = models.CharField(max_length=20, default=_badge_nonce)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    passport_name = models.CharField(
        _("name as in the passport"), max_length=200, blank=True,
        validators=[validate_single_line],
        help_text=_("Written on the visa invitation letter exactly as in the passport."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(status__in=sorted(ACTIVE)),
                name="one_active_registration_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "seat_pool"]),
            models.Index(fields=["event", "organisation", "status"]),
            models.Index(fields=["event", "status", "-priority", "waitlisted_at", "id"],
                         name="waiting_list_order"),
        ]

    def __str__(self):
        return f"{self.user} at {self.event} ({self.get_status_display()})"


class RegistrationTransition(TransitionLog):
    """The log of every change of state: who, when, from, to (``core.lifecycle``)."""

    subject_field = "registration"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)


class EmailTemplate(models.Model):
    """An organiser's version of one of the registration e-mails in one language (defaults in
    emails.py). A recipient gets the version in their language, else the one in the event's
    default language, else the default text translated (``notifications.placeholders``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="email_templates")
    key = models.CharField(_("e-mail"), max_length=40)
    language = models.CharField(_("language"), max_length=10,
                                validators=[validate_language_code])
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        constraints = [models.UniqueConstraint(fields=["event", "key", "language"],
                                               name="unique_email_template_language")]

    def __str__(self):
        return f"{self.event}: {self.key} ({self.language})"

    def save(self, *args, **kwargs):
        if not self.language:  # a version stored without a language is in the event's
            self.language = self.event.default_language
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()

        validate_template(self.key, self.subject, self.body)


class VisaLetterSettings(models.Model):
    """How an event's visa invitation letters read and who signs them. Its row is also the
    numbering lock: issuing a letter locks it, so numbers follow each other without gaps."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE,
                                 related_name="visa_letter_settings")
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("question asking for a letter"),
        help_text=_("The yes-or-no registration question by which a person asks for a letter."),
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=200,
                                      validators=[validate_single_line])
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True,
                                       validators=[validate_single_line])
    texts = models.JSONField(
        _("letter texts"), default=dict, blank=True,
        help_text=_("The letter's text per language; a language without one uses the default."),
    )
    last_number = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visa letter settings")
        verbose_name_plural = _("visa letter settings")

    def __str__(self):
        return f"Visa letters for {self.event}"


def _verification_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing that reads like another character
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class VisaLetter(models.Model):
    """One numbered visa invitation letter as issued: for whom, with which facts, by whom and
    when. A letter whose facts changed is superseded by a new number, never rewritten."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="visa_letters")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="visa_letters")
    number = models.PositiveIntegerField(_("number"))
    passport_name = models.CharField(_("name as in the passport"), max_length=200,
                                     validators=[validate_single_line])
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    digest = models.CharField(max_length=64)
    code = models.CharField(_("verification code"), max_length=20, default=_verification_code)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        ordering = ["event", "number"]
        verbose_name = _("visa letter")
        verbose_name_plural = _("visa letters")
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="unique_visa_letter_number"),
            models.UniqueConstraint(fields=["registration"],
                                    condition=Q(superseded_at__isnull=True),
                                    name="one_current_visa_letter"),
        ]

    def __str__(self):
        return f"Visa letter {self.number} for {self.event}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None
