"""The change list between two programme snapshots (what a release publishes and mails).

Format (``Release.changes``)::

    {"previous_version": int | null,
     "added": [talk code], "removed": [talk code],
     "moved": [{"code", "title", "from": {"start", "end", "room"},
                              "to": {"start", "end", "room"}}],     # room = room name
     "changed": [{"code", "title", "fields": ["title", "abstract", "speakers", ...]}],
     "sessions_changed": [{"id", "title", "fields": [...]}]}

A talk is "moved" when its start, end (so also its duration) or room changed; "changed" lists
the public fields that differ (title, abstract, speakers, organisation, answers, slides,
session). A session that appeared or disappeared is listed in ``sessions_changed`` with the
field "added" or "removed". Pure functions over dicts: no database.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TALK_FIELDS = ("title", "abstract", "speakers", "organisation", "answers", "has_slides",
               "session")
SESSION_FIELDS = ("title", "kind", "description", "room", "start", "end", "chairs",
                  "chair_names", "stream", "speakers")  # speakers: imported sessions only
# Field names as shown to people (e-mails, change lists), in the reader's language.
FIELD_LABELS = {
    "title": _("title"), "abstract": _("abstract"), "speakers": _("speakers"),
    "organisation": _("organisation"), "answers": _("answers"), "has_slides": _("slides"),
    "session": _("session"), "kind": _("kind"), "description": _("description"),
    "room": _("room"), "start": _("start"), "end": _("end"), "chairs": _("chairs"),
    "chair_names": _("chairs"), "stream": _("livestream"), "added": _("new session"),
    "removed": _("removed session"),
}


def empty(previous_version: int | None = None) -> dict:
    return {"previous_version": previous_version, "added": [], "removed": [], "moved": [],
            "changed": [], "sessions_changed": []}


def is_empty(changes: dict) -> bool:
    return not any(changes.get(key) for key in
                   ("added", "removed", "moved", "changed", "sessions_changed"))


def _room_names(snapshot: dict) -> dict:
    return {room["id"]: room["name"] for room in snapshot.get("rooms", [])}


def _speaker_view(snapshot: dict) -> dict:
    """What the public sees of each speaker, by code: a renamed speaker or a new bio changes
    their talks."""
    return {s["code"]: (s.get("name"), s.get("organisation"), s.get("bio"), s.get("has_photo"))
            for s in snapshot.get("speakers", [])}


def compute(previous: dict | None, current: dict, previous_version: int | None = None) -> dict:
    changes = empty(previous_version)
    previous = previous or {}
    old_talks = {t["code"]: t for t in previous.get("talks", [])}
    new_talks = {t["code"]: t for t in current.get("talks", [])}
    old_rooms, new_rooms = _room_names(previous), _room_names(current)
    old_people, new_people = _speaker_view(previous), _speaker_view(current)

    changes["added"] = [code for code in new_talks if code not in old_talks]
    changes["removed"] = [code for code in old_talks if code not in new_talks]
    for code, new in new_talks.items():
        old = old_talks.get(code)
        if old is None:
            continue
        old_place = {"start": old["start"], "end": old["end"],
                     "room": old_rooms.get(old["room"], "")}
        new_place = {"start": new["start"], "end": new["end"],
                     "room": new_rooms.get(new["room"], "")}
        if old_place != new_place:
            changes["moved"].append({"code": code, "title": new["title"],
                                     "from": old_place, "to": new_place})
        fields = [f for f in TALK_FIELDS if old.get(f) != new.get(f)]
        if "speakers" not in fields and (
                [old_people.get(c) for c in old.get("speakers", [])]
                != [new_people.get(c) for c in new.get("speakers", [])]):
            fields.append("speakers")
        # The session id changes with a move between sessions; "moved" already says so.
        if "session" in fields and old_place != new_place:
            fields.remove("session")
        if fields:
            changes["changed"].append({"code": code, "title": new["title"], "fields": fields})

    old_sessions = {s["id"]: s for s in previous.get("sessions", [])}
    new_sessions = {s["id"]: s for s in current.get("sessions", [])}
    for session_id, new in new_sessions.items():
        old = old_sessions.get(session_id)
        if old is None:
            fields = ["added"]
        else:
            fields = [f for f in SESSION_FIELDS if f != "room" and old.get(f) != new.get(f)]
            if old_rooms.get(old.get("room"), "") != new_rooms.get(new.get("room"), ""):
                fields.append("room")
            if "chairs" in fields and "chair_names" in fields:
                fields.remove("chair_names")
        if fields:
            changes["sessions_changed"].append(
                {"id": session_id, "title": new["title"], "fields": fields})
    for session_id, old in old_sessions.items():
        if session_id not in new_sessions:
            changes["sessions_changed"].append(
                {"id": session_id, "title": old["title"], "fields": ["removed"]})
    return changes
