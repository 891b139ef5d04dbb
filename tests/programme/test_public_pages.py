"""Public programme pages: what they show, that they show only the latest release and only its
public answers, caching, livestream gating, bad input and who sees what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from fusionforum.cfp.models import KeyFigure, SpeakerProfile, Submission
from fusionforum.programme import public, releases
from fusionforum.programme.models import Release, TalkSlot

from ..conftest import login_verified, paris
from .conftest import CONFIDENTIAL_PHRASE

pytestmark = pytest.mark.django_db

AGGREGATE_PHRASE = "Omega-aggregate-only-divertor-4412"
PUBLIC_PHRASE = "Publicly quotable plasma milestone"
STREAM_URL = "https://video.test.invalid/secret-session-stream-9931"


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


@pytest.fixture
def rich_talk(make_submission, make_participant, make_cfp_organisation, sessions, place,
              placed_talks):
    """A fourth talk on day 2 with every kind of answer: a public first answer with scale,
    figures; an aggregate-only second answer; a public third answer with categories."""
    organisation = make_cfp_organisation("Fictional Laser Inertia", approach="laser_inertial")
    speaker = make_participant(organisation,
                               email="ida.inertia@test.invalid", full_name="Ida Inertia")
    submission = make_submission(
        author=speaker, state="confirmed", title="Laser shots at scale",
        abstract="We fire synthetic lasers.\nSecond line of the abstract.",
        breakthroughs=f"{PUBLIC_PHRASE} on a fictional laser.",
        breakthrough_scale="integrated_device",
        key_figures=[("Shot energy", "2.5", "MJ")],
        challenges=f"Hidden: {AGGREGATE_PHRASE}.", challenges_visibility="aggregate",
        challenge_categories=["materials-and-first-wall"],
        iter_help="Share tritium handling lessons.",
        help_categories=["tritium-and-fuel-cycle"],
    )
    profile, _ = SpeakerProfile.objects.get_or_create(event=submission.event, user=speaker)
    profile.bio = "Ida works on **fictional** lasers."
    profile.save()
    return place(submission, sessions["suppliers"], "09:00", 30)


@pytest.fixture
def released(event, organiser, placed_talks, rich_talk, clock):
    return releases.release(event, by=organiser, comment="First programme.")


def _code(slot: TalkSlot) -> str:
    return slot.submission.code


def _speaker_code(slot: TalkSlot) -> str:
    return SpeakerProfile.objects.get(event=slot.submission.event,
                                      user=slot.submission.speakers.first()).code


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def all_public_urls(event, release: Release) -> list[str]:
    snapshot = release.snapshot
    urls = [f"/{event.slug}/programme/", f"/{event.slug}/programme/changes/",
            f"/{event.slug}/speakers/", f"/{event.slug}/agenda/"]
    urls += [f"/{event.slug}/programme/{d['date']}/" for d in snapshot["days"]]
    urls += [f"/{event.slug}/talks/{t['code']}/" for t in snapshot["talks"]]
    urls += [f"/{event.slug}/speakers/{p['code']}/" for p in snapshot["speakers"]]
    codes = ",".join(t["code"] for t in snapshot["talks"])
    urls.append(f"/{event.slug}/agenda/local/?codes={codes}")
    return urls


# What the programme page shows -------------------------------------------------------------


def test_programme_page_shows_the_released_programme(client, event, released, placed_talks,
                                                      rich_talk, sessions):
    response = client.get(f"/{event.slug}/programme/")
    assert response.status_code == 200
    html = _main(response)
    assert "Version 1, released" in html and "20 May 2027, 12:00" in html
    assert "Times in Europe/Paris (CEST, UTC+02:00)" in html
    assert f'href="/{event.slug}/programme/changes/"' in html
    # Days in order, sessions with times, rooms and kinds; breaks as such, for all rooms.
    assert html.index("Day 1: breakthroughs") < html.index("Day 2: challenges")
    assert html.index("Opening") < html.index("Tokamak panel") < html.index("Coffee break")
    coffee = html[html.index(f'id="session-{sessions["coffee"].pk}"'):]
    coffee = coffee[:coffee.index("</article>")]
    assert "All rooms" in coffee and "Break" in coffee and "kind-break" in html
    assert "Panel" in html and "Room B" in html and "Main auditorium" in html
    # Talks with times, speakers (linked), organisation and approach.
    talk = placed_talks["tokamak_2"]
    item = html[html.index(f'id="talk-{_code(talk)}"'):]
    item = item[:item.index("</li>")]
    assert "09:50" in item and "10:10" in item and "HTS magnet campaign" in item
    assert f'/{event.slug}/speakers/{_speaker_code(talk)}/' in item and "Mag Netic" in item
    assert "Fictional Magnet Works" in item and "Tokamak" in item
    # Side by side when sessions run at the same time (two rooms at 09:30).
    assert "band cols-2" in html
    # The event's navigation offers the programme now.
    assert f'<a href="/{event.slug}/programme/" aria-current="page">Programme</a>' \
        in response.content.decode()
    assert f'<a href="/{event.slug}/programme/">Programme</a>' \
        in client.get(f"/{event.slug}/").content.decode()
    # And the standard exports.
    for export in ("programme.ics", "schedule.xml", "schedule.json", "programme.json"):
        assert f'href="/{event.slug}/programme/{export}"' in html


def test_session_chairs_are_listed_and_linked(event, organiser, placed_talks, sessions, clock,
                                              make_participant, client):
    chair = make_participant(full_name="Charlotte Chair")
    sessions["tokamak"].chairs.set([chair])
    releases.release(event, by=organiser)
    html = _main(client.get(f"/{event.slug}/programme/"))
    code = SpeakerProfile.objects.get(event=event, user=chair).code
    assert re.search(rf'Chair: <a href="/{event.slug}/speakers/{code}/">Charlotte Chair</a>',
                     html)
    speaker_page = client.get(f"/{event.slug}/speakers/{code}/")
    assert speaker_page.status_code == 200
    assert "Tokamak panel" in _main(speaker_page)


def test_day_page_and_room_filter(client, event, released, placed_talks, rich_talk, rooms):
    day_1 = client.get(f"/{event.slug}/programme/2027-05-26/")
    assert day_1.status_code == 200
    html = _main(day_1)
    assert "Compact torus results" in html and "Laser shots at scale" not in html
    assert 'aria-current="page">Wed 26 May' in html
    day_2 = _main(client.get(f"/{event.slug}/programme/2027-05-27/"))
    assert "Laser shots at scale" in day_2 and "Compact torus results" not in day_2

    room_b = client.get(f"/{event.slug}/programme/?room={rooms['second'].pk}")
    html = _main(room_b)
    assert room_b.status_code == 200
    assert "Stellarator coil winding" in html and "Compact torus results" not in html
    assert "Coffee break" in html  # breaks concern every room
    assert "Showing Room B only" in html
    assert client.get(f"/{event.slug}/programme/?room=").status_code == 200


@pytest.mark.parametrize("path", [
    "programme/?room=999999", "programme/?room=abc", "programme/2027-13-45/",
    "programme/2027-05-30/", "programme/26-05-2027/", "talks/NOSUCH/", "talks/<script>/",
    "speakers/NOSUCH/", "speakers/NOSUCH/photo.jpg", "talks/NOSUCH/slides.pdf",
])
def test_bad_input_is_a_clear_404(client, event, released, path):
    response = client.get(f"/{event.slug}/{path}")
    assert response.status_code == 404


def test_unknown_event_is_404(client, released):
    assert client.get("/no-such-event/programme/").status_code == 404
    assert client.get("/no-such-event/speakers/").status_code == 404


def test_post_to_a_page_is_refused(client, event, released):
    assert client.post(f"/{event.slug}/programme/").status_code == 405


# Talk and speaker pages ---------------------------------------------------------------------


def test_talk_page(client, event, released, rich_talk):
    response = client.get(f"/{event.slug}/talks/{_code(rich_talk)}/")
    assert response.status_code == 200
    html = _main(response)
    assert "<h1>Laser shots at scale</h1>" in html
    assert "Thursday 27 May 2027, 09:00" in html and "09:30" in html and "Europe/Paris" in html
    assert "Main auditorium" in html and "Suppliers" in html
    assert f'/{event.slug}/speakers/{_speaker_code(rich_talk)}/">Ida Inertia</a>' in html
    assert "Fictional Laser Inertia" in html
    assert "We fire synthetic lasers.<br>Second line of the abstract." in html
    # The public answers with the question wording, scale, figures and categories.
    assert "1. What fusion breakthroughs have you achieved" in html
    assert PUBLIC_PHRASE in html
    assert "Integrated device" in html
    assert "Shot energy" in html and "2.5" in html and "MJ" in html
    assert "3. How can ITER help?" in html and "Share tritium handling lessons." in html
    assert "Tritium and fuel cycle" in html
    # The aggregate-only answer, its question and its categories are not there.
    assert AGGREGATE_PHRASE not in html
    assert "2. What challenges remain" not in html
    assert "Materials and first wall" not in html
    assert "Answers the organisation did not make public are not shown." in html
    # No slides uploaded: no link.
    assert "slides.pdf" not in html


def test_talk_page_with_no_public_answer(client, event, organiser, placed_talks, clock):
    submission = placed_talks["tokamak_2"].submission
    Submission.objects.filter(pk=submission.pk).update(
        breakthroughs_visibility="confidential", challenges_visibility="aggregate",
        iter_help_visibility="confidential")
    releases.release(event, by=organiser)
    html = _main(client.get(f"/{event.slug}/talks/{submission.code}/"))
    assert "chose not to publish its answers" in html
    assert "We reached a synthetic milestone" not in html


def test_speakers_list_and_page(client, event, released, rich_talk):
    html = _main(client.get(f"/{event.slug}/speakers/"))
    names = re.findall(r'class="speaker-name" href="[^"]+">([^<]+)</a>', html)
    assert names == sorted(names, key=str.casefold)
    assert {"Ida Inertia", "Mag Netic", "Stella Coil", "Tess Torus"} <= set(names)
    code = _speaker_code(rich_talk)
    page = _main(client.get(f"/{event.slug}/speakers/{code}/"))
    assert "<h1>Ida Inertia</h1>" in page
    assert "Ida works on <strong>fictional</strong> lasers." in page
    assert "Laser shots at scale" in page
    assert "photo.jpg" not in page  # no photo uploaded


def test_speaker_photo_served_for_released_speakers_only(client, event, organiser, released,
                                                         rich_talk, png_bytes, make_participant,
                                                         clock):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    profile = SpeakerProfile.objects.get(event=event, user=rich_talk.submission.speakers.first())
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 10, 10)).save(buffer, format="JPEG")
    profile.photo.save("x.jpg", ContentFile(buffer.getvalue()))
    # Released before the photo existed: the snapshot says "no photo", nothing is served.
    assert client.get(f"/{event.slug}/speakers/{profile.code}/photo.jpg").status_code == 404
    releases.release(event, by=organiser, comment="Photo")
    response = client.get(f"/{event.slug}/speakers/{profile.code}/photo.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert "photo.jpg" in _main(client.get(f"/{event.slug}/speakers/{profile.code}/"))
    # Someone with a photo who is not in the release: 404.
    other = make_participant(full_name="Not A Speaker")
    other_profile = SpeakerProfile.objects.create(event=event, user=other)
    other_profile.photo.save("y.jpg", ContentFile(buffer.getvalue()))
    assert client.get(f"/{event.slug}/speakers/{other_profile.code}/photo.jpg").status_code \
        == 404


def test_slides_of_a_released_talk_download_as_attachment(client, event, organiser, released,
                                                          rich_talk, placed_talks, pdf_bytes):
    from django.core.files.base import ContentFile

    submission = rich_talk.submission
    submission.slides.save("s.pdf", ContentFile(pdf_bytes("Synthetic slides")))
    code = submission.code
    # Not in the latest release yet.
    assert client.get(f"/{event.slug}/talks/{code}/slides.pdf").status_code == 404
    releases.release(event, by=organiser, comment="Slides")
    html = _main(client.get(f"/{event.slug}/talks/{code}/"))
    assert f'/{event.slug}/talks/{code}/slides.pdf' in html
    response = client.get(f"/{event.slug}/talks/{code}/slides.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # A talk without slides: 404.
    other = _code(placed_talks["tokamak_1"])
    assert client.get(f"/{event.slug}/talks/{other}/slides.pdf").status_code == 404


# Only the latest release, only public answers -----------------------------------------------


def test_before_any_release_the_programme_is_not_published(client, event, placed_talks,
                                                           organiser):
    for path in ("programme/", "speakers/", "programme/changes/", "agenda/"):
        response = client.get(f"/{event.slug}/{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "not published yet" in html
        for slot in placed_talks.values():
            assert slot.submission.title not in html
        assert "Tess Torus" not in html and "Main auditorium" not in html
        # The event's navigation has no programme item yet.
        assert f'href="/{event.slug}/programme/" aria-current' not in html
    nav = client.get(f"/{event.slug}/").content.decode()
    assert f'href="/{event.slug}/programme/"' not in nav
    for slot in placed_talks.values():
        assert client.get(f"/{event.slug}/talks/{slot.submission.code}/").status_code == 404
    # Organisers see the same: the public pages never preview the working copy.
    organiser_client = login_verified(Client(), organiser)
    html = organiser_client.get(f"/{event.slug}/programme/").content.decode()
    assert "not published yet" in html and "Compact torus results" not in html


def test_working_copy_changes_stay_hidden_until_the_next_release(
        client, event, organiser, released, placed_talks, django_capture_on_commit_callbacks):
    url = f"/{event.slug}/programme/"
    talk = placed_talks["tokamak_2"]
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    Submission.objects.filter(pk=talk.submission.pk).update(title="Renamed in the working copy")
    public.clear_cache()  # even a fresh process reads the release, not the working copy
    for page in (url, f"/{event.slug}/talks/{_code(talk)}/"):
        html = client.get(page).content.decode()
        assert "HTS magnet campaign" in html and "Renamed in the working copy" not in html
    # Releasing shows the new title at once (the page cache is invalidated by the release).
    with django_capture_on_commit_callbacks(execute=True):
        releases.release(event, by=organiser, comment="Renamed")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    html = response.content.decode()
    assert "Renamed in the working copy" in html and "HTS magnet campaign" not in html
    assert "Version 2, released" in html


def test_a_release_written_directly_also_invalidates_the_cache(client, event, released,
                                                               django_capture_on_commit_callbacks):
    from fusionforum.programme import snapshot

    url = f"/{event.slug}/programme/"
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    data = snapshot.build(event)
    data["talks"][0]["title"] = "Directly released title"
    with django_capture_on_commit_callbacks(execute=True):
        Release.objects.create(event=event, version=2, released_at=paris(2027, 5, 21),
                               snapshot=data, changes={"previous_version": 1})
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Directly released title" in response.content.decode()


def test_non_public_answers_never_appear_anywhere(client, event, released, rich_talk,
                                                  make_user):
    urls = all_public_urls(event, released)
    signed_in = Client()
    signed_in.force_login(make_user())
    for visitor in (client, signed_in):
        for url in urls:
            response = visitor.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert CONFIDENTIAL_PHRASE not in body, url
            assert AGGREGATE_PHRASE not in body, url
    snapshot_text = str(released.snapshot)
    assert CONFIDENTIAL_PHRASE not in snapshot_text and AGGREGATE_PHRASE not in snapshot_text


def test_anonymous_participant_and_organiser_see_the_same_public_content(
        client, event, released, organiser, author, rich_talk):
    participant = Client()
    participant.force_login(author)
    organiser_client = login_verified(Client(), organiser)

    def content(visitor, url):
        html = _main(visitor.get(url))
        # Star controls differ by design (local or stored); everything else is the same.
        html = re.sub(r'<form method="post"[^>]*class="star-form".*?</form>', "", html,
                      flags=re.S)
        html = re.sub(r'<button type="button" class="star star-local".*?</button>', "", html,
                      flags=re.S)
        html = re.sub(r'<p class="local-note".*?</p>', "", html, flags=re.S)
        html = re.sub(r' data-signed-in data-starred="[^"]*">.*?\n', ">\n", html)
        return html

    for url in (f"/{event.slug}/programme/", f"/{event.slug}/talks/{_code(rich_talk)}/",
                f"/{event.slug}/speakers/"):
        anonymous = content(client, url)
        assert content(participant, url) == anonymous
        assert content(organiser_client, url) == anonymous
    response = participant.get(f"/{event.slug}/programme/")
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Page-Cache" not in response
    assert client.get(f"/{event.slug}/programme/")["Cache-Control"].startswith("public")


def test_unpublished_event_pages_are_404_for_the_public(client, event, released, author,
                                                        organiser, rich_talk):
    event.status = "draft"
    event.save()
    participant = Client()
    participant.force_login(author)
    for visitor in (client, participant):
        for url in (f"/{event.slug}/programme/", f"/{event.slug}/talks/{_code(rich_talk)}/",
                    f"/{event.slug}/speakers/", f"/{event.slug}/agenda/"):
            assert visitor.get(url).status_code == 404, url
    preview = login_verified(Client(), organiser).get(f"/{event.slug}/programme/")
    assert preview.status_code == 200
    assert preview["Cache-Control"] == "private, no-cache"


# The change list ----------------------------------------------------------------------------


def test_change_list_in_words(client, event, organiser, released, placed_talks, sessions,
                              rich_talk, make_submission, place):
    from fusionforum.programme import services

    moved = placed_talks["tokamak_2"]
    services.place_talk(event, moved.submission, sessions["stellarator"], start="10:00",
                        duration_minutes=20, by=organiser)
    removed = placed_talks["stellarator_1"]
    removed.delete()
    Submission.objects.filter(pk=rich_talk.submission.pk).update(title="Laser shots, revised")
    added = make_submission(state="confirmed", title="A late addition")
    place(added, sessions["suppliers"], "09:40", 20)
    releases.release(event, by=organiser, comment="Second version:\nthe magnet talk moved.")
    html = _main(client.get(f"/{event.slug}/programme/changes/"))
    assert html.index("Version 2") < html.index("Version 1")
    assert "Second version:<br>the magnet talk moved." in html
    assert re.search(r"HTS magnet campaign</a>: moved from Wed 26 May 09:50 Main auditorium "
                     r"to Wed 26 May 10:00 Room B", html)
    assert "Stellarator coil winding</strong>: removed from the programme" in html
    assert "A late addition</a>: added" in html
    assert "Laser shots, revised</a>: Title changed" in html
    assert "First published version." in html


# Livestream -----------------------------------------------------------------------------------


def test_livestream_address_only_from_go_live(client, event, organiser, placed_talks, sessions,
                                              make_stream, clock):
    stream = make_stream(event, label="Tokamak panel live", url=STREAM_URL,
                         visible_from=paris(2027, 5, 26, 9, 25),
                         visible_until=paris(2027, 5, 26, 11, 30))
    sessions["tokamak"].stream = stream
    sessions["tokamak"].save()
    releases.release(event, by=organiser)
    talk_url = f"/{event.slug}/talks/{_code(placed_talks['tokamak_1'])}/"
    programme_url = f"/{event.slug}/programme/"
    clock.set(paris(2027, 5, 26, 9, 24) + dt.timedelta(seconds=30))
    for url in (talk_url, programme_url):
        response = client.get(url)
        assert STREAM_URL not in response.content.decode()
        assert response["Cache-Control"] == "no-cache"
        assert client.get(url)["X-Page-Cache"] == "hit"
    talk_html = _main(client.get(talk_url))
    assert "The link appears here when the broadcast starts" in talk_html
    # Go-live: the cached copies expire at that moment.
    clock.set(paris(2027, 5, 26, 9, 25) + dt.timedelta(seconds=1))
    for url in (talk_url, programme_url):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert STREAM_URL in response.content.decode()
    assert "Live now" in _main(client.get(talk_url))
    # A talk in a session without a stream never mentions one.
    other = _main(client.get(f"/{event.slug}/talks/{_code(placed_talks['stellarator_1'])}/"))
    assert "Livestream" not in other and STREAM_URL not in other


# XSS ----------------------------------------------------------------------------------------


XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_release(event, organiser, placed_talks, sessions, clock):
    slot = placed_talks["tokamak_1"]
    Submission.objects.filter(pk=slot.submission.pk).update(
        title=f"Title {XSS}", abstract=f"Abstract {XSS}", breakthroughs=f"Answer {XSS}")
    KeyFigure.objects.create(submission=slot.submission, label=f"Figure {XSS}", value="1",
                             unit="u<svg onload=alert(3)>")
    user = slot.submission.speakers.first()
    user.full_name = f"Name {XSS}"
    user.save()
    profile, _ = SpeakerProfile.objects.get_or_create(event=event, user=user)
    profile.bio = f"Bio {XSS} [link](javascript:alert(2))"
    profile.save()
    sessions["tokamak"].title = f"Session {XSS}"
    sessions["tokamak"].description = f"Description {XSS}"
    sessions["tokamak"].save()
    release = releases.release(event, by=organiser, comment=f"Comment {XSS}")
    return release


def test_hostile_text_renders_inert(client, event, hostile_release):
    for url in all_public_urls(event, hostile_release):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
        assert "<svg onload" not in body, url
        assert "href=\"javascript:" not in body, url
        assert "onerror=alert" not in body or "&lt;img src=x onerror=alert(1)&gt;" in body, url


def test_programme_page_kept_in_memory_and_gzip(client, event, released, rooms):
    import gzip

    url = f"/{event.slug}/programme/"
    plain = client.get(url)
    assert plain["X-Page-Cache"] == "miss" and "Accept-Encoding" in plain["Vary"]
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["X-Page-Cache"] == "hit"
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["Cache-Control"] == plain["Cache-Control"] == "public, max-age=60"
    assert "Content-Security-Policy" in packed
    # A room filter is kept too; arbitrary query strings are rendered, never stored.
    room_url = f"{url}?room={rooms['second'].pk}"
    assert client.get(room_url)["X-Page-Cache"] == "miss"
    assert client.get(room_url)["X-Page-Cache"] == "hit"
    for _ in range(2):
        assert client.get(f"{url}?utm_source=x").get("X-Page-Cache") in (None, "miss")


def test_the_programme_page_with_a_one_time_message_is_never_kept(client, event, released,
                                                                   make_user):
    from fusionforum.programme.views import public as public_views

    url = f"/{event.slug}/programme/"
    public_views._local_pages.clear()
    client.force_login(make_user())
    client.post("/accounts/logout/")
    response = client.get(url)
    assert "You are logged out." in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"
    assert not public_views._local_pages
    for visitor in (Client(), Client()):
        assert "You are logged out." not in visitor.get(url).content.decode()
    assert Client().get(url)["X-Page-Cache"] == "hit"
