"""frab/pretalx ``schedule.json`` (version 1) of a release, valid against the c3voc
schema.json (draft-06). Same content and identifiers as schedule.xml (frab_xml.entries_by_day).

``schedule`` holds only what the schema names (version, base_url, conference): other tools
turn this document into schedule.xml key by key, and a key the schema does not name (our own
address, once ``schedule.url``) lands where the XML schema allows nothing. The document's own
address is in schedule.xml's <url>; ``url`` is accepted and not written.

The v1 schema allows no property it does not name, so nothing of ours is added to events or
persons (in particular no ``answers``: the public answers go into ``description``). Persons
are written in the pretalx form (code, name, biography) so that exactly one branch of the
schema's oneOf matches.
"""

from __future__ import annotations

import json

from . import common
from .frab_xml import VERSION_PREFIX, day_bounds, entries_by_day, tracks

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def document(snapshot: dict, *, version: int, site_url: str, url: str = "") -> dict:
    site_url = site_url.rstrip("/")
    snapshot = dict(snapshot, _site_url=site_url)
    index = common.Index(snapshot)
    event = snapshot["event"]
    rooms = sorted(snapshot["rooms"], key=lambda r: (r["position"], r["name"], r["id"]))
    room_names = {r["id"]: r["name"] for r in rooms}
    days = []
    grouped = entries_by_day(index)
    for number, (date, entries) in enumerate(grouped.items(), start=1):
        start, end = day_bounds(index, date)
        by_room: dict[str, list] = {room["name"]: [] for room in rooms}
        for entry in entries:
            room = room_names.get(entry["room_id"], "")
            item = {
                "guid": entry["guid"],
                "id": entry["id"],
                "logo": "",
                "date": entry["start"].isoformat(),
                "start": entry["start"].strftime("%H:%M"),
                "duration": _hhmm(entry["duration"]),
                "room": room,
                "slug": entry["slug"],
                "url": entry["url"],
                "title": entry["title"],
                "subtitle": "",
                "track": entry["track"],
                "type": entry["type"],
                "language": entry["language"],
                "abstract": entry["abstract"],
                "description": entry["description"],
                "recording_license": "",
                "do_not_record": False,
                "persons": [{
                    "code": person["code"],
                    "name": person["name"],
                    "guid": common.stable_uuid(site_url, "speaker", person["code"]),
                    "url": common.speaker_url(site_url, event["slug"], person["code"]),
                    "biography": person.get("bio") or None,
                } for person in entry["persons"]],
                "links": [],
                "attachments": [],
            }
            if entry["code"]:
                item["code"] = entry["code"]
            by_room.setdefault(room, []).append(item)
        days.append({
            "index": number,
            "date": date,
            "day_start": start.isoformat(),
            "day_end": end.isoformat(),
            "rooms": by_room,
        })
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": common.GENERATOR, "version": "1"},
        "schedule": {
            "version": f"{VERSION_PREFIX}{version}",
            "base_url": f"{site_url}/{event['slug']}/",
            "conference": {
                "acronym": common.acronym(event["slug"]),
                "title": event["title"],
                "start": event["start_date"],
                "end": event["end_date"],
                "daysCount": len(days),
                "timeslot_duration": "00:05",
                "time_zone_name": event["time_zone"],
                "url": common.programme_url(site_url, event["slug"]),
                "tracks": [{"name": t["name"], "slug": t["slug"]} for t in tracks(index)],
                "rooms": [{
                    "name": room["name"],
                    "slug": common.track_slug(room["name"], f"room-{room['id']}"),
                    "guid": common.stable_uuid(site_url, "room", room["id"]),
                    "description": room["description"] or None,
                    "capacity": room["capacity"],
                } for room in rooms],
                "days": days,
            },
        },
    }


def build(snapshot: dict, *, version: int, site_url: str, url: str) -> bytes:
    payload = document(snapshot, version=version, site_url=site_url, url=url)
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()
