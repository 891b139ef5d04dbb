"""The frozen programme: what a release publishes, built from the working copy.

Every public page, personal agenda and export reads a release's snapshot, never the working
copy, so what the public sees changes only when an organiser releases. The snapshot holds
only what may be public: the answers ``cfp.visibility`` lets a release show (public ones; an
aggregate-only or confidential answer, with its scale, figures and categories, never enters
it), speakers' names, organisations and bios, and livestreams by id only (their addresses
stay behind the stream's go-live; pages resolve them with events.services.public_streams at
request time).

Format ``fusionforum-programme/1``::

    {
      "format": "fusionforum-programme/1",
      "event": {"slug", "title", "time_zone", "start_date", "end_date",
                "default_language", "translations"?},
      "rooms": [{"id", "name", "description", "capacity", "position"}],
      "days": [{"date": "YYYY-MM-DD", "label", "translations"?}],   # days that have sessions;
                                                          # label "": none given
      "sessions": [{"id", "kind", "title", "description", "room": room id | null,
                    "start", "end",                          # ISO 8601 with UTC offset
                    "chairs": [speaker code], "chair_names": [str], "stream": id | null,
                    "talks": [talk code, in order], "translations"?,
                    # imported sessions (programme/imports) only:
                    "speakers"?: [speaker code],   # people presenting it, in order
                    "talk"?: talk code,            # the session is this imported talk
                    "track"?: str,                 # the source's session slot or track
                    "guid"?: str, "code"?: str,    # the source's guid and code, kept
                    # a session inside another (an Indico session slot's contribution):
                    "parent"?: session id,
                    "children"?: [session id]}],   # the sessions inside it, in order
      "talks": [{"code", "guid", "title", "abstract", "session": id, "room": id,
                 "start", "end", "duration_minutes", "speakers": [speaker code],
                 "organisation": {"name", "kind", "kind_label", "approach",
                                  "approach_label", "country"},
                 "answers": {question key: {"text", ...} for public answers only;
                             "category_translations"?: {language: [name]};
                             breakthroughs may carry "scale", "scale_label",
                             "key_figures": [{"label", "value", "unit"}];
                             challenges / iter_help carry "categories": [name]},
                 "has_slides": bool, "language": the authors' language or "",
                 "imported"?: true}],     # an imported talk (see below)
      "speakers": [{"code", "name", "organisation", "bio", "has_photo", "talks": [code],
                    "sessions"?: [session id],   # sessions they present (imported ones)
                    "honorific"?: str}]          # "Dr.", imported people only
    }

Speakers are the registered speakers of the placed talks and the sessions' chairs, and the
speaker profiles linked to sessions (SessionPerson: people imported from another system's
programme, with or without an account since): their "organisation" is their affiliation.

Session slots: an Indico session slot is a session (its room, times, chairs) holding its
contributions as sessions of their own (``children``, each naming its ``parent``), which sit
inside its time and room. A session holding others is never a talk itself; exporters list
its contributions and give the slot as their grouping (frab track, iCalendar category).

Imported talks: an entry another system scheduled (an Indico contribution, a frab or pretalx
event, a calendar entry) is a session of its own in the working copy, with its people
(SessionPerson). Unless it is a break or holds call talks, the release publishes it as a talk
too (``"imported": true``; ``is_imported_talk``): its session lists it in ``talks`` and
names it in ``talk``; its code is the source's code when that can be a public code (pretalx,
frab), else ``S`` and the session's number; its guid is the source's, else one derived from
the session; its speakers are the session's presenters, who list it in their ``talks``. It
has no organisation, answers or slides (those come from the call). So the talk page, stars
and personal agendas, speaker pages and calendars, and every export read one list of talks.

Texts organisers write (event title, day labels, session titles and descriptions) are stored
in the event's default language; where the model has a version per language
(``<field>_<code>``, django-modeltranslation), the others are kept under ``"translations"``:
``{"title": {"fr": "..."}}``. Labels of choices (organisation kind, breakthrough scale) are
stored in the default language too; readers show them in theirs (exports/common.localise).

Lists are sorted (sessions and talks by start, room position, id; speakers by name) so two
snapshots of the same programme are equal and diffs are stable.

A released snapshot also numbers the revisions of each talk and session: ``"sequence"`` (0 in
the first release that has the item) grows by one in each release where what a calendar
shows of it changed (its own fields, its room's name, its speakers' names, its session's
title, the titles of a session's talks, a slot's title and chairs for its contributions and
its contributions' titles for a slot). iCalendar exports write it as SEQUENCE, so calendar
clients replace their copy instead of keeping a stale one (``with_sequences``; ``build``
leaves it out, and comparisons with the working copy ignore it: ``without_sequences``). An
imported talk whose entry an older release published as a session alone (same UID, the
source's guid) goes on from that session's number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import pgettext

from fusionforum.accounts.models import User
from fusionforum.cfp.models import Speaker, SpeakerProfile
from fusionforum.cfp.visibility import Purpose, visible_answers
from fusionforum.core.languages import language_codes
from fusionforum.core.related import share_event

from .models import ProgrammeSession, Room, SessionPerson, TalkSlot

FORMAT = "fusionforum-programme/1"


def _iso(moment: dt.datetime, tz) -> str:
    return moment.astimezone(tz).isoformat()


def _public_answers(submission, categories_by_submission, category_translations=None) -> dict:
    answers = {}
    for visible in visible_answers(submission, None, Purpose.RELEASE_SNAPSHOT):
        key = visible.question.key
        answer = {"text": visible.text}
        if key == "breakthroughs":
            if submission.breakthrough_scale:
                answer["scale"] = submission.breakthrough_scale
                answer["scale_label"] = str(submission.get_breakthrough_scale_display())
            answer["key_figures"] = [
                {"label": f.label, "value": f"{f.value.normalize():f}", "unit": f.unit}
                for f in submission.key_figures.all()
            ]
        else:
            answer["categories"] = categories_by_submission[key]
            translated = (category_translations or {}).get(key)
            if translated:
                answer["category_translations"] = translated
        answers[key] = answer
    return answers


def _speaker_name(user) -> str:
    return user.full_name or pgettext("a person without a name", "Speaker")


def translations(instance, fields, default_language: str) -> dict:
    """``{field: {language: text}}`` for the languages other than the default in which
    ``instance`` has its own text (translated model fields ``<field>_<code>``); empty when
    the model has no translated fields."""
    found = {}
    for name in fields:
        values = {}
        for code in language_codes():
            if code == default_language:
                continue
            value = getattr(instance, f"{name}_{code.replace('-', '_')}", None)
            if isinstance(value, str) and value.strip():
                values[code] = value
        if values:
            found[name] = values
    return found


def _with_translations(entry: dict, instance, fields, default_language: str) -> dict:
    found = translations(instance, fields, default_language)
    if found:
        entry["translations"] = found
    return entry


def _category_translations(categories, default_language: str) -> dict:
    """``{language: [names]}`` for the call's categories (organisers' words) in the other
    languages, each name falling back to the default language's; empty without any."""
    found = [translations(c, ("name",), default_language).get("name", {}) for c in categories]
    languages = sorted({code for names in found for code in names})
    return {code: [names.get(code) or c.name for c, names in zip(categories, found,
                                                                  strict=True)]
            for code in languages}


