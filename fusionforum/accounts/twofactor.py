"""Two-factor authentication (django-otp) for everyone who may enter the back office.

A person with a back-office role (platform administrator, staff, organiser of an event) needs a
confirmed TOTP device, and a session verified with it, to use ``/admin/``. Setting it up also
creates ten single-use backup codes, shown once.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fusionforum.core import audit

from . import roles

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def requires_two_factor(user) -> bool:
    """Whether this person must use a second factor: the back office and every staff role
    (organiser, reviewer, and the roles later apps add) require it."""
    return roles.may_enter_back_office(user) or roles.has_staff_role(user)


def has_confirmed_device(user) -> bool:
    """An authenticator app, or backup codes left to use (e.g. while a lost phone is replaced),
    lets the person verify; setting up a new device then needs a verified session."""
    return (TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            or StaticDevice.objects.filter(user=user, confirmed=True,
                                           token_set__isnull=False).exists())


def is_verified(user) -> bool:
    """The session of ``user`` passed the second factor (set by django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (the same one on every reload of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The shared secret in the base32 form authenticator apps accept, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the device's otpauth:// address, made here (no outside image)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, light="#fff", dark="#000", svgclass="qr-code",
        title=gettext("QR code to scan with your authenticator app"),
    )
    label = escape(gettext("QR code to scan with your authenticator app"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _clean_token(token: str) -> str:
    return "".join((token or "").split()).replace("-", "").lower()


@transaction.atomic
def confirm_device(user, device_id: int, token: str) -> list[str] | None:
    """Confirm the pending device with a code from the app. Returns the new backup codes, or
    None if the code is wrong (nothing changes then, apart from django-otp's throttling)."""
    device = (TOTPDevice.objects.select_for_update()
              .filter(pk=device_id, user=user, confirmed=False).first())
    if device is None or not device.verify_token(_clean_token(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _replace_backup_codes(user)
    audit.record("accounts.two_factor_enabled", user, actor=user)
    return codes


def _replace_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


def verify(request, token: str):
    """Check a code (from the app, or a backup code) for ``request.user``; on success mark the
    session verified and return the device, else None."""
    user = request.user
    token = _clean_token(token)
    if not token:
        return None
    # Up to six digits come from the app (a leading zero may be left out); anything else can
    # only be a backup code (eight characters). Asking only the device the code can belong to
    # keeps django-otp's throttling of the other one untouched.
    model = TOTPDevice if token.isdigit() and len(token) <= 6 else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True))
    for device in devices:
        matched = django_otp.verify_token(user, device.persistent_id, token)
        if matched is not None:
            mark_verified(request, matched)
            if isinstance(matched, StaticDevice):
                audit.record("accounts.backup_code_used", user, actor=user,
                             remaining=matched.token_set.count())
            return matched
    return None


def mark_verified(request, device) -> None:
    """The session passed the second factor with ``device``."""
    # A raised privilege gets a fresh session key.
    request.session.cycle_key()
    django_otp.login(request, device)


def status(user) -> dict:
    """What the profile page says about two-factor authentication."""
    return {
        "required": requires_two_factor(user),
        "enabled": has_confirmed_device(user),
        "backup_codes_left": StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
    }


def remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
