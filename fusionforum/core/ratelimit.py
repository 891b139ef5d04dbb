"""Fixed-window rate limits counted in the database.

Why not a cache-based limiter: the embedded demo has no shared atomic cache (its file cache is
not atomic), and a limit that each gunicorn worker counts on its own is no limit. One
conditional UPDATE inside a transaction is atomic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from . import clock
from .models import RateLimitWindow


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window closes


def _hashed(key: str) -> str:
    # Client addresses are personal data: store only a keyed hash of them.
    return hashlib.blake2b(
        key.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16
    ).hexdigest()


def hit(scope: str, key: str, *, limit: int, window: dt.timedelta) -> RateDecision:
    """Count one hit for ``key`` in ``scope``; allowed while the window holds at most ``limit``."""
    now = clock.now()
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    start = dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)
    retry_after = max(1, int((start + window - now).total_seconds()))
    hashed = _hashed(key)
    with transaction.atomic():
        updated = RateLimitWindow.objects.filter(
            scope=scope, key=hashed, window_start=start, hits__lt=limit
        ).update(hits=F("hits") + 1)
        if updated:
            return RateDecision(True, retry_after)
        if RateLimitWindow.objects.filter(scope=scope, key=hashed, window_start=start).exists():
            return RateDecision(False, retry_after)
        try:
            with transaction.atomic():
                RateLimitWindow.objects.create(scope=scope, key=hashed, window_start=start, hits=1)
        except IntegrityError:
            # Another request created the window first: count against it.
            updated = RateLimitWindow.objects.filter(
                scope=scope, key=hashed, window_start=start, hits__lt=limit
            ).update(hits=F("hits") + 1)
            return RateDecision(bool(updated), retry_after)
        return RateDecision(limit >= 1, retry_after)


def purge_expired(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    deleted, _ = RateLimitWindow.objects.filter(window_start__lt=clock.now() - older_than).delete()
    return deleted
