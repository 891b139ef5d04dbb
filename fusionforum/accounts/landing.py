"""Where a person lands after logging in when no safe ``next`` address was given: where their
work is. Apps above ``accounts`` register a finder in their ``AppConfig.ready`` (so this module
imports none of them); the first finder, by rank, that knows a place for the person wins:

- 10, events: staff (organisers, reviewers, security officers, platform administrators) go to
  the staff home ``/manage/``;
- 20, meetings: an expert goes to their agenda for the current (or next) event;
- 30, registration: a participant goes to their page for the current or next event they are
  registered for (else for the next event open for registration).

Nobody found: the account page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.shortcuts import resolve_url

Finder = Callable[[object], str | None]
_finders: list[tuple[int, Finder]] = []


def register(rank: int, finder: Finder) -> Finder:
    if all(existing is not finder for _, existing in _finders):
        _finders.append((rank, finder))
        _finders.sort(key=lambda item: item[0])
    return finder


def destination(user) -> str:
    for _rank, finder in _finders:
        place = finder(user)
        if place:
            return place
    return resolve_url(settings.LOGIN_REDIRECT_URL)
