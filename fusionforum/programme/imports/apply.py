"""Writing a confirmed import preview into the event's working programme, in one transaction.

Creates the rooms the preview names that the event does not have yet (after the existing
ones), and one ProgrammeSession per imported entry: its title, kind (break, panel, plenary or
talks, guessed from the entry's type and title), room, start and end, and a description with
the abstract, the speakers' names and the track as text. The public sees none of it until an
organiser releases the programme.

Why sessions and not talks: a talk of our programme is an accepted call-for-presentations
Submission, which belongs to a registered Organisation and whose speakers are registered user
accounts (Speaker.user and SpeakerProfile.user are required). An imported programme has names,
not accounts; creating accounts for them would store people who never signed up and make them
look like participants. Organisers keep the imported schedule as sessions and can replace an
entry by a real talk once its speaker has an account and a submission.

Everything runs under the event's row lock: the overlap check against the existing programme
is repeated inside the transaction, and any failure (a model validation error, an overlap
appeared since the preview) raises ImportRefused with nothing written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fusionforum.core import audit
from fusionforum.events.models import Event

from ..models import ProgrammeSession, Room
from .preview import existing_overlaps


class ImportRefused(Exception):
    """Nothing was imported; the message says why."""


def apply_preview(event, preview: dict, *, by) -> dict:
    if by is None or not by.has_perm("programme.manage_programme", event):
        raise PermissionDenied(_("Only the event's organisers can import a programme."))
    if preview["errors"]:
        raise ImportRefused(_("The preview lists problems that block the import; fix the file "
                              "and upload it again."))
    if not preview["sessions"]:
        raise ImportRefused(_("There is nothing to import."))
    try:
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            overlaps = existing_overlaps(event, preview["sessions"])
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
            sessions = []
            for entry in preview["sessions"]:
                session = ProgrammeSession(
                    event=event, kind=entry["kind"], title=entry["title"],
                    description=entry["description"], room=rooms[entry["room"].casefold()],
                    start=dt.datetime.fromisoformat(entry["start"]),
                    end=dt.datetime.fromisoformat(entry["end"]),
                )
                session.full_clean()
                sessions.append(session)
            ProgrammeSession.objects.bulk_create(sessions)
            audit.record("programme.imported", event, actor=by,
                         summary=f"Programme imported from {preview['source']['format_label']}",
                         format=preview["source"]["format"], rooms_created=created_rooms,
                         sessions_created=len(sessions))
    except ValidationError as error:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise ImportRefused(_("An entry could not be saved (%(problems)s); nothing was "
                              "imported.") % {"problems": messages}) from None
    return {"rooms": created_rooms, "sessions": len(sessions)}
