"""Camera check-in at the front desk, in Chromium with a fake camera, at phone size.

The camera films a real badge: the product makes the badge code of a confirmed registration
and its QR modules (``badges.badge_qr_rows``, what the printed badge draws); the test paints
them on white 640x480 frames and writes a Y4M video (YUV4MPEG2, I420 planes) that Chromium
plays as its camera (``--use-file-for-fake-video-capture``). Chromium opens the file each time
a page starts the camera, so one browser films several badges in turn.

Two decoders: Chromium on Linux has no ``BarcodeDetector``, so the page falls back to the
vendored jsQR, served by the app; that path runs here as a person's browser runs it (the test
also removes ``BarcodeDetector`` in case a build has one). The native path is exercised with a
spec-shaped ``BarcodeDetector`` that the test installs before the page loads (it decodes the
video element it is given with its own private copy of jsQR), to check the page's use of that
API: formats, ``detect(video)``, ``rawValue``, and that the vendored file is then not loaded.
"""

from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fusionforum.core.models import AuditEntry
from fusionforum.registration import badges
from fusionforum.registration.models import Registration

from ..browser.conftest import CHROMIUM, CHROMIUM_ARGS, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}
JSQR = (Path(__file__).resolve().parents[2] / "fusionforum" / "static" / "fusionforum"
        / "vendor" / "jsQR.js")

# Installed before the page's scripts: a BarcodeDetector with the standard interface whose
# detect() really decodes the frame it is given (with a private jsQR, not window.jsQR).
SPEC_SHAPED_BARCODE_DETECTOR = """
(function () {
  var module = { exports: {} };
  var exports = module.exports;
  /* JSQR */
  var decode = module.exports;
  var canvas = document.createElement("canvas");
  class BarcodeDetector {
    constructor(options) {
      this.formats = (options && options.formats) || ["qr_code"];
    }
    static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
    detect(source) {
      var calls = Number(sessionStorage.getItem("detectCalls")) + 1;
      sessionStorage.setItem("detectCalls", String(calls));
      if (!(source instanceof HTMLVideoElement)) {
        return Promise.reject(new TypeError("expected the video element"));
      }
      canvas.width = source.videoWidth;
      canvas.height = source.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(source, 0, 0);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = decode(image.data, canvas.width, canvas.height);
      if (!found) { return Promise.resolve([]); }
      var corners = [found.location.topLeftCorner, found.location.topRightCorner,
                     found.location.bottomRightCorner, found.location.bottomLeftCorner];
      return Promise.resolve([{ format: "qr_code", rawValue: found.data,
                                cornerPoints: corners, boundingBox: new DOMRectReadOnly() }]);
    }
  }
  window.BarcodeDetector = BarcodeDetector;
})();
"""

NO_BARCODE_DETECTOR = "delete window.BarcodeDetector;"


