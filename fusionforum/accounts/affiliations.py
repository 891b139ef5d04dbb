"""What is already recorded with a person's organisation, for the profile page.

A person's organisation in the profile is the one their next registrations (and submissions)
are made for. What was already recorded keeps the organisation it was made with: a
registration's seat and the delegate limit per organisation were counted for it, so changing
the profile does not move it; the organisers can (write to them). Apps above accounts say
what they recorded by registering a provider in their ``AppConfig.ready``:
``fn(user) -> [Held]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Held:
    what: str  # "Your registration for Fusion Workshop 2027"
    organisation: object  # accounts.Organisation
    url: str  # the person's page about it
    contact_url: str  # whom to write to for a change


_providers: list[Callable[[object], list[Held]]] = []


def register(provider: Callable[[object], list[Held]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def held_with(user) -> list[Held]:
    return [held for provider in _providers for held in provider(user)]
