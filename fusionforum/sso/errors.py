"""Why a single sign-on was refused, in words a person understands."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "disabled": _("This sign-in method is not available."),
    "state": _("This sign-in answer does not belong to a sign-in started in this browser, or "
               "it was already used or is too old. Start again from the log-in page."),
    "provider_error": _("The identity provider did not sign you in."),
    "code": _("The identity provider refused to confirm this sign-in (the answer was already "
              "used or is no longer valid). Start again from the log-in page."),
    "unreachable": _("The identity provider cannot be reached right now. Try again in a few "
                     "minutes, or log in with your password."),
    "issuer": _("The sign-in answer does not come from the identity provider it claims to "
                "come from."),
    "signature": _("The sign-in answer is not signed by the identity provider."),
    "audience": _("The sign-in answer was made for another site."),
    "destination": _("The sign-in answer was sent to another address than this site's."),
    "metadata": _("This identity provider's settings (its SAML metadata) cannot be used. "
                  "Please tell the platform administrators."),
    "too_many": _("Too many sign-in answers came from your network. Try again in a few "
                  "minutes."),
    "malformed": _("The sign-in answer could not be read. Start again from the log-in page."),
    "subject": _("The identity provider did not give a lasting identifier for you, so your "
                 "account cannot be found again at the next sign-in."),
    "expired": _("The sign-in answer has expired. Start again from the log-in page."),
    "nonce": _("The sign-in answer was made for another sign-in attempt. Start again from "
               "the log-in page."),
    "replayed": _("This sign-in answer was already used. Start again from the log-in page."),
    "no_email": _("The identity provider did not give your e-mail address, so no account can "
                  "be found or created for you."),
    "unverified_email": _("The identity provider does not confirm that your e-mail address "
                          "is verified, so it cannot be used to find or create your account. "
                          "Verify it at your organisation first, or log in with a password."),
    "domain": _("This identity provider is not used for addresses of this domain."),
    "inactive": _("This account is closed."),
    "locked": _("Too many wrong passwords were tried for this account. Try again in an hour, "
                "or go back and have a link sent to the address instead."),
    "linked_elsewhere": _("This account is already linked to another person at this identity "
                          "provider."),
}


class Refused(Exception):
    """A sign-in that must not go on; ``code`` is a key of MESSAGES."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, MESSAGES["provider_error"]))