def _session_entry(s, tz, profiles, talks_by_session, links, speakers_by_code,
                   own_talk: str | None = None, children: list[int] | None = None) -> dict:
    chairs = [link for link in links if link.role == SessionPerson.Role.CHAIR]
    entry = {
        "id": s.pk,
        "kind": s.kind,
        "title": s.title,
        "description": s.description,
        "room": s.room_id,
        "start": _iso(s.start, tz),
        "end": _iso(s.end, tz),
        "chairs": [profiles[c.pk].code for c in s.chairs.all()]
        + [link.profile.code for link in chairs],
        "chair_names": [_speaker_name(c) for c in s.chairs.all()]
        + [speakers_by_code[link.profile.code]["name"] for link in chairs],
        "stream": s.stream_id,
        "talks": talks_by_session[s.pk],
    }
    speakers = [link.profile.code for link in links if link.role == SessionPerson.Role.SPEAKER]
    if speakers:
        entry["speakers"] = speakers
    if own_talk:
        entry["talk"] = own_talk
    if s.source_guid:
        entry["guid"] = str(s.source_guid)
    if s.source_code:
        entry["code"] = s.source_code
    if s.source_track:
        entry["track"] = s.source_track
    if s.parent_id:
        entry["parent"] = s.parent_id
    if children:
        entry["children"] = children
    return entry


def build(event) -> dict:
    """The snapshot of ``event``'s working programme, as a release would freeze it: in the
    event's default language, whoever releases it, with the other languages' texts beside."""
    language = event.default_language if event.default_language in language_codes() \
        else settings.LANGUAGE_CODE
    with translation.override(language):
        return _build(event, language)


