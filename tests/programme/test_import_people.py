"""People and entries of an imported programme after the import: speaker profiles without an
account, the invitation that lets a person claim theirs, entries to place in the editor,
re-imports that update, a long abstract that never loses the speakers, the file's zone."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from fusionforum.cfp.models import ProfileInvitation, SpeakerProfile
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme import people, releases, snapshot
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import apply_preview
from fusionforum.programme.models import ItemToPlace, ProgrammeSession, SessionPerson

from ..conftest import login_verified

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"

pytestmark = pytest.mark.django_db


def schedule_json(events: list[dict], *, zone="Europe/Paris", date="2027-05-26") -> bytes:
    return json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "test", "title": "Test", "time_zone_name": zone, "days": [
            {"index": 1, "date": date, "rooms": {"Hall": events}}]}}}).encode()


def talk(guid, title, start, *, persons=(), abstract="", duration="00:30"):
    return {"guid": guid, "id": 1, "title": title, "date": f"2027-05-26T{start}:00+02:00",
            "start": start, "duration": duration, "room": "Hall", "type": "Talk",
            "abstract": abstract, "persons": list(persons)}


GUID_A = "11111111-1111-4111-8111-111111111111"
GUID_B = "22222222-2222-4222-8222-222222222222"


def do_import(event, organiser, data: bytes) -> dict:
    preview = previews.prepare(event, previews.read_upload(data))
    assert preview["errors"] == []
    apply_preview(event, preview, by=organiser)
    return preview


def test_reimport_updates_by_source_id_even_after_a_change_in_the_file(event, organiser):
    alice = {"code": "ALICE1", "public_name": "Alice Example", "biography": "First bio."}
    do_import(event, organiser, schedule_json([
        talk(GUID_A, "Opening", "09:00", persons=[alice]),
        talk(GUID_B, "Second", "10:00")]))
    first = ProgrammeSession.objects.get(source_id=GUID_A)
    code_before = SpeakerProfile.objects.get(event=event, source_id="ALICE1").code
    # The other system moved the talk, renamed it and the person changed their bio.
    alice["biography"] = "Second bio."
    preview = do_import(event, organiser, schedule_json([
        talk(GUID_A, "Opening (new title)", "09:30", persons=[alice]),
        talk(GUID_B, "Second", "10:00")]))
    assert preview["counts"]["updated"] == 2
    again = ProgrammeSession.objects.get(source_id=GUID_A)
    assert again.pk == first.pk
    assert again.title == "Opening (new title)"
    assert again.start.astimezone(event.tz).time() == dt.time(9, 30)
    assert str(again.source_guid) == GUID_A
    profile = SpeakerProfile.objects.get(event=event, source_id="ALICE1")
    assert profile.code == code_before and profile.bio == "Second bio."
    assert ProgrammeSession.objects.filter(event=event).count() == 2
    assert SpeakerProfile.objects.filter(event=event).count() == 1
    # A later file without the second talk: kept, and said once.
    preview = previews.prepare(event, previews.read_upload(schedule_json([
        talk(GUID_A, "Opening (new title)", "09:30", persons=[alice])])))
    assert [w["message"] for w in preview["warnings"] if w["kind"] == "not_in_file"] == [
        "1 session imported before is not in this file; it is kept. Remove it in the "
        "programme editor if it was cancelled."]


def test_the_organiser_confirms_extending_the_event_in_the_preview(client, make_event,
                                                                  organiser):
    from fusionforum.events.models import TeamMembership

    short = make_event(slug="short-one", start_date=dt.date(2027, 5, 26),
                       end_date=dt.date(2027, 5, 26), with_days=False)
    TeamMembership.objects.create(event=short, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    login_verified(client, organiser)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (FIXTURES / "voc-pretalx-democon.schedule.json").read_bytes()
    response = client.post(f"/manage/{short.slug}/programme/import/",
                           {"schedule": SimpleUploadedFile("democon.json", data)})
    preview_url = response["Location"]
    html = client.get(preview_url).content.decode()
    assert 'name="extend_dates"' in html and "26 May 2027 to 28 May 2027" in html
    refused = client.post(preview_url)
    assert refused.status_code == 409 and "confirm the extension" in refused.content.decode()
    assert not ProgrammeSession.objects.filter(event=short).exists()
    assert client.post(preview_url, {"extend_dates": "on"}).status_code == 302
    short.refresh_from_db()
    assert (short.start_date, short.end_date) == (dt.date(2027, 5, 26), dt.date(2027, 5, 28))
    assert ProgrammeSession.objects.filter(event=short).count() == 36


def test_a_person_without_id_is_matched_by_name(event, organiser):
    do_import(event, organiser, schedule_json([
        talk(GUID_A, "One", "09:00", persons=[{"name": "Bob Example"}])]))
    do_import(event, organiser, schedule_json([
        talk(GUID_A, "One", "09:00", persons=[{"name": "Bob Example"}]),
        talk(GUID_B, "Two", "11:00", persons=[{"name": "bob example"}])]))
    assert SpeakerProfile.objects.filter(event=event).count() == 1


def test_a_long_abstract_is_shortened_but_the_speakers_stay(event, organiser, clock):
    long = "Plasma " * 600  # 4,200 characters
    persons = [{"name": f"Speaker {n}"} for n in range(1, 25)]
    preview = do_import(event, organiser, schedule_json([
        talk(GUID_A, "Long", "09:00", persons=persons, abstract=long)]))
    assert any("shortened" in w["message"] and "speakers are kept" in w["message"]
               for w in preview["warnings"])
    session = ProgrammeSession.objects.get(source_id=GUID_A)
    assert len(session.description) <= 3000
    assert session.person_links.count() == 24
    release = releases.release(event, by=organiser)
    entry = next(s for s in release.snapshot["sessions"] if s["id"] == session.pk)
    assert len(entry["speakers"]) == 24
    # A re-import with one speaker fewer: the next release's change list says so.
    do_import(event, organiser, schedule_json([
        talk(GUID_A, "Long", "09:00", persons=persons[:-1], abstract=long)]))
    clock.advance(minutes=5)
    second = releases.release(event, by=organiser)
    assert second.changes["sessions_changed"] == [
        {"id": session.pk, "title": "Long", "fields": ["speakers"]}]


def test_a_different_file_zone_gives_one_warning_with_the_kept_times(event, organiser):
    preview = previews.prepare(event, previews.read_upload(schedule_json([
        talk(GUID_A, "Opening", "09:00"), talk(GUID_B, "Second", "10:00")],
        zone="America/New_York")))
    zone = [w for w in preview["warnings"] if "wall-clock" in w["message"]]
    assert len(zone) == 1
    assert zone[0]["message"] == (
        "The file's times are in America/New_York, the event's in Europe/Paris. The "
        "wall-clock times of the file were kept: “Opening” at 09:00 in the file is at 09:00 "
        "Europe/Paris.")
    assert preview["sessions"][0]["start"] == "2027-05-26T09:00:00+02:00"


def test_the_same_zone_gives_no_warning(event):
    preview = previews.prepare(event, previews.read_upload(schedule_json([
        talk(GUID_A, "Opening", "09:00")])))
    assert not [w for w in preview["warnings"] if "wall-clock" in w["message"]]


def test_chairs_are_kept_apart_from_speakers(event, organiser, clock):
    data = json.dumps({"schedule": {"version": "x", "conference": {"title": "Hub"}, "events": [{
        "guid": GUID_A, "code": "ABCDEF", "title": "Panel on plasma", "type": "Panel",
        "start": "2027-05-26T14:00:00+02:00", "end": "2027-05-26T15:00:00+02:00",
        "room": {"name": "Hall"},
        "participants": [{"guid": GUID_B, "name": "Moderating Person", "role": "MODERATOR"},
                         {"name": "Speaking Person", "role": "SPEAKER"}]}]}}).encode()
    do_import(event, organiser, data)
    session = ProgrammeSession.objects.get(source_id=GUID_A)
    assert session.source_code == "ABCDEF"
    assert [(link.profile.name, link.role) for link in session.person_links.all()] == [
        ("Moderating Person", "chair"), ("Speaking Person", "speaker")]
    built = snapshot.build(event)
    entry = next(s for s in built["sessions"] if s["id"] == session.pk)
    assert entry["chair_names"] == ["Moderating Person"]
    assert len(entry["speakers"]) == 1 and entry["code"] == "ABCDEF"
    # The editor's session page names them.
    from django.test import Client

    client = Client()
    login_verified(client, organiser)
    html = client.get(f"/manage/{event.slug}/programme/sessions/{session.pk}/").content.decode()
    assert "Moderating Person</a> (Chair)" in html and "Speaking Person</a> (Speaker)" in html


def test_entries_without_time_are_to_place_and_an_organiser_places_them(
        client, event, organiser, clock):
    data = b"""<schedule><conference><title>T</title></conference>
      <day index="1" date="2027-05-26"><room name="Hall">
        <event id="1" guid="33333333-3333-4333-8333-333333333333"><title>No time yet</title>
          <duration>00:45</duration><persons><person id="9">Carol Example</person></persons>
        </event>
        <event id="2" guid="44444444-4444-4444-8444-444444444444"><title>Timed</title>
          <date>2027-05-26T09:00:00+02:00</date><start>09:00</start><duration>00:30</duration>
        </event></room></day></schedule>"""
    preview = do_import(event, organiser, data)
    assert preview["counts"]["to_place"] == 1
    item = ItemToPlace.objects.get(event=event)
    assert (item.title, item.duration_minutes, item.room_name) == ("No time yet", 45, "Hall")
    assert [p.name for p in item.persons.all()] == ["Carol Example"]
    # Importing again does not add it twice.
    do_import(event, organiser, data)
    assert ItemToPlace.objects.filter(event=event).count() == 1

    login_verified(client, organiser)
    page = client.get(f"/manage/{event.slug}/programme/?day=2027-05-26")
    html = page.content.decode()
    assert "Imported entries to place (1)" in html and "No time yet" in html
    hall = ProgrammeSession.objects.get(title="Timed").room
    response = client.post(
        f"/manage/{event.slug}/programme/items/{item.pk}/place/?day=2027-05-26",
        {f"item-{item.pk}-day": "2027-05-26", f"item-{item.pk}-start": "11:00",
         f"item-{item.pk}-room": hall.pk})
    assert response.status_code == 302
    placed = ProgrammeSession.objects.get(title="No time yet")
    assert placed.start.astimezone(event.tz).time() == dt.time(11, 0)
    assert placed.end - placed.start == dt.timedelta(minutes=45)
    assert str(placed.source_guid) == "33333333-3333-4333-8333-333333333333"
    assert [link.profile.name for link in placed.person_links.all()] == ["Carol Example"]
    assert not ItemToPlace.objects.filter(event=event).exists()
    # Placing it onto the other session is refused with the reason.
    other = ItemToPlace.objects.create(event=event, title="Clash", duration_minutes=30)
    response = client.post(
        f"/manage/{event.slug}/programme/items/{other.pk}/place/",
        {f"item-{other.pk}-day": "2027-05-26", f"item-{other.pk}-start": "09:00",
         f"item-{other.pk}-room": hall.pk})
    assert response.status_code == 409
    assert ItemToPlace.objects.filter(pk=other.pk).exists()


def test_an_invitation_lets_the_person_claim_their_profile(client, event, organiser,
                                                           make_user, clock):
    do_import(event, organiser, (FIXTURES / "voc-pretalx-democon.schedule.json").read_bytes())
    profile = SpeakerProfile.objects.get(event=event, name="Brian Robinson")
    sessions_before = set(SessionPerson.objects.filter(profile=profile)
                          .values_list("session_id", flat=True))
    login_verified(client, organiser)
    page = client.get(f"/manage/{event.slug}/programme/people/")
    assert page.status_code == 200 and "Brian Robinson" in page.content.decode()
    bad = client.post(f"/manage/{event.slug}/programme/people/{profile.code}/invite/",
                      {f"p-{profile.code}-email": "not an address"})
    assert bad.status_code == 400
    response = client.post(f"/manage/{event.slug}/programme/people/{profile.code}/invite/",
                           {f"p-{profile.code}-email": "brian@example.org"})
    assert response.status_code == 302
    email = OutboundEmail.objects.get(purpose="profile_invitation")
    assert email.to == ["brian@example.org"]
    link = re.search(r"https?://\S+/speakers/claim/(\S+)/", email.body)
    assert link, email.body
    token = link.group(1)
    invitation = ProfileInvitation.objects.get(profile=profile)
    assert token not in invitation.token_hash  # only a hash is kept
    client.logout()

    # The person signs in and takes the profile over.
    brian = make_user("brian@example.org", full_name="Brian Robinson")
    client.force_login(brian)
    claim_url = f"/{event.slug}/speakers/claim/{token}/"
    page = client.get(claim_url)
    assert page.status_code == 200 and "Brian Robinson" in page.content.decode()
    assert client.post(claim_url).status_code == 200
    profile.refresh_from_db()
    assert profile.user == brian
    assert set(SessionPerson.objects.filter(profile=profile)
               .values_list("session_id", flat=True)) == sessions_before
    # Single use.
    assert client.get(claim_url).status_code == 410
    assert client.post(claim_url).status_code == 410
    # The speaker's released page keeps its address, now with the account's name.
    releases.release(event, by=organiser)
    assert client.get(f"/{event.slug}/speakers/{profile.code}/").status_code == 200


def test_an_invitation_expires_and_a_new_one_replaces_it(event, organiser, make_user, clock):
    do_import(event, organiser, schedule_json([
        talk(GUID_A, "One", "09:00", persons=[{"name": "Dana Example"}])]))
    profile = SpeakerProfile.objects.get(event=event)
    people.invite(profile, email="dana@example.org", by=organiser)
    first_token = re.search(r"/claim/(\S+)/", OutboundEmail.objects.latest("id").body).group(1)
    people.invite(profile, email="dana@example.org", by=organiser)
    second_token = re.search(r"/claim/(\S+)/", OutboundEmail.objects.latest("id").body).group(1)
    assert people.invitation(event, first_token) is None
    assert people.invitation(event, second_token) is not None
    clock.advance(days=people.INVITATION_DAYS + 1)
    assert people.invitation(event, second_token) is None
    with pytest.raises(people.InvitationRefused, match="expired"):
        people.claim(event, second_token, user=make_user("dana@example.org"))


def test_an_organiser_corrects_an_imported_person_until_they_claim_it(client, event, organiser,
                                                                     make_user):
    do_import(event, organiser, schedule_json([
        talk(GUID_A, "One", "09:00", persons=[{"name": "ERIN EXAMPL", "code": "ERIN01"}])]))
    profile = SpeakerProfile.objects.get(event=event)
    assert profile.name == "Erin Exampl"
    login_verified(client, organiser)
    url = f"/manage/{event.slug}/programme/people/{profile.code}/"
    assert client.post(url, {f"e-{profile.code}-name": ""}).status_code == 400
    response = client.post(url, {f"e-{profile.code}-name": "Erin Example",
                                 f"e-{profile.code}-honorific": "Dr.",
                                 f"e-{profile.code}-affiliation": "Plasma Lab"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.name, profile.honorific, profile.affiliation) == (
        "Erin Example", "Dr.", "Plasma Lab")
    profile.user = make_user("erin@example.org", full_name="Erin Example")
    profile.save()
    refused = client.post(url, {f"e-{profile.code}-name": "Someone Else"})
    assert refused.status_code == 400 and "own account" in refused.content.decode()
