"""How a stream address is shown on the livestream page: the provider's player for the
providers we know (YouTube, Vimeo), the vendored HLS player for an ``.m3u8`` address, a plain
link for anything else; and the Content Security Policy the page needs for exactly that.

Pure functions of the address. The address itself only ever reaches them through
``StreamLink.public_url_at``, so the time gate stays where it is: before go-live there is no
address, hence no embed and no host added to the policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be",
                 "www.youtube-nocookie.com", "youtube-nocookie.com"}
YOUTUBE_EMBED = "https://www.youtube-nocookie.com"
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
VIMEO_PLAYER = "https://player.vimeo.com"
VIMEO_SITE = "https://vimeo.com"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_DIGITS = re.compile(r"^[0-9]{1,15}$")


@dataclass(frozen=True)
class Embed:
    """``kind``: "hls" (a <video> the vendored hls.js plays), "frame" (the provider's player in
    an <iframe>); ``src`` the address the element loads; ``origin`` the one host the page's
    policy lets in for it."""

    kind: str
    src: str
    origin: str

    def csp_update(self) -> dict[str, list[str]]:
        if self.kind == "frame":
            return {"frame-src": [self.origin]}
        # hls.js fetches the playlist and segments (connect-src) and hands them to the <video>
        # through a MediaSource (a blob: address); Safari plays the address natively (media-src).
        return {"connect-src": [self.origin], "media-src": ["'self'", "blob:", self.origin]}


def _origin(parts) -> str:
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _youtube(parts) -> str | None:
    host = parts.hostname
    segments = [s for s in parts.path.split("/") if s]
    video = None
    if host == "youtu.be" and len(segments) == 1:
        video = segments[0]
    elif segments[:1] == ["watch"]:
        video = (parse_qs(parts.query).get("v") or [None])[0]
    elif len(segments) == 2 and segments[0] in ("live", "embed", "shorts"):
        video = segments[1]
    if video and _YOUTUBE_ID.match(video):
        return f"{YOUTUBE_EMBED}/embed/{video}"
    return None


def _vimeo(parts) -> tuple[str, str] | None:
    segments = [s for s in parts.path.split("/") if s]
    if parts.hostname == "player.vimeo.com" and len(segments) == 2 and segments[0] == "video" \
            and _DIGITS.match(segments[1]):
        return f"{VIMEO_PLAYER}/video/{segments[1]}", VIMEO_PLAYER
    if len(segments) == 1 and _DIGITS.match(segments[0]):
        return f"{VIMEO_PLAYER}/video/{segments[0]}", VIMEO_PLAYER
    if len(segments) in (2, 3) and segments[0] == "event" and _DIGITS.match(segments[1]) \
            and segments[2:] in ([], ["embed"]):
        return f"{VIMEO_SITE}/event/{segments[1]}/embed", VIMEO_SITE
    return None


def embed_for(url: str) -> Embed | None:
    """The player for ``url``, or None: then the page shows a link, as before."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if host in YOUTUBE_HOSTS:
        src = _youtube(parts)
        return Embed("frame", src, YOUTUBE_EMBED) if src else None
    if host in VIMEO_HOSTS:
        found = _vimeo(parts)
        return Embed("frame", found[0], found[1]) if found else None
    if parts.path.lower().endswith(".m3u8"):
        return Embed("hls", url, _origin(parts))
    return None


def csp_update(embeds) -> dict[str, list[str]]:
    """The additions to the page's policy for these embeds (None skipped), merged."""
    merged: dict[str, list[str]] = {}
    for embed in embeds:
        if embed is None:
            continue
        for directive, sources in embed.csp_update().items():
            known = merged.setdefault(directive, [])
            known.extend(s for s in sources if s not in known)
    return merged
