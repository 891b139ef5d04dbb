"""The call for presentations: company submissions on the three workshop questions, and their
review. The three answers are structured (scale, key figures, categories) and each carries its
own visibility, because the outcomes report counts and quotes them."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.core.languages import validate_language_code
from fusionforum.core.lifecycle import TransitionLog
from fusionforum.events.models import Event

from .states import EDITABLE, SubmissionState
from .visibility import ANSWER_KEYS, Visibility

# Codes appear in public addresses and in frab exports (pattern ^[A-Z0-9]+$); no 0/O/1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class CallSettings(models.Model):
    """When the call is open and how it works, one per event."""

    event = models.OneToOneField(Event, verbose_name=_("event"),
                                 on_delete=models.CASCADE, related_name="call_settings")
    opens_at = models.DateTimeField(verbose_name=_("opens at"))
    closes_at = models.DateTimeField(verbose_name=_("closes at"),
                                     help_text=_("Submissions and edits are accepted until then."))
    introduction = models.TextField(
        verbose_name=_("introduction"),
        blank=True, help_text=_("Markdown, shown above the form. Raw HTML is removed.")
    )
    default_duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("default duration minutes"),
        default=20, validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Length of an accepted talk unless the organisers set another."),
    )
    max_slides_mb = models.PositiveSmallIntegerField(
        verbose_name=_("max slides mb"),
        default=20, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("Largest slides file accepted, in megabytes."),
    )
    reviews_per_submission = models.PositiveSmallIntegerField(
        verbose_name=_("reviews per submission"),
        default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many reviewers automatic assignment gives each "
                    "submission."),
    )
    review_closes_at = models.DateTimeField(
        verbose_name=_("review closes at"),
        null=True, blank=True,
        help_text=_("After this moment reviewers can no longer change scores."),
    )

    class Meta:
        verbose_name = _("call settings")
        verbose_name_plural = _("call settings")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                   name="call_window_positive"),
        ]

    def __str__(self):
        return f"Call for presentations of {self.event}"

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The call must close after it opens.")})

    def is_open_at(self, moment) -> bool:
        return self.opens_at <= moment < self.closes_at


class Category(models.Model):
    """One entry of the configurable list used to classify challenges and requests for help."""

    event = models.ForeignKey(Event, verbose_name=_("event"),
                              on_delete=models.CASCADE, related_name="cfp_categories")
    name = models.CharField(verbose_name=_("name"), max_length=120)
    slug = models.SlugField(verbose_name=_("slug"), max_length=80)
    position = models.PositiveIntegerField(verbose_name=_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="unique_cfp_category_slug"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)


class Scale(models.TextChoices):
    LAB_EXPERIMENT = "lab_experiment", _("Laboratory experiment")
    PROTOTYPE_DEVICE = "prototype_device", _("Prototype device")
    INTEGRATED_DEVICE = "integrated_device", _("Integrated device")
    PILOT_PLANT_DESIGN = "pilot_plant_design", _("Pilot plant design")


def slides_path(instance: Submission, filename: str) -> str:
    # Never the uploader's file name: it could carry anything.
    return f"cfp/{instance.event_id}/slides/{instance.code}-{secrets.token_hex(8)}.pdf"


class Submission(models.Model):
    """An organisation's proposal for a presentation, answering the three questions."""

    event = models.ForeignKey(Event, verbose_name=_("event"),
                              on_delete=models.CASCADE, related_name="submissions")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.PROTECT,
                                     related_name="submissions")
    code = models.CharField(verbose_name=_("code"),
                            max_length=12, unique=True, default=new_code, editable=False)
    guid = models.UUIDField(verbose_name=_("GUID"), default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(verbose_name=_("state"),
                             max_length=20, choices=SubmissionState.choices,
                             default=SubmissionState.DRAFT, db_index=True)
    title = models.CharField(verbose_name=_("title"), max_length=200)
    abstract = models.TextField(_("short abstract"), max_length=1500)
    # The language the authors wrote in (never translated by us); blank: not known. Pages mark
    # the answers with it (``lang="…"``).
    language = models.CharField(_("language"), max_length=10, blank=True,
                                validators=[validate_language_code])

    # (1) Which fusion breakthroughs, how, at what scale.
    breakthroughs = models.TextField(verbose_name=_("breakthroughs"), max_length=6000)
    breakthroughs_visibility = models.CharField(verbose_name=_("breakthroughs visibility"),
                                                max_length=20, choices=Visibility.choices,
                                                default=Visibility.PUBLIC)
    breakthrough_scale = models.CharField(verbose_name=_("breakthrough scale"),
                                          max_length=30, choices=Scale.choices, blank=True)
    # (2) Which challenges remain.
    challenges = models.TextField(verbose_name=_("challenges"), max_length=6000)
    challenges_visibility = models.CharField(verbose_name=_("challenges visibility"),
                                             max_length=20, choices=Visibility.choices,
                                             default=Visibility.PUBLIC)
    challenge_categories = models.ManyToManyField(Category, verbose_name=_("challenge categories"),
                                                  blank=True, related_name="+")
    # (3) How ITER can help.
    iter_help = models.TextField(_("how ITER can help"), max_length=6000)
    iter_help_visibility = models.CharField(verbose_name=_("iter help visibility"),
                                            max_length=20, choices=Visibility.choices,
                                            default=Visibility.PUBLIC)
    help_categories = models.ManyToManyField(Category, verbose_name=_("help categories"),
                                             blank=True, related_name="+")

    slides = models.FileField(verbose_name=_("slides"),
                              upload_to=slides_path, storage=private_storage, blank=True,
                              max_length=200)
    slides_uploaded_at = models.DateTimeField(verbose_name=_("slides uploaded at"),
                                              null=True, blank=True)

    duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("duration minutes"),
        null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Length of the talk; empty: the call's default."),
    )
    edit_deadline = models.DateTimeField(
        verbose_name=_("edit deadline"),
        null=True, blank=True,
        help_text=_("Organisers may extend the deadline for this submission alone."),
    )
    internal_notes = models.TextField(verbose_name=_("internal notes"),
                                      blank=True, help_text=_("Organisers only."))

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"))
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    speakers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("speakers"),
                                      through="Speaker",
                                      related_name="submissions")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "state"])]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return self.title

    @property
    def language_name(self) -> str:
        """The answers' language by its own name ("Français"), or "" when not said."""
        return dict(settings.LANGUAGES).get(self.language, self.language)

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE

    def deadline(self):
        """When content edits stop for this submission (the call's close or an extension)."""
        call = self.event.call_settings
        if self.edit_deadline and self.edit_deadline > call.closes_at:
            return self.edit_deadline
        return call.closes_at

    def effective_duration(self) -> int:
        if self.duration_minutes:
            return self.duration_minutes
        return self.event.call_settings.default_duration_minutes


