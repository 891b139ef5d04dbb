"""The sign-in protocols identity providers may speak. Each protocol module registers itself
with a key, a name and the view that starts a sign-in; the provider model, the log-in buttons
and the back office list what is registered. OpenID Connect (``oidc.py``) and SAML 2.0 (``saml.py``)
are built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Protocol:
    key: str
    name: str
    # (request, provider) -> HttpResponse: redirect the browser to the provider.
    start: Callable
    # (provider, saved) -> URL at the provider to sign out there too, or "".
    logout_url: Callable


_protocols: dict[str, Protocol] = {}

# Known names, so the model's choices do not depend on import order.
NAMES = {"oidc": _("OpenID Connect"), "saml": _("SAML 2.0")}


def register(protocol: Protocol) -> None:
    _protocols[protocol.key] = protocol


def get(key: str) -> Protocol | None:
    return _protocols.get(key)


def choices() -> list[tuple[str, str]]:
    return list(NAMES.items())
