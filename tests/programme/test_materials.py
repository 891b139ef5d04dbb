"""Recordings and slides organisers attach to a released talk: the form, the checks, the
permission, the audit, and what the public sees (nothing before the talk has ended)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.programme import materials, public
from fusionforum.programme.models import TalkMaterial
from tests.conftest import login_verified, paris
from tests.demo_snapshot import load_full_demo

RECORDING = "https://video.test.invalid/recordings/compact-torus"


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


@pytest.fixture
def talk(release_v1, placed_talks):
    return placed_talks["tokamak_1"].submission  # 26 May 2027, 09:30-09:50 Paris


def _pdf(pdf_bytes, name="slides.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _post(client, event, code, **data):
    return client.post(reverse("programme_manage:material", args=[event.slug, code]), data)


def test_organiser_attaches_recording_and_slides(organiser_client, event, talk, pdf_bytes,
                                                 organiser):
    listing = organiser_client.get(reverse("programme_manage:materials", args=[event.slug]))
    assert listing.status_code == 200
    assert talk.title in listing.content.decode()
    page = organiser_client.get(reverse("programme_manage:material",
                                        args=[event.slug, talk.code]))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    response = _post(organiser_client, event, talk.code, recording_url=RECORDING,
                     slides=_pdf(pdf_bytes))
    assert response.status_code == 302
    material = TalkMaterial.objects.get(submission=talk)
    assert material.recording_url == RECORDING
    assert material.slides.name.endswith(".pdf") and "slides.pdf" not in material.slides.name
    entry = AuditEntry.objects.get(action="programme.material_saved")
    assert entry.actor == organiser and "recording set" in entry.summary
    # Remove the slides, keep the recording; remove the recording too: the row goes.
    _post(organiser_client, event, talk.code, recording_url=RECORDING, remove_slides="on")
    material.refresh_from_db()
    assert not material.slides and material.recording_url == RECORDING
    _post(organiser_client, event, talk.code, recording_url="")
    assert not TalkMaterial.objects.filter(submission=talk).exists()


@pytest.mark.parametrize("content, message", [
    (b"<html>not a pdf</html>", "This file is not a PDF"),
    (b"%PDF-1.4 broken", "This PDF is damaged"),
])
def test_bad_slides_are_refused_and_nothing_is_written(organiser_client, event, talk, content,
                                                       message):
    response = _post(organiser_client, event, talk.code, recording_url=RECORDING,
                     slides=SimpleUploadedFile("x.pdf", content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TalkMaterial.objects.exists()
    assert not AuditEntry.objects.filter(action="programme.material_saved").exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.test.invalid/x.mp4",
                                 "https://a.test.invalid/\nx", "x" * 600])
def test_bad_recording_address_is_refused(organiser_client, event, talk, url):
    response = _post(organiser_client, event, talk.code, recording_url=url)
    assert response.status_code == 400
    assert not TalkMaterial.objects.exists()


def test_oversized_slides_are_refused(organiser_client, event, talk, call):
    call.max_slides_mb = 1
    call.save()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = _post(organiser_client, event, talk.code, slides=SimpleUploadedFile("b.pdf", big))
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()


def test_unknown_or_unreleased_talk_is_404(organiser_client, event, release_v1,
                                           make_submission):
    other = make_submission(state="accepted", title="Not placed")
    for code in ("NOPE42", other.code):
        assert organiser_client.get(reverse("programme_manage:material",
                                            args=[event.slug, code])).status_code == 404
        assert _post(organiser_client, event, code, recording_url=RECORDING).status_code == 404


def test_only_organisers_may_attach(client, event, talk, make_user, author,
                                    other_event_organiser):
    url = reverse("programme_manage:material", args=[event.slug, talk.code])
    for person in (make_user("someone@test.invalid"), author, other_event_organiser):
        login_verified(client, person)
        assert client.post(url, {"recording_url": RECORDING}).status_code == 404
    assert not TalkMaterial.objects.exists()
    with pytest.raises(materials.PermissionDenied):
        materials.save_material(event, talk.code, by=author, recording_url=RECORDING)


def test_public_sees_them_after_the_talk_only(client, organiser, event, talk, pdf_bytes, clock,
                                              placed_talks):
    materials.save_material(event, talk.code, by=organiser, recording_url=RECORDING,
                            slides=_pdf(pdf_bytes))
    talk_url = reverse("programme:talk", args=[event.slug, talk.code])
    slides_url = reverse("programme:talk_material_slides", args=[event.slug, talk.code])
    programme_url = reverse("programme:programme", args=[event.slug])
    other = placed_talks["tokamak_2"].submission

    clock.set(paris(2027, 5, 26, 9, 49))
    for _ in range(2):  # rendered, then served from the cache
        html = client.get(talk_url).content.decode()
        assert RECORDING not in html and "Recording and slides" not in html
        assert "Recording or slides available" not in client.get(programme_url).content.decode()
    assert client.get(slides_url).status_code == 404

    clock.set(paris(2027, 5, 26, 9, 50))  # the talk has ended: the cached copies expired
    response = client.get(talk_url)
    assert response["X-Page-Cache"] == "miss"
    html = response.content.decode()
    assert f'href="{RECORDING}"' in html and "Download the slides as presented (PDF)" in html
    download = client.get(slides_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert "attachment" in download["Content-Disposition"]
    programme = client.get(programme_url).content.decode()
    assert programme.count("Recording or slides available") == 2  # title= and hidden text
    marked = programme.split(f'id="talk-{talk.code}"')[1].split("</li>")[0]
    assert "material-mark" in marked
    assert "material-mark" not in programme.split(f'id="talk-{other.code}"')[1].split("</li>")[0]


def test_a_change_reaches_cached_pages_at_once(client, organiser, event, talk, clock):
    clock.set(paris(2027, 5, 27, 12, 0))
    talk_url = reverse("programme:talk", args=[event.slug, talk.code])
    assert RECORDING not in client.get(talk_url).content.decode()
    assert client.get(talk_url)["X-Page-Cache"] == "hit"
    materials.save_material(event, talk.code, by=organiser, recording_url=RECORDING)
    assert RECORDING in client.get(talk_url).content.decode()


def test_demo_has_a_talk_with_recording_and_slides(db, clock):
    load_full_demo(clock.now().date())  # what `load_demo` leaves
    material = TalkMaterial.objects.select_related("submission").first()
    assert material is not None and material.recording_url and material.slides
