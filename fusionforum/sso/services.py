"""Single sign-on: what a sign-in a provider vouched for does here.

- A known (provider, subject) signs in its linked account.
- Otherwise an account is found or created only through an address the provider asserts as
  verified: a new address gets a new account (no password); an address that already has an
  account is linked only once the person proves control of it (their password, or a link sent
  to the address), never silently.
- After each sign-in: the groups the administrators mapped make the person an event creator
  (and leaving them takes back a role given so, never one the administrators gave),
  expert profiles invited by the address are linked, and for staff the provider's acr/amr
  counts as the second factor when the provider enforces one.
Every link, creation and refusal is in the audit log.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext

from fusionforum.accounts import twofactor
from fusionforum.accounts.models import User, normalise_email
from fusionforum.core import audit, clock
from fusionforum.events.models import EventCreator
from fusionforum.events.services import (
    grant_creator_from_identity_provider,
    withdraw_creator_from_identity_provider,
)
from fusionforum.meetings.services import link_invited_experts
from fusionforum.notifications.services import queue_email

from .errors import Refused
from .models import Link, MappedRole, ProviderDevice, words
from .oidc import Assertion

LINK_TOKEN_SALT = "fusionforum.sso.link"
LINK_TOKEN_MAX_AGE = 30 * 60


class ProofNeeded(Exception):
    """An account with the asserted address exists: the person proves control of it first."""

    def __init__(self, user):
        super().__init__(user.email)
        self.user = user


def refuse(provider_key: str, code: str, *, detail: str = "") -> Refused:
    """Log the refusal; returns the exception to raise."""
    audit.record("sso.refused", None, summary=f"Sign-in through {provider_key} refused: {code}",
                 provider=provider_key, reason=code)
    return Refused(code, detail)


def resolve(provider, assertion: Assertion) -> tuple[User, bool]:
    """The account this sign-in opens, and whether it was just created. Raises Refused, or
    ProofNeeded when an existing account must first be proven."""
    link = (Link.objects.select_related("user")
            .filter(provider_key=provider.key, subject=assertion.subject).first())
    if link is not None:
        if not link.user.is_active or link.user.anonymised_at is not None:
            raise refuse(provider.key, "inactive")
        Link.objects.filter(pk=link.pk).update(last_sign_in_at=clock.now())
        return link.user, False
    email = normalise_email(assertion.email)
    if not email or "@" not in email:
        raise refuse(provider.key, "no_email")
    if not assertion.email_verified:
        raise refuse(provider.key, "unverified_email")
    if not provider.serves(email):
        raise refuse(provider.key, "domain")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_active or existing.anonymised_at is not None:
            raise refuse(provider.key, "inactive")
        raise ProofNeeded(existing)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password=None,
                                            full_name=assertion.name[:200].strip(),
                                            email_verified_at=clock.now())
            _link(provider, assertion, user, method="new_account")
            audit.record("sso.account_created", user, actor=user,
                         summary=f"Account created at first sign-in through {provider.key}",
                         provider=provider.key)
    except IntegrityError:
        # The same person in another tab a moment ago: take the account that tab made.
        link = Link.objects.filter(provider_key=provider.key, subject=assertion.subject).first()
        if link is None:
            raise
        return link.user, False
    return user, True


def _check_free(provider, user) -> None:
    if Link.objects.filter(provider_key=provider.key, user=user).exists():
        raise refuse(provider.key, "linked_elsewhere")


def _link(provider, assertion: Assertion, user, *, method: str) -> Link:
    link = Link.objects.create(provider_key=provider.key, subject=assertion.subject, user=user,
                               last_sign_in_at=clock.now())
    audit.record("sso.linked", user, actor=user,
                 summary=f"Account linked to identity provider {provider.key} ({method})",
                 provider=provider.key, method=method)
    return link


def link_with_password(request, provider, assertion: Assertion, user, password: str) -> bool:
    """Link the account after its password proved the person controls it. False (and logged)
    for a wrong password; django-axes counts the failure like any log-in."""
    checked = authenticate(request, username=user.email, password=password or "")
    if getattr(request, "axes_locked_out", False):
        # Too many wrong passwords (django-axes, the same count as the log-in page).
        raise refuse(provider.key, "locked")
    if checked is None or checked.pk != user.pk:
        audit.record("sso.link_refused", user, summary=f"Wrong password when linking to "
                     f"{provider.key}", provider=provider.key, reason="password")
        return False
    _check_free(provider, user)
    with transaction.atomic():
        _link(provider, assertion, user, method="password")
    return True


def link_token(provider, assertion: Assertion, user) -> str:
    return signing.dumps({"p": provider.key, "s": assertion.subject, "u": user.pk,
                          "e": user.email}, salt=LINK_TOKEN_SALT)


def send_link_email(provider, assertion: Assertion, user, link: str) -> None:
    """E-mail the address a link that proves control of it (it works in this browser only,
    where the provider's sign-in waits, for 30 minutes)."""
    body = render_to_string("sso/email/link_account.txt", {
        "user": user, "link": link, "provider": provider.label})
    with transaction.atomic():
        subject = gettext("Link your Fusion Forum account to %(provider)s") % {
            "provider": provider.label}
        queue_email(to=[user.email], subject=subject, body=body, purpose="sso.link-account",
                    related=user)
        audit.record("sso.link_email_sent", user, summary=f"Link e-mail for {provider.key}",
                     provider=provider.key)


def link_with_email_token(provider, assertion: Assertion, user, token: str) -> bool:
    """Link the account if ``token`` is the e-mailed proof for this very sign-in."""
    try:
        data = signing.loads(token, salt=LINK_TOKEN_SALT, max_age=LINK_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return False
    if data != {"p": provider.key, "s": assertion.subject, "u": user.pk, "e": user.email}:
        return False
    _check_free(provider, user)
    with transaction.atomic():
        _link(provider, assertion, user, method="email")
    return True


def after_sign_in(request, provider, assertion: Assertion, user) -> tuple[list[str], bool]:
    """Roles from the provider's groups, invited expert profiles, and the second factor. Call
    after the session was opened. Returns what changed, in words, for the page, and whether
    the session passed the second factor at the provider."""
    notes = []
    mapped = {group.casefold() for group in words(provider.creator_groups)}
    in_group = bool(mapped & {group.casefold() for group in assertion.groups})
    if in_group and grant_creator_from_identity_provider(user, provider=provider.key):
        notes.append(gettext("You may now start events."))
        creator_id = EventCreator.objects.filter(user=user).values_list("pk", flat=True).first()
        MappedRole.objects.update_or_create(
            provider_key=provider.key, user=user, role=MappedRole.Role.EVENT_CREATOR,
            defaults={"object_id": creator_id, "granted_at": clock.now()})
    elif not in_group:
        given = MappedRole.objects.filter(provider_key=provider.key, user=user,
                                          role=MappedRole.Role.EVENT_CREATOR).first()
        if given is not None:
            with transaction.atomic():
                if withdraw_creator_from_identity_provider(user, provider=provider.key,
                                                           creator_id=given.object_id):
                    notes.append(gettext("You may no longer start events: your organisation "
                                         "no longer lists you in a group that may."))
                given.delete()
    experts = link_invited_experts(user)
    if experts:
        notes.append(gettext("Your expert profile is linked to your account."))
    counted = twofactor.requires_two_factor(user) and second_factor_counts(provider, assertion)
    if counted:
        device, _created = ProviderDevice.objects.get_or_create(
            user=user, provider_key=provider.key,
            defaults={"name": provider.label[:64], "confirmed": True})
        twofactor.mark_verified(request, device)
        audit.record("sso.second_factor_counted", user, actor=user,
                     summary=f"Second factor checked by identity provider {provider.key}",
                     provider=provider.key, acr=assertion.acr, amr=assertion.amr)
    return notes, counted


def second_factor_counts(provider, assertion: Assertion) -> bool:
    if not provider.enforces_second_factor:
        return False
    acr_ok = bool(assertion.acr) and assertion.acr in words(provider.accepted_acr)
    amr_ok = bool(set(assertion.amr) & set(words(provider.accepted_amr)))
    return acr_ok or amr_ok


# The platform administrators' configuration ------------------------------------------------------


def save_provider(provider, *, by, change: bool) -> None:
    """Save a provider from the back office (its form already checked the fields)."""
    if not by.has_perm("sso.manage_providers"):
        raise PermissionDenied(gettext("Only platform administrators configure sign-in "
                                       "providers."))
    with transaction.atomic():
        provider.full_clean()
        provider.save()
        audit.record("sso.provider_changed" if change else "sso.provider_added", provider,
                     actor=by, summary=f"Identity provider {provider.key} "
                                       f"{'changed' if change else 'added'}",
                     enabled=provider.enabled)


def delete_provider(provider, *, by) -> None:
    if not by.has_perm("sso.manage_providers"):
        raise PermissionDenied(gettext("Only platform administrators configure sign-in "
                                       "providers."))
    with transaction.atomic():
        audit.record("sso.provider_removed", provider, actor=by,
                     summary=f"Identity provider {provider.key} removed")
        provider.delete()


def unlink(link, *, by) -> None:
    """An administrator removes a link (e.g. the provider reused a subject): the person signs
    in with their password, or links again after proving it."""
    if not by.has_perm("sso.manage_providers"):
        raise PermissionDenied(gettext("Only platform administrators configure sign-in "
                                       "providers."))
    with transaction.atomic():
        audit.record("sso.unlinked", link.user, actor=by,
                     summary=f"Link to identity provider {link.provider_key} removed",
                     provider=link.provider_key)
        link.delete()
