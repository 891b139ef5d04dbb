"""OpenID Connect: the authorization code flow with PKCE (S256), state and nonce.

Built on mozilla-django-oidc: its backend exchanges the code at the token endpoint, finds the
signing key in the provider's JWKS and reads the userinfo endpoint; its PKCE helper makes the
challenge. The library serves one provider from settings, so the provider (a row of
``IdentityProvider`` or one declared in the environment) is passed in, and the ID token checks
the library leaves out are made here: issuer, audience (and ``azp``), expiry and issue time,
nonce, an asymmetric algorithm the provider announces, and no second use of the same token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import generate_code_challenge

from . import protocols
from .errors import Refused
from .models import UsedToken

SESSION_STATES = "sso_oidc_states"
MAX_STATES = 10
STATE_LIFETIME = 15 * 60
# Clock difference tolerated between this server and the provider.
LEEWAY = 60
TIMEOUT = 10
DISCOVERY_SECONDS = 60 * 60
# Only asymmetric signatures: a token signed with the client secret (HS256) or not at all is
# refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


@dataclass
class Assertion:
    """What the provider established about the person in one sign-in."""

    provider_key: str
    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""
    groups: list[str] = field(default_factory=list)
    acr: str = ""
    amr: list[str] = field(default_factory=list)
    # What signing out at the provider needs (the ID token, as id_token_hint).
    logout: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def discovery(provider) -> dict:
    """The provider's configuration (``/.well-known/openid-configuration``), kept an hour."""
    issuer = provider.issuer.rstrip("/")
    key = "sso:oidc:discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    config = cache.get(key)
    if config is None:
        try:
            response = requests.get(f"{issuer}/.well-known/openid-configuration",
                                    timeout=TIMEOUT)
            response.raise_for_status()
            config = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise Refused("unreachable") from exc
        if not isinstance(config, dict) or config.get("issuer", "").rstrip("/") != issuer:
            # The document must name the issuer it was fetched from (OpenID Connect Discovery
            # 1.0, section 4.3).
            raise Refused("issuer")
        cache.set(key, config, DISCOVERY_SECONDS)
    return config


def callback_url(request) -> str:
    """The redirect URI registered at the provider: from SITE_URL, never from the request's
    Host header (docs/deploy.md)."""
    return settings.SITE_URL + reverse("sso:oidc_callback")


class _Backend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for one provider, read from the provider, not settings."""

    def __init__(self, provider, config):  # noqa: D107 - no settings to read
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr, *args):
        return {"OIDC_TIMEOUT": TIMEOUT, "OIDC_VERIFY_SSL": True, "OIDC_VERIFY_KID": True,
                "OIDC_TOKEN_USE_BASIC_AUTH": False}.get(attr, args[0] if args else None)


# Starting a sign-in ------------------------------------------------------------------------------


def start(request, provider, next_url: str = ""):
    config = discovery(provider)
    state = get_random_string(32)
    nonce = get_random_string(32)
    verifier = get_random_string(64)
    states = {key: value for key, value in request.session.get(SESSION_STATES, {}).items()
              if value["added"] > time.time() - STATE_LIFETIME}
    # Several tabs may start a sign-in; the oldest beyond the limit are forgotten.
    for old in sorted(states, key=lambda key: states[key]["added"])[:-MAX_STATES + 1]:
        del states[old]
    states[state] = {"provider": provider.key, "nonce": nonce, "verifier": verifier,
                     "next": next_url, "added": time.time()}
    request.session[SESSION_STATES] = states
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": callback_url(request),
        "scope": provider.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    return HttpResponseRedirect(f"{config['authorization_endpoint']}?{urlencode(params)}")


# The provider's answer ---------------------------------------------------------------------------


def take_state(request) -> dict:
    """The sign-in this callback answers, removed from the session so it serves once."""
    state = request.GET.get("state", "")
    states = request.session.get(SESSION_STATES, {})
    pending = states.pop(state, None) if state else None
    request.session[SESSION_STATES] = states
    if pending is None or pending["added"] < time.time() - STATE_LIFETIME:
        raise Refused("state")
    return pending


def finish(request, provider, pending: dict) -> Assertion:
    """Exchange the code and check the ID token; the person's claims, or Refused."""
    if request.GET.get("error"):
        raise Refused("provider_error", request.GET.get("error_description")
                      or request.GET["error"])
    code = request.GET.get("code", "")
    if not code:
        raise Refused("provider_error")
    config = discovery(provider)
    backend = _Backend(provider, config)
    backend.request = request
    try:
        tokens = backend.get_token({
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url(request),
            "code_verifier": pending["verifier"],
        })
    except requests.HTTPError as exc:
        # An unknown, expired or already used code, or a wrong verifier.
        raise Refused("code") from exc
    except (requests.RequestException, ValueError) as exc:
        raise Refused("unreachable") from exc
    id_token = tokens.get("id_token") or ""
    claims = check_id_token(provider, config, backend, id_token, nonce=pending["nonce"])
    userinfo = {}
    if tokens.get("access_token") and config.get("userinfo_endpoint"):
        try:
            userinfo = backend.get_userinfo(tokens["access_token"], id_token, claims)
        except (requests.RequestException, ValueError, SuspiciousOperation) as exc:
            raise Refused("unreachable") from exc
        if userinfo.get("sub") != claims["sub"]:
            # OpenID Connect Core 1.0, 5.3.2: the userinfo answer is for the token's subject.
            raise Refused("signature")
    remember_token(id_token, claims)
    merged = {**userinfo, **claims}
    return assertion_from_claims(provider, merged, id_token)


