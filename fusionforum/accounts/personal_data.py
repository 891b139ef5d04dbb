"""What the platform holds about a person, and how it forgets them.

Every app that stores personal data registers, in its AppConfig.ready():

- a *provider*: ``callable(user) -> dict`` returning ``{section name: JSON-able data}``; the
  download of a person's data is the union of all sections;
- an *anonymiser*: ``callable(user)`` that scrubs or deletes that app's rows about the person.
  Anonymisers run inside the deletion's transaction, before the account itself is scrubbed, so
  they still see the person's address and name.

The accounts app registers its own provider and anonymiser; it imports no app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fusionforum.core.readonly import archived_writes_allowed

Provider = Callable[[Any], dict]
Anonymiser = Callable[[Any], None]

_providers: list[Provider] = []
_anonymisers: list[Anonymiser] = []


def register(provider: Provider) -> Provider:
    """Add a provider (idempotent: registering the same callable twice keeps one)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_anonymiser(anonymiser: Anonymiser) -> Anonymiser:
    if anonymiser not in _anonymisers:
        _anonymisers.append(anonymiser)
    return anonymiser


def providers() -> list[Provider]:
    return list(_providers)


def anonymisers() -> list[Anonymiser]:
    return list(_anonymisers)


def export(user) -> dict:
    """All sections of every registered provider for ``user``."""
    result: dict = {}
    for provider in _providers:
        sections = provider(user) or {}
        for name, data in sections.items():
            if name in result:
                raise ValueError(f"Two providers returned the personal-data section {name!r}.")
            result[name] = data
    return result


def anonymise(user) -> None:
    """Run every registered anonymiser for ``user`` (the caller holds the transaction).
    A person's data leaves archived (read-only) events too."""
    with archived_writes_allowed():
        for anonymiser in _anonymisers:
            anonymiser(user)
