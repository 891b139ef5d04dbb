"""The organisers' dashboard of one event (``/manage/<event>/``): figures and a to-do list.

``events`` sits below the apps that know the figures (registration, call, programme, meetings,
visits, vault, webhooks), so it only keeps a registry: each app registers, from a
``dashboard.py`` module in its ``AppConfig.ready``, a function giving its *panel* of figures
(``register_figures``) and one giving its *to-dos* (``register_todos``). Each function gets the
event, the person looking and the moment, asks the app's own named permission and returns
nothing to someone who may not act on it (a reviewer sees no registration counts, the security
office sees site-access data only). A contribution reads through its app's own services and
queries, in a fixed number of queries whatever the size of the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats


@dataclass
class Figure:
    """One number: ``label`` (a short noun phrase), ``value``, optionally what it is out of,
    a note and the page that shows the details."""

    label: str
    value: int | str
    out_of: int | None = None
    note: str = ""
    url: str = ""


@dataclass
class Breakdown:
    """A small table of counts (e.g. registrations by state), rows of (label, count)."""

    caption: str
    rows: list[tuple[str, int]]
    url: str = ""

    @property
    def total(self) -> int:
        return sum(count for _label, count in self.rows)


@dataclass
class Trend:
    """Counts per day (oldest first), drawn as bars with a table as its text alternative."""

    caption: str
    days: list[tuple[dt.date, int]]

    @property
    def total(self) -> int:
        return sum(count for _day, count in self.days)

    @property
    def bars(self) -> list[dict]:
        """Each day with its bar in the chart's coordinates (a 280 x 80 box, bars 60 high at
        most, on a base line at 66); a day with some gets at least a sliver, so it shows."""
        highest = max((count for _day, count in self.days), default=0)
        bars = []
        for n, (day, count) in enumerate(self.days):
            height = max(2, round(60 * count / highest)) if count else 0
            bars.append({"day": day, "count": count, "label": formats.date_format(day, "j M"),
                         "x": n * 20, "y": 66 - height, "height": height})
        return bars


@dataclass
class Panel:
    """What one app shows on the dashboard, under a heading, in ``order``."""

    key: str
    title: str
    order: int
    figures: list[Figure] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    url: str = ""


@dataclass
class Todo:
    """Something that needs someone now: a sentence, the page that does it, how urgent
    (0 first) and how many things it stands for."""

    text: str
    url: str
    urgency: int = 1
    count: int | None = None
    key: str = ""


FigureSource = Callable[[Any, Any, dt.datetime], Panel | None]
TodoSource = Callable[[Any, Any, dt.datetime], Iterable[Todo]]

_figures: list[FigureSource] = []
_todos: list[TodoSource] = []


def register_figures(source: FigureSource) -> FigureSource:
    if source not in _figures:
        _figures.append(source)
    return source


def register_todos(source: TodoSource) -> TodoSource:
    if source not in _todos:
        _todos.append(source)
    return source


def unregister(source) -> None:
    """For tests: forget a source registered with either function."""
    for sources in (_figures, _todos):
        if source in sources:
            sources.remove(source)


@dataclass
class Dashboard:
    panels: list[Panel]
    todos: list[Todo]

    @property
    def empty(self) -> bool:
        return not self.panels and not self.todos


def build(event, user, now: dt.datetime) -> Dashboard:
    """Every panel and to-do the registered apps give ``user`` for ``event`` at ``now``."""
    panels = [panel for source in _figures if (panel := source(event, user, now)) is not None]
    panels.sort(key=lambda panel: (panel.order, panel.key))
    todos = [todo for source in _todos for todo in (source(event, user, now) or ())]
    todos.sort(key=lambda todo: todo.urgency)
    return Dashboard(panels=panels, todos=todos)


def last_days(today: dt.date, counts: dict[dt.date, int], days: int = 14
              ) -> list[tuple[dt.date, int]]:
    """The ``days`` days up to ``today`` (oldest first) with their counts, 0 for a day with
    none."""
    first = today - dt.timedelta(days=days - 1)
    return [(first + dt.timedelta(days=n), counts.get(first + dt.timedelta(days=n), 0))
            for n in range(days)]


def local_day(event, moment: dt.datetime) -> dt.date:
    return event.local(moment).date()


def day_start(event, day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the event's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=event.tz)


def deadline_text(event, moment: dt.datetime) -> str:
    return formats.date_format(event.local(moment), "j F Y, H:i")


def current_first(events: Iterable, today: dt.date) -> list:
    """``events`` with the current edition first: those running ``today``, then those to
    come (soonest first), then past ones (latest first)."""
    def key(event):
        if event.start_date <= today <= event.end_date:
            return (0, event.start_date.toordinal(), event.title)
        if event.start_date > today:
            return (1, event.start_date.toordinal(), event.title)
        return (2, -event.end_date.toordinal(), event.title)

    return sorted(events, key=key)


def roles_of(event, user) -> dict[str, bool]:
    """Which tools of ``event`` the person's roles open (a platform administrator counts as
    an organiser), for the list of links under the dashboard."""
    import rules

    from .models import TeamMembership

    held = set(TeamMembership.objects.filter(event=event, user=user)
               .values_list("role", flat=True))
    return {"organiser": rules.has_perm("events.change_event", user, event),
            "reviewer": TeamMembership.Role.REVIEWER in held,
            "security": TeamMembership.Role.SECURITY_OFFICER in held}
