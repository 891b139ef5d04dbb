"""Helpers shared by the exporters: reading a snapshot, stable identifiers, addresses."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from fusionforum.accounts.models import Organisation
from fusionforum.cfp.models import Scale
from fusionforum.core.languages import language_codes
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


def unique_numbers(entries: list[dict]) -> None:
    """Make the entries' legacy ``id`` unique (frab's schema requires it). Our own guids are
    random, so their top 48 bits never meet; guids kept from an imported file may differ only
    at the end (hand-numbered ones do): those get a number from the whole guid instead, in
    guid order, so the same file gives the same numbers."""
    taken: dict[int, str] = {}
    for entry in sorted(entries, key=lambda e: e["guid"]):
        number, salt = entry["id"], 0
        while number in taken and taken[number] != entry["guid"]:
            digest = hashlib.blake2b(f"{entry['guid']}/{salt}".encode(), digest_size=6).digest()
            number, salt = int.from_bytes(digest, "big") or 1, salt + 1
        taken[number] = entry["guid"]
        entry["id"] = number


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


def export_language(request, event) -> str:
    """The language of an export: ``?lang=`` when it names one of the site's languages, else
    the event's default language (never the visitor's browser: a calendar or frab client
    must get the same document for the same address)."""
    wanted = (request.GET.get("lang") or "").strip().lower()
    if wanted in language_codes():
        return wanted
    if event.default_language in language_codes():
        return event.default_language
    return settings.LANGUAGE_CODE


def _choice_label(choices, value: str, stored: str) -> str:
    try:
        return str(choices(value).label) if value else stored
    except ValueError:
        return stored


def _pick(entry: dict, name: str, language: str) -> str:
    """``entry[name]`` in ``language`` when the organisers wrote one, else the default
    language's text (the snapshot's own)."""
    return (entry.get("translations", {}).get(name, {}).get(language)
            or entry.get(name) or "")


# Labels an older snapshot stored for a day without a label of its own.
def _automatic_label(date: dt.date, label: str) -> bool:
    return not label or label == f"{date:%A %d %B}"


def localise(snapshot: dict, language: str | None = None) -> dict:
    """A copy of ``snapshot`` for readers of ``language`` (default: the active one): the
    organisers' texts in that language where they wrote one (else the event's default
    language), the labels of choices and of days without a label in that language, and no
    ``translations`` (one language per document). Call it inside the language's
    ``translation.override``, or pass ``language``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        event = {key: value for key, value in snapshot.get("event", {}).items()
                 if key not in ("translations", "default_language")}
        if "title" in event:
            event["title"] = _pick(snapshot["event"], "title", language)
        days = []
        for day in snapshot.get("days", []):
            date = dt.date.fromisoformat(day["date"])
            label = _pick(day, "label", language)
            if _automatic_label(date, day.get("label", "")) and not \
                    day.get("translations", {}).get("label", {}).get(language):
                label = date_format(date, "l j F")
            days.append({"date": day["date"], "label": label})
        sessions = []
        for session in snapshot.get("sessions", []):
            copy = {key: value for key, value in session.items() if key != "translations"}
            copy["title"] = _pick(session, "title", language)
            copy["description"] = _pick(session, "description", language)
            sessions.append(copy)
        by_id = {session["id"]: session for session in sessions}
        talks = []
        for talk in snapshot.get("talks", []):
            copy = dict(talk)
            own = by_id.get(talk.get("session"), {})
            if talk.get("imported") and own.get("talk") == talk["code"]:
                # An imported talk is its session: the organisers' texts in this language.
                copy["title"], copy["abstract"] = own["title"], own["description"]
            organisation = dict(talk.get("organisation", {}))
            if organisation:
                organisation["kind_label"] = _choice_label(
                    Organisation.Kind, organisation.get("kind", ""),
                    organisation.get("kind_label", ""))
                organisation["approach_label"] = _choice_label(
                    Organisation.Approach, organisation.get("approach", ""),
                    organisation.get("approach_label", ""))
                copy["organisation"] = organisation
            answers = {}
            for key, answer in talk.get("answers", {}).items():
                answer = dict(answer)
                if answer.get("scale"):
                    answer["scale_label"] = _choice_label(Scale, answer["scale"],
                                                          answer.get("scale_label", ""))
                translated = answer.pop("category_translations", {}).get(language)
                if translated:
                    answer["categories"] = list(translated)
                answers[key] = answer
            copy["answers"] = answers
            talks.append(copy)
    localised = dict(snapshot)
    localised.update(event=event, days=days, sessions=sessions, talks=talks)
    return localised


def public_answers_text(talk: dict) -> str:
    """The talk's public answers as plain text under each question's short title."""
    parts = []
    for question in WORKSHOP_QUESTIONS:
        answer = talk.get("answers", {}).get(question.key)
        if not answer or not answer.get("text"):
            continue
        lines = [f"{question.number}. {question.text}", answer["text"].strip()]
        if answer.get("scale_label"):
            lines.append(gettext("Scale: %(scale)s") % {"scale": answer["scale_label"]})
        for figure in answer.get("key_figures", []):
            lines.append(f"- {figure['label']}: {figure['value']} {figure['unit']}".rstrip())
        if answer.get("categories"):
            lines.append(gettext("Categories: %(names)s")
                         % {"names": ", ".join(answer["categories"])})
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

    def speakers_line(self, codes) -> str:
        names = self.speaker_names(codes)
        if not names:
            return ""
        return ngettext("Speaker: %(names)s", "Speakers: %(names)s", len(names)) % {
            "names": ", ".join(names)}

    def room_name(self, room_id) -> str:
        room = self.rooms.get(room_id)
        return room["name"] if room else ""

    def speaker_names(self, codes) -> list[str]:
        return [self.speakers[c]["name"] for c in codes if c in self.speakers]

    def standalone_sessions(self) -> list[dict]:
        """Sessions with no talks that are part of the programme proper (a keynote, a panel
        with no placed talks): exporters list them as entries of their own. Breaks are not,
        nor a session slot holding sessions (its contributions are listed, grouped under
        it: see ``parent``)."""
        return [s for s in self.snapshot["sessions"] if not s["talks"] and s["kind"] != "break"
                and s["room"] is not None and not s.get("children")]

    def parent(self, session: dict | None) -> dict | None:
        """The session slot ``session`` is part of, if any."""
        return self.sessions.get(session.get("parent")) if session else None

    def breaks(self) -> list[dict]:
        """The breaks (coffee, lunch), in one room or (room None) in every room."""
        return [s for s in self.snapshot["sessions"] if s["kind"] == "break"]
