"""Finding identity providers: rows of ``IdentityProvider`` (back office) and providers declared
in the environment (``SSO_PROVIDERS``, a JSON list; see docs/sso.md). A key declared in both is
the back office's."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from .models import IdentityProvider

FIELDS = {field.name for field in IdentityProvider._meta.get_fields()
          if field.concrete and field.name not in {"id", "created_at"}}


def declared() -> list[IdentityProvider]:
    """The providers in ``settings.SSO_PROVIDERS`` (unsaved, checked like the back office's)."""
    raw = getattr(settings, "SSO_PROVIDERS", None) or []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError as exc:
            raise ImproperlyConfigured(f"SSO_PROVIDERS is not valid JSON: {exc}") from exc
    providers = []
    for entry in raw:
        unknown = set(entry) - FIELDS
        if unknown:
            raise ImproperlyConfigured(f"SSO_PROVIDERS: unknown fields {sorted(unknown)}")
        provider = IdentityProvider(**entry)
        try:
            provider.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ImproperlyConfigured(
                f"SSO_PROVIDERS entry {entry.get('key')!r}: {exc.message_dict}") from exc
        provider.from_settings = True
        providers.append(provider)
    return providers


def enabled() -> list[IdentityProvider]:
    saved = list(IdentityProvider.objects.filter(enabled=True))
    keys = set(IdentityProvider.objects.values_list("key", flat=True))
    extra = [provider for provider in declared() if provider.enabled and provider.key not in keys]
    return sorted(saved + extra, key=lambda provider: (provider.position, provider.label))


def find(key: str) -> IdentityProvider | None:
    """The enabled provider with this key, or None."""
    return next((provider for provider in enabled() if provider.key == key), None)
