"""Releasing the programme: freeze the working copy as the next numbered version.

``release`` builds the snapshot (snapshot.build), refuses when the working copy has conflicts
or when nothing changed since the last release, stores ``Release`` number N+1 (the event row
is locked, and the unique (event, version) constraint backs it), computes the change list
against the previous release (diff.compute), invalidates the public page cache on commit and
e-mails every speaker whose talk was added, moved, changed or removed: one e-mail per person,
listing their talks' changes with times in the event's zone, in the speaker's language
(core.languages.speaking_to).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.cfp.models import Submission
from fusionforum.core import audit, clock, happenings, pagecache
from fusionforum.core.languages import speaking_to
from fusionforum.events.models import Event
from fusionforum.notifications.services import queue_email

from . import conflicts, diff, snapshot
from .models import Release

PERMISSION = "programme.manage_programme"


class ReleaseRefused(Exception):
    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


@dataclass
class Preview:
    next_version: int
    snapshot: dict
    changes: dict
    problems: list[str] = field(default_factory=list)
    unchanged: bool = False
    previous: Release | None = None

    @property
    def can_release(self) -> bool:
        return not self.problems and not self.unchanged


def latest(event) -> Release | None:
    return Release.objects.filter(event=event).order_by("-version").first()


def _normalised(data: dict) -> dict:
    # What the JSON column will give back: compare like with like.
    return json.loads(json.dumps(data))


def preview(event) -> Preview:
    """What releasing now would publish, without writing anything."""
    previous = latest(event)
    current = _normalised(snapshot.build(event))
    changes = diff.compute(previous.snapshot if previous else None, current,
                           previous.version if previous else None)
    return Preview(
        next_version=(previous.version + 1) if previous else 1,
        snapshot=snapshot.with_sequences(previous.snapshot if previous else None, current),
        changes=changes,
        problems=conflicts.working_copy_problems(event),
        unchanged=previous is not None
        and snapshot.without_sequences(previous.snapshot) == current,
        previous=previous,
    )


def _check_permission(event, by) -> None:
    if by is not None and not by.has_perm(PERMISSION, event):
        raise PermissionDenied(_("Only the event's organisers can release the programme."))


def release(event, *, by, comment: str = "", notify: bool = True) -> Release:
    """Publish the working copy as the next version, or raise ReleaseRefused (nothing
    written). ``by`` None: the system (demo, import)."""
    _check_permission(event, by)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ReleaseRefused(_("The public comment is limited to 2,000 characters."))
    try:
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            problems = conflicts.working_copy_problems(event)
            if problems:
                raise ReleaseRefused(
                    [_("The working copy has conflicts; resolve them before releasing.")]
                    + problems)
            previous = latest(event)
            current = _normalised(snapshot.build(event))
            if previous is not None and snapshot.without_sequences(previous.snapshot) == current:
                raise ReleaseRefused(
                    _("Nothing changed since version %(version)s: there is nothing to "
                      "release.") % {"version": previous.version})
            if previous is None and not current["sessions"]:
                raise ReleaseRefused(_("The programme is empty: add sessions before "
                                       "releasing."))
            changes = diff.compute(previous.snapshot if previous else None, current,
                                   previous.version if previous else None)
            current = snapshot.with_sequences(previous.snapshot if previous else None, current)
            actor = by if getattr(by, "is_authenticated", False) else None
            new = Release.objects.create(
                event=event, version=(previous.version + 1) if previous else 1,
                released_at=clock.now(), released_by=actor, comment=comment,
                snapshot=current, changes=changes)
            audit.record("programme.released", new, actor=actor,
                         summary=f"Programme version {new.version}",
                         version=new.version, added=len(changes["added"]),
                         removed=len(changes["removed"]), moved=len(changes["moved"]),
                         changed=len(changes["changed"]))
            transaction.on_commit(pagecache.invalidate)
            happenings.announce("programme.released", new, event=event)
            if notify:
                notify_speakers(event, new, previous)
    except IntegrityError as exc:
        raise ReleaseRefused(_("Another organiser released a version at the same moment; "
                               "look at the releases and try again.")) from exc
    return new


# E-mails -----------------------------------------------------------------------------------


def _when(event, start: str, end: str) -> str:
    local_start = dt.datetime.fromisoformat(start).astimezone(event.tz)
    local_end = dt.datetime.fromisoformat(end).astimezone(event.tz)
    return f"{date_format(local_start, 'l j F Y')}, {local_start:%H:%M}-{local_end:%H:%M}"


def _programme_url(event) -> str:
    for name in ("programme:programme", "programme:schedule", "programme:index"):
        try:
            return settings.SITE_URL + reverse(name, kwargs={"slug": event.slug})
        except NoReverseMatch:
            continue
    return settings.SITE_URL + event.get_absolute_url()


def change_lines(event, release: Release, previous_snapshot: dict | None) -> dict[str, str]:
    """One readable line per affected talk code, with times in the event's zone, in the
    active language."""
    changes = release.changes
    talks = {t["code"]: t for t in release.snapshot.get("talks", [])}
    old_talks = {t["code"]: t for t in (previous_snapshot or {}).get("talks", [])}
    rooms = {r["id"]: r["name"] for r in release.snapshot.get("rooms", [])}
    lines: dict[str, str] = {}
    for code in changes.get("added", []):
        talk = talks[code]
        lines[code] = _("“%(title)s” is in the programme: %(when)s, %(room)s (times in "
                        "%(zone)s).") % {
            "title": talk["title"], "when": _when(event, talk["start"], talk["end"]),
            "room": rooms.get(talk["room"], ""), "zone": event.time_zone}
    for move in changes.get("moved", []):
        old, new = move["from"], move["to"]
        lines[move["code"]] = _(
            "“%(title)s” moved from %(from_when)s, %(from_room)s to %(to_when)s, %(to_room)s "
            "(times in %(zone)s).") % {
            "title": move["title"], "from_when": _when(event, old["start"], old["end"]),
            "from_room": old["room"], "to_when": _when(event, new["start"], new["end"]),
            "to_room": new["room"], "zone": event.time_zone}
    for change in changes.get("changed", []):
        labels = ", ".join(str(diff.FIELD_LABELS.get(f, f)) for f in change["fields"])
        if change["code"] in lines:
            lines[change["code"]] = "{} {}".format(
                lines[change["code"]],
                _("Also changed: %(fields)s.") % {"fields": labels})
        else:
            lines[change["code"]] = _("“%(title)s”: changed %(fields)s.") % {
                "title": change["title"], "fields": labels}
    for code in changes.get("removed", []):
        title = old_talks.get(code, {}).get("title", code)
        lines[code] = _("“%(title)s” is no longer in the programme.") % {"title": title}
    return lines


def notify_speakers(event, release: Release, previous: Release | None) -> int:
    """Queue one e-mail per affected speaker; returns how many were queued."""
    if not change_lines(event, release, previous.snapshot if previous else None):
        return 0
    per_person: dict[int, tuple] = {}
    codes = set(diff_codes(release.changes))
    submissions = (Submission.objects.filter(event=event, code__in=sorted(codes))
                   .prefetch_related("speaker_links__user"))
    for submission in submissions:
        for link in submission.speaker_links.all():
            user = link.user
            if not user.is_active or not user.email:
                continue
            entry = per_person.setdefault(user.pk, (user, []))
            entry[1].append(submission.code)
    url = _programme_url(event)
    previous_snapshot = previous.snapshot if previous else None
    lines_by_language: dict[str, dict[str, str]] = {}  # computed once per language
    for user, person_codes in per_person.values():
        with speaking_to(user, event):
            language = translation.get_language()
            if language not in lines_by_language:
                lines_by_language[language] = change_lines(event, release, previous_snapshot)
            lines = lines_by_language[language]
            person_lines = [lines[code] for code in person_codes if code in lines]
            subject, body = _release_email(event, release, user, person_lines, url)
        queue_email(to=[user.email], subject=subject, body=body, purpose="programme.release",
                    related=release)
    return len(per_person)


def diff_codes(changes: dict) -> list[str]:
    """The talk codes a change list concerns."""
    return [*changes.get("added", []), *(m["code"] for m in changes.get("moved", [])),
            *(c["code"] for c in changes.get("changed", [])), *changes.get("removed", [])]


def _release_email(event, release: Release, user, person_lines: list[str],
                   url: str) -> tuple[str, str]:
    """Subject and body of the e-mail to one speaker, in the active language."""
    title = event.title
    greeting = (_("Dear %(name)s,") % {"name": user.full_name} if user.full_name
                else _("Hello,"))
    body = "\n".join([
        greeting,
        "",
        ngettext("Version %(version)s of the programme of %(event)s has been published. It "
                 "changes your talk:",
                 "Version %(version)s of the programme of %(event)s has been published. It "
                 "changes your talks:", len(person_lines))
        % {"version": release.version, "event": title},
        "",
        *[f"- {line}" for line in person_lines],
        "",
        *([_("Note from the organisers: %(comment)s") % {"comment": release.comment}, ""]
          if release.comment else []),
        _("The whole programme: %(url)s") % {"url": url},
        "",
        _("The organisers of %(event)s") % {"event": title},
    ])
    subject = ngettext("%(event)s: programme version %(version)s changes your talk",
                       "%(event)s: programme version %(version)s changes your talks",
                       len(person_lines)) % {"event": title, "version": release.version}
    return subject, body


def describe_changes(event, changes: dict, snapshot: dict,
                     previous_snapshot: dict | None) -> dict:
    """The change list ready to show: titles, times in the event's zone, room names, field
    labels. Pages (organisers' and public) can render it directly."""
    talks = {t["code"]: t for t in snapshot.get("talks", [])}
    old_talks = {t["code"]: t for t in (previous_snapshot or {}).get("talks", [])}
    rooms = {r["id"]: r["name"] for r in snapshot.get("rooms", [])}

    def labels(fields):
        return ", ".join(dict.fromkeys(str(diff.FIELD_LABELS.get(f, f)) for f in fields))

    added = [{"code": code, "title": talks[code]["title"],
              "when": _when(event, talks[code]["start"], talks[code]["end"]),
              "room": rooms.get(talks[code]["room"], "")}
             for code in changes.get("added", []) if code in talks]
    removed = [{"code": code, "title": old_talks.get(code, {}).get("title", code)}
               for code in changes.get("removed", [])]
    moved = [{"code": m["code"], "title": m["title"],
              "from_when": _when(event, m["from"]["start"], m["from"]["end"]),
              "from_room": m["from"]["room"],
              "to_when": _when(event, m["to"]["start"], m["to"]["end"]),
              "to_room": m["to"]["room"]} for m in changes.get("moved", [])]
    changed = [{"code": c["code"], "title": c["title"], "fields": labels(c["fields"])}
               for c in changes.get("changed", [])]
    sessions = [{"id": s["id"], "title": s["title"], "fields": labels(s["fields"])}
                for s in changes.get("sessions_changed", [])]
    return {"previous_version": changes.get("previous_version"), "added": added,
            "removed": removed, "moved": moved, "changed": changed,
            "sessions_changed": sessions, "empty": diff.is_empty(changes)}
