"""Identity providers (single sign-on), the accounts linked to them, and what proves a sign-in
was not used before. See docs/sso.md."""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from fusionforum.core.text import validate_multiline, validate_single_line

from . import protocols

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ENV_NAME_RE = r"^[A-Z_][A-Z0-9_]*$"


def words(value: str) -> list[str]:
    """A list typed as words separated by spaces, commas or new lines."""
    return [word for word in re.split(r"[\s,]+", value or "") if word]


def validate_domains(value: str) -> None:
    bad = [domain for domain in words(value.lower()) if not DOMAIN_RE.match(domain)]
    if bad:
        raise ValidationError(_("Not an e-mail domain: %(domains)s. Write domains such as "
                                "example.org, separated by spaces or commas."),
                              params={"domains": ", ".join(bad)}, code="domain")


def validate_words(value: str) -> None:
    if len(words(value)) > 50:
        raise ValidationError(_("At most 50 values."), code="too_many")


def validate_metadata(value: str) -> None:
    """Pasted SAML metadata: well-formed XML whose root is an EntityDescriptor."""
    if not value.strip():
        return
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(value.strip())
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise ValidationError(_("This is not well-formed XML."), code="xml") from None
    if not root.tag.endswith("}EntityDescriptor"):
        raise ValidationError(_("SAML metadata starts with an EntityDescriptor element."),
                              code="xml")


class IdentityProvider(models.Model):
    """An organisation's identity provider people may sign in with, configured by the platform
    administrators (back office, or ``SSO_PROVIDERS`` in the environment)."""

    key = models.SlugField(
        _("key"), max_length=40, unique=True,
        help_text=_("Short name in addresses, e.g. demo-institute. Do not change it once people "
                    "signed in: their links to this provider use it."))
    protocol = models.CharField(_("protocol"), max_length=20, choices=protocols.choices(),
                                default="oidc")
    label = models.CharField(_("button label"), max_length=80, validators=[validate_single_line],
                             help_text=_('Shown as "Sign in with <label>".'))
    email_domains = models.TextField(
        _("e-mail domains"), blank=True, validators=[validate_multiline, validate_domains],
        help_text=_("Addresses this provider is for (e.g. example.org), separated by spaces or "
                    "commas. Empty: any address the provider asserts as verified."))
    issuer = models.URLField(
        _("issuer"), max_length=300, blank=True,
        help_text=_("OpenID Connect: the provider's issuer; its settings are read from "
                    "<issuer>/.well-known/openid-configuration."))
    client_id = models.CharField(_("client id"), max_length=200, blank=True,
                                 validators=[validate_single_line],
                                 help_text=_("OpenID Connect: this site's client id."))
    client_secret_env = models.CharField(
        _("client secret variable"), max_length=100, blank=True,
        validators=[validate_single_line,
                    RegexValidator(ENV_NAME_RE, _("An environment variable name, such as "
                                                  "SSO_DEMO_SECRET."))],
        help_text=_("Name of the environment variable holding the client secret (never the "
                    "secret itself). Empty: a public client (PKCE only)."))
    entity_id = models.CharField(
        _("entity id"), max_length=300, blank=True, validators=[validate_single_line],
        help_text=_("SAML 2.0: the identity provider's entity id (in its metadata)."))
    metadata_url = models.URLField(
        _("metadata address"), max_length=300, blank=True,
        help_text=_("SAML 2.0: where the identity provider publishes its metadata (read and "
                    "kept for an hour). Or paste the metadata below."))
    metadata_xml = models.TextField(
        _("metadata"), blank=True, max_length=200_000,
        validators=[validate_multiline, validate_metadata],
        help_text=_("SAML 2.0: the identity provider's metadata (XML), if it has no address."))
    email_attribute = models.CharField(
        _("e-mail attribute"), max_length=200, blank=True, default="mail",
        validators=[validate_single_line],
        help_text=_("SAML 2.0: the attribute holding the address, by its friendly name (e.g. "
                    "mail). It counts as verified only for addresses in the e-mail domains "
                    "above, which SAML 2.0 providers must list."))
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile",
                              validators=[validate_single_line, validate_words])
    groups_claim = models.CharField(
        _("groups claim"), max_length=100, blank=True, default="groups",
        validators=[validate_single_line],
        help_text=_("The claim (OpenID Connect) or attribute (SAML 2.0) listing the person's "
                    "groups (e.g. groups, roles, eduPersonEntitlement)."))
    creator_groups = models.TextField(
        _("groups that may start events"), blank=True,
        validators=[validate_multiline, validate_words],
        help_text=_("Members of any of these groups become event creators when they sign in."))
    enforces_second_factor = models.BooleanField(
        _("enforces a second factor"), default=False,
        help_text=_("The provider asks for a second factor itself: a sign-in whose acr or amr "
                    "(SAML 2.0: AuthnContextClassRef) is accepted below counts as the second "
                    "factor here."))
    accepted_acr = models.CharField(
        _("accepted acr values"), max_length=300, blank=True,
        validators=[validate_single_line, validate_words],
        help_text=_("SAML 2.0: the accepted AuthnContextClassRef values."))
    accepted_amr = models.CharField(
        _("accepted amr values"), max_length=300, blank=True, default="mfa otp hwk",
        validators=[validate_single_line, validate_words])
    required_for_staff = models.BooleanField(
        _("required for staff"), default=False,
        help_text=_("Staff (organisers, reviewers, administrators) whose address is in the "
                    "domains above must sign in here; their local password is refused."))
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    # Providers declared in the environment are not saved; they cannot be edited here.
    from_settings = False

    class Meta:
        ordering = ["position", "label"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        self.email_domains = " ".join(words(self.email_domains.lower()))
        if self.protocol == "oidc":
            required = {"issuer": self.issuer, "client_id": self.client_id}
            missing = {name: _("OpenID Connect needs this.") for name, value in required.items()
                       if not value}
            if missing:
                raise ValidationError(missing)
            if "openid" not in words(self.scopes):
                raise ValidationError({"scopes": _('OpenID Connect needs the "openid" scope.')})
        if self.protocol == "saml":
            missing = {}
            if not self.entity_id:
                missing["entity_id"] = _("SAML 2.0 needs the identity provider's entity id.")
            if not self.metadata_url and not self.metadata_xml:
                missing["metadata_url"] = _("Give the metadata address or paste the metadata.")
            if not self.email_domains:
                missing["email_domains"] = _(
                    "SAML 2.0 has no \"verified\" flag for addresses: list the domains this "
                    "provider is the authority for.")
            if not self.email_attribute:
                missing["email_attribute"] = _("SAML 2.0 needs the attribute holding the "
                                               "address.")
            if missing:
                raise ValidationError(missing)
        if self.required_for_staff and not self.email_domains:
            raise ValidationError({"required_for_staff": _(
                "Say which e-mail domains' staff must use this provider.")})

    @property
    def domains(self) -> list[str]:
        return words(self.email_domains.lower())

    @property
    def client_secret(self) -> str:
        return os.environ.get(self.client_secret_env, "") if self.client_secret_env else ""

    def serves(self, email: str) -> bool:
        domain = (email or "").rpartition("@")[2].lower()
        return not self.domains or domain in self.domains


class Link(models.Model):
    """This account signs in as ``subject`` at the provider ``provider_key``. Later sign-ins are
    matched by subject only (an address may change at the provider)."""

    provider_key = models.SlugField(max_length=40)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="sso_links")
    linked_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider_key", "subject"],
                                    name="one_link_per_subject"),
            models.UniqueConstraint(fields=["provider_key", "user"],
                                    name="one_link_per_provider"),
        ]
        verbose_name = _("single sign-on link")
        verbose_name_plural = _("single sign-on links")

    def __str__(self):
        return f"{self.provider_key}:{self.subject} → {self.user_id}"


