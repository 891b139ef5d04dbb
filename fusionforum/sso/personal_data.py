"""Single sign-on's part of a person's data download and of forgetting them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import Link, ProviderDevice

describe(Category(
    "sso", _("Single sign-on links"),
    _("Which identity provider you sign in with and the identifier it gives you."),
    _("To sign you in through your organisation."),
    _("Until you delete your account."),
    sections=("sso_links",), order=15))


def provide(user) -> dict:
    return {"sso_links": [
        {"provider": link.provider_key, "subject": link.subject,
         "linked_at": link.linked_at.isoformat(),
         "last_sign_in_at": link.last_sign_in_at.isoformat() if link.last_sign_in_at else None}
        for link in Link.objects.filter(user=user).order_by("linked_at")
    ]}


def anonymise(user) -> None:
    """The links go: the deleted account can no longer be reached from the provider (signing
    in again there makes a new account)."""
    Link.objects.filter(user=user).delete()
    ProviderDevice.objects.filter(user=user).delete()
