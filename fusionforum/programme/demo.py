"""The demo workshop's programme: two rooms, two days of sessions (plenaries, the tokamak and
stellarator panels, other approaches, suppliers, codes and standards, breaks), the accepted and
confirmed demo talks placed without conflicts through the editing services, the plenary
livestream on the plenaries, and two releases (version 2 moves one talk) so the public change
list shows something, and the first talk's recording and slides. Every name here is
fictional.

Runs after the call's and the review's demo loaders. Idempotent: when the sessions already sit
on the demo's current days and two releases exist, nothing changes; when the workshop moved to
another day (``make demo`` on a later day), the programme and its releases are rebuilt.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction

from fusionforum.accounts.models import Organisation, User
from fusionforum.core import clock
from fusionforum.events.demo import DEMO_PARTICIPANT, french_versions
from fusionforum.events.models import TeamMembership

from . import agenda, public, releases, services
from .conflicts import ProgrammeConflict
from .models import MapSpot, ProgrammeSession, Release, Room, TalkMaterial, TalkSlot, VenueMap

K = ProgrammeSession.Kind
A = Organisation.Approach

ROOMS = [
    ("Main auditorium", "Ground floor, step-free access, interpretation booths", 400),
    ("Seminar room 2", "First floor, lift access", 90),
]

# (day, start, end, kind, title, room index or None, themes, description)
SESSIONS = [
    (1, "09:00", "09:45", K.PLENARY, "Opening: welcome and the three questions", 0, (),
     "Welcome by the organisers and how the three questions feed the open outcomes report."),
    (1, "09:45", "11:15", K.PANEL, "Tokamak panel", 0, (A.TOKAMAK, A.SPHERICAL_TOKAMAK),
     "Conventional and spherical tokamak developers: breakthroughs, remaining challenges and "
     "what a large project can share."),
    (1, "09:45", "11:15", K.TALKS, "Other approaches: pinches and field-reversed "
     "configurations", 1, (A.Z_PINCH, A.FRC), ""),
    (1, "11:15", "11:45", K.BREAK, "Coffee break", None, (), ""),
    (1, "11:45", "13:15", K.PANEL, "Stellarator panel", 0, (A.STELLARATOR,),
     "Optimised stellarators: coil manufacturing, symmetry and steady-state operation."),
    (1, "11:45", "13:15", K.TALKS, "Inertial fusion", 1, (A.LASER_INERTIAL,), ""),
    (1, "13:15", "14:30", K.BREAK, "Lunch", None, (), ""),
    (1, "14:30", "16:00", K.TALKS, "Company presentations", 0, (), ""),
    (2, "09:00", "10:30", K.TALKS, "Suppliers and the supply chain", 0, (),
     "Magnets, vacuum vessels, remote handling: what suppliers need to know."),
    (2, "09:00", "10:30", K.TALKS, "Other approaches: magneto-inertial and beyond", 1,
     (A.MAGNETO_INERTIAL,), ""),
    (2, "10:30", "11:00", K.BREAK, "Coffee break ", None, (), ""),
    (2, "11:00", "12:30", K.PANEL, "Codes, standards and licensing", 0, (),
     "Licensing fusion machines, codes and standards, lessons from a nuclear-licensed "
     "project."),
    (2, "12:30", "13:45", K.BREAK, "Lunch ", None, (), ""),
    (2, "13:45", "15:15", K.TALKS, "Company presentations II", 0, (), ""),
    (2, "15:30", "16:15", K.PLENARY, "Closing: what ITER can do next", 0, (),
     "Summary of the answers to question 3 and next steps."),
]


def _at(event, day: int, hhmm: str) -> dt.datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    date = event.start_date + dt.timedelta(days=day - 1)
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=event.tz)


def _is_current(event) -> bool:
    first = ProgrammeSession.objects.filter(event=event, title=SESSIONS[0][4]).first()
    return (first is not None and first.start == _at(event, 1, SESSIONS[0][1])
            and ProgrammeSession.objects.filter(event=event).count() == len(SESSIONS)
            and Release.objects.filter(event=event).count() >= 2)


def _place_all(event, sessions_by_title) -> int:
    talk_sessions = [(spec, sessions_by_title[spec[4]]) for spec in SESSIONS
                     if spec[3] in (K.TALKS, K.PANEL)]
    placed = 0
    for submission in services.unplaced_submissions(event):
        approach = submission.organisation.fusion_approach
        # Themed sessions first, then the general ones, in programme order.
        ordered = ([s for spec, s in talk_sessions if approach in spec[6]]
                   + [s for spec, s in talk_sessions if not spec[6]]
                   + [s for spec, s in talk_sessions if spec[6] and approach not in spec[6]])
        for session in ordered:
            try:
                services.place_talk(event, submission, session, by=None, duration_minutes=20)
            except ProgrammeConflict:
                continue
            placed += 1
            break
    return placed


def _star_for_participant(event) -> int:
    """The README's participant has three talks in her agenda (and so in her calendar feed)."""
    person = User.objects.filter(email=DEMO_PARTICIPANT).first()
    programme = public.latest(event)
    if person is None or programme is None:
        return 0
    agenda.star_many(person, event, list(programme.talks_by_code)[:3])
    return len(agenda.starred_codes(person, event))


