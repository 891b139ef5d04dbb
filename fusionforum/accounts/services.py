"""Business rules of accounts: sign-up, e-mail verification, profile, personal data.

Views, the admin, tests and management commands call these functions.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from fusionforum.core import audit, clock, ratelimit
from fusionforum.core.languages import speaking_to, validate_language_code
from fusionforum.core.models import AuditEntry
from fusionforum.notifications.services import forget_recipient, queue_email

from . import personal_data, twofactor
from .models import Organisation, User, normalise_email
from .tokens import InvalidToken, make_verification_token, read_verification_token

ANONYMISED_DOMAIN = "anonymised.invalid"


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def _limit(scope: str, key: str, *, limit: int, window: dt.timedelta) -> None:
    decision = ratelimit.hit(scope, key, limit=limit, window=window)
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


def check_signup_rate(client: str) -> None:
    _limit("accounts.signup", client,
           limit=getattr(settings, "ACCOUNTS_SIGNUP_RATE_LIMIT", 10), window=dt.timedelta(hours=1))


def check_password_reset_rate(client: str) -> None:
    _limit("accounts.password-reset", client,
           limit=getattr(settings, "ACCOUNTS_PASSWORD_RESET_RATE_LIMIT", 5),
           window=dt.timedelta(hours=1))


def check_resend_rate(user: User) -> None:
    _limit("accounts.verify-resend", str(user.pk),
           limit=getattr(settings, "ACCOUNTS_VERIFY_RESEND_LIMIT", 3),
           window=dt.timedelta(hours=1))


def normalise_name(value: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed: how names are stored."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def site_link(path: str) -> str:
    """An absolute link for an e-mail: always SITE_URL, never the request's Host header."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def site_domain_and_https() -> tuple[str, bool]:
    parts = urlsplit(settings.SITE_URL)
    return parts.netloc, parts.scheme == "https"


# Sign-up and verification ------------------------------------------------------------------------


ORGANISATION_RATE_MESSAGE = gettext_lazy(
    "You have added as many new organisations as one person may in a day. Choose yours from "
    "the list, or try again tomorrow; the organisers can also merge duplicates.")


def check_new_organisation_rate(*, actor: User | None = None, client: str | None = None) -> None:
    """New organisations per account (profile) or per client address (sign-up) and day.

    Raises a ValidationError (code ``organisation_rate``, ``params["retry_after"]`` seconds)
    that the forms show at the organisation's name."""
    if actor is not None:
        scope, key = "accounts.organisation-new.account", str(actor.pk)
        limit = getattr(settings, "ORGANISATIONS_NEW_PER_ACCOUNT_PER_DAY", 3)
    else:
        scope, key = "accounts.organisation-new.address", client or "unknown"
        limit = getattr(settings, "ORGANISATIONS_NEW_PER_ADDRESS_PER_DAY", 20)
    decision = ratelimit.hit(scope, key, limit=limit, window=dt.timedelta(days=1))
    if not decision.allowed:
        raise ValidationError(ORGANISATION_RATE_MESSAGE, code="organisation_rate",
                              params={"retry_after": decision.retry_after})


def _save_new_organisation(organisation: Organisation, actor: User | None = None,
                           client: str | None = None) -> None:
    check_new_organisation_rate(actor=actor, client=client)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise ValidationError(
            gettext("An organisation with this name already exists; choose it from the list."),
            code="organisation_exists",
        ) from exc
    audit.record("accounts.organisation_created", organisation, actor=actor,
                 kind=organisation.kind)


@transaction.atomic
def sign_up(*, full_name: str, email: str, password: str,
            organisation: Organisation, client: str | None = None,
            preferred_language: str = "") -> User:
    """Create an account (and the new organisation, if it is one) and queue the verification
    e-mail: all or nothing. ``organisation`` may be unsaved (validated by the caller)."""
    email = normalise_email(email)
    validate_language_code(preferred_language)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(gettext("An account with this e-mail address already exists."),
                              code="email_exists")
    if organisation.pk is None:
        _save_new_organisation(organisation, client=client)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, full_name=normalise_name(full_name), organisation=organisation,
                preferred_language=preferred_language,
            )
    except IntegrityError as exc:  # the same address signed up at the same moment
        raise ValidationError(gettext("An account with this e-mail address already exists."),
                              code="email_exists") from exc
    audit.record("accounts.signed_up", user, actor=user)
    send_verification_email(user)
    return user


def verification_link(user: User) -> str:
    return site_link(reverse("accounts:verify_email", args=[make_verification_token(user)]))


def send_verification_email(user: User):
    with speaking_to(user):
        body = render_to_string("accounts/email/verify_email.txt", {
            "user": user, "link": verification_link(user), "site_url": settings.SITE_URL,
        })
        subject = gettext("Confirm your e-mail address for Fusion Forum")
    return queue_email(
        to=[user.email], subject=subject, body=body,
        purpose="accounts.verify-email", related=user,
    )


