"""The programme's part of the event's dashboard (``events.dashboard``), for its organisers
(``programme.manage_programme``): sessions and talks placed, the last release, and the to-dos:
conflicts in the working programme and changes not yet released.

Checking the working copy for conflicts costs a few queries per session and talk
(``conflicts.working_copy_problems``), so its answer is kept in the cache under a digest of
the working copy as a release would freeze it (``snapshot.build``, a fixed number of
queries) and the last release: any change to what would be released asks again, and an
unchanged programme is checked at most once every ``CHECK_FOR``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import rules
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.cfp.models import Submission
from fusionforum.cfp.states import SCHEDULABLE
from fusionforum.events import dashboard

from . import conflicts, releases, snapshot
from .models import ProgrammeSession, TalkSlot

CHECK_FOR = 300  # seconds an unchanged working copy's conflict count is reused


def _may(user, event) -> bool:
    return event.uses_programme and rules.has_perm("programme.manage_programme", user, event)


def state(event) -> dict:
    """The working copy against the last release: {"unreleased": bool, "problems": int,
    "release": Release | None}."""
    latest = releases.latest(event)
    current = json.loads(json.dumps(snapshot.build(event)))
    unreleased = (bool(current.get("sessions") or current.get("talks")) if latest is None
                  else snapshot.without_sequences(latest.snapshot) != current)
    digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()
    key = f"dashboard:programme:{event.pk}:{latest.version if latest else 0}:{digest}"
    problems = cache.get(key)
    if problems is None:
        problems = len(conflicts.working_copy_problems(event))
        cache.set(key, problems, CHECK_FOR)
    return {"unreleased": unreleased, "problems": problems, "release": latest}


def figures(event, user, now: dt.datetime) -> dashboard.Panel | None:
    if not _may(user, event):
        return None
    editor = reverse("programme_manage:editor", kwargs={"slug": event.slug})
    placed = TalkSlot.objects.filter(session__event=event).count()
    to_place = Submission.objects.filter(event=event, state__in=sorted(SCHEDULABLE)).count()
    latest = releases.latest(event)
    return dashboard.Panel(key="programme", title=_("Programme"), order=30, url=editor, figures=[
        dashboard.Figure(_("Sessions"), ProgrammeSession.objects.filter(event=event).count(),
                         url=editor),
        dashboard.Figure(_("Talks placed"), placed, out_of=to_place, url=editor),
        dashboard.Figure(_("Last release"), latest.version if latest else "—",
                         url=reverse("programme_manage:releases",
                                     kwargs={"slug": event.slug})),
    ])


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    if not _may(user, event):
        return []
    found = state(event)
    url = reverse("programme_manage:releases", kwargs={"slug": event.slug})
    items = []
    if found["problems"]:
        items.append(dashboard.Todo(
            ngettext("The working programme has %(count)s conflict to resolve.",
                     "The working programme has %(count)s conflicts to resolve.",
                     found["problems"]) % {"count": found["problems"]},
            url, urgency=0, count=found["problems"], key="programme-conflicts"))
    if found["unreleased"]:
        items.append(dashboard.Todo(
            _("The working programme has changes not yet released.") if found["release"]
            else _("The programme has never been released."),
            url, urgency=1, key="programme-unreleased"))
    return items
