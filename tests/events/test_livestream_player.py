"""The player on the livestream page: the provider's embed or the vendored HLS player, and the
Content Security Policy opened for exactly the stream's host, only on that page and only while
the address may be known (the time gate of ``StreamLink.public_url_at``, unchanged)."""

import pytest
from django.urls import reverse

from fusionforum.events import streaming
from tests.conftest import paris

HLS = "https://cdn.stream.test.invalid/live/secret-4711/index.m3u8"
REPLAY_HLS = "https://vod.stream.test.invalid/replay-4711/index.m3u8"


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("url, kind, src, origin", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3", "frame",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "https://www.youtube-nocookie.com"),
    ("https://youtu.be/dQw4w9WgXcQ", "frame",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "https://www.youtube-nocookie.com"),
    ("https://www.youtube.com/live/dQw4w9WgXcQ?si=x", "frame",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "https://www.youtube-nocookie.com"),
    ("https://vimeo.com/76979871", "frame", "https://player.vimeo.com/video/76979871",
     "https://player.vimeo.com"),
    ("https://vimeo.com/event/4711", "frame", "https://vimeo.com/event/4711/embed",
     "https://vimeo.com"),
    (HLS, "hls", HLS, "https://cdn.stream.test.invalid"),
    ("https://cdn.test.invalid:8443/a/b.M3U8", "hls", "https://cdn.test.invalid:8443/a/b.M3U8",
     "https://cdn.test.invalid:8443"),
])
def test_known_addresses_get_a_player(url, kind, src, origin):
    embed = streaming.embed_for(url)
    assert (embed.kind, embed.src, embed.origin) == (kind, src, origin)


@pytest.mark.parametrize("url", [
    "", "https://video.test.invalid/secret-live-4711", "https://www.youtube.com/watch?v=<script>",
    "https://www.youtube.com/channel/UC123", "https://vimeo.com/user/abc",
    "javascript:alert(1)//x.m3u8", "ftp://cdn.test.invalid/a.m3u8", "https://x:notaport/a.m3u8",
])
def test_other_addresses_stay_a_link(url):
    assert streaming.embed_for(url) is None


def test_before_go_live_no_player_and_no_host_in_the_policy(client, event, make_stream, clock):
    make_stream(event, url=HLS, replay_url=REPLAY_HLS)
    clock.set(paris(2027, 5, 26, 8, 59))
    url = reverse("events:livestream", args=[event.slug])
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(url)
        html = response.content.decode()
        assert "secret-4711" not in html and "stream.test.invalid" not in html
        assert "data-hls-src" not in html and "<iframe" not in html
        assert "hls.light.min.js" not in html
        assert "stream.test.invalid" not in response["Content-Security-Policy"]
        assert "data-countdown-to" in html
    assert response["X-Page-Cache"] == "hit"


def test_live_hls_stream_plays_with_exactly_its_host_allowed(client, event, make_stream, clock):
    make_stream(event, url=HLS, replay_url=REPLAY_HLS)
    clock.set(paris(2027, 5, 26, 9, 0))
    url = reverse("events:livestream", args=[event.slug])
    for cache in ("miss", "hit"):
        response = client.get(url)
        assert response["X-Page-Cache"] == cache
        html = response.content.decode()
        assert f'data-hls-src="{HLS}"' in html
        assert "vendor/hls.light.min.js" in html and "fusionforum/player.js" in html
        policy = _policy(response)
        assert policy["connect-src"] == ["'self'", "https://cdn.stream.test.invalid"]
        assert policy["media-src"] == ["'self'", "blob:", "https://cdn.stream.test.invalid"]
        assert "frame-src" not in policy
        assert policy["script-src"] == ["'self'"]
        assert "vod.stream.test.invalid" not in response["Content-Security-Policy"]
    # Only that page: the event's home page, with its "live now" link, keeps the site policy.
    home = client.get(event.get_absolute_url())
    assert "stream.test.invalid" not in home["Content-Security-Policy"]
    assert "media-src" not in _policy(home)


def test_live_youtube_stream_is_framed_from_its_player_host_only(client, event, make_stream,
                                                                 clock):
    make_stream(event, url="https://www.youtube.com/watch?v=dQw4w9WgXcQ", replay_url="")
    clock.set(paris(2027, 5, 26, 10, 0))
    response = client.get(reverse("events:livestream", args=[event.slug]))
    html = response.content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'title="Video player: Plenary"' in html
    assert "hls.light.min.js" not in html
    policy = _policy(response)
    assert policy["frame-src"] == ["https://www.youtube-nocookie.com"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_after_the_window_the_replay_plays_from_its_own_host(client, event, make_stream, clock):
    make_stream(event, url=HLS, replay_url="https://vimeo.com/76979871")
    clock.set(paris(2027, 5, 26, 18, 0))
    response = client.get(reverse("events:livestream", args=[event.slug]))
    html = response.content.decode()
    assert "secret-4711" not in html and "cdn.stream.test.invalid" not in html
    assert 'src="https://player.vimeo.com/video/76979871"' in html
    assert "Watch the replay" in html
    assert _policy(response)["frame-src"] == ["https://player.vimeo.com"]
    assert "cdn.stream.test.invalid" not in response["Content-Security-Policy"]


def test_after_the_window_without_a_replay_nothing_is_allowed(client, event, make_stream, clock):
    make_stream(event, url=HLS, replay_url="")
    clock.set(paris(2027, 5, 26, 18, 0))
    response = client.get(reverse("events:livestream", args=[event.slug]))
    assert "No replay is available." in response.content.decode()
    assert "stream.test.invalid" not in response["Content-Security-Policy"]
    assert "<video" not in response.content.decode()


def test_two_live_streams_allow_both_hosts_and_nothing_else(client, event, make_stream, clock):
    make_stream(event, url=HLS)
    make_stream(event, label="Room B", url="https://youtu.be/dQw4w9WgXcQ")
    make_stream(event, label="Later", url="https://later.test.invalid/x.m3u8",
                visible_from=paris(2027, 5, 26, 15, 0))
    clock.set(paris(2027, 5, 26, 10, 0))
    response = client.get(reverse("events:livestream", args=[event.slug]))
    policy = _policy(response)
    assert policy["frame-src"] == ["https://www.youtube-nocookie.com"]
    assert policy["connect-src"] == ["'self'", "https://cdn.stream.test.invalid"]
    assert "later.test.invalid" not in response["Content-Security-Policy"]
