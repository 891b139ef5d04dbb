"""A client carrying a personal API token, for the apps' API tests."""

from __future__ import annotations

from django.test import Client


def token_client(user, *, scope="write", **extra) -> Client:
    """A client with a fresh token of ``user``; staff get the second factor the token page
    asks of them (a confirmed authenticator)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from fusionforum.api import services

    TOTPDevice.objects.get_or_create(user=user, confirmed=True,
                                     defaults={"name": "Test authenticator"})
    values = {"name": "Test token", "scope": scope, "expires_in_days": 30, "all_events": True,
              "verified": True, **extra}
    return Client(HTTP_AUTHORIZATION=f"Bearer {services.create_token(user, **values)[1]}")
