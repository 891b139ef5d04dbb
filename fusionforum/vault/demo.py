"""The vault's part of the demo: the security officer account and site-access data in every
state for the demo's seat holders. Registered by the site-visits app after its own loader, so
the seats exist. All identity values are synthetic and labelled so."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import Count

from fusionforum.core import clock
from fusionforum.events.demo import DEMO_VISITOR

from . import crypto, registry, services
from .models import AccessRecord, ClearanceStatus

SECURITY_EMAIL = "security@demo.fusionforum.invalid"


def _officer(event):
    from fusionforum.accounts.models import User
    from fusionforum.events.demo import _give_backup_codes, create_demo_user
    from fusionforum.events.models import TeamMembership

    officer = User.objects.filter(email=SECURITY_EMAIL).first()
    if officer is None:
        officer = create_demo_user(SECURITY_EMAIL,
                                           full_name="Sam Example (demo security officer)")
    TeamMembership.objects.get_or_create(event=event, user=officer,
                                         role=TeamMembership.Role.SECURITY_OFFICER)
    _give_backup_codes(officer)
    return officer


def _values(n: int, holder, event) -> dict:
    name = (holder.user.full_name or "Demo Person").split(" (")[0]
    given, _, surname = name.partition(" ")
    return {
        "given_names": given or "Demo", "surname": surname or "Person",
        "nationality": ["FR", "DE", "IT", "ES", "JP", "GB", "US", "KR"][n % 8],
        "date_of_birth": dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 27).isoformat(),
        "place_of_birth": "Fictionville (synthetic demo data)",
        "document_type": "passport" if n % 2 else "identity_card",
        "document_number": f"DEMO{n:05d}X",
        "document_expiry": (holder.last_end.date() + dt.timedelta(days=900 + n)).isoformat(),
    }


@transaction.atomic
def load(event) -> str:
    officer = _officer(event)
    services.settings_for(event)
    holders = sorted(registry.seat_holders(event).values(), key=lambda h: h.user.email)
    now = clock.now()
    # Every fourth person leaves the data missing; of the rest, most are approved, one in
    # six is still waiting and one person is refused (the refusal frees their seats). The
    # share is decided per person (from the address), so a reload keeps everyone's state.
    refused_once = AccessRecord.objects.filter(event=event,
                                               status=ClearanceStatus.REFUSED).exists()
    for holder in holders:
        n = int(hashlib.sha256(holder.user.email.encode()).hexdigest(), 16) % 12
        if holder.user.email == DEMO_VISITOR:
            n = 0  # the README's visitor: data submitted and approved, so the seats stay
        if n % 4 == 3 or AccessRecord.objects.filter(event=event, user=holder.user).exists():
            continue
        AccessRecord.objects.create(
            event=event, user=holder.user,
            sealed=crypto.seal(_values(n, holder, event), event_id=event.pk,
                               user_id=holder.user.pk),
            filled_fields=services.asked_fields(event), submitted_at=now - dt.timedelta(days=2),
            updated_at=now - dt.timedelta(days=2), last_tour_end=holder.last_end)
        if n % 6 == 1:
            continue
        if not refused_once and n % 6 == 5:
            services.decide(event, officer, holder.user, approve=False,
                            reason="The document number could not be verified (demo).")
            refused_once = True
        else:
            services.decide(event, officer, holder.user, approve=True)
    counts = dict(AccessRecord.objects.filter(event=event).values_list("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    missing = sum(1 for h in registry.seat_holders(event).values()
                  if not AccessRecord.objects.filter(event=event, user=h.user).exists())
    return (f"site-access vault: {counts.get(ClearanceStatus.APPROVED, 0)} approved, "
            f"{counts.get(ClearanceStatus.SUBMITTED, 0)} submitted, "
            f"{counts.get(ClearanceStatus.REFUSED, 0)} refused, {missing} missing; "
            f"security officer {SECURITY_EMAIL}")
