"""The demo's identity provider "Demo Institute" (synthetic, demo only): a SAML 2.0 provider
process (``fusionforum/demo_idp/saml_idp.py``) that ``make demo`` starts on port 8001 beside the
site, with the people of ``fusionforum/demo_idp/people.json``. ``load_demo`` declares it here.

The demo experts invited by address (``tomas.expert@…`` and the others) have no account: their
first sign-in through Demo Institute creates one and links their expert profile, so they land
on their agenda without a local password. The demo expert and organiser who already have a
local account are linked in advance (a real person proves their password once instead)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from fusionforum.accounts.models import User
from fusionforum.core import audit

from .models import IdentityProvider, Link

KEY = "demo-institute"
DOMAIN = "demo.fusionforum.invalid"
PASSWORD = "demo-institute-password"  # the demo provider's; demo only
PRE_LINKED = ["expert@demo.fusionforum.invalid", "organiser@demo.fusionforum.invalid"]
MFA = "https://refeds.org/profile/mfa"


def load(event) -> str:
    base = getattr(settings, "DEMO_IDP_URL", "http://127.0.0.1:8001").rstrip("/")
    with transaction.atomic():
        provider, created = IdentityProvider.objects.update_or_create(key=KEY, defaults={
            "protocol": "saml", "label": "Demo Institute", "entity_id": f"{base}/metadata",
            "metadata_url": f"{base}/metadata", "metadata_xml": "", "email_domains": DOMAIN,
            "email_attribute": "mail", "groups_claim": "eduPersonEntitlement",
            "creator_groups": "demo-event-leads", "enforces_second_factor": True,
            "accepted_acr": MFA, "enabled": True, "position": 0})
        provider.full_clean()
        for email in PRE_LINKED:
            user = User.objects.filter(email=email).first()
            if user is not None:
                Link.objects.get_or_create(provider_key=KEY, user=user,
                                           defaults={"subject": email})
        if created:
            audit.record("sso.provider_added", provider, summary=f"Demo identity provider {KEY}")
    return (f"Identity provider Demo Institute (SAML 2.0, {base}, started by make demo): "
            f"demo experts sign in there with password {PASSWORD}")