def _build(event, language: str) -> dict:
    tz = event.tz
    rooms = list(Room.objects.filter(event=event))
    sessions = list(
        ProgrammeSession.objects.filter(event=event)
        .select_related("room")
        # Each person's organisation is named in the snapshot: loaded with them, not per person.
        .prefetch_related(Prefetch("chairs",
                                   queryset=User.objects.select_related("organisation")))
        .order_by("start", "room__position", "id")
    )
    # A session's translated title and description fall back to the event's default language.
    share_event(sessions, event)
    slots = list(
        TalkSlot.objects.filter(session__event=event)
        .select_related("submission__organisation", "session__room")
        .prefetch_related("submission__key_figures", "submission__challenge_categories",
                          "submission__help_categories",
                          # One join, not a prefetch of users: Django prefetches a forward
                          # foreign key with an OR per row, which SQLite refuses past 1,000.
                          Prefetch("submission__speaker_links",
                                   queryset=Speaker.objects.select_related(
                                       "user__organisation")))
        .order_by("start", "session__room__position", "id")
    )
    speaker_users = {}
    for slot in slots:
        for link in slot.submission.speaker_links.all():
            speaker_users[link.user_id] = link.user
    for session in sessions:
        for chair in session.chairs.all():
            speaker_users[chair.pk] = chair
    person_links: dict[int, list[SessionPerson]] = {s.pk: [] for s in sessions}
    for link in (SessionPerson.objects.filter(session__event=event)
                 .select_related("profile__user__organisation")
                 .order_by("session_id", "position", "id")):
        person_links[link.session_id].append(link)
    profiles = {p.user_id: p for p in SpeakerProfile.objects.filter(
        event=event, user_id__in=list(speaker_users))}
    for user_id in speaker_users:
        if user_id not in profiles:
            profiles[user_id] = SpeakerProfile.objects.get_or_create(event=event,
                                                                     user_id=user_id)[0]

    talks = []
    talks_by_session: dict[int, list[str]] = {s.pk: [] for s in sessions}
    talks_by_speaker: dict[int, list[str]] = {}
    for slot in slots:
        submission = slot.submission
        organisation = submission.organisation
        categories = {
            "challenges": [c.name for c in submission.challenge_categories.all()],
            "iter_help": [c.name for c in submission.help_categories.all()],
        }
        category_translations = {
            key: _category_translations(found, language)
            for key, found in (("challenges", submission.challenge_categories.all()),
                               ("iter_help", submission.help_categories.all()))}
        speaker_links = list(submission.speaker_links.all())
        talks.append({
            "code": submission.code,
            "guid": str(submission.guid),
            "title": submission.title,
            "abstract": submission.abstract,
            "session": slot.session_id,
            "room": slot.session.room_id,
            "start": _iso(slot.start, tz),
            "end": _iso(slot.end, tz),
            "duration_minutes": slot.duration_minutes,
            "speakers": [profiles[link.user_id].code for link in speaker_links],
            "organisation": {
                "name": organisation.name,
                "kind": organisation.kind,
                "kind_label": str(organisation.get_kind_display()),
                "approach": organisation.fusion_approach,
                "approach_label": str(organisation.get_fusion_approach_display())
                if organisation.fusion_approach else "",
                "country": str(organisation.country.code or ""),
            },
            "answers": _public_answers(submission, categories,
                                       {k: v for k, v in category_translations.items() if v}),
            "has_slides": bool(submission.slides),
            "language": submission.language or "",
        })
        talks_by_session[slot.session_id].append(submission.code)
        for link in speaker_links:
            talks_by_speaker.setdefault(link.user_id, []).append(submission.code)

    children_of: dict[int, list[int]] = {}
    for s in sessions:  # in programme order
        if s.parent_id:
            children_of.setdefault(s.parent_id, []).append(s.pk)
    own_talks = _imported_talks(event, sessions, talks, talks_by_session, person_links, tz,
                                set(children_of))

    speakers = []
    for user_id, user in speaker_users.items():
        profile = profiles[user_id]
        speakers.append({
            "code": profile.code,
            "name": str(_speaker_name(user)),
            "organisation": user.organisation.name if user.organisation_id else "",
            "bio": profile.bio,
            "has_photo": bool(profile.photo),
            "talks": talks_by_speaker.get(user_id, []),
        })
    by_code = {entry["code"]: entry for entry in speakers}
    for session_id, links in person_links.items():
        for link in links:
            profile = link.profile
            entry = by_code.get(profile.code)
            if entry is None:
                user = profile.user
                entry = by_code[profile.code] = {
                    "code": profile.code,
                    "name": (user.full_name if user and user.full_name else profile.name)
                    or str(pgettext("a person without a name", "Speaker")),
                    "organisation": profile.affiliation or (
                        user.organisation.name if user and user.organisation_id else ""),
                    "bio": profile.bio,
                    "has_photo": bool(profile.photo),
                    "talks": [],
                }
                if profile.honorific:
                    entry["honorific"] = profile.honorific
                speakers.append(entry)
            if link.role != SessionPerson.Role.SPEAKER:
                continue
            if session_id in own_talks:
                if own_talks[session_id] not in entry["talks"]:
                    entry["talks"].append(own_talks[session_id])
            else:
                sessions_list = entry.setdefault("sessions", [])
                if session_id not in sessions_list:
                    sessions_list.append(session_id)
    order = {talk["code"]: position for position, talk in enumerate(talks)}
    for entry in speakers:
        entry["talks"].sort(key=lambda code: order.get(code, len(order)))
    speakers.sort(key=lambda s: (s["name"].casefold(), s["code"]))

    days = []
    event_days = {d.date: d for d in event.days.all()}
    for date in sorted({s.start.astimezone(tz).date() for s in sessions}):
        day = event_days.get(date)
        days.append(_with_translations({"date": date.isoformat(), "label": day.label or ""},
                                       day, ("label",), language)
                    if day is not None else {"date": date.isoformat(), "label": ""})

    return {
        "format": FORMAT,
        "event": _with_translations({
            "slug": event.slug,
            "title": event.title,
            "time_zone": event.time_zone,
            "start_date": event.start_date.isoformat(),
            "end_date": event.end_date.isoformat(),
            "default_language": language,
        }, event, ("title",), language),
        "rooms": [{"id": r.pk, "name": r.name, "description": r.description,
                   "capacity": r.capacity, "position": r.position} for r in rooms],
        "days": days,
        "sessions": [_with_translations(_session_entry(s, tz, profiles, talks_by_session,
                                                       person_links[s.pk], by_code,
                                                       own_talks.get(s.pk),
                                                       children_of.get(s.pk)),
                                        s, ("title", "description"), language)
                     for s in sessions],
        "talks": talks,
        "speakers": speakers,
    }