# The three answers by field name, in the order of the questions; the wording is in
# fusionforum.events.questions.WORKSHOP_QUESTIONS. Who may read them: cfp/visibility.py.
ANSWER_FIELDS = ANSWER_KEYS


class KeyFigure(models.Model):
    """A number backing the first answer, e.g. "plasma current, 1.2, MA"."""

    submission = models.ForeignKey(Submission, verbose_name=_("submission"),
                                   on_delete=models.CASCADE,
                                   related_name="key_figures")
    label = models.CharField(verbose_name=_("label"), max_length=120)
    value = models.DecimalField(verbose_name=_("value"), max_digits=20, decimal_places=6)
    unit = models.CharField(verbose_name=_("unit"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(verbose_name=_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")

    def __str__(self):
        return f"{self.label}: {self.value.normalize():f} {self.unit}".strip()


class Speaker(models.Model):
    """A registered participant of the submitting organisation who presents the talk."""

    submission = models.ForeignKey(Submission, verbose_name=_("submission"),
                                   on_delete=models.CASCADE,
                                   related_name="speaker_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.PROTECT,
                             related_name="speaker_links")
    position = models.PositiveSmallIntegerField(verbose_name=_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "user"], name="unique_speaker"),
        ]

    def __str__(self):
        return f"{self.user} on {self.submission}"


def photo_path(instance: SpeakerProfile, filename: str) -> str:
    return f"cfp/{instance.event_id}/photos/{instance.code}-{secrets.token_hex(8)}.jpg"


class SpeakerProfile(models.Model):
    """What the public may learn about a speaker at one event: bio and photo. The code names
    the speaker in public addresses and exports instead of a database id.

    A profile without a user is a person imported from another system's programme (frab,
    pretalx, Indico): name, title, affiliation and bio come from the file, ``source_id`` is
    their id there (re-imports match on it, then on the name). Nobody signs in as them; an
    organiser can send an invitation (ProfileInvitation) with which the person claims the
    profile with their own account, keeping its code (and so its address and export ids)."""

    event = models.ForeignKey(Event, verbose_name=_("event"),
                              on_delete=models.CASCADE, related_name="speaker_profiles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, null=True, blank=True,
                             related_name="speaker_profiles")
    code = models.CharField(verbose_name=_("code"),
                            max_length=12, unique=True, default=new_code, editable=False)
    # Imported people (no account): the name as it is shown, an honorific kept apart.
    name = models.CharField(verbose_name=_("name"), max_length=200, blank=True)
    honorific = models.CharField(verbose_name=_("title"), max_length=60, blank=True,
                                 help_text=_("For example “Dr.” or “Prof.”."))
    affiliation = models.CharField(verbose_name=_("affiliation"), max_length=200, blank=True)
    source_id = models.CharField(verbose_name=_("id in the imported file"), max_length=100,
                                 blank=True, editable=False)
    bio = models.TextField(verbose_name=_("bio"),
                           max_length=2000, blank=True, help_text=_("Plain text or Markdown."))
    # Re-encoded JPEG written by the service, never the uploaded bytes.
    photo = models.ImageField(verbose_name=_("photo"),
                              upload_to=photo_path, storage=private_storage, blank=True,
                              max_length=200)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("speaker profile")
        verbose_name_plural = _("speaker profiles")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="unique_speaker_profile"),
            models.UniqueConstraint(fields=["event", "source_id"], condition=~Q(source_id=""),
                                    name="unique_speaker_profile_source"),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""),
                                   name="speaker_profile_has_a_name"),
        ]

    def __str__(self):
        return f"{self.display_name} at {self.event}"

    @property
    def display_name(self) -> str:
        """The public name: the account's, else the imported one."""
        if self.user_id and self.user.full_name:
            return self.user.full_name
        return self.name

    @property
    def is_imported(self) -> bool:
        return self.user_id is None


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class ProfileInvitation(models.Model):
    """A single-use link sent by e-mail to a person whose speaker profile was imported: with
    it they attach the profile to their own account (cfp.services.claim_profile). Only a hash
    of the token is stored."""

    profile = models.ForeignKey(SpeakerProfile, verbose_name=_("speaker profile"),
                                on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(verbose_name=_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(verbose_name=_("sent at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    used_at = models.DateTimeField(verbose_name=_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("profile invitation")
        verbose_name_plural = _("profile invitations")

    def __str__(self):
        return f"Invitation to claim {self.profile}"


class SubmissionTransition(TransitionLog):
    """The log of every change of state: who, when, from, to (``core.lifecycle``)."""

    subject_field, from_field, to_field = "submission", "from_state", "to_state"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="transitions")
    from_state = models.CharField(max_length=20, choices=SubmissionState.choices)
    to_state = models.CharField(max_length=20, choices=SubmissionState.choices)


# Review ------------------------------------------------------------------------------------


class ScoreCategory(models.Model):
    """One scored aspect of a submission, e.g. "relevance to ITER" with weight 2."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="score_categories")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1,
                                 validators=[MinValueValidator(0)])
    max_score = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Scores go from 0 to this value."),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("score categories")
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="unique_score_category"),
        ]

    def __str__(self):
        return self.name


class ReviewerConflict(models.Model):
    """A reviewer declared they must not review this organisation's submissions. Their own
    organisation is always a conflict and need not be declared."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reviewer_conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="review_conflicts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "reviewer", "organisation"],
                                    name="unique_reviewer_conflict"),
        ]

    def __str__(self):
        return f"{self.reviewer} ↔ {self.organisation}"