def check_id_token(provider, config, backend, id_token: str, *, nonce: str) -> dict:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise Refused("signature") from exc
    announced = config.get("id_token_signing_alg_values_supported") or ["RS256"]
    alg = header.get("alg")
    if alg not in ALGORITHMS or alg not in announced:
        raise Refused("signature")
    try:
        key = backend.retrieve_matching_jwk(id_token)
    except (requests.RequestException, ValueError) as exc:
        raise Refused("unreachable") from exc
    except (SuspiciousOperation, jwt.PyJWTError, KeyError) as exc:
        raise Refused("signature") from exc
    try:
        claims = jwt.decode(
            id_token, key, algorithms=[alg], audience=provider.client_id,
            issuer=config["issuer"], leeway=LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Refused("expired") from exc
    except jwt.InvalidIssuerError as exc:
        raise Refused("issuer") from exc
    except jwt.InvalidAudienceError as exc:
        raise Refused("audience") from exc
    except jwt.ImmatureSignatureError as exc:
        raise Refused("expired") from exc
    except jwt.PyJWTError as exc:
        raise Refused("signature") from exc
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audience) > 1 and claims.get("azp") != provider.client_id:
        raise Refused("audience")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise Refused("nonce")
    return claims


def remember_token(id_token: str, claims: dict) -> None:
    """Refuse a second sign-in with the same ID token."""
    digest = hashlib.sha256(id_token.encode()).hexdigest()
    expires = dt.datetime.fromtimestamp(int(claims["exp"]) + LEEWAY, tz=dt.UTC)
    # Token times are the real clock's (the provider's), not the platform's business clock.
    UsedToken.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedToken.objects.create(digest=digest, expires_at=expires)
    except IntegrityError as exc:
        raise Refused("replayed") from exc


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def assertion_from_claims(provider, claims: dict, id_token: str) -> Assertion:
    groups = claims.get(provider.groups_claim) if provider.groups_claim else None
    if isinstance(groups, str):
        groups = groups.split()
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    return Assertion(
        provider_key=provider.key,
        subject=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        email_verified=_truthy(claims.get("email_verified")),
        name=str(claims.get("name") or " ".join(
            str(part) for part in (claims.get("given_name"), claims.get("family_name"))
            if part)),
        groups=[str(group) for group in groups or [] if isinstance(group, str | int)],
        acr=str(claims.get("acr") or ""),
        amr=[str(value) for value in amr],
        logout={"id_token": id_token},
    )


# Signing out at the provider --------------------------------------------------------------------


def logout_url(request, provider, saved: dict) -> str:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), if the provider offers it."""
    try:
        endpoint = discovery(provider).get("end_session_endpoint")
    except Refused:
        return ""
    if not endpoint:
        return ""
    params = {"client_id": provider.client_id,
              "post_logout_redirect_uri": settings.SITE_URL + reverse("front_door")}
    if saved.get("id_token"):
        params["id_token_hint"] = saved["id_token"]
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


protocols.register(protocols.Protocol(key="oidc", name="OpenID Connect", start=start,
                                      logout_url=logout_url))
