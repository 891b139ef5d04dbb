"""What the accounts pages ask of single sign-on (``accounts.external``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from fusionforum.accounts import twofactor
from fusionforum.accounts.external import Button

from . import protocols, providers


def _button(provider, next_url: str = "") -> Button:
    url = reverse("sso:start", args=[provider.key])
    return Button(label=provider.label,
                  url=f"{url}?{urlencode({'next': next_url})}" if next_url else url)


class Directory:
    def buttons(self, next_url: str) -> list[Button]:
        return [_button(provider, next_url) for provider in providers.enabled()
                if protocols.get(provider.protocol) is not None]

    def required_for(self, user) -> Button | None:
        candidates = [provider for provider in providers.enabled()
                      if provider.required_for_staff and provider.serves(user.email)]
        if not candidates or not twofactor.requires_two_factor(user):
            return None
        return _button(candidates[0])

    def before_logout(self, request) -> dict | None:
        from .views.public import CURRENT

        current = request.session.get(CURRENT)
        return dict(current) if current else None

    def after_logout(self, request, saved: dict | None) -> str | None:
        from .views.public import SIGNED_OUT

        provider = providers.find(saved.get("provider", ""))
        protocol = protocols.get(provider.protocol) if provider is not None else None
        if protocol is None:
            return None
        url = protocol.logout_url(request, provider, saved)
        if not url:
            return None
        request.session[SIGNED_OUT] = {"provider_label": provider.label, "logout_url": url}
        return reverse("sso:signed_out")
