"""Sign-in through an outside identity provider (single sign-on), as the accounts pages see it.

The ``sso`` app (above every other app) registers itself here in its ``AppConfig.ready``, so
accounts imports nothing above it. With nothing registered, the log-in page shows no provider
buttons and every local password works as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Button:
    """One "Sign in with ..." button on the log-in page."""

    label: str
    url: str


class Directory(Protocol):
    def buttons(self, next_url: str) -> list[Button]: ...

    def required_for(self, user) -> Button | None: ...

    def before_logout(self, request) -> dict | None: ...

    def after_logout(self, request, saved: dict | None) -> str | None: ...


_directory: list[Directory] = []


def register(directory: Directory) -> None:
    _directory[:] = [directory]


def buttons(next_url: str = "") -> list[Button]:
    """The enabled identity providers' buttons, in the administrator's order."""
    return _directory[0].buttons(next_url) if _directory else []


def required_for(user) -> Button | None:
    """The provider this person must sign in through (an administrator requires single sign-on
    for the staff of the address's domain), or None when the local password may be used."""
    return _directory[0].required_for(user) if _directory else None


def before_logout(request) -> dict | None:
    """What the provider needs, taken from the session before it ends, to offer signing out
    there too."""
    return _directory[0].before_logout(request) if _directory else None


def after_logout(request, saved: dict | None) -> str | None:
    """Where to go after the local sign-out (a page offering to sign out at the provider)."""
    return _directory[0].after_logout(request, saved) if _directory and saved else None
