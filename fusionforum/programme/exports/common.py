"""Helpers shared by the exporters: reading a snapshot, stable identifiers, addresses."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
import zoneinfo
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from fusionforum.events.questions import WORKSHOP_QUESTIONS

GENERATOR = "Fusion Forum"
# Characters XML 1.0 cannot carry at all (C0 controls but tab, CR, LF; surrogates; U+FFFE/F).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    return _XML_INVALID.sub("", text or "")


def site_host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "fusionforum.invalid"


def zone(snapshot: dict) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(snapshot["event"]["time_zone"])


def moment(value: str, tz) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(tz)


def acronym(slug: str) -> str:
    """The event slug as a frab acronym: lower-case letters, digits and underscores, at least
    four characters (both the XSD and the JSON schema accept that form). Deterministic:
    ``fusion-forum-2026`` becomes ``fusion_forum_2026``."""
    ascii_slug = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode().lower()
    value = re.sub(r"[^a-z0-9]+", "_", ascii_slug).strip("_") or "event"
    return value.ljust(4, "_")


def talk_slug(event_acronym: str, talk: dict) -> str:
    """``<acronym>-<code>-<title>``: matches the XSD's voc-slug-new and the JSON slug pattern."""
    title = slugify(unicodedata.normalize("NFKD", talk["title"]))[:50].strip("-_")
    rest = talk["code"].lower() + (f"-{title}" if title else "")
    return f"{event_acronym}-{rest}"


def track_slug(title: str, fallback: str) -> str:
    """Lower-case letters, digits and hyphens, starting with a letter, at least two long (the
    XSD's track slug; also matches the JSON schema's slug pattern)."""
    value = slugify(unicodedata.normalize("NFKD", title)).replace("_", "-")
    value = re.sub(r"-+", "-", value)[:50].strip("-")
    if len(value) < 2 or not value[0].isalpha():
        value = f"{fallback}-{value}".strip("-") if value else fallback
    return value


def stable_uuid(site_url: str, kind: str, key) -> str:
    """A UUID that names the same thing in every release (rooms, sessions, people)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url}/{kind}/{key}"))


def uuid_number(value: str) -> int:
    """A positive integer for the legacy frab ``id``: the top 48 bits of a UUID, so it is as
    stable as the UUID and practically unique."""
    return (uuid.UUID(value).int >> 80) or 1


def person_number(code: str) -> int:
    return int(code, 36)


def _reverse(name: str, fallback: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def talk_url(site_url: str, slug: str, code: str) -> str:
    path = _reverse("programme:talk", f"/{slug}/talks/{code}/", slug=slug, code=code)
    return site_url + path


def speaker_url(site_url: str, slug: str, code: str) -> str:
    path = _reverse("programme:speaker", f"/{slug}/speakers/{code}/", slug=slug, code=code)
    return site_url + path


def programme_url(site_url: str, slug: str) -> str:
    return site_url + _reverse("programme:programme", f"/{slug}/programme/", slug=slug)


def public_answers_text(talk: dict) -> str:
    """The talk's public answers as plain text under each question's short title."""
    parts = []
    for question in WORKSHOP_QUESTIONS:
        answer = talk.get("answers", {}).get(question.key)
        if not answer or not answer.get("text"):
            continue
        lines = [f"{question.number}. {question.text}", answer["text"].strip()]
        if answer.get("scale_label"):
            lines.append(f"Scale: {answer['scale_label']}")
        for figure in answer.get("key_figures", []):
            lines.append(f"- {figure['label']}: {figure['value']} {figure['unit']}".rstrip())
        if answer.get("categories"):
            lines.append("Categories: " + ", ".join(answer["categories"]))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


class Index:
    """Look-ups over one snapshot."""

    def __init__(self, snapshot: dict):
        self.snapshot = snapshot
        self.tz = zone(snapshot)
        self.rooms = {r["id"]: r for r in snapshot["rooms"]}
        self.sessions = {s["id"]: s for s in snapshot["sessions"]}
        self.talks = {t["code"]: t for t in snapshot["talks"]}
        self.speakers = {p["code"]: p for p in snapshot["speakers"]}

    def room_name(self, room_id) -> str:
        room = self.rooms.get(room_id)
        return room["name"] if room else ""

    def speaker_names(self, codes) -> list[str]:
        return [self.speakers[c]["name"] for c in codes if c in self.speakers]

    def standalone_sessions(self) -> list[dict]:
        """Sessions with no talks that are part of the programme proper (a keynote, a panel
        with no placed talks): exporters list them as entries of their own. Breaks are not."""
        return [s for s in self.snapshot["sessions"] if not s["talks"] and s["kind"] != "break"
                and s["room"] is not None]
