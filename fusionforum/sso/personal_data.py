"""Single sign-on's part of a person's data download and of forgetting them."""

from __future__ import annotations

from .models import Link, ProviderDevice


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
