"""Slides and photo uploads: only real PDFs and real raster images get in; nothing of a refused
file is stored; stored photos are fresh JPEGs without metadata."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fusionforum.cfp import services, uploads
from fusionforum.cfp.models import SpeakerProfile, Submission


def stored_files():
    from django.conf import settings

    found = []
    for root, _, files in os.walk(settings.PRIVATE_MEDIA_ROOT):
        found += [os.path.join(root, name) for name in files]
    return set(found)


def encrypted_pdf(pdf_bytes):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BAD_PDFS = {
    "html renamed": lambda pdf: b"<html><script>alert(1)</script></html>",
    "exe renamed": lambda pdf: b"MZ\x90\x00" + b"\x00" * 200,
    "signature only": lambda pdf: b"%PDF-1.7\n<html><script>alert(1)</script></html>",
    "truncated": lambda pdf: pdf()[:60],
    "encrypted": encrypted_pdf,
    "empty": lambda pdf: b"",
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_PDFS)
def test_bad_slides_are_400_and_nothing_stored(client, make_submission, author, pdf_bytes,
                                               case):
    submission = make_submission(author=author)
    before = stored_files()
    client.force_login(author)
    upload = SimpleUploadedFile("slides.pdf", BAD_PDFS[case](pdf_bytes),
                                content_type="application/pdf")
    response = client.post(f"/workshop-2027/call/{submission.code}/slides/", {"slides": upload})
    assert response.status_code == 400
    assert b"The file was not accepted" in response.content
    assert stored_files() == before
    assert not Submission.objects.get().slides


@pytest.mark.django_db
def test_oversized_slides_refused(client, make_submission, author, pdf_bytes, call):
    submission = make_submission(author=author)
    client.force_login(author)
    big = pdf_bytes() + b"%" + b"0" * (call.max_slides_mb * 1024 * 1024)
    response = client.post(f"/workshop-2027/call/{submission.code}/slides/",
                           {"slides": SimpleUploadedFile("big.pdf", big)})
    assert response.status_code == 400
    assert b"larger than 2 MB" in response.content
    assert not Submission.objects.get().slides


@pytest.mark.django_db
def test_pdf_with_html_inside_is_served_inert(client, make_submission, author, pdf_bytes):
    """A valid PDF carrying HTML text is stored, but only ever downloaded, never rendered."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.add_metadata({"/Subject": "<html><script>alert(1)</script></html>"})
    buffer = io.BytesIO()
    writer.write(buffer)
    submission = make_submission(author=author)
    client.force_login(author)
    response = client.post(f"/workshop-2027/call/{submission.code}/slides/",
                           {"slides": SimpleUploadedFile("x.html", buffer.getvalue(),
                                                         content_type="text/html")})
    assert response.status_code == 302
    stored = Submission.objects.get().slides.name
    assert stored.endswith(".pdf") and "x.html" not in stored
    download = client.get(f"/workshop-2027/call/{submission.code}/slides.pdf")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_replacing_slides_deletes_the_old_file(make_submission, author, pdf_bytes,
                                               django_capture_on_commit_callbacks):
    submission = make_submission(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_slides(submission, author, SimpleUploadedFile("a.pdf", pdf_bytes()))
    first = submission.slides.name
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_slides(submission, author, SimpleUploadedFile("b.pdf", pdf_bytes("B")))
    assert submission.slides.name != first
    assert not submission.slides.storage.exists(first)
    assert services.open_slides(submission).read(5) == b"%PDF-"


@pytest.mark.django_db
def test_slides_after_deadline_refused_but_allowed_for_accepted_talk(
        client, make_submission, author, pdf_bytes, clock):
    from ..conftest import paris

    draft = make_submission(author=author)
    accepted = make_submission(author=author, state="accepted")
    clock.set(paris(2027, 5, 25))
    client.force_login(author)
    late = client.post(f"/workshop-2027/call/{draft.code}/slides/",
                       {"slides": SimpleUploadedFile("s.pdf", pdf_bytes())})
    assert late.status_code == 403
    ok = client.post(f"/workshop-2027/call/{accepted.code}/slides/",
                     {"slides": SimpleUploadedFile("s.pdf", pdf_bytes())})
    assert ok.status_code == 302
    assert Submission.objects.get(pk=accepted.pk).slides
    assert not Submission.objects.get(pk=draft.pk).slides


def image_bomb() -> bytes:
    """A PNG that declares 30000 × 30000 pixels in a few dozen bytes (the pixels would
    decompress to gigabytes)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def truncated_jpeg(png_bytes) -> bytes:
    return png_bytes(200, 200, "JPEG")[:300]


BAD_IMAGES = {
    "svg": lambda png: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "html as jpeg": lambda png: b"<html><script>alert(1)</script></html>",
    "gif": lambda png: png(64, 64, "GIF"),
    "corrupt png": lambda png: png()[:40] + b"\x00" * 100,
    "truncated jpeg": truncated_jpeg,
    "bomb": lambda png: image_bomb(),
    "tiny": lambda png: png(4, 4),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_IMAGES)
def test_bad_photos_are_400_and_nothing_stored(client, call, author, png_bytes, case):
    before = stored_files()
    client.force_login(author)
    response = client.post("/workshop-2027/call/profile/", {
        "bio": "Bio", "photo": SimpleUploadedFile("me.jpg", BAD_IMAGES[case](png_bytes),
                                                  content_type="image/jpeg")})
    assert response.status_code == 400
    assert b"Your profile was not saved" in response.content
    assert stored_files() == before
    assert not SpeakerProfile.objects.exists()


def test_image_bomb_refused_before_decoding():
    with pytest.raises(Exception) as info:
        uploads.process_photo(SimpleUploadedFile("b.png", image_bomb()))
    assert "too large" in str(info.value) or "too many pixels" in str(info.value)


@pytest.mark.django_db
def test_photo_reencoded_without_metadata(client, call, author, event):
    image = Image.new("RGB", (3000, 2000), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    client.force_login(author)
    response = client.post("/workshop-2027/call/profile/", {
        "bio": "**Coil** engineer", "photo": SimpleUploadedFile("me.jpg", buffer.getvalue())})
    assert response.status_code == 302
    profile = SpeakerProfile.objects.get()
    data = services.open_photo(profile).read()
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and max(stored.size) == uploads.OUTPUT_PHOTO_SIDE
    assert b"Secret Camera Maker" not in data
    assert not stored.getexif()
    own = client.get("/workshop-2027/call/profile/photo.jpg")
    assert own["Content-Type"] == "image/jpeg" and own["X-Content-Type-Options"] == "nosniff"
    page = client.get("/workshop-2027/call/profile/").content.decode()
    assert "<strong>Coil</strong>" in page


@pytest.mark.django_db
def test_transparent_png_and_webp_accepted(call, author, event):
    for fmt, mode in (("PNG", "RGBA"), ("WEBP", "RGB")):
        buffer = io.BytesIO()
        Image.new(mode, (100, 80)).save(buffer, format=fmt)
        profile = services.save_profile(event, author, bio="",
                                        photo=SimpleUploadedFile("p", buffer.getvalue()))
        assert Image.open(services.open_photo(profile)).format == "JPEG"