class ReviewAssignment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="review_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="review_assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    automatic = models.BooleanField(default=False)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"],
                                    name="unique_review_assignment"),
        ]

    def __str__(self):
        return f"{self.reviewer} reviews {self.submission}"


class Review(models.Model):
    """One reviewer's scores and comments on one submission. A draft has no submitted_at;
    other reviews of the submission become visible to the reviewer once theirs is submitted."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="reviews")
    comment_to_organisers = models.TextField(max_length=5000, blank=True)
    comment_to_speaker = models.TextField(
        max_length=5000, blank=True,
        help_text=_("Optional; may be included in the decision e-mail to the speakers."),
    )
    weighted_score = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True,
        help_text=_("Weighted mean of the scores, normalised to 0-100; set on submission."),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="unique_review"),
        ]

    def __str__(self):
        return f"Review of {self.submission} by {self.reviewer}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    category = models.ForeignKey(ScoreCategory, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "category"], name="unique_review_score"),
        ]

    def __str__(self):
        return f"{self.category}: {self.value}"


class CfpEmailTemplate(models.Model):
    """An organiser's version of one of the call's e-mails (decisions, confirmation) in one
    language. A speaker gets the version in their language, else the one in the event's
    default language, else the default text translated (``notifications.placeholders``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cfp_email_templates")
    key = models.CharField(max_length=40)
    language = models.CharField(_("language"), max_length=10,
                                validators=[validate_language_code])
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "key", "language"],
                                               name="unique_cfp_email_template_language")]

    def __str__(self):
        return f"{self.event}: {self.key} ({self.language})"

    def save(self, *args, **kwargs):
        if not self.language:  # a version stored without a language is in the event's
            self.language = self.event.default_language
        super().save(*args, **kwargs)
