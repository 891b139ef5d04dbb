"""What the platform holds about a person, and how it forgets them.

Every app that stores personal data registers, in its AppConfig.ready():

- a *provider*: ``callable(user) -> dict`` returning ``{section name: JSON-able data}``; the
  download of a person's data is the union of all sections;
- an *anonymiser*: ``callable(user)`` that scrubs or deletes that app's rows about the person.
  Anonymisers run inside the deletion's transaction, before the account itself is scrubbed, so
  they still see the person's address and name.

- *categories* (``describe``): what the app holds, why, and how long, for people to read. The
  privacy notice (``/privacy/`` and each event's) is made from them, so it says what the product
  actually stores; every section a provider returns names the category that explains it
  (``Category.sections``), which ``tests/accounts/test_personal_data_categories.py`` checks.

The accounts app registers its own provider and anonymiser; it imports no app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from fusionforum.core.readonly import archived_writes_allowed

Provider = Callable[[Any], dict]
Anonymiser = Callable[[Any], None]

@dataclass(frozen=True)
class Category:
    """One kind of personal data, as the privacy notice tells it.

    ``module``: the event module it belongs to ("" for the platform's own); an event's notice
    leaves out the categories of modules it does not use. ``retention_for``: optional,
    ``callable(event) -> str | None``, the retention an event set for itself."""

    key: str
    title: Any
    held: Any
    purpose: Any
    retention: Any
    sections: tuple[str, ...] = ()
    module: str = ""
    retention_for: Callable[[Any], Any] | None = None
    order: int = 100

    def retention_at(self, event=None):
        if event is not None and self.retention_for is not None:
            return self.retention_for(event) or self.retention
        return self.retention


_categories: dict[str, Category] = {}
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


def describe(*categories: Category) -> None:
    """Register categories (idempotent by key; registering a key again replaces it)."""
    for category in categories:
        _categories[category.key] = category


def categories() -> list[Category]:
    return sorted(_categories.values(), key=lambda c: (c.order, c.key))


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


# The accounts app's own categories (the other apps describe theirs in their personal_data.py).
describe(
    Category(
        "account", _("Your account"),
        _("Your e-mail address, name, password (as a salted hash), when you joined, last "
          "logged in and verified your address, and your organisation (name, kind, country, "
          "website, fusion approach)."),
        _("To let you log in, to know who registers for what, and to write to you."),
        _("As long as your account exists; deleting your account scrubs it at once."),
        sections=("account", "organisation"), order=10),
    Category(
        "security", _("Security records"),
        _("Your second-factor devices and backup codes (staff only), records of log-in "
          "attempts, and a keyed hash of your network address in rate limits."),
        _("To protect accounts against password guessing and abuse."),
        _("Log-in records until your account is deleted; rate-limit counts for a day."),
        sections=("two_factor",), order=11),
    Category(
        "activity", _("Activity log"),
        _("What you did that changes something (who, what, when), for example a registration, "
          "a review, a download of a letter."),
        _("Accountability of decisions and the security of the service."),
        _("As long as the platform runs; the entries name your account, which deletion "
          "anonymises."),
        sections=("activity_log",), order=12),
    Category(
        "emails", _("E-mails sent to you"),
        _("The e-mails the platform sends you (address, subject, text) in its outbox."),
        _("To deliver them and show organisers what was sent."),
        _("Until your account is deleted."),
        order=13),
)
