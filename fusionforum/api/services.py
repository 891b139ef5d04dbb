"""Personal API tokens: create, list, revoke, find by the token a client presents.

Every change goes through here with an audit entry. A person who must use a second factor on
the web (any team role, the back office: ``accounts.twofactor.requires_two_factor``) may
create a token only with a second factor set up and a session verified with it: a token then
stands in for that verified session, so the API asks no second factor of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fusionforum.accounts import twofactor
from fusionforum.core import audit, clock
from fusionforum.core.text import validate_single_line

from . import registry
from .models import ApiToken, TokenScope

TOKEN_PREFIX = "ff_"
EXPIRY_CHOICES_DAYS = (7, 30, 90, 365)
DEFAULT_EXPIRY_DAYS = 90
MAX_ACTIVE_TOKENS = 20
# "Last used" is written at most this often per token (each request would otherwise write).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a fast hash is enough (a
    slow password hash would only make every API request slow)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_raw_token() -> tuple[str, str]:
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def needs_second_factor(user) -> bool:
    return twofactor.requires_two_factor(user)


def may_create(user, *, verified: bool) -> bool:
    """Staff need a second factor set up and a verified session; others need neither."""
    if not user.is_authenticated or not user.is_active:
        return False
    if needs_second_factor(user):
        return twofactor.has_confirmed_device(user) and verified
    return True


def tokens_of(user):
    return ApiToken.objects.filter(user=user).prefetch_related("events")


def event_choices(user):
    found = registry.event_choices(user)
    return found if found is not None else []


@transaction.atomic(durable=True)
def create_token(user, *, name: str, scope: str, expires_in_days: int, all_events: bool,
                 events=(), verified: bool) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret text, which is shown once and
    never stored. Raises PermissionDenied (second factor) or ValidationError (field errors)."""
    if not may_create(user, verified=verified):
        raise PermissionDenied(_("Set up two-factor authentication and verify this session "
                                 "before creating an API token: your account has a staff "
                                 "role."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name, e.g. the tool that will use it.")]
    else:
        try:
            validate_single_line(name)
        except ValidationError as error:
            errors["name"] = error.messages
        if len(name) > 100:
            errors["name"] = [_("Use at most 100 characters.")]
    if scope not in TokenScope.values:
        errors["scope"] = [_("Choose read, or read and write.")]
    if expires_in_days not in EXPIRY_CHOICES_DAYS:
        errors["expires_in_days"] = [_("Choose one of the offered durations.")]
    chosen = list(events)
    if not all_events:
        allowed = {event.pk for event in event_choices(user)}
        if not chosen:
            errors["events"] = [_("Choose at least one event, or all your events.")]
        elif any(event.pk not in allowed for event in chosen):
            errors["events"] = [_("Choose events from the list.")]
    now = clock.now()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    if active.count() >= MAX_ACTIVE_TOKENS:
        errors["name"] = [_("You have %(count)d active tokens: revoke one first.")
                          % {"count": MAX_ACTIVE_TOKENS}]
    if errors:
        raise ValidationError(errors)
    prefix, raw = _new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, token_hash=hash_token(raw), scope=scope,
        all_events=all_events, created_at=now,
        expires_at=now + dt.timedelta(days=expires_in_days))
    if not all_events:
        token.events.set(chosen)
    audit.record("api.token_created", token, actor=user,
                 summary=f"API token ff_{prefix}_… ({scope})", scope=scope,
                 all_events=all_events, events=[event.pk for event in chosen] if not all_events
                 else [], expires_at=token.expires_at.isoformat())
    return token, raw


@transaction.atomic(durable=True)
def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """Revoke ``token`` (its owner only). Revoking twice changes nothing."""
    if token.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("This token is not yours."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api.token_revoked", token, actor=by,
                     summary=f"API token ff_{token.prefix}_… revoked")
    return token


def find_token(raw: str) -> ApiToken | None:
    """The token a client presented, whatever its state (None if there is no such token)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return (ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw))
            .first())


def note_use(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Remember that ``token`` was used (at most once per ``LAST_USED_RESOLUTION``)."""
    now = now or clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# Personal data -------------------------------------------------------------------------------

def token_sections(user) -> dict:
    tokens = [{
        "name": token.name, "prefix": f"{TOKEN_PREFIX}{token.prefix}_",
        "scope": token.scope, "all_events": token.all_events,
        "events": [event.slug for event in token.events.all()],
        "created_at": token.created_at.isoformat(), "expires_at": token.expires_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    } for token in tokens_of(user)]
    return {"api_tokens": tokens} if tokens else {}


def forget_tokens(user) -> None:
    ApiToken.objects.filter(user=user).delete()
