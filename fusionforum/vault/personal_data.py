"""The vault's part of a person's data download and of forgetting them.

The download includes the person's own identity values (it is their right to receive what we
hold about them; it goes only to them, over their signed-in session). Account deletion deletes
the values at once; the status and the decision remain, as does the access log."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from . import services
from .fields import CATALOGUE, shown_value
from .models import AccessRecord


def _event_retention(event):
    settings = getattr(event, "vault_settings", None) if event is not None else None
    if settings is None:
        return None
    return _("Identity values are deleted %(days)s days after your last tour; the status of "
             "the check and the access log remain.") % {"days": settings.purge_after_days}


describe(Category(
    "site_access", _("Site-access data"),
    _("The identity data a visited site requires for its security check (for example "
      "nationality, date and place of birth, identity document), encrypted; the check's "
      "status and a log of every access to it."),
    _("The site's security clearance before a tour; only the security office reads it."),
    _("Deleted a few days after your last tour (each event sets how many; 7 by default) or "
      "at once when you delete your account; the status and the access log remain."),
    sections=("site_access",), module="visits", retention_for=_event_retention, order=70))


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
