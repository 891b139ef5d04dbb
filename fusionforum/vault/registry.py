"""Who must give site-access data: filled by the site-visits app, which sits above the vault.

A *seat provider* is ``callable(event) -> iterable of SeatHolder``: one per person holding at
least one tour seat at the event. The vault never imports the site-visits app; that app
registers its provider in its ``AppConfig.ready``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any


@dataclasses.dataclass(frozen=True)
class SeatHolder:
    user: Any
    first_start: dt.datetime  # start of the person's earliest tour run
    last_end: dt.datetime  # end of their latest tour run (the purge counts from here)
    clearance_due: dt.datetime  # earliest run's start minus its tour's clearance lead time


SeatProvider = Callable[[Any], Iterable[SeatHolder]]

_providers: list[SeatProvider] = []


def register_seat_provider(provider: SeatProvider) -> SeatProvider:
    """Add a provider (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_seat_provider(provider: SeatProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def seat_holders(event) -> dict[int, SeatHolder]:
    """Every seat holder of the event by user id; several providers' entries for one person
    are merged (earliest start and deadline, latest end)."""
    merged: dict[int, SeatHolder] = {}
    for provider in _providers:
        for holder in provider(event) or ():
            known = merged.get(holder.user.pk)
            if known is not None:
                holder = SeatHolder(
                    user=holder.user,
                    first_start=min(known.first_start, holder.first_start),
                    last_end=max(known.last_end, holder.last_end),
                    clearance_due=min(known.clearance_due, holder.clearance_due),
                )
            merged[holder.user.pk] = holder
    return merged


def seat_holder(event, user) -> SeatHolder | None:
    return seat_holders(event).get(user.pk)
