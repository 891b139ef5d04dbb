"""Signed, expiring tokens for e-mail verification links.

The token carries the account's id and the address it confirms, signed with the secret key and
a salt of its own, and time-stamped by the business clock (so tests can let it expire). A token
stops working once the address changes or the account is anonymised.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils.translation import gettext

from fusionforum.core import clock

VERIFY_EMAIL_SALT = "fusionforum.accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = dt.timedelta(days=3)


class InvalidToken(Exception):
    """The link is malformed, tampered with, expired or no longer matches the account."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


class ClockTimestampSigner(signing.TimestampSigner):
    """Django's TimestampSigner, but its time is ``fusionforum.core.clock.now()``."""

    def timestamp(self):
        return signing.b62_encode(int(clock.now().timestamp()))

    def unsign(self, value, max_age=None):
        result = signing.Signer.unsign(self, value)
        value, timestamp = result.rsplit(self.sep, 1)
        timestamp = signing.b62_decode(timestamp)
        if max_age is not None:
            if isinstance(max_age, dt.timedelta):
                max_age = max_age.total_seconds()
            age = clock.now().timestamp() - timestamp
            if age > max_age:
                raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return value


def _signer() -> ClockTimestampSigner:
    return ClockTimestampSigner(salt=VERIFY_EMAIL_SALT)


def make_verification_token(user) -> str:
    return _signer().sign_object({"u": user.pk, "e": user.email})


def read_verification_token(token: str) -> tuple[int, str]:
    """The (user id, address) a token confirms; raises InvalidToken."""
    try:
        data = _signer().unsign_object(token, max_age=VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidToken(gettext("This link has expired."), expired=True) from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken(gettext("This link is not valid.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) \
            or not isinstance(data.get("e"), str):
        raise InvalidToken(gettext("This link is not valid."))
    return data["u"], data["e"]