# Imported talks ------------------------------------------------------------------------------

# Public codes of call talks: CODE_ALPHABET, six characters, never 0, 1, I or O.
_SOURCE_CODE = re.compile(r"[A-Z0-9]{4,12}")
_GUID_NAMESPACE = uuid.UUID("6f1f7a52-3c4e-4f0e-9d55-2b7f3f0f5a11")


def is_imported_talk(session, has_call_talks: bool, has_persons: bool,
                     has_children: bool = False) -> bool:
    """An entry another system's programme scheduled (a contribution, a frab or pretalx
    event, a calendar entry): a session of its own that came from a file (or carries the
    file's people) and holds no call talk. Breaks are not talks, nor a session slot holding
    contributions."""
    if session.kind == ProgrammeSession.Kind.BREAK or has_call_talks or has_children:
        return False
    return bool(session.source_id or session.source_guid or session.source_code or has_persons)


def imported_talk_code(session, taken: set[str]) -> str:
    """The public code of an imported talk: the source's own code when it can be one (a
    pretalx or frab code, so /talk/ABC123/ becomes /talks/ABC123/), else ``S`` and the
    session's number. A call talk's code has neither 0 nor 1 and is six characters long, so
    ``S00042`` never meets one."""
    code = (session.source_code or "").upper()
    if _SOURCE_CODE.fullmatch(code) and code not in taken:
        return code
    code, suffix = f"S{session.pk:05d}", 0
    while code in taken:
        suffix += 1
        code = f"S{session.pk:05d}X{suffix}"
    return code[:12]


def imported_talk_guid(event, session) -> str:
    """The source's guid, kept; else one derived from the event and the session, the same
    in every release."""
    if session.source_guid:
        return str(session.source_guid)
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{event.pk}/session/{session.pk}"))


