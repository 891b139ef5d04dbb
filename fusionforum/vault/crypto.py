"""Encryption of site-access values at rest: Fernet (AES-128-CBC + HMAC-SHA256) with keys of
the vault's own (settings.VAULT_KEYS, from the environment), never derived from SECRET_KEY.

The first key encrypts; every key decrypts, so keys can be rotated (``rotate_vault_keys``).
Each sealed payload names the event and person it belongs to and is checked on opening, so a
ciphertext copied onto another row is refused instead of shown as someone else's data.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class VaultKeyError(Exception):
    """A record could not be opened with any configured key (its text names no value)."""


_cache: dict[tuple, MultiFernet] = {}


def _keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in getattr(settings, "VAULT_KEYS", None) or () if k.strip())
    if not keys:
        raise ImproperlyConfigured("VAULT_KEYS is not set: the site-access vault has no key.")
    if settings.SECRET_KEY in keys:
        raise ImproperlyConfigured("VAULT_KEYS must not reuse SECRET_KEY.")
    return keys


def fernet() -> MultiFernet:
    keys = _keys()
    if keys not in _cache:
        try:
            _cache[keys] = MultiFernet([Fernet(k.encode()) for k in keys])
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                "VAULT_KEYS must be Fernet keys (32 url-safe base64-encoded bytes).") from None
    return _cache[keys]


def seal(values: dict, *, event_id: int, user_id: int) -> str:
    payload = json.dumps({"event": event_id, "user": user_id, "values": values},
                         ensure_ascii=True, separators=(",", ":")).encode()
    return fernet().encrypt(payload).decode("ascii")


def open_sealed(token: str, *, event_id: int, user_id: int) -> dict:
    if not token:
        return {}
    try:
        payload = json.loads(fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        raise VaultKeyError("A site-access record could not be decrypted.") from None
    if payload.get("event") != event_id or payload.get("user") != user_id:
        raise VaultKeyError("A site-access record belongs to another row.")
    return payload["values"]


def rotate(token: str) -> str:
    """The same payload encrypted with the first key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii") if token else token
