"""SAML 2.0 Web Browser SSO: AuthnRequest by the redirect binding, the answer at the assertion
consumer service (ACS) by the POST binding, built on pysaml2 (``saml2.client.Saml2Client``).

djangosaml2 is not used: like django-allauth it serves one service provider from settings and
brings its own user backend; here each identity provider is a row of ``IdentityProvider`` (or
declared in the environment) and what a sign-in does is ``services.py``'s, as for OpenID
Connect. The checks, by pysaml2 unless said otherwise:

- the assertion must be signed by the key in the provider's metadata (``want_assertions_signed``;
  a signed response is checked too); unsigned or signed with another key is refused;
- the response answers an AuthnRequest this browser sent (``InResponseTo``, kept in the
  session 15 minutes and removed when answered; ``allow_unsolicited`` off);
- the audience is this site's entity id, the response's ``Destination`` and the subject's
  ``Recipient`` are this provider's ACS, ``NotBefore``/``NotOnOrAfter`` hold (60 seconds of
  clock difference tolerated);
- here: the issuer is the provider's entity id, and an assertion id already used is refused
  (kept in ``UsedToken`` until it expires).

The asserted e-mail is the attribute named by the provider's "e-mail attribute" (``mail`` by
default); SAML 2.0 has no "verified" flag, so it counts as verified only for an address in the
provider's e-mail domains (which SAML providers must list). The subject is the NameID
(persistent or another stable format; a transient NameID is refused, it changes each time).

The browser comes back by a cross-site POST, which carries no session cookie (SameSite=Lax):
the ACS keeps the answer a few minutes under a random key and sends the browser to the same
address by GET, where the session is there and the answer is checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import StatusError, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.sigver import SignatureError, SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from fusionforum.core import ratelimit

from . import protocols
from .errors import Refused
from .models import UsedToken

logger = logging.getLogger(__name__)

SESSION_REQUESTS = "sso_saml_requests"
MAX_REQUESTS = 10
REQUEST_LIFETIME = 15 * 60
LEEWAY = 60
TIMEOUT = 10
METADATA_SECONDS = 60 * 60
ANSWER_SECONDS = 5 * 60
ANSWER_CACHE = "sso:saml:answer:"
MAX_ANSWER = 200_000
ANSWERS_PER_WINDOW = 30
ANSWER_WINDOW = dt.timedelta(minutes=10)


# This site as a service provider ----------------------------------------------------------------


def metadata_url(provider) -> str:
    return settings.SITE_URL + reverse("sso:saml_metadata", args=[provider.key])


def acs_url(provider) -> str:
    return settings.SITE_URL + reverse("sso:saml_acs", args=[provider.key])


def sp_entity_id(provider) -> str:
    """``SAML_SP_ENTITY_ID`` if set (one name for every provider), else the provider's SP
    metadata address."""
    return getattr(settings, "SAML_SP_ENTITY_ID", "") or metadata_url(provider)


def sp_keys() -> tuple[str, str] | None:
    """The key and certificate files (PEM) this site signs its requests with, if set
    (``SAML_SP_KEY_FILE``, ``SAML_SP_CERT_FILE``)."""
    key = getattr(settings, "SAML_SP_KEY_FILE", "")
    cert = getattr(settings, "SAML_SP_CERT_FILE", "")
    return (key, cert) if key and cert else None


def idp_metadata(provider) -> str:
    """The provider's metadata: pasted, or read from its address and kept an hour."""
    if provider.metadata_xml.strip():
        return provider.metadata_xml.strip()
    key = "sso:saml:metadata:" + hashlib.sha256(provider.metadata_url.encode()).hexdigest()
    xml = cache.get(key)
    if xml is None:
        try:
            response = requests.get(provider.metadata_url, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise Refused("unreachable") from exc
        xml = response.text
        cache.set(key, xml, METADATA_SECONDS)
    return xml


def config(provider, *, with_idp: bool = True) -> SPConfig:
    service = {
        "name": "Fusion Forum",
        "endpoints": {"assertion_consumer_service": [(acs_url(provider), BINDING_HTTP_POST)]},
        "want_assertions_signed": True,
        "want_response_signed": False,
        "allow_unsolicited": False,
        "authn_requests_signed": sp_keys() is not None,
        "name_id_format_allow_create": True,
    }
    conf = {
        "entityid": sp_entity_id(provider),
        "service": {"sp": service},
        "accepted_time_diff": LEEWAY,
        "allow_unknown_attributes": True,
    }
    keys = sp_keys()
    if keys:
        conf["key_file"], conf["cert_file"] = keys
        conf["encryption_keypairs"] = [{"key_file": keys[0], "cert_file": keys[1]}]
    if with_idp:
        conf["metadata"] = {"inline": [idp_metadata(provider)]}
    sp_config = SPConfig()
    try:
        sp_config.load(conf)
    except Exception as exc:  # pysaml2 raises many kinds on bad metadata
        logger.warning("SAML metadata of %s not usable: %s", provider.key, exc)
        raise Refused("metadata") from exc
    return sp_config


def sp_metadata(provider) -> str:
    """This site's SP metadata for the provider (entity id, ACS, signing key if any)."""
    return create_metadata_string(None, config=config(provider, with_idp=False),
                                  valid=24 * 14).decode()


# Starting a sign-in ------------------------------------------------------------------------------


def start(request, provider, next_url: str = ""):
    client = Saml2Client(config(provider))
    try:
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.entity_id, relay_state=get_random_string(16),
            binding=BINDING_HTTP_REDIRECT)
    except Exception as exc:  # no redirect endpoint for this entity id in the metadata, ...
        logger.warning("SAML AuthnRequest to %s failed: %s", provider.key, exc)
        raise Refused("metadata") from exc
    pending = {key: value for key, value in request.session.get(SESSION_REQUESTS, {}).items()
               if value["added"] > time.time() - REQUEST_LIFETIME}
    for old in sorted(pending, key=lambda key: pending[key]["added"])[:-MAX_REQUESTS + 1]:
        del pending[old]
    pending[request_id] = {"provider": provider.key, "next": next_url, "added": time.time()}
    request.session[SESSION_REQUESTS] = pending
    return HttpResponseRedirect(dict(info["headers"])["Location"])