class MappedRole(models.Model):
    """A platform role this provider's group mapping gave (and may take back): only a role
    recorded here is withdrawn when the person's groups no longer include a mapped group, so a
    role the administrators gave stays."""

    class Role(models.TextChoices):
        EVENT_CREATOR = "event_creator", _("event creator")

    provider_key = models.SlugField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="sso_mapped_roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    # The row the mapping made (e.g. the EventCreator): one made later by an administrator has
    # another id and is never withdrawn here.
    object_id = models.PositiveBigIntegerField()
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider_key", "user", "role"],
                                               name="one_mapped_role_per_provider")]

    def __str__(self):
        return f"{self.provider_key}:{self.role} → {self.user_id}"


class UsedToken(models.Model):
    """An ID token (by its digest) already used to sign in: presenting it again is refused.
    Kept until the token expires (later it is refused as expired anyway)."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.digest[:12]


class ProviderDevice(Device):
    """Stands for "the identity provider checked a second factor" in django-otp's session, like
    an authenticator app does: a session verified through it counts as two-factor verified. It
    never accepts a typed code."""

    provider_key = models.SlugField(max_length=40)

    class Meta(Device.Meta):
        verbose_name = _("identity provider second factor")
        constraints = [models.UniqueConstraint(fields=["user", "provider_key"],
                                               name="one_provider_device_per_user")]

    def verify_token(self, token):
        return False

    def verify_is_allowed(self):
        return False, {"reason": "provider"}
