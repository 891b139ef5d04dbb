"""The programme editor's pages: placing, moving, unplacing through forms (plain and htmx),
rooms, sessions, releases; bad input; XSS."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.programme.models import ProgrammeSession, Release, Room, TalkSlot


def url(event, name, *args):
    return reverse(f"programme_manage:{name}", args=[event.slug, *args])


def place_data(submission, session, start="", duration=""):
    prefix = f"talk-{submission.code}"
    return {f"{prefix}-session": session.pk if hasattr(session, "pk") else session,
            f"{prefix}-start": start, f"{prefix}-duration": duration}


def snapshot_of_working_copy():
    return (sorted(TalkSlot.objects.values_list("submission_id", "session_id", "start",
                                                "duration_minutes")),
            sorted(ProgrammeSession.objects.values_list("id", "title", "start", "end",
                                                        "room_id", "kind")),
            sorted(Room.objects.values_list("id", "name", "position")),
            Release.objects.count())


# The editor page ---------------------------------------------------------------------------


def test_editor_shows_grid_sessions_talks_and_talks_to_place(organiser_client, event,
                                                             placed_talks, sessions,
                                                             make_submission):
    waiting = make_submission(state="confirmed", title="Waiting to be placed")
    make_submission(state="submitted", title="Not decided yet")
    response = organiser_client.get(url(event, "editor"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Main auditorium" in html and "Room B" in html
    assert "Tokamak panel" in html and "Coffee break" in html
    assert "Compact torus results" in html and "Stellarator coil winding" in html
    assert "Waiting to be placed" in html and f'data-place-form="{waiting.code}"' in html
    assert "Not decided yet" not in html
    assert "Suppliers" not in html.split("Talks to place")[0].split("programme-grid")[1]
    assert response["Cache-Control"] == "private, no-store"
    # Day 2 shows its own sessions.
    day_two = organiser_client.get(url(event, "editor"), {"day": "2027-05-27"})
    assert "Suppliers" in day_two.content.decode()
    assert "htmx.min.js" in html and "<script>" not in html and " onclick" not in html


def test_session_spans_its_rows_in_the_grid(organiser_client, event, sessions):
    html = organiser_client.get(url(event, "editor")).content.decode()
    # 09:30-11:00 is 18 rows of 5 minutes; the coffee break spans both rooms.
    assert f'rowspan="18" class="session kind-panel" data-session="{sessions["tokamak"].pk}"' \
        in html
    assert 'rowspan="6" colspan="2" class="session kind-break"' in html


def test_unknown_day_falls_back_to_the_first(organiser_client, event, sessions):
    for day in ("2031-01-01", "garbage", "2027-02-30", "x" * 500):
        response = organiser_client.get(url(event, "editor"), {"day": day})
        assert response.status_code == 200
        assert "Tokamak panel" in response.content.decode()


# Placing, moving, unplacing -------------------------------------------------------------------


def test_place_a_talk_with_the_plain_form(organiser_client, event, sessions, make_submission,
                                          local):
    talk = make_submission(state="accepted", title="Plain form talk")
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["stellarator"], "10:00", "25"))
    assert response.status_code == 302
    assert response["Location"].startswith(url(event, "editor") + "?day=2027-05-26")
    slot = TalkSlot.objects.get(submission=talk)
    assert (slot.session, slot.start, slot.duration_minutes) == (
        sessions["stellarator"], local(1, "10:00"), 25)
    page = organiser_client.get(response["Location"]).content.decode()
    assert "“Plain form talk” is now at Wed 26 May 10:00-10:25 in “Stellarator session”." in page
    assert AuditEntry.objects.filter(action="programme.talk_placed").count() == 1


def test_place_with_htmx_returns_the_editor(organiser_client, event, sessions, make_submission):
    talk = make_submission(state="accepted", title="Htmx talk")
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["stellarator"], "10:00", "20"),
                                     HTTP_HX_REQUEST="true", follow=True)
    assert response.status_code == 200
    assert 'id="editor"' in response.content.decode()
    assert TalkSlot.objects.filter(submission=talk).exists()


def test_conflict_is_refused_with_a_readable_message_and_409(organiser_client, event,
                                                             placed_talks, make_submission,
                                                             sessions):
    talk = make_submission(state="accepted", title="Clashing talk")
    before = snapshot_of_working_copy()
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["tokamak"], "09:40", "20"),
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "“Clashing talk” was not placed" in html
    assert "Overlaps “Compact torus results” (Wed 26 May 09:30-09:50)" in html
    assert 'id="editor"' in html and 'role="alert"' in html
    # The failed form keeps what was typed.
    assert 'value="09:40"' in html
    assert snapshot_of_working_copy() == before


def test_move_change_duration_and_unplace(organiser_client, event, placed_talks, sessions,
                                          local):
    slot = placed_talks["tokamak_2"]
    talk = slot.submission
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["stellarator"], "10:00", ""))
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.session, slot.start, slot.duration_minutes) == (
        sessions["stellarator"], local(1, "10:00"), 20)
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["stellarator"], "10:00", "45"))
    slot.refresh_from_db()
    assert slot.duration_minutes == 45
    response = organiser_client.post(url(event, "talk_unplace", talk.code))
    assert response.status_code == 302
    assert not TalkSlot.objects.filter(submission=talk).exists()
    page = organiser_client.get(response["Location"]).content.decode()
    assert "back in the list of talks to place" in page
    assert f'data-place-form="{talk.code}"' in page
    # Unplacing again is harmless.
    assert organiser_client.post(url(event, "talk_unplace", talk.code)).status_code == 302


@pytest.mark.parametrize("start,duration,message", [
    ("25:00", "20", "Enter a time as HH:MM"),
    ("09:33", "20", "Use 5-minute steps"),
    ("abc", "20", "Enter a time as HH:MM"),
    ("10:00", "-20", "greater than or equal to 5"),
    ("10:00", "0", "greater than or equal to 5"),
    ("10:00", "99999999999999999999", "less than or equal to 240"),
    ("10:00", "241", "less than or equal to 240"),
    ("10:00", "22", "Use 5-minute steps"),
    ("10:00", "twenty", "whole number of minutes"),
    ("10:00", "1e3", "whole number of minutes"),
    ("\x00", "20", "Enter a time as HH:MM"),
])
def test_bad_place_input_is_a_400_with_a_message(organiser_client, event, sessions,
                                                 make_submission, start, duration, message):
    talk = make_submission(state="accepted", title="Bad input talk")
    before = snapshot_of_working_copy()
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["stellarator"], start, duration))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "“Bad input talk” was not placed" in response.content.decode()
    assert snapshot_of_working_copy() == before


@pytest.mark.parametrize("session_value", ["", "abc", "-1", "999999", "9" * 40, "1.5"])
def test_bad_or_foreign_session_is_a_400(organiser_client, event, sessions, make_submission,
                                         session_value):
    talk = make_submission(state="accepted")
    before = snapshot_of_working_copy()
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, session_value, "10:00", "20"))
    assert response.status_code == 400
    assert snapshot_of_working_copy() == before


def test_sessions_of_other_events_and_breaks_are_not_choices(organiser_client, event,
                                                             sessions, make_submission,
                                                             make_event, local):
    other = make_event(slug="elsewhere", title="Elsewhere", with_days=False)
    foreign = ProgrammeSession.objects.create(event=other, kind="talks", title="Foreign",
                                              start=local(1, "09:00"), end=local(1, "10:00"))
    talk = make_submission(state="accepted")
    for target in (foreign, sessions["coffee"], sessions["opening"]):
        response = organiser_client.post(url(event, "talk_place", talk.code),
                                         place_data(talk, target, "09:00", "20"))
        assert response.status_code == 400
        assert "Choose a talks or panel session of this event" in response.content.decode()
    assert not TalkSlot.objects.exists()


def test_foreign_or_unknown_talk_codes_are_404(organiser_client, event, sessions, make_event,
                                               make_submission):
    from fusionforum.cfp.models import Submission

    talk = make_submission(state="accepted")
    other = make_event(slug="elsewhere", title="Elsewhere", with_days=False)
    Submission.objects.filter(pk=talk.pk).update(event=other)
    for code in (talk.code, "NOPE", "x" * 300, "%00"):
        for name in ("talk_place", "talk_unplace"):
            response = organiser_client.post(url(event, name, code),
                                             place_data(talk, sessions["tokamak"], "10:00"))
            assert response.status_code == 404
    assert not TalkSlot.objects.exists()


def test_unschedulable_talk_is_refused_by_the_view(organiser_client, event, sessions,
                                                   make_submission):
    talk = make_submission(state="rejected", title="Rejected talk")
    response = organiser_client.post(url(event, "talk_place", talk.code),
                                     place_data(talk, sessions["tokamak"], "10:00", "20"))
    assert response.status_code == 409
    assert "only accepted or confirmed talks can be placed" in response.content.decode()


def test_get_on_post_only_urls_is_refused(organiser_client, event, placed_talks):
    code = placed_talks["tokamak_1"].submission.code
    for name in ("talk_place", "talk_unplace"):
        assert organiser_client.get(url(event, name, code)).status_code == 405
    assert organiser_client.post(url(event, "editor")).status_code == 405


# Rooms -------------------------------------------------------------------------------------


def test_rooms_create_edit_delete(organiser_client, event, rooms, sessions):
    response = organiser_client.post(url(event, "rooms"), {"name": "Room C", "description":
                                                           "Second floor", "capacity": "40",
                                                           "position": ""})
    assert response.status_code == 302
    room_c = Room.objects.get(name="Room C")
    assert room_c.position == 2
    response = organiser_client.post(url(event, "room", room_c.pk),
                                     {"name": "Room C (small)", "description": "",
                                      "capacity": "", "position": "5"})
    assert response.status_code == 302
    room_c.refresh_from_db()
    assert (room_c.name, room_c.capacity, room_c.position) == ("Room C (small)", None, 5)
    # A room with sessions is kept, with a reason.
    response = organiser_client.post(url(event, "room_delete", rooms["main"].pk))
    assert response.status_code == 409
    assert "still has 3 sessions" in response.content.decode()
    assert organiser_client.post(url(event, "room_delete", room_c.pk)).status_code == 302
    assert not Room.objects.filter(pk=room_c.pk).exists()


@pytest.mark.parametrize("data,message", [
    ({"name": ""}, "This field is required"),
    ({"name": "Main auditorium"}, "There is already a room"),
    ({"name": "main AUDITORIUM"}, "There is already a room"),
    ({"name": "x" * 121}, "at most 120 characters"),
    ({"name": "Bidi \u202eroom"}, ""),
    ({"name": "Room", "capacity": "-3"}, "greater than or equal to 0"),
    ({"name": "Room", "capacity": "1e9"}, "Enter a whole number"),
    ({"name": "Room", "capacity": "99999999999"}, "less than or equal to 100000"),
    ({"name": "Room", "position": "abc"}, "Enter a whole number"),
])
def test_bad_room_input(organiser_client, event, rooms, data, message):
    before = snapshot_of_working_copy()
    response = organiser_client.post(url(event, "rooms"), {"description": "", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot_of_working_copy() == before


# Sessions ------------------------------------------------------------------------------------


def session_form(room_, **overrides):
    data = {"kind": "talks", "title": "Codes and standards", "description": "",
            "room": room_.pk if room_ else "", "day": "2027-05-27", "start_time": "14:00",
            "end_time": "15:30", "chairs": [], "stream": ""}
    data.update(overrides)
    # The title and description are asked per language; the event's default is English.
    for name in ("title", "description"):
        data[f"{name}_en"] = data.pop(name)
    return data


def test_create_and_edit_a_session_with_chairs_and_stream(organiser_client, event, rooms,
                                                          make_stream, make_participant,
                                                          local):
    chair = make_participant(full_name="Chair Person")
    stream = make_stream(event)
    response = organiser_client.post(url(event, "session_new"), session_form(
        rooms["main"], chairs=[chair.pk], stream=stream.pk))
    assert response.status_code == 302
    session = ProgrammeSession.objects.get(title="Codes and standards")
    assert (session.start, session.end) == (local(2, "14:00"), local(2, "15:30"))
    assert list(session.chairs.all()) == [chair] and session.stream == stream
    response = organiser_client.post(url(event, "session", session.pk), session_form(
        rooms["second"], title="Codes, standards and licensing", kind="panel",
        end_time="00:00"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Codes, standards and licensing" and session.room == rooms["second"]
    assert session.end == local(3, "00:00")
    assert not session.chairs.exists() and session.stream is None
    # The editor never shows the stream's address.
    page = organiser_client.get(url(event, "session", session.pk)).content.decode()
    assert "secret-live-4711" not in page
    editor = organiser_client.get(url(event, "editor"), {"day": "2027-05-27"}).content.decode()
    assert "secret-live-4711" not in editor


@pytest.mark.parametrize("overrides,message,status", [
    ({"title": ""}, "This field is required", 400),
    ({"title": "x" * 201}, "at most 200 characters", 400),
    ({"kind": "party"}, "Select a valid choice", 400),
    ({"day": "2027-05-25"}, "Select a valid choice", 400),
    ({"day": "garbage"}, "Select a valid choice", 400),
    ({"start_time": "9am"}, "Enter a time as HH:MM", 400),
    ({"start_time": "14:02"}, "Use 5-minute steps", 400),
    ({"end_time": "13:00"}, "must end after it starts", 400),
    ({"room": ""}, "Only a break can be without a room", 400),
    ({"room": "999999"}, "Select a valid choice", 400),
    ({"chairs": ["abc"]}, "is not a valid value", 400),
    ({"stream": "999999"}, "Select a valid choice", 400),
    ({"description": "Nul \x00 byte"}, "Null characters are not allowed", 400),
    ({"start_time": "09:00", "end_time": "10:00", "day": "2027-05-26"}, "Overlaps", 409),
])
def test_bad_session_input_is_refused(organiser_client, event, rooms, sessions, overrides,
                                      message, status):
    before = snapshot_of_working_copy()
    response = organiser_client.post(url(event, "session_new"),
                                     session_form(rooms["main"], **overrides))
    assert response.status_code == status
    assert message in response.content.decode()
    assert snapshot_of_working_copy() == before


def test_chairs_of_other_events_and_strangers_are_not_choices(organiser_client, event, rooms,
                                                              make_user):
    stranger = make_user("stranger@test.invalid")
    response = organiser_client.post(url(event, "session_new"),
                                     session_form(rooms["main"], chairs=[stranger.pk]))
    assert response.status_code == 400
    assert not ProgrammeSession.objects.exists()


def test_foreign_session_and_room_ids_are_404(organiser_client, event, make_event, local):
    other = make_event(slug="elsewhere", title="Elsewhere", with_days=False)
    room = Room.objects.create(event=other, name="Their room")
    session = ProgrammeSession.objects.create(event=other, kind="talks", title="Theirs",
                                              room=room, start=local(1, "09:00"),
                                              end=local(1, "10:00"))
    for name, pk in (("session", session.pk), ("session_delete", session.pk),
                     ("room", room.pk), ("room_delete", room.pk)):
        assert organiser_client.post(url(event, name, pk), {"title": "Mine now"}).status_code \
            == 404
    session.refresh_from_db()
    assert session.title == "Theirs" and Room.objects.filter(pk=room.pk).exists()


def test_deleting_a_session_returns_its_talks_to_the_list(organiser_client, event,
                                                          placed_talks, sessions):
    response = organiser_client.post(url(event, "session_delete", sessions["tokamak"].pk))
    assert response.status_code == 302
    assert TalkSlot.objects.count() == 1
    page = organiser_client.get(response["Location"]).content.decode()
    assert "Its 2 talks are back in the list to place." in page


def test_xss_in_session_titles_and_descriptions_is_inert(organiser_client, event, rooms,
                                                         placed_talks, sessions):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    ProgrammeSession.objects.filter(pk=sessions["tokamak"].pk).update(
        title=f"Panel {payload}", description=payload)
    from fusionforum.cfp.models import Submission

    Submission.objects.filter(pk=placed_talks["tokamak_1"].submission_id).update(
        title=f"Talk {payload}")
    for page in (url(event, "editor"), url(event, "session", sessions["tokamak"].pk),
                 url(event, "releases")):
        html = organiser_client.get(page).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, page


# Releases ------------------------------------------------------------------------------------


def test_release_preview_release_and_change_list(organiser_client, event, placed_talks,
                                                 sessions, django_capture_on_commit_callbacks):
    page = organiser_client.get(url(event, "releases")).content.decode()
    assert "Version 1: what would change" in page
    assert "Added:</strong> “Compact torus results”, Wednesday 26 May 2027, 09:30-09:50" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url(event, "releases"), {"comment": "First draft."})
    assert response.status_code == 302
    assert response["Location"] == url(event, "release", 1)
    detail = organiser_client.get(response["Location"]).content.decode()
    assert "Programme version 1" in detail and "First draft." in detail
    # Nothing changed: refused with a clear message.
    response = organiser_client.post(url(event, "releases"), {"comment": ""})
    assert response.status_code == 409
    assert "Nothing changed since version 1" in response.content.decode()
    assert Release.objects.count() == 1
    # A move shows up in the preview and in version 2.
    organiser_client.post(url(event, "talk_place", placed_talks["tokamak_2"].submission.code),
                          place_data(placed_talks["tokamak_2"].submission,
                                     sessions["tokamak"], "10:30", ""))
    page = organiser_client.get(url(event, "releases")).content.decode()
    assert ("Moved:</strong> “HTS magnet campaign” from Wednesday 26 May 2027, 09:50-10:10, "
            "Main auditorium to Wednesday 26 May 2027, 10:30-10:50, Main auditorium") in page
    response = organiser_client.post(url(event, "releases"), {"comment": "Moved"})
    assert response["Location"] == url(event, "release", 2)
    listing = organiser_client.get(url(event, "releases")).content.decode()
    assert "Version 2" in listing and "Version 1" in listing and "1 moved" in listing


def test_release_refused_with_conflicts_in_the_working_copy(organiser_client, event,
                                                            placed_talks, sessions, place,
                                                            make_submission):
    place(make_submission(state="accepted", title="Sneaky overlap"), sessions["tokamak"],
          "09:35", 10)
    page = organiser_client.get(url(event, "releases")).content.decode()
    assert "Conflicts in the working copy" in page and "Sneaky overlap" in page
    response = organiser_client.post(url(event, "releases"), {"comment": ""})
    assert response.status_code == 409
    assert "resolve them before releasing" in response.content.decode()
    assert not Release.objects.exists()


def test_release_comment_is_validated(organiser_client, event, placed_talks):
    for comment in ("x" * 2001, "nul \x00"):
        response = organiser_client.post(url(event, "releases"), {"comment": comment})
        assert response.status_code == 400
    assert not Release.objects.exists()


def test_unknown_release_is_404(organiser_client, event, release_v1):
    assert organiser_client.get(url(event, "release", 2)).status_code == 404
    assert organiser_client.get(url(event, "release", 1)).status_code == 200