# The provider's answer ---------------------------------------------------------------------------


def keep_answer(saml_response: str, *, client: str) -> str:
    """The POSTed answer kept a few minutes; the key the browser comes back with. Anyone may
    post here, so each client address may leave at most ANSWERS_PER_WINDOW answers."""
    if not saml_response or len(saml_response) > MAX_ANSWER:
        raise Refused("malformed")
    if not ratelimit.hit("sso.saml_acs", client or "unknown", limit=ANSWERS_PER_WINDOW,
                         window=ANSWER_WINDOW).allowed:
        raise Refused("too_many")
    key = get_random_string(40)
    cache.set(ANSWER_CACHE + key, saml_response, ANSWER_SECONDS)
    return key


def take_answer(key: str) -> str:
    saml_response = cache.get(ANSWER_CACHE + key) if key else None
    if saml_response is None:
        raise Refused("state")
    cache.delete(ANSWER_CACHE + key)
    return saml_response


def _classify(exc: Exception) -> str:
    if isinstance(exc, ResponseLifetimeExceed | ToEarly) or "Condition not OK" in str(exc):
        # (pysaml2 checks audience first with its own message; what fails after is the time)
        return "expired"
    if isinstance(exc, UnsolicitedResponse):
        return "state"
    if isinstance(exc, StatusError):
        return "provider_error"
    if isinstance(exc, SignatureError | SigverError):
        return "signature"
    text = str(exc)
    if "AudienceRestrictions" in text:
        return "audience"
    if "recipient" in text.lower() or "destination" in text.lower():
        return "destination"
    if "ignature" in text or "signed" in text.lower():
        return "signature"
    return "malformed"