def _imported_talks(event, sessions, talks: list[dict], talks_by_session: dict,
                    person_links: dict, tz, holding: set[int] = frozenset()) -> dict[int, str]:
    """Add each imported talk to ``talks`` (and to its session's list) and return the codes
    by session id; ``talks`` ends sorted by start, room position and session."""
    taken = {talk["code"] for talk in talks}
    own: dict[int, str] = {}
    positions = {s.pk: s.room.position if s.room else -1 for s in sessions}
    order = [(dt.datetime.fromisoformat(t["start"]), positions.get(t["session"], -1))
             for t in talks]
    for s in sessions:
        links = person_links[s.pk]
        if not is_imported_talk(s, bool(talks_by_session[s.pk]), bool(links),
                                s.pk in holding):
            continue
        code = imported_talk_code(s, taken)
        taken.add(code)
        own[s.pk] = code
        talks.append({
            "code": code,
            "guid": imported_talk_guid(event, s),
            "title": s.title,
            "abstract": s.description,
            "session": s.pk,
            "room": s.room_id,
            "start": _iso(s.start, tz),
            "end": _iso(s.end, tz),
            "duration_minutes": max(1, int((s.end - s.start).total_seconds() // 60)),
            "speakers": [link.profile.code for link in links
                         if link.role == SessionPerson.Role.SPEAKER],
            "organisation": {"name": "", "kind": "", "kind_label": "", "approach": "",
                             "approach_label": "", "country": ""},
            "answers": {},
            "has_slides": False,
            "language": "",
            "imported": True,
        })
        order.append((s.start, s.room.position if s.room else -1))
        talks_by_session[s.pk].append(code)
    ranked = sorted(range(len(talks)), key=lambda i: (order[i][0], order[i][1], i))
    talks[:] = [talks[i] for i in ranked]
    return own


# Revisions of each item ------------------------------------------------------------------


def _fingerprints(data: dict) -> dict[tuple[str, object], str]:
    """A digest of what a calendar shows of each talk (``("talk", code)``) and session
    (``("session", id)``), including what it borrows from other items."""
    rooms = {r["id"]: r["name"] for r in data.get("rooms", [])}
    speakers = {p["code"]: p["name"] for p in data.get("speakers", [])}
    sessions = {s["id"]: s for s in data.get("sessions", [])}
    titles = {t["code"]: t["title"] for t in data.get("talks", [])}

    def digest(item: dict, *borrowed) -> str:
        own = {key: value for key, value in item.items() if key != "sequence"}
        text = json.dumps([own, *borrowed], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    found: dict[tuple[str, object], str] = {}
    for talk in data.get("talks", []):
        session = sessions.get(talk.get("session"), {})
        borrowed = [rooms.get(talk.get("room")), [speakers.get(c) for c in talk["speakers"]],
                    session.get("title"), session.get("translations", {}).get("title")]
        slot = sessions.get(session.get("parent"))
        if slot:  # a slot's contribution: calendars show the slot's title and chairs
            borrowed += [slot.get("title"), slot.get("chair_names")]
        found[("talk", talk["code"])] = digest(talk, *borrowed)
    for session in data.get("sessions", []):
        found[("session", session["id"])] = digest(
            session, rooms.get(session.get("room")),
            [titles.get(c) for c in session.get("talks", [])],
            *([[sessions[c]["title"] for c in session["children"] if c in sessions]]
              if session.get("children") else []))
    return found


def without_sequences(data: dict) -> dict:
    """``data`` without the revision numbers (to compare a release with the working copy)."""
    if not any("sequence" in item for key in ("talks", "sessions") for item in data.get(key, [])):
        return data
    copy = dict(data)
    for key in ("talks", "sessions"):
        copy[key] = [{k: v for k, v in item.items() if k != "sequence"}
                     for item in data.get(key, [])]
    return copy


def with_sequences(previous: dict | None, current: dict) -> dict:
    """``current`` (a snapshot about to be released) with each talk's and session's
    ``sequence``: the previous release's number for an unchanged item, one more for a changed
    one, 0 for an item the previous release did not have (or a release made before the
    numbers existed, whose items count as 0)."""
    old_prints = _fingerprints(previous) if previous else {}
    old_numbers = {}
    for talk in (previous or {}).get("talks", []):
        old_numbers[("talk", talk["code"])] = talk.get("sequence", 0)
    for session in (previous or {}).get("sessions", []):
        old_numbers[("session", session["id"])] = session.get("sequence", 0)
    new_prints = _fingerprints(current)
    result = dict(current)
    for kind, key_name in (("talk", "code"), ("session", "id")):
        items = []
        for item in current.get(f"{kind}s", []):
            key = (kind, item[key_name])
            number = 0
            if key in old_numbers:
                number = old_numbers[key] + (old_prints.get(key) != new_prints[key])
            elif kind == "talk" and item.get("imported") \
                    and ("session", item["session"]) in old_numbers:
                # An imported entry a release made before imported talks existed published
                # as a session alone, under the same UID (the source's guid): go on counting
                # from there, so calendar clients take the talk as the newer copy.
                number = old_numbers[("session", item["session"])] + 1
            items.append({**item, "sequence": number})
        result[f"{kind}s"] = items
    return result