def write_badge_video(path: Path, token: str | None, *, width=640, height=480, frames=4):
    """A Y4M video of the badge's QR code, black on white, centred, as a camera would see it
    (``None``: white paper, no code)."""
    luma = np.full((height, width), 235, dtype=np.uint8)  # white paper under room light
    if token is not None:
        modules = np.array(badges.badge_qr_rows(token), dtype=bool)
        scale = (min(width, height) * 8 // 10) // modules.shape[0]
        code = np.kron(modules, np.ones((scale, scale), dtype=bool))
        top, left = (height - code.shape[0]) // 2, (width - code.shape[1]) // 2
        luma[top:top + code.shape[0], left:left + code.shape[1]] = np.where(code, 20, 235)
    chroma = np.full((height // 2, width // 2), 128, dtype=np.uint8).tobytes()
    frame = b"FRAME\n" + luma.tobytes() + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)


@pytest.fixture
def camera_video(tmp_path):
    """Where the fake camera's video lives; write a badge into it with ``film(token)``."""
    path = tmp_path / "camera.y4m"
    write_badge_video(path, None)
    return path


@pytest.fixture
def camera_browser(transactional_db, playwright_run, camera_video):
    """Chromium whose camera plays ``camera_video``. Each context grants or refuses the camera
    as the organiser would answer the browser's prompt (context permission, or the browser's
    own permission setting through CDP); ``--use-fake-ui-for-media-stream`` is left out because
    it would accept even where the site's permission is set to refused. A Chromium of its own
    (the camera is a launch option), driven by the run's Playwright."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_video}"]
    browser = playwright_run.start().chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=args)
    try:
        yield browser
    finally:
        from django.db import connections

        connections.close_all()
        browser.close()


@pytest.fixture
def door(organiser):
    """The organiser at the door, with backup codes as their second factor."""
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    for n in range(1, 4):
        device.token_set.create(token=f"door{n:04d}")
    return organiser


@pytest.fixture
def people(open_registration, make_person, make_organisation, register):
    open_registration(capacity=10, delegates_per_organisation=5)
    company = make_organisation("Helios Confinement (fictional)")
    return [register(make_person(company, full_name=name))
            for name in ("Ada Plasma", "Bram Tokamak")]


def phone_page(browser, live_server, *, init_script=None, grant_camera=True):
    context = browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    if grant_camera:
        context.grant_permissions(["camera"], origin=live_server.url)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(15000)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    page.vendored_requests = []
    page.on("request", lambda request: page.vendored_requests.append(request.url)
            if request.url.endswith("jsQR.js") else None)
    return page


def log_in_at_desk(page, live_server, door, event, code):
    desk = reverse("registration:checkin", kwargs={"slug": event.slug})
    page.goto(f"{live_server.url}/accounts/login/?next={desk}")
    page.get_by_label("E-mail address").fill(door.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_label("Code").fill(code)
    page.get_by_label("Code").press("Enter")
    expect(page.get_by_role("heading", name="Check-in", exact=True)).to_be_visible()


def scan_with_camera(page):
    """Press the camera button as a person does (keyboard), and wait for the page the read
    badge leads to."""
    button = page.get_by_role("button", name="Scan with the camera")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_camera_reads_a_badge_with_the_vendored_decoder(camera_browser, camera_video,
                                                        live_server, event, door, people):
    ada, _ = people
    page = phone_page(camera_browser, live_server, init_script=NO_BARCODE_DETECTOR)
    log_in_at_desk(page, live_server, door, event, "door0001")

    # Before: the camera section is there (JavaScript on), idle, and the page fits a phone.
    camera = page.locator("[data-camera]")
    expect(camera).to_be_visible()
    expect(page.locator("video")).to_be_hidden()
    assert page.vendored_requests == []  # loaded only when the camera starts
    assert fits_the_phone(page)

    write_badge_video(camera_video, badges.badge_token(ada))
    assert page.evaluate("typeof window.BarcodeDetector") == "undefined"
    scan_with_camera(page)
    assert len(page.vendored_requests) == 1

    outcome = page.locator(".outcome")
    expect(outcome).to_have_attribute("data-outcome", "checked_in")
    expect(outcome).to_contain_text("Ada Plasma")
    expect(outcome).to_contain_text("Helios Confinement (fictional)")
    expect(page.locator("#counter")).to_contain_text("1 of 2")
    ada.refresh_from_db()
    assert ada.checked_in_by == door and ada.checked_in_at is not None
    assert AuditEntry.objects.filter(action="registration.checked_in",
                                     object_id=str(ada.pk)).count() == 1
    # After the reload the camera is off again until the next press.
    expect(page.locator("video")).to_be_hidden()
    assert page.get_by_label("Badge code").input_value() == ""
    assert fits_the_phone(page)
    screenshot(page, "checkin-camera-phone-welcome")
    assert axe_violations(page) == []

    # The same badge again: the same refusal as typed input, saying who and when.
    scan_with_camera(page)
    expect(outcome).to_have_attribute("data-outcome", "already_checked_in")
    expect(outcome).to_contain_text("Already checked in on 20 May 2027 at 12:00 by Olga Organiser")
    expect(outcome).to_contain_text("Ada Plasma")
    ada.refresh_from_db()
    assert AuditEntry.objects.filter(action="registration.check_in_refused",
                                     object_id=str(ada.pk)).count() == 1

    # A QR code that is not a badge of this site is refused like a mistyped one.
    write_badge_video(camera_video, "https://example.invalid/not-a-badge")
    scan_with_camera(page)
    expect(outcome).to_have_attribute("data-outcome", "forged")
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1
    assert page.console_problems == []


def test_camera_reads_a_badge_through_barcode_detector(camera_browser, camera_video,
                                                      live_server, event, door, people):
    ada, bram = people
    init = SPEC_SHAPED_BARCODE_DETECTOR.replace("/* JSQR */", JSQR.read_text())
    page = phone_page(camera_browser, live_server, init_script=init)
    log_in_at_desk(page, live_server, door, event, "door0001")

    # A badge replaced by a newer one is refused: the camera submits what it read, unchanged.
    old_token = badges.badge_token(bram)
    Registration.objects.filter(pk=bram.pk).update(badge_nonce="a-new-nonce")
    write_badge_video(camera_video, old_token)
    scan_with_camera(page)
    outcome = page.locator(".outcome")
    expect(outcome).to_have_attribute("data-outcome", "revoked")
    expect(outcome).to_contain_text("no longer valid")

    bram.refresh_from_db()
    write_badge_video(camera_video, badges.badge_token(bram))
    scan_with_camera(page)
    expect(outcome).to_have_attribute("data-outcome", "checked_in")
    expect(outcome).to_contain_text("Bram Tokamak")
    assert int(page.evaluate("sessionStorage.getItem('detectCalls')")) >= 1
    assert page.vendored_requests == []  # the native detector needed no download
    bram.refresh_from_db()
    assert bram.checked_in_by == door
    ada.refresh_from_db()
    assert ada.checked_in_at is None
    assert page.console_problems == []


def test_camera_refused_or_stopped_leaves_typing(camera_browser, camera_video, live_server,
                                                 event, door, people):
    ada, _ = people
    page = phone_page(camera_browser, live_server, grant_camera=False,
                      init_script=NO_BARCODE_DETECTOR)
    log_in_at_desk(page, live_server, door, event, "door0001")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Browser.setPermission", {"permission": {"name": "camera"}, "setting": "denied",
                                       "origin": live_server.url})
    page.get_by_role("button", name="Scan with the camera").click()
    status = page.locator("[data-camera-status]")
    expect(status).to_contain_text("The camera is not allowed for this site")
    expect(status).to_have_attribute("role", "status")
    expect(page.locator("video")).to_be_hidden()
    expect(page.get_by_role("button", name="Scan with the camera")).to_be_enabled()
    assert fits_the_phone(page)
    screenshot(page, "checkin-camera-phone-denied")
    assert axe_violations(page) == []

    # Allowed now, but the decoder cannot be fetched (a stale or broken deployment): said so,
    # and the camera is let go at once.
    page.context.grant_permissions(["camera"], origin=live_server.url)
    page.route("**/jsQR.js", lambda route: route.fulfill(status=404, body="missing"))
    page.get_by_role("button", name="Scan with the camera").click()
    expect(status).to_contain_text("The QR code reader could not be loaded")
    expect(page.locator("video")).to_be_hidden()
    assert page.evaluate("document.querySelector('video').srcObject") is None
    page.unroute("**/jsQR.js")

    # Then it works: the camera starts, films no badge, and the organiser stops it with the
    # keyboard; the camera is released.
    page.get_by_role("button", name="Scan with the camera").click()
    stop = page.get_by_role("button", name="Stop the camera")
    expect(stop).to_be_focused()
    expect(status).to_contain_text("Camera on")
    expect(page.locator("video")).to_be_visible()
    expect(page.locator("[data-camera]")).to_have_attribute("data-decoder-used", "vendored")
    assert page.evaluate("document.querySelector('video').videoWidth") == 640
    assert fits_the_phone(page)
    screenshot(page, "checkin-camera-phone-scanning")
    assert axe_violations(page) == []
    page.evaluate("window.cameraStream = document.querySelector('video').srcObject")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Camera stopped.")
    expect(page.locator("video")).to_be_hidden()
    assert page.evaluate("cameraStream.getTracks().every(t => t.readyState === 'ended')")
    expect(page.get_by_role("button", name="Scan with the camera")).to_be_focused()

    # Leaving the page for another app (the page is hidden) releases the camera too.
    page.get_by_role("button", name="Scan with the camera").click()
    expect(status).to_contain_text("Camera on")
    page.evaluate("""() => {
        window.cameraStream = document.querySelector('video').srcObject;
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    expect(status).to_contain_text("Camera stopped while the page was hidden")
    assert page.evaluate("cameraStream.getTracks().every(t => t.readyState === 'ended')")
    page.evaluate("delete document.hidden")

    # Typing still works, through the same form.
    field = page.get_by_label("Badge code")
    field.fill(badges.badge_token(ada))
    with page.expect_navigation():
        field.press("Enter")
    expect(page.locator(".outcome")).to_have_attribute("data-outcome", "checked_in")
    assert page.console_problems == []


def test_no_camera_or_no_javascript_keeps_the_typed_check_in(browser, live_server, event, door,
                                                            people):
    """A device without a camera (this Chromium has no fake one) is told so; a browser
    without JavaScript never sees the camera button; both check in by typing."""
    ada, bram = people
    page = phone_page(browser, live_server)
    log_in_at_desk(page, live_server, door, event, "door0001")
    page.get_by_role("button", name="Scan with the camera").click()
    status = page.locator("[data-camera-status]")
    expect(status).to_contain_text("No camera was found on this device")
    expect(page.locator("video")).to_be_hidden()
    field = page.get_by_label("Badge code")
    field.fill(badges.badge_token(bram))
    with page.expect_navigation():
        field.press("Enter")
    expect(page.locator(".outcome")).to_have_attribute("data-outcome", "checked_in")
    page.context.close()

    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    log_in_at_desk(page, live_server, door, event, "door0002")
    expect(page.locator("[data-camera]")).to_be_hidden()
    field = page.get_by_label("Badge code")
    field.fill(badges.badge_token(ada))
    field.press("Enter")
    expect(page.locator(".outcome")).to_have_attribute("data-outcome", "checked_in")
    assert fits_the_phone(page)
