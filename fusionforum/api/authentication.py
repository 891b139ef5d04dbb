"""Who is asking: a personal API token (``Authorization: Bearer <token>`` or
``Token <token>``), or the browser's session for same-site scripts (CSRF enforced on unsafe
methods, as DRF's SessionAuthentication does)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from fusionforum.core import clock

from . import services

KEYWORDS = ("bearer", "token")


class TokenAuthentication(authentication.BaseAuthentication):
    """A personal API token. A header naming another scheme (Basic...) is left to the other
    authentication classes; an unknown, expired or revoked token, or one of a deactivated
    account, is refused with 401 whatever the resource."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token in the header %(header)s.")
                % {"header": "“Authorization: Bearer <token>”"})
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = services.find_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if not token.is_active_at(clock.now()):
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is not active."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser session (same-site JavaScript); unsafe methods need the CSRF
    token, as every form of the site does."""
