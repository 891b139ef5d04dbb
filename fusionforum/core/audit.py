from django.db import models

from . import clock
from .models import AuditEntry


def record(action: str, obj: models.Model | None = None, *, actor=None, summary: str = "",
           **data) -> AuditEntry:
    """Append one entry to the audit log. Never put personal identity values in ``data``."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        at=clock.now(),
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        data=data,
    )
