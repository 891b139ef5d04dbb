"""A session holding sessions (an Indico session slot and its contributions): the conflict
rules, the editor's move and delete through the services, the editor page, and the real
Indico exports imported, re-imported (also over an import made before slots were sessions)
and released."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.programme import conflicts, releases, services
from fusionforum.programme.conflicts import ProgrammeConflict
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import apply_preview
from fusionforum.programme.models import ProgrammeSession, SessionPerson, TalkSlot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(make_session, rooms):
    """A session slot 14:00-15:30 in the main room holding two talks and a short break."""
    parent = make_session("talks", "Materials: slot 1", rooms["main"], 1, "14:00", "15:30")
    parts = [make_session("talks", "First contribution", rooms["main"], 1, "14:00", "14:30"),
             make_session("break", "Stretch", rooms["main"], 1, "14:30", "14:40"),
             make_session("talks", "Second contribution", rooms["main"], 1, "14:40", "15:10")]
    for part in parts:
        part.parent = parent
        part.save()
    return parent


def problems(event) -> str:
    return "\n".join(conflicts.working_copy_problems(event))


# Conflict rules ----------------------------------------------------------------------------


def test_contributions_may_overlap_their_slot_and_the_programme_can_be_released(
        event, organiser, slot, clock):
    assert problems(event) == ""
    release = releases.release(event, by=organiser, comment="With a slot.")
    sessions = {s["title"]: s for s in release.snapshot["sessions"]}
    assert sessions["Materials: slot 1"]["children"] == [
        sessions[t]["id"] for t in ("First contribution", "Stretch", "Second contribution")]
    assert sessions["Stretch"]["parent"] == slot.pk


def test_a_contribution_must_stay_inside_its_slot_in_its_room(event, organiser, slot, rooms,
                                                              local):
    first = slot.children.get(title="First contribution")
    message = " ".join(conflicts.check_session(
        event, kind="talks", room=rooms["main"], start=local(1, "13:45"),
        end=local(1, "14:15"), exclude=first, parent=slot))
    assert "It is part of “Materials: slot 1” in Main auditorium" in message
    assert "must start and end inside that time" in message
    message = refused(services.update_session, first, by=organiser, room=rooms["second"])
    assert "it takes place in that room, not in Room B" in message
    first.refresh_from_db()
    assert first.room == rooms["main"]


def test_contributions_of_one_slot_do_not_overlap_each_other(event, organiser, slot, local):
    second = slot.children.get(title="Second contribution")
    message = refused(services.update_session, second, by=organiser, start=local(1, "14:20"),
                      end=local(1, "14:50"))
    assert "Overlaps “First contribution” in Main auditorium" in message
    assert "Overlaps “Stretch” in Main auditorium" in message
    # Not reported against the slot it sits in.
    assert "Materials: slot 1" not in message


def test_another_session_overlapping_the_slot_is_said_once(event, make_session, rooms, slot):
    make_session("talks", "Intruder", rooms["main"], 1, "15:00", "16:00")
    found = conflicts.working_copy_problems(event)
    assert any("Session “Intruder”: Overlaps “Materials: slot 1”" in p for p in found)
    # The contributions inside the slot are not listed again against it.
    assert not any("Second contribution" in p for p in found)


def test_a_contribution_outside_its_slot_is_refused_at_release(event, organiser, slot,
                                                               local):
    ProgrammeSession.objects.filter(title="Second contribution").update(
        start=local(1, "15:20"), end=local(1, "15:50"))
    assert "must start and end inside that time" in problems(event)
    with pytest.raises(releases.ReleaseRefused):
        releases.release(event, by=organiser, comment="")


def test_a_slot_cannot_sit_inside_a_contribution(event, slot):
    from django.core.exceptions import ValidationError

    first = slot.children.get(title="First contribution")
    slot.parent = first
    with pytest.raises(ValidationError):
        slot.full_clean()


# The editor's move and delete --------------------------------------------------------------


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ProgrammeConflict) as error:
        call(*args, **kwargs)
    return str(error.value)


def test_moving_a_slot_moves_its_contributions_and_their_talks(event, organiser, slot, rooms,
                                                               local, make_submission):
    first = slot.children.get(title="First contribution")
    talk = make_submission(state="accepted", title="A call talk in a contribution")
    TalkSlot.objects.create(submission=talk, session=first, start=local(1, "14:05"),
                            duration_minutes=20)
    services.update_session(slot, by=organiser, start=local(2, "16:00"),
                            end=local(2, "17:30"), room=rooms["second"])
    parts = {p.title: p for p in ProgrammeSession.objects.filter(parent=slot)}
    assert (parts["First contribution"].start, parts["First contribution"].end) == (
        local(2, "16:00"), local(2, "16:30"))
    assert parts["Stretch"].start == local(2, "16:30")
    assert parts["Second contribution"].end == local(2, "17:10")
    assert {p.room for p in parts.values()} == {rooms["second"]}
    assert TalkSlot.objects.get(submission=talk).start == local(2, "16:05")
    assert AuditEntry.objects.filter(action="programme.session_parts_moved").count() == 1
    assert problems(event) == ""


def test_a_slot_move_that_does_not_fit_writes_nothing(event, organiser, slot, make_session,
                                                      rooms, local):
    make_session("talks", "Afternoon talks", rooms["second"], 1, "14:00", "16:00")
    before = list(ProgrammeSession.objects.values_list("pk", "start", "end", "room_id"))
    message = refused(services.update_session, slot, by=organiser, room=rooms["second"])
    assert "Overlaps “Afternoon talks”" in message
    # Shorter than its contributions: refused, they are named.
    message = refused(services.update_session, slot, by=organiser, end=local(1, "15:00"))
    assert "“Second contribution”" in message and "would no longer fit" in message
    assert list(ProgrammeSession.objects.values_list("pk", "start", "end", "room_id")) \
        == before


def test_moving_a_slot_through_the_session_form(organiser_client, event, slot, rooms, local):
    data = {"kind": "talks", "title_en": "Materials: slot 1", "description_en": "",
            "room": rooms["main"].pk, "day": "2027-05-26", "start_time": "16:00",
            "end_time": "17:30", "chairs": [], "stream": ""}
    response = organiser_client.post(
        reverse("programme_manage:session", args=[event.slug, slot.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    first = slot.children.get(title="First contribution")
    assert (first.start, first.end) == (local(1, "16:00"), local(1, "16:30"))


def test_deleting_a_slot_deletes_its_contributions(event, organiser, slot, local,
                                                   make_submission):
    first = slot.children.get(title="First contribution")
    talk = make_submission(state="accepted", title="Goes back to the list")
    TalkSlot.objects.create(submission=talk, session=first, start=local(1, "14:05"),
                            duration_minutes=20)
    assert services.delete_session(slot, by=organiser) == 1
    assert not ProgrammeSession.objects.filter(title__in=[
        "Materials: slot 1", "First contribution", "Stretch", "Second contribution"]).exists()
    assert talk in services.unplaced_submissions(event)


def test_the_editor_lists_a_slots_contributions_inside_it(organiser_client, event, slot):
    html = organiser_client.get(reverse("programme_manage:editor", args=[event.slug]),
                                {"day": "2027-05-26"}).content.decode()
    cell = html[html.index(f'id="session-{slot.pk}"'):]
    cell = cell[:cell.index("</td>")]
    for part in slot.children.all():
        link = reverse("programme_manage:session", args=[event.slug, part.pk])
        assert f'href="{link}"' in cell
    assert "14:00–14:30 First contribution" in cell
    assert "14:40–15:10 Second contribution" in cell
    # Nothing is "undrawn": the contributions are not sessions beside their slot.
    assert "Sessions that overlap another" not in html


# Real Indico exports -----------------------------------------------------------------------


def import_file(event, organiser, name):
    parsed = previews.read_upload((FIXTURES / name).read_bytes(), zone=event.time_zone)
    preview = previews.prepare(event, parsed)
    assert preview["errors"] == []
    apply_preview(event, preview, by=organiser, extend_dates=True)
    return preview


def tree(event) -> dict[str, list[str]]:
    return {s.source_id: sorted(c.source_id for c in s.children.all())
            for s in ProgrammeSession.objects.filter(event=event, parent__isnull=True)
            .prefetch_related("children")}


def test_the_xdc2021_event_export_keeps_its_slots_and_releases(event, organiser, clock):
    preview = import_file(event, organiser, "indico-event-sessions-xdc2021.json")
    assert preview["counts"]["containers"] == 6
    slots = ProgrammeSession.objects.filter(event=event, children__isnull=False).distinct()
    assert slots.count() == 6
    for slot in slots:
        chairs = slot.person_links.filter(role=SessionPerson.Role.CHAIR)
        assert chairs.exists(), slot.title
        for part in slot.children.all():
            assert part.room_id == slot.room_id
            assert slot.start <= part.start and part.end <= slot.end
            assert not part.person_links.filter(role=SessionPerson.Role.CHAIR).exists()
    assert problems(event) == ""
    release = releases.release(event, by=organiser, comment="XDC 2021")
    assert sum(1 for s in release.snapshot["sessions"] if s.get("children")) == 6


def test_reimporting_a_timetable_is_idempotent_and_keeps_the_slots(event, organiser):
    import_file(event, organiser, "indico-timetable-pwi2025.json")
    first = tree(event)
    # The slot's coffee break is in the foyer: a break of its own there.
    assert first["slot-301"] == ["5102", "5103", "5104"]
    assert first["break-701"] == []
    preview = import_file(event, organiser, "indico-timetable-pwi2025.json")
    assert preview["counts"]["updated"] == 19 and preview["counts"]["new"] == 0
    assert tree(event) == first
    assert ProgrammeSession.objects.filter(event=event).count() == 19


def test_reimport_over_an_import_made_before_slots_were_sessions(event, organiser):
    """Before, each contribution was a session of its own in the slot's room: importing the
    file again makes the slots and puts those sessions (matched by their ids) inside them."""
    import_file(event, organiser, "indico-timetable-pwi2025.json")
    ProgrammeSession.objects.filter(event=event).update(parent=None)
    ProgrammeSession.objects.filter(event=event, source_id__startswith="slot-").delete()
    kept = set(ProgrammeSession.objects.filter(event=event).values_list("pk", flat=True))
    preview = import_file(event, organiser, "indico-timetable-pwi2025.json")
    assert preview["counts"]["updated"] == 15 and preview["counts"]["new"] == 4
    assert kept <= set(ProgrammeSession.objects.filter(event=event).values_list("pk",
                                                                                 flat=True))
    assert tree(event)["slot-304"] == ["5110", "5111"]
    assert problems(event) == ""


def test_a_contribution_in_another_room_than_its_slot_is_put_in_the_slots(event, organiser):
    parsed = previews.read_upload((FIXTURES / "indico-timetable-pwi2025.json").read_bytes())
    [talk] = [i for i in parsed["items"] if i["source_id"] == "5102"]
    talk["room"] = "Seminar room"
    talk["start"] = "09:00"  # and before its slot (09:15)
    preview = previews.prepare(event, parsed)
    text = " ".join(w["message"] for w in preview["warnings"])
    assert "it was put in “Auditorium A” with its session" in text
    assert "is outside the time of its session" in text
    [entry] = [s for s in preview["sessions"] if s["source_id"] == "5102"]
    assert entry["room"] == "Auditorium A" and entry["parent"]
    apply_preview(event, preview, by=organiser, extend_dates=True)
    assert "must start and end inside that time" in problems(event)


def test_slot_imports_keep_the_time_of_day(event, organiser):
    import_file(event, organiser, "indico-timetable-pwi2025.json")
    late = ProgrammeSession.objects.get(event=event, source_id="slot-303")
    local = late.start.astimezone(event.tz)
    assert (local.time(), late.end - late.start) == (dt.time(22, 30), dt.timedelta(hours=2))
    assert list(late.children.values_list("source_id", flat=True)) == ["5109"]


def test_renaming_a_slot_updates_its_contributions_in_calendars(event, organiser, clock):
    import_file(event, organiser, "indico-timetable-pwi2025.json")
    first = releases.release(event, by=organiser, comment="v1")
    slot = ProgrammeSession.objects.get(event=event, source_id="slot-304")
    services.update_session(slot, by=organiser, title="Liquid metals (moved to the morning)")
    second = releases.release(event, by=organiser, comment="v2")

    def numbers(release):
        sessions = {s["id"]: s for s in release.snapshot["sessions"]}
        return {t["title"]: t["sequence"] for t in release.snapshot["talks"]
                if sessions[t["session"]].get("parent") == slot.pk}

    assert set(numbers(first).values()) == {0}
    assert set(numbers(second).values()) == {1} and len(numbers(second)) == 2
    # Talks elsewhere did not change.
    unchanged = {t["code"]: t["sequence"] for t in second.snapshot["talks"]}
    assert unchanged[next(t["code"] for t in second.snapshot["talks"]
                          if t["title"] == "Closing remarks")] == 0


def test_the_import_preview_shows_the_slots_and_what_they_hold(client, event, organiser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..conftest import login_verified

    login_verified(client, organiser)
    name = "indico-timetable-pwi2025.json"
    response = client.post(f"/manage/{event.slug}/programme/import/", {
        "schedule": SimpleUploadedFile(name, (FIXTURES / name).read_bytes())})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<strong>4</strong> of them session slots holding their contributions" in page
    assert "Session slot" in page
    assert "Chair: Marie-Line Mayoral" in page
    assert "(in “Plasma-facing components: Tungsten under load”)" in page
    assert not ProgrammeSession.objects.filter(event=event).exists()


def test_the_session_pages_link_a_slot_and_its_contributions(organiser_client, event, slot):
    page = organiser_client.get(reverse("programme_manage:session", args=[event.slug, slot.pk]))
    html = page.content.decode()
    assert "Sessions inside this session" in html
    for part in slot.children.all():
        assert reverse("programme_manage:session", args=[event.slug, part.pk]) in html
    assert "The 3 sessions inside it are deleted with it." in html
    first = slot.children.get(title="First contribution")
    html = organiser_client.get(reverse("programme_manage:session",
                                        args=[event.slug, first.pk])).content.decode()
    assert "This session is part of the session slot" in html
    assert reverse("programme_manage:session", args=[event.slug, slot.pk]) in html
