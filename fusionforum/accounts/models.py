import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from fusionforum.core.languages import validate_language_code


def normalise_email(email: str) -> str:
    """NFKC-normalised, trimmed, lower-cased: the form every address is stored and found in."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalise_email(username))

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Organisation(models.Model):
    """A company, laboratory, agency or other body whose people take part."""

    class Kind(models.TextChoices):
        PRIVATE_DEVELOPER = "private_developer", _("Private fusion developer")
        SUPPLIER = "supplier", _("Supplier")
        PUBLIC_LAB = "public_lab", _("Public laboratory or agency")
        ACADEMIA = "academia", _("Academia")
        INVESTOR = "investor", _("Investor")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    class Approach(models.TextChoices):
        TOKAMAK = "tokamak", _("Tokamak")
        SPHERICAL_TOKAMAK = "spherical_tokamak", _("Spherical tokamak")
        STELLARATOR = "stellarator", _("Stellarator")
        LASER_INERTIAL = "laser_inertial", _("Laser inertial")
        MAGNETO_INERTIAL = "magneto_inertial", _("Magneto-inertial / magnetised target")
        Z_PINCH = "z_pinch", _("Z-pinch")
        FRC = "frc", _("Field-reversed configuration")
        MIRROR = "mirror", _("Mirror")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    country = CountryField()
    website = models.URLField(blank=True, max_length=300)
    fusion_approach = models.CharField(
        max_length=30, choices=Approach.choices, blank=True,
        help_text=_("For private fusion developers only."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_organisation_name_ci"),
            models.CheckConstraint(
                condition=models.Q(kind="private_developer") | models.Q(fusion_approach=""),
                name="fusion_approach_only_for_developers",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.name = " ".join(unicodedata.normalize("NFKC", self.name or "").split())
        if self.kind == self.Kind.PRIVATE_DEVELOPER and not self.fusion_approach:
            raise ValidationError({"fusion_approach": _("Say which approach the company pursues.")})
        if self.kind != self.Kind.PRIVATE_DEVELOPER and self.fusion_approach:
            raise ValidationError(
                {"fusion_approach": _("Only private fusion developers have an approach.")}
            )


class MergedOrganisation(models.Model):
    """An organisation that was merged into another (accounts.merge). Frozen documents, such as
    a published meetings schedule, name organisations by id: this maps the former id to the
    organisation that now stands for it."""

    former_id = models.PositiveBigIntegerField(unique=True)
    former_name = models.CharField(max_length=200)
    merged_into = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                    related_name="merged_from")
    merged_at = models.DateTimeField()

    def __str__(self):
        return f"{self.former_name} (merged into {self.merged_into_id})"


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a login. The e-mail address is the login name."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when the person deleted their account.")
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("Platform operators only; organisers get access by their role.")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Pages, e-mails and documents for this person are in this language; blank until chosen
    # (then the language cookie, the browser's Accept-Language, the event's default apply).
    preferred_language = models.CharField(
        max_length=10, blank=True, validators=[validate_language_code]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="unique_email_ci")]

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


def lockout_username(request, credentials) -> str | None:
    """The login name as django-axes counts failures: normalised like the stored address, so
    "Target@X" and "target@x" share one lockout."""
    username = (credentials or {}).get("username")
    return normalise_email(username) if username else None
