"""The outcomes report: themes drawn from the companies' answers, the organisers' narrative and
priorities, an optional post-event survey, and the published, frozen versions.

The working copy (``OutcomesReport``, ``Theme``, ``ThemeSource``, ``Priority``) is for the
organisers only. The public reads ``ReportVersion.data`` (format ``fusionforum-outcomes/1``,
schema in ``report.schema.json``), never the working copy.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.cfp.models import Submission
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.events.models import Event

# The two free-text questions the themes are drawn from.
THEME_QUESTIONS = ("challenges", "iter_help")


class Licence(models.TextChoices):
    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA_4 = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0 = "CC0-1.0", _("Creative Commons Zero 1.0 (public domain dedication)")
    ODC_BY = "ODC-By-1.0", _("Open Data Commons Attribution 1.0 (ODC-By)")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
}


class OutcomesReport(models.Model):
    """The organisers' working copy of an event's report (one per event)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="outcomes_report")
    title = models.CharField(max_length=200, default="Outcomes report",
                             validators=[validate_single_line])
    narrative = models.TextField(
        max_length=20000, blank=True, validators=[validate_multiline],
        help_text=_("Markdown. Raw HTML is removed."),
    )
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.CC_BY_4,
                               help_text=_("Licence of the report and its open data."))
    attribution = models.CharField(
        max_length=200, blank=True, validators=[validate_single_line],
        help_text=_("How re-users should credit the report; empty: the event's title."),
    )
    built_at = models.DateTimeField(null=True, blank=True)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # How the last automatic grouping went: {"algorithm", "k", "silhouette", "candidates": [...]}.
    method = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Outcomes report of {self.event}"

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class Theme(models.Model):
    """A group of answers about the same subject. Organisers rename, merge, split and order."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcome_themes")
    label = models.CharField(max_length=150, validators=[validate_single_line])
    # False while the label is the automatic one (words picked by the grouping): such a name
    # is a hint for the editor only and is never published. Set by a rename (or a merge with
    # a new name); a rebuild or a split makes automatic names again.
    named_by_organiser = models.BooleanField(default=False)
    key_terms = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label

    @property
    def public_id(self) -> str:
        return f"T{self.pk}"


class ThemeSource(models.Model):
    """One answer (a submission's question) placed in a theme. Confidential answers are kept
    for the organisers (``confidential``) but never counted, described or quoted in public."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="sources")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=20, choices=[(q, q) for q in THEME_QUESTIONS])
    visibility = models.CharField(max_length=20)
    # Cosine similarity to the theme's centre when it was built (for choosing quotes).
    closeness = models.FloatField(default=0)

    class Meta:
        ordering = ["-closeness", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "submission", "question"],
                                    name="unique_theme_source"),
        ]

    def __str__(self):
        return f"{self.submission.code}/{self.question} in {self.theme}"


class Priority(models.Model):
    """Something the host should do, backed by themes. Ranked by breadth of demand (share of
    organisations behind its themes) and feasibility (the organisers' 1-5 judgement)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcome_priorities")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(max_length=5000, blank=True, validators=[validate_multiline],
                                   help_text=_("Markdown. Raw HTML is removed."))
    feasibility = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1: very hard for the host to deliver, 5: easy."),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="priorities")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("priorities")

    def __str__(self):
        return self.title


class SurveyResponse(models.Model):
    """The post-event survey: one answer per organisation (the last delegate to answer wins).
    Ratings are published as counts and means; comments are read by organisers only."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="survey_responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    usefulness = models.PositiveSmallIntegerField(
        _("how useful was the workshop"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    meetings_rating = models.PositiveSmallIntegerField(
        _("how useful were the expert meetings"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    likely_to_engage = models.PositiveSmallIntegerField(
        _("how likely is your organisation to engage with ITER in the next year"),
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    comments = models.TextField(max_length=3000, blank=True, validators=[validate_multiline],
                                help_text=_("Read by the organisers only; never published."))
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"],
                                    name="unique_survey_response"),
        ]

    def __str__(self):
        return f"Survey of {self.organisation} at {self.event}"


class CurrentVersions(models.Manager):
    """Published versions that have not been withdrawn: the only ones the public may read.
    The default manager, so that ``event.outcome_versions`` (the menu) never counts a
    withdrawn version; ``ReportVersion.every`` includes them (version list, numbering)."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class ReportVersion(models.Model):
    """A published, frozen, numbered version of the report. Its content never changes; an
    organiser may withdraw it (when, who, why are kept), and the public stops seeing it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcome_versions")
    version = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    data = models.JSONField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    withdrawal_reason = models.CharField(max_length=300, blank=True,
                                         validators=[validate_single_line])

    every = models.Manager()  # withdrawn versions included
    objects = CurrentVersions()  # the default manager (Meta)

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "every"
        ordering = ["event", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["event", "version"],
                                    name="unique_outcomes_version"),
        ]

    def __str__(self):
        return f"{self.event} outcomes v{self.version}"
