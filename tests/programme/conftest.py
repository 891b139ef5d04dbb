# ruff: noqa: F811  (fixtures re-exported from tests/cfp are used as arguments)
"""Shared fixtures for the programme (editor, releases, public pages, exports).

The call's fixtures (``call``, ``make_submission``, ``make_participant``, ``author``,
``outsider``, ``make_reviewer``, ``other_event_organiser``, ...) are re-exported from
tests/cfp/conftest.py so programme tests can use them directly.

Programme fixtures (event: 26-28 May 2027, Europe/Paris; ``clock`` at 20 May 2027 12:00):

- ``local(day, "HH:MM")``: an aware datetime on the event's ``day`` (1 = 26 May) in its zone.
- ``make_room(name=..., position=...)``; ``rooms``: {"main": Main auditorium, "second": Room B}.
- ``make_session(kind="talks", title=..., room=rooms["main"], day=1, start="09:00",
  end="10:30", chairs=(), stream=None, description="")``: written directly (no conflict
  checks), so tests can also build broken working copies.
- ``sessions``: day 1 ``opening`` (plenary 09:00-09:30, main), ``tokamak`` (panel
  09:30-11:00, main), ``stellarator`` (talks 09:30-11:00, Room B), ``coffee`` (break
  11:00-11:30, no room); day 2 ``suppliers`` (talks 09:00-10:30, main), ``lunch`` (break
  12:00-13:00, no room).
- ``place(submission, session, "HH:MM", minutes=20)``: a TalkSlot written directly.
- ``placed_talks``: {"tokamak_1", "tokamak_2", "stellarator_1"} -> TalkSlot; accepted or
  confirmed submissions of three different speakers placed at 09:30 and 09:50 in the tokamak
  panel and 09:30 in the stellarator session; the first has a confidential ``challenges``
  answer containing CONFIDENTIAL_PHRASE.
- ``release_v1``: version 1 released by ``organiser`` from ``placed_talks`` (through
  programme.releases.release, so snapshot and changes are real).
- ``organiser_client``: a Django test client logged in as ``organiser`` with a verified
  second factor.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ..cfp.conftest import (  # noqa: F401  (re-exported fixtures)
    author,
    call,
    colleague,
    make_cfp_organisation,
    make_participant,
    make_reviewer,
    make_submission,
    org_a,
    org_b,
    other_event_organiser,
    outsider,
    pdf_bytes,
    png_bytes,
)
from ..conftest import login_verified

CONFIDENTIAL_PHRASE = "Zeta-confidential-lithium-blanket-7731"


@pytest.fixture
def local(event):
    def at(day: int, hhmm: str) -> dt.datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        date = event.start_date + dt.timedelta(days=day - 1)
        return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=event.tz)

    return at


@pytest.fixture
def make_room(event):
    from fusionforum.programme.models import Room

    def factory(name="Main auditorium", position=0, **extra):
        return Room.objects.create(event=event, name=name, position=position, **extra)

    return factory


@pytest.fixture
def rooms(make_room):
    return {
        "main": make_room("Main auditorium", 0, capacity=300,
                          description="Ground floor, step-free access"),
        "second": make_room("Room B", 1, capacity=80),
    }


@pytest.fixture
def make_session(event, rooms, local):
    from fusionforum.programme.models import ProgrammeSession

    default_room = object()

    def factory(kind="talks", title=None, room=default_room, day=1, start="09:00",
                end="10:30", chairs=(), stream=None, description=""):
        if room is default_room:
            room = None if kind == "break" else rooms["main"]
        session = ProgrammeSession.objects.create(
            event=event, kind=kind, title=title or f"{kind.title()} session", room=room,
            start=local(day, start), end=local(day, end), stream=stream,
            description=description,
        )
        session.chairs.set(chairs)
        return session

    return factory


@pytest.fixture
def sessions(make_session, rooms):
    return {
        "opening": make_session("plenary", "Opening", rooms["main"], 1, "09:00", "09:30"),
        "tokamak": make_session("panel", "Tokamak panel", rooms["main"], 1, "09:30", "11:00"),
        "stellarator": make_session("talks", "Stellarator session", rooms["second"], 1,
                                    "09:30", "11:00"),
        "coffee": make_session("break", "Coffee break", None, 1, "11:00", "11:30"),
        "suppliers": make_session("talks", "Suppliers", rooms["main"], 2, "09:00", "10:30"),
        "lunch": make_session("break", "Lunch", None, 2, "12:00", "13:00"),
    }


@pytest.fixture
def place(event):
    from fusionforum.programme.models import TalkSlot

    def factory(submission, session, hhmm, minutes=20):
        hour, minute = (int(part) for part in hhmm.split(":"))
        start = dt.datetime.combine(session.start.astimezone(event.tz).date(),
                                    dt.time(hour, minute), tzinfo=event.tz)
        return TalkSlot.objects.create(submission=submission, session=session, start=start,
                                       duration_minutes=minutes)

    return factory


@pytest.fixture
def placed_talks(make_submission, make_participant, make_cfp_organisation, sessions, place):
    first = make_participant(make_cfp_organisation("Fictional Torus Energy"),
                             email="tess.torus@test.invalid", full_name="Tess Torus")
    second = make_participant(make_cfp_organisation("Fictional Magnet Works"),
                              email="mag.netic@test.invalid", full_name="Mag Netic")
    third = make_participant(make_cfp_organisation("Fictional Twisted Coil",
                                                   approach="stellarator"),
                             email="stella.coil@test.invalid", full_name="Stella Coil")
    talk_1 = make_submission(author=first, state="accepted", title="Compact torus results",
                             challenges=f"Our secret: {CONFIDENTIAL_PHRASE}.",
                             challenges_visibility="confidential")
    talk_2 = make_submission(author=second, state="confirmed", title="HTS magnet campaign")
    talk_3 = make_submission(author=third, state="confirmed", title="Stellarator coil winding")
    return {
        "tokamak_1": place(talk_1, sessions["tokamak"], "09:30", 20),
        "tokamak_2": place(talk_2, sessions["tokamak"], "09:50", 20),
        "stellarator_1": place(talk_3, sessions["stellarator"], "09:30", 30),
    }


@pytest.fixture
def release_v1(event, organiser, placed_talks, clock):
    from fusionforum.programme import releases

    return releases.release(event, by=organiser, comment="First programme.")


@pytest.fixture
def organiser_client(client, organiser):
    return login_verified(client, organiser)
