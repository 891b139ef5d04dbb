"""The vault's part of a person's data download and of forgetting them.

The download includes the person's own identity values (it is their right to receive what we
hold about them; it goes only to them, over their signed-in session). Account deletion deletes
the values at once; the status and the decision remain, as does the access log."""

from __future__ import annotations

from . import services
from .fields import CATALOGUE, shown_value
from .models import AccessRecord


def provide(user) -> dict:
    records = AccessRecord.objects.filter(user=user).select_related("event")
    return {"site_access": [
        {
            "event": r.event.title,
            "event_slug": r.event.slug,
            "status": r.status,
            "submitted_at": r.submitted_at.isoformat(),
            "decided_at": r.decided_at.isoformat() if r.decided_at else None,
            "reason": r.reason,
            "values_deleted_at": r.purged_at.isoformat() if r.purged_at else None,
            "values": {str(CATALOGUE[k].label) if k in CATALOGUE else k: shown_value(k, v)
                       for k, v in services.owner_values(r).items()},
        }
        for r in records
    ]}


def anonymise(user) -> None:
    services.forget(user)