@transaction.atomic
def verify_email(token: str) -> tuple[User, bool]:
    """Mark the address the token was made for as verified. Returns (user, newly verified).

    Raises InvalidToken if the token is malformed, tampered with, expired, or the account no
    longer has that address; nothing changes then.
    """
    user_id, email = read_verification_token(token)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None or not user.is_active or user.anonymised_at is not None \
            or user.email != email:
        raise InvalidToken(gettext("This link is not valid."))
    if user.email_verified_at is not None:
        return user, False
    user.email_verified_at = clock.now()
    user.save(update_fields=["email_verified_at"])
    audit.record("accounts.email_verified", user, actor=user)
    return user, True


@transaction.atomic
def resend_verification(user: User) -> bool:
    """Queue another verification e-mail (rate-limited). False if already verified."""
    if user.email_verified_at is not None:
        return False
    check_resend_rate(user)
    send_verification_email(user)
    return True


# Profile ---------------------------------------------------------------------------------------


@transaction.atomic
def update_profile(user: User, *, full_name: str, organisation: Organisation,
                   preferred_language: str | None = None) -> User:
    changed = []
    if preferred_language:
        validate_language_code(preferred_language)
        if preferred_language != user.preferred_language:
            user.preferred_language = preferred_language
            changed.append("preferred_language")
    full_name = normalise_name(full_name)
    if organisation.pk is None:
        _save_new_organisation(organisation, actor=user)
    if full_name != user.full_name:
        user.full_name = full_name
        changed.append("full_name")
    if organisation.pk != user.organisation_id:
        user.organisation = organisation
        changed.append("organisation")
    if changed:
        user.save(update_fields=changed)
        audit.record("accounts.profile_changed", user, actor=user, fields=changed)
    return user


def set_preferred_language(user: User, language: str) -> User:
    """Save the language ``user`` reads the site, e-mails and documents in."""
    validate_language_code(language)
    if language and language != user.preferred_language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        audit.record("accounts.language_changed", user, actor=user, language=language)
    return user


# Personal data ---------------------------------------------------------------------------------


def export_personal_data(user: User) -> dict:
    data = {
        "format": "fusionforum-personal-data/1",
        "generated_at": clock.now().isoformat(),
        **personal_data.export(user),
    }
    audit.record("accounts.personal_data_exported", user, actor=user)
    return data


def _iso(value):
    return value.isoformat() if value is not None else None


def account_sections(user: User) -> dict:
    """The accounts app's part of a person's data download."""
    organisation = user.organisation
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_verified_at": _iso(user.email_verified_at),
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
        },
        "organisation": None if organisation is None else {
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country.code,
            "website": organisation.website,
            "fusion_approach": organisation.fusion_approach,
        },
        # Which devices exist, never their secrets.
        "two_factor": {
            "devices": [
                {"name": d.name, "confirmed": d.confirmed, "created_at": _iso(d.created_at),
                 "last_used_at": _iso(d.last_used_at)}
                for d in user.totpdevice_set.all()
            ],
            "backup_codes_left": twofactor.status(user)["backup_codes_left"],
        },
        "activity_log": [
            {"at": _iso(entry.at), "action": entry.action, "object_type": entry.object_type,
             "object_id": entry.object_id, "summary": entry.summary}
            for entry in _audit_entries(user)
        ],
    }


def _audit_entries(user: User):
    return AuditEntry.objects.filter(actor=user).order_by("at", "id")


def anonymise_account_records(user: User) -> None:
    """The accounts app's anonymiser: login records (which hold the address and the client
    address) and every e-mail in the outbox addressed to this person."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    # Every e-mail to the person, whichever app queued it.
    forget_recipient(user.email)


def end_sessions(user: User) -> int:
    """Delete every stored session of ``user``, expired ones included: the database rows and,
    with cache-backed sessions (``cached_db``), their copies in the cache."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store().delete(session.session_key)
            ended += 1
    return ended


class CannotDelete(Exception):
    pass


@transaction.atomic
def delete_account(user: User) -> User:
    """Anonymise the account: the row stays (others count on it), the person is gone.

    Other apps' anonymisers run first, while the address and name are still there to find their
    rows; then the account is scrubbed, its devices removed and its sessions ended.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.anonymised_at is not None:
        return user
    if user.is_superuser:
        raise CannotDelete("A platform administrator's account cannot delete itself; "
                           "ask another administrator to remove your rights first.")
    personal_data.anonymise(user)
    twofactor.remove_devices(user)
    user.email = f"deleted-{user.pk}@{ANONYMISED_DOMAIN}"
    user.full_name = ""
    user.organisation = None
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.last_login = None
    user.email_verified_at = None
    user.anonymised_at = clock.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    end_sessions(user)
    audit.record("accounts.anonymised", user, actor=None,
                 summary="Account deleted at the person's request")
    return user
