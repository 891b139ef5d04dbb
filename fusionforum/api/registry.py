"""What this app, below ``events`` in the layers, learns from the apps above it.

The events app registers, in its ``AppConfig.ready``, the events a person may limit a token
to (``register_event_choices``): a callable ``(user) -> QuerySet of Event``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_event_choices: list[Callable[[Any], Any]] = []


def register_event_choices(provider: Callable[[Any], Any]) -> None:
    _event_choices[:] = [provider]


def event_choices(user):
    """The events ``user`` may limit a token to (an Event queryset), or None before the events
    app registered its provider."""
    if not _event_choices:
        return None
    return _event_choices[0](user)
