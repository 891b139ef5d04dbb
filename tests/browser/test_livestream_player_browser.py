"""The livestream's player appears in Chromium only once the server says the stream is live,
on a phone and on a desktop; before that the page holds a countdown and no address."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from ..conftest import paris
from .conftest import axe_violations, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HLS = "https://cdn.stream.test.invalid/live/secret-4711/index.m3u8"
PLAYLIST = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-ENDLIST\n")


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
                         ids=["phone", "desktop"])
def test_player_appears_only_at_go_live(browser, live_server, make_event, make_stream, clock,
                                        size):
    event = make_event()
    stream = make_stream(event, url=HLS, visible_from=paris(2027, 5, 26, 9, 0))
    clock.set(stream.visible_from - dt.timedelta(seconds=2))
    page = open_page(browser, viewport=size)
    fetched = []

    def serve_playlist(route):
        fetched.append(route.request.url)
        route.fulfill(status=200, body=PLAYLIST, content_type="application/vnd.apple.mpegurl")

    page.route("https://cdn.stream.test.invalid/**", serve_playlist)
    page.clock.install()
    policies = []
    page.on("response", lambda r: policies.append(r.headers.get("content-security-policy", ""))
            if r.url.endswith("/livestream/") else None)
    page.goto(f"{live_server.url}/{event.slug}/livestream/")
    expect(page.locator("[data-countdown-to]")).to_contain_text("Starts in")
    expect(page.locator(".player")).to_have_count(0)
    assert "secret-4711" not in page.content()
    assert page.evaluate("typeof window.Hls") == "undefined"
    assert "cdn.stream.test.invalid" not in policies[-1]
    # Go-live on the server: the countdown asks, hears "live", reloads; the player is there.
    clock.set(stream.visible_from + dt.timedelta(seconds=1))
    video = page.locator("video[data-hls-src]")
    for _ in range(30):
        page.clock.run_for(1000)
        if video.count():
            break
    expect(video).to_be_visible(timeout=15000)
    expect(video).to_have_attribute("data-player-ready", "true")
    expect(video).to_have_accessible_name(f"Video player: {stream.label}")
    assert page.evaluate("typeof window.Hls") == "function"
    assert "https://cdn.stream.test.invalid" in policies[-1]
    # The player fits the screen.
    box = video.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    # hls.js asked the stream's host for the playlist: the policy let it through.
    for _ in range(20):
        if HLS in fetched:
            break
        page.clock.run_for(500)
        page.wait_for_timeout(100)
    assert HLS in fetched
    screenshot(page, f"livestream-player-{size['width']}")
    assert axe_violations(page) == []
    assert [p for p in page.console_problems if "Content Security Policy" in p] == []
    page.context.close()