def finish(request, provider, saml_response: str) -> tuple[object, str]:
    """Check the answer; (pysaml2's AuthnResponse, the next address) or Refused."""
    pending = {key: value for key, value in request.session.get(SESSION_REQUESTS, {}).items()
               if value["provider"] == provider.key
               and value["added"] > time.time() - REQUEST_LIFETIME}
    if not pending:
        raise Refused("state")
    client = Saml2Client(config(provider))
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST,
            outstanding={key: value["next"] for key, value in pending.items()})
    except Exception as exc:  # pysaml2 signals each failed check with its own exception
        code = _classify(exc)
        logger.info("SAML answer from %s refused (%s): %r", provider.key, code, exc)
        raise Refused(code) from exc
    if response is None:
        # pysaml2 returns None for a response to another address (Destination) and for
        # undecodable input.
        raise Refused("destination")
    requests_left = request.session.get(SESSION_REQUESTS, {})
    answered = requests_left.pop(response.in_response_to, None)
    request.session[SESSION_REQUESTS] = requests_left
    if answered is None:
        raise Refused("state")
    issuer = (getattr(response.response.issuer, "text", "")
              or getattr(response.assertion.issuer, "text", "") or "").strip()
    if issuer != provider.entity_id:
        raise Refused("issuer")
    if response.response.destination and response.response.destination != acs_url(provider):
        raise Refused("destination")
    if not response.assertion.signature and not response.response.signature:
        raise Refused("signature")
    remember_assertion(provider, response)
    return response, answered.get("next", "")


def remember_assertion(provider, response) -> None:
    """Refuse a second sign-in with the same assertion (by its id, at this provider)."""
    digest = hashlib.sha256(
        f"saml\n{provider.entity_id}\n{response.assertion.id}".encode()).hexdigest()
    not_after = response.not_on_or_after or (time.time() + 3600)
    expires = dt.datetime.fromtimestamp(int(not_after) + LEEWAY, tz=dt.UTC)
    UsedToken.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedToken.objects.create(digest=digest, expires_at=expires)
    except IntegrityError as exc:
        raise Refused("replayed") from exc


def _attribute(ava: dict, name: str) -> list[str]:
    if not name:
        return []
    wanted = name.casefold()
    for key, values in ava.items():
        if key.casefold() == wanted:
            return [str(value) for value in values if value is not None]
    return []


def assertion_from_response(provider, response):
    """The same ``Assertion`` as OpenID Connect's, from a checked SAML response."""
    from .oidc import Assertion

    name_id = response.name_id
    if name_id is None or not (name_id.text or "").strip() \
            or name_id.format == NAMEID_FORMAT_TRANSIENT:
        raise Refused("subject")
    ava = response.ava or {}
    emails = _attribute(ava, provider.email_attribute)
    email = emails[0].strip() if emails else ""
    # SAML has no email_verified: the provider is the authority for its own domains only (a
    # SAML provider must list them; services.resolve refuses any other domain).
    verified = bool(email) and bool(provider.domains)
    name = " ".join(_attribute(ava, "displayName")[:1]) or " ".join(
        _attribute(ava, "givenName")[:1] + _attribute(ava, "sn")[:1]) or " ".join(
        _attribute(ava, "cn")[:1])
    context = response.authn_info()
    return Assertion(
        provider_key=provider.key, subject=name_id.text.strip()[:255], email=email,
        email_verified=verified, name=name, groups=_attribute(ava, provider.groups_claim),
        acr=context[0][0] if context else "", amr=[],
        logout={"session_index": getattr(response, "session_index", "") or ""})


# Signing out -------------------------------------------------------------------------------------


def logout_url(request, provider, saved: dict) -> str:
    """SAML single logout is not offered: signing out ends the session here only."""
    return ""


protocols.register(protocols.Protocol(key="saml", name="SAML 2.0", start=start,
                                      logout_url=logout_url))