def _demo_pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=842, height=595)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _attach_materials(event) -> None:
    """The first talk of day 1 gets a recording address and slides (both synthetic), shown on
    its page once it has ended. Written directly: the demo runs in its own transaction."""
    slot = (TalkSlot.objects.filter(session__event=event).select_related("submission")
            .order_by("start", "id").first())
    if slot is None or TalkMaterial.objects.filter(submission=slot.submission).exists():
        return
    material = TalkMaterial(
        submission=slot.submission, updated_at=clock.now(), slides_uploaded_at=clock.now(),
        recording_url=f"https://video.demo.fusionforum.invalid/recordings/{slot.submission.code}")
    material.slides.save("slides.pdf", ContentFile(_demo_pdf(
        f"{slot.submission.title} (synthetic demo slides)")), save=False)
    material.save()


# (name, kind, x %, y %): the rooms above, the day-3 meeting tables and the tours' meeting
# points, so the agendas and tour pages of the demo link to them.
DEMO_SPOTS = [
    ("Main auditorium", MapSpot.Kind.ROOM, 24, 30),
    ("Seminar room 2", MapSpot.Kind.ROOM, 62, 22),
    *[(f"Table {n}", MapSpot.Kind.TABLE, 52 + ((n - 1) % 6) * 7, 56 + ((n - 1) // 6) * 12)
      for n in range(1, 13)],
    ("Visitor centre, coach bay 1", MapSpot.Kind.MEETING_POINT, 10, 90),
    ("Visitor centre, coach bay 2", MapSpot.Kind.MEETING_POINT, 18, 90),
    ("Visitor centre, coach bay 3", MapSpot.Kind.MEETING_POINT, 26, 90),
    ("Workshop gate W2", MapSpot.Kind.MEETING_POINT, 92, 88),
]


def _demo_plan() -> bytes:
    """A synthetic floor plan: outlines of the auditorium, the seminar room, the meeting hall
    and the coach bays."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for box in ((40, 80, 540, 400), (600, 60, 900, 300), (600, 400, 1140, 620),
                (60, 680, 360, 780), (1040, 640, 1160, 760)):
        draw.rectangle(box, outline=(40, 60, 80), width=6)
    draw.rectangle((10, 10, 1190, 790), outline=(120, 130, 140), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _venue_map(event) -> None:
    """The demo's floor plan (synthetic) with its places; kept when it exists."""
    if VenueMap.objects.filter(event=event).exists():
        return
    plan = VenueMap(event=event, name="Conference building, ground floor (demo)", width=1200,
                    height=800, uploaded_at=clock.now())
    plan.image.save("plan.png", ContentFile(_demo_plan()), save=False)
    plan.save()
    MapSpot.objects.bulk_create([MapSpot(venue_map=plan, name=name, kind=kind, x=x, y=y)
                                 for name, kind, x, y in DEMO_SPOTS])


@transaction.atomic
def load(event) -> str:
    if _is_current(event):
        latest = releases.latest(event)
        _star_for_participant(event)
        _attach_materials(event)
        _venue_map(event)
        return (f"Programme: {TalkSlot.objects.filter(session__event=event).count()} talks "
                f"placed, version {latest.version} released (kept)")

    # New demo, or the workshop moved to other days: rebuild the programme and its releases.
    Release.objects.filter(event=event).delete()
    TalkSlot.objects.filter(session__event=event).delete()
    ProgrammeSession.objects.filter(event=event).delete()
    rooms = []
    for position, (name, description, capacity) in enumerate(ROOMS):
        room, _ = Room.objects.update_or_create(
            event=event, name=name,
            defaults={"description": description, "capacity": capacity, "position": position})
        rooms.append(room)

    organiser = (TeamMembership.objects.filter(event=event,
                                               role=TeamMembership.Role.ORGANISER)
                 .select_related("user").first())
    chair = organiser.user if organiser else None
    stream = event.streams.filter(label__startswith="Plenary").first()
    sessions_by_title = {}
    for day, start, end, kind, title, room_index, _themes, description in SESSIONS:
        session = services.create_session(
            event, by=None, kind=kind, title=title.strip(), description=description,
            room=rooms[room_index] if room_index is not None else None,
            start=_at(event, day, start), end=_at(event, day, end),
            chairs=[chair] if chair and kind == K.PLENARY else [],
            stream=stream if kind == K.PLENARY else None)
        sessions_by_title[title] = session
    placed = _place_all(event, sessions_by_title)

    # The releases carry the organisers' texts in every language they have at release time:
    # give the demo content its French versions first (the last demo step does it again for
    # what later loaders add), so the French programme is French.
    french_versions(event)
    now = clock.now()
    with clock.frozen(now - dt.timedelta(days=7)):
        releases.release(event, by=chair, comment="First version of the programme "
                                                  "(demonstration).")
    # A small change for version 2: the last talk of the tokamak panel moves to day 2.
    moving = (TalkSlot.objects.filter(session=sessions_by_title["Tokamak panel"])
              .select_related("submission").order_by("-start").first())
    target = sessions_by_title["Company presentations II"]
    comment = "One talk moves to day 2 at the speaker's request (demonstration)."
    if moving is not None:
        try:
            services.place_talk(event, moving.submission, target, by=None)
        except ProgrammeConflict:
            moving = None
    if moving is None:
        closing = sessions_by_title["Closing: what ITER can do next"]
        services.update_session(closing, by=None, start=_at(event, 2, "15:45"),
                                end=_at(event, 2, "16:30"))
        comment = "The closing session starts a quarter of an hour later (demonstration)."
    with clock.frozen(now - dt.timedelta(days=2)):
        second = releases.release(event, by=chair, comment=comment)
    _star_for_participant(event)
    _attach_materials(event)
    _venue_map(event)
    return (f"Programme: {len(rooms)} rooms, {len(SESSIONS)} sessions, {placed} talks placed, "
            f"versions 1 and {second.version} released")
