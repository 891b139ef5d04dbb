"""Who is busy elsewhere during the meetings day: a registry other apps fill.

The meetings app must not import the apps that make people busy (the programme, site visits),
so each of them registers a *busy provider* in its ``AppConfig.ready``::

    from fusionforum.meetings import busy
    busy.register(my_provider)

A provider is ``callable(event, day: slots.MeetingDay) -> Iterable[Busy]``. ``day.slots`` are
the day's slots (``index``, ``start``, ``end``: aware datetimes) and ``day.overlapping(start,
end)`` gives the numbers of the slots a period overlaps.

Two kinds of entries:

- personal (``site_visit=False``): the people in ``user_ids`` are busy in ``slots`` (a talk they
  give, a session they chair). They become the participants' ``unavailable`` slots.
- a site-visit run (``site_visit=True``): a tour with its seats; ``key`` is its id (unique,
  e.g. ``"visit-12"``), ``label`` its name, ``capacity`` its seats, ``user_ids`` the people on
  it. It becomes an entry of ``site_visits`` in the instance (``fusion-matchmaking/1``), which
  makes its participants busy in its slots (H4).

The site-visits app registers, for each tour run overlapping the meetings day, one
``Busy(key=f"visit-{run.pk}", label=run name, user_ids=[people holding a seat],
slots=day.overlapping(run.start, run.end), site_visit=True, capacity=run.capacity)``.

Hand placements (``services.check_placement``) use the same providers, so a person on a tour
cannot be given a meeting during it by hand either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.programme.models import Release


@dataclass
class Busy:
    key: str
    label: str
    user_ids: list[int]
    slots: list[int]
    site_visit: bool = False
    capacity: int | None = None
    extra: dict = field(default_factory=dict)


Provider = Callable[..., Iterable[Busy]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def providers() -> list[Provider]:
    return list(_providers)


def collect(event, day) -> list[Busy]:
    """Every busy entry of every provider for ``event``'s meetings day."""
    found: list[Busy] = []
    for provider in _providers:
        for entry in provider(event, day) or ():
            if entry.slots and entry.user_ids:
                found.append(entry)
    return found


def busy_slots_by_user(entries: Iterable[Busy]) -> dict[int, dict[int, str]]:
    """{user id: {slot: why}} over all entries (personal and site visits)."""
    result: dict[int, dict[int, str]] = {}
    for entry in entries:
        for user_id in entry.user_ids:
            for slot in entry.slots:
                result.setdefault(user_id, {}).setdefault(slot, entry.label)
    return result


# The programme's provider ------------------------------------------------------------------


def programme_talks(event, day) -> list[Busy]:
    """Speakers of released talks and chairs of released sessions are busy while they run.

    Reads the latest programme release (what is public), never the working copy.
    """
    release = Release.objects.filter(event=event).order_by("-version").first()
    if release is None or not day.slots:
        return []
    snapshot = release.snapshot or {}
    import datetime as dt

    codes: set[str] = set()
    periods = []
    for talk in snapshot.get("talks", []):
        start, end = dt.datetime.fromisoformat(talk["start"]), dt.datetime.fromisoformat(
            talk["end"])
        slots = day.overlapping(start, end)
        if slots and talk.get("speakers"):
            periods.append((f"talk-{talk['code']}", _("Talk: %(title)s") % {"title": talk["title"]},
                            talk["speakers"], slots))
            codes.update(talk["speakers"])
    for session in snapshot.get("sessions", []):
        start, end = dt.datetime.fromisoformat(session["start"]), dt.datetime.fromisoformat(
            session["end"])
        slots = day.overlapping(start, end)
        if slots and session.get("chairs"):
            periods.append((f"chair-{session['id']}",
                            _("Chairing: %(title)s") % {"title": session["title"]},
                            session["chairs"], slots))
            codes.update(session["chairs"])
    if not periods:
        return []
    users = dict(SpeakerProfile.objects.filter(event=event, code__in=codes,
                                                user__isnull=False)
                 .values_list("code", "user_id"))
    return [Busy(key=key, label=label, user_ids=[users[c] for c in people if c in users],
                 slots=slots) for key, label, people, slots in periods]
