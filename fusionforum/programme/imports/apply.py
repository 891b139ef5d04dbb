"""Writing a confirmed import preview into the event's working programme, in one transaction.

What an import writes:

- rooms the preview names that the event does not have yet (after the existing ones);
- one speaker profile per person of the file (cfp.SpeakerProfile without a user: name,
  title, affiliation, bio, the source's id), matched to the event's profiles by source id,
  then by name, so a re-import updates them instead of adding duplicates. A profile someone
  already claimed with their account is linked, never overwritten;
- one ProgrammeSession per scheduled entry: its title, kind (break, panel, plenary or talks),
  room, start and end, description (abstract, track), the source's id, guid and code (kept in
  the exports so calendar subscribers keep their entries), and its persons (speakers and
  chairs, SessionPerson). An entry with the source id of a session imported before updates
  that session;
- an Indico session slot as a session holding its contributions (``parent``): the slot has
  the room, the times and the conveners (chairs), each contribution its speakers;
- one ItemToPlace per entry the file does not schedule, listed "to place" in the editor.

Why sessions and not call-for-presentations talks: a Submission belongs to a registered
organisation and went through the call's review; an imported talk did neither. A session with
persons is what the programme publishes for it: the public programme, the speaker pages, the
speakers' calendars and every export (schedule.xml/json, programme.json, ics) carry its
speakers like a talk's.

Everything runs under the event's row lock: matching and the overlap check against the
existing programme are repeated inside the transaction, and any failure (a model validation
error, an overlap appeared since the preview) raises ImportRefused with nothing written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.core import audit
from fusionforum.events import services as event_services
from fusionforum.events.models import Event

from ..models import ItemToPlace, ProgrammeSession, Room, SessionPerson, guid_of
from .preview import existing_overlaps, match_profiles, match_sessions


class ImportRefused(Exception):
    """Nothing was imported; the message says why."""


def _profiles(event, persons: list[dict]) -> tuple[dict[str, SpeakerProfile], int, int]:
    matched = match_profiles(event, persons)
    profiles, created, updated = {}, 0, 0
    for person in persons:
        profile = matched.get(person["key"])
        fields = {"name": person["name"][:200], "honorific": person["title"][:60],
                  "affiliation": person["affiliation"][:200], "bio": person["bio"][:2000]}
        if profile is None:
            profile = SpeakerProfile(event=event, source_id=person["source_id"][:100], **fields)
            profile.full_clean()
            profile.save()
            created += 1
        elif profile.user_id is None:
            changed = [name for name, value in fields.items()
                       if value and getattr(profile, name) != value]
            if person["source_id"] and not profile.source_id:
                profile.source_id = person["source_id"][:100]
                changed.append("source_id")
            if changed:
                for name in changed:
                    if name != "source_id":
                        setattr(profile, name, fields[name])
                profile.full_clean()
                profile.save()
                updated += 1
        profiles[person["key"]] = profile
    return profiles, created, updated


def _link_persons(session: ProgrammeSession, entry: dict, profiles: dict) -> None:
    SessionPerson.objects.filter(session=session).delete()
    links, seen = [], set()
    for position, (key, role) in enumerate(zip(entry["persons"], entry["person_roles"],
                                               strict=True)):
        profile = profiles[key]
        if (profile.pk, role) in seen:
            continue
        seen.add((profile.pk, role))
        links.append(SessionPerson(session=session, profile=profile, role=role,
                                   position=position))
    SessionPerson.objects.bulk_create(links)


def apply_preview(event, preview: dict, *, by, extend_dates: bool = False,
                  system: bool = False) -> dict:
    """Write ``preview``; ``by`` an organiser of the event, or None with ``system`` (the
    import_programme command, run by whoever operates the server)."""
    if not (system and by is None) and (
            by is None or not by.has_perm("programme.manage_programme", event)):
        raise PermissionDenied(_("Only the event's organisers can import a programme."))
    if preview["errors"]:
        raise ImportRefused(_("The preview lists problems that block the import; fix the file "
                              "and upload it again."))
    if not preview["sessions"] and not preview.get("unplaced"):
        raise ImportRefused(_("There is nothing to import."))
    extend = preview.get("extend")
    if extend and not extend_dates:
        raise ImportRefused(_("The file needs the event's dates extended to %(dates)s; confirm "
                              "the extension, or change the event's dates first.")
                            % {"dates": extend["label"]})
    # Titles and descriptions are the programme's content: the event's default language.
    try:
        with translation.override(event.default_language), transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            if extend:
                event_services.extend_dates(
                    event, start_date=dt.date.fromisoformat(extend["start_date"]),
                    end_date=dt.date.fromisoformat(extend["end_date"]), by=by, system=system)
            sessions_in = [dict(entry) for entry in preview["sessions"]]
            match_sessions(event, sessions_in)
            overlaps = existing_overlaps(event, sessions_in)
            if overlaps:
                raise ImportRefused(_("Since the preview, the programme changed: %(problem)s")
                                    % {"problem": overlaps[0]["message"]})
            rooms = {room.name.casefold(): room for room in Room.objects.filter(event=event)}
            position = (Room.objects.filter(event=event).aggregate(m=Max("position"))["m"]
                        or 0)
            created_rooms = 0
            for entry in preview["rooms"]:
                if entry["name"].casefold() in rooms:
                    continue
                position += 1
                room = Room(event=event, name=entry["name"][:120], position=position)
                room.full_clean()
                room.save()
                rooms[entry["name"].casefold()] = room
                created_rooms += 1
            profiles, persons_created, persons_updated = _profiles(event, preview["persons"])
            existing = {s.pk: s for s in ProgrammeSession.objects.filter(
                event=event, pk__in=[e["update"] for e in sessions_in if e["update"]])}
            created = updated = 0
            by_ref: dict[str, ProgrammeSession] = {}
            # Slots first: their contributions are saved inside them.
            for entry in sorted(sessions_in, key=lambda e: bool(e.get("parent"))):
                session = existing.get(entry["update"]) or ProgrammeSession(event=event)
                is_new = session.pk is None
                session.kind = entry["kind"]
                session.title = entry["title"]
                session.description = entry["description"]
                session.room = rooms[entry["room"].casefold()]
                session.start = dt.datetime.fromisoformat(entry["start"])
                session.end = dt.datetime.fromisoformat(entry["end"])
                session.source_id = entry["source_id"][:100]
                session.source_guid = guid_of(entry["source_id"])
                session.source_code = entry["code"][:40]
                session.source_track = entry.get("track", "")[:200]
                session.parent = by_ref.get(entry.get("parent") or "")
                session.full_clean()
                session.save()
                if entry.get("ref"):
                    by_ref[entry["ref"]] = session
                _link_persons(session, entry, profiles)
                created += is_new
                updated += not is_new
            to_place = 0
            for entry in preview.get("unplaced", []):
                if entry["source_id"] and ProgrammeSession.objects.filter(
                        event=event, source_id=entry["source_id"]).exists():
                    continue  # placed since an earlier import: the organiser's time stays
                item = (ItemToPlace.objects.filter(event=event, source_id=entry["source_id"])
                        .first() if entry["source_id"] else None) or ItemToPlace(event=event)
                item.kind = entry["kind"]
                item.title = entry["title"]
                item.description = entry["description"]
                item.duration_minutes = entry["minutes"]
                item.room_name = entry["room"][:120]
                item.source_id = entry["source_id"][:100]
                item.source_guid = guid_of(entry["source_id"])
                item.source_code = entry["code"][:40]
                item.full_clean()
                item.save()
                item.persons.set({profiles[key] for key in entry["persons"]})
                to_place += 1
            audit.record("programme.imported", event, actor=by,
                         summary=f"Programme imported from {preview['source']['format_label']}",
                         format=preview["source"]["format"], rooms_created=created_rooms,
                         sessions_created=created, sessions_updated=updated,
                         persons_created=persons_created, persons_updated=persons_updated,
                         to_place=to_place, dates_extended=bool(extend))
    except ValidationError as error:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()) \
            if hasattr(error, "message_dict") else " ".join(error.messages)
        raise ImportRefused(_("An entry could not be saved (%(problems)s); nothing was "
                              "imported.") % {"problems": messages}) from None
    return {"rooms": created_rooms, "sessions": created, "updated": updated,
            "persons": persons_created, "to_place": to_place}
