"""Publishing the meetings day: a frozen, numbered version (like programme releases), its
difference from the previous one, and the e-mails.

Snapshot format ``fusionforum-meetings/1``::

    {"format": "fusionforum-meetings/1",
     "event": {"slug", "title", "time_zone"}, "date": "YYYY-MM-DD",
     "slots": [{"index", "start", "end"}],                   # ISO 8601 with offset
     "meetings": [{"request": request pk, "slot", "start", "end",
                   "expert": expert pk, "expert_name", "expert_title", "expert_user": pk|null,
                   "experts": [expert pk], "expert_names": [str],   # both of a group meeting
                   "location", "organisation": pk, "organisation_name",
                   "attendees": [user pk], "attendee_names": [str],
                   "target": {"expert": pk} | {"discipline": key}
                             | {"group": [{"expert": pk} | {"discipline": key}, ...]},
                   "target_label",
                   "topic", "confidential": bool}],
     "unmet": [request pk],                                  # active requests without a meeting
     "objective": {"requesting_orgs", "covered_orgs", "weight"}}

``expert`` and its fields are the first expert's (a group meeting's named seat comes first);
``expert_names`` lists every expert, and each reader joins them in their own language
(``expert_words``: "A and B", « A et B »). ``expert_name`` holds them joined once, in the
event's default language, for older readers; nothing shown to a person reads it when the list
is there. A version published before group meetings has no ``experts`` nor ``expert_names``
(read them as ``[expert]`` and ``[expert_name]``: ``experts_of``, ``expert_names_of``).

The snapshot keeps confidential topics (the expert and the organisers read them from it);
every page, calendar feed and e-mail asks ``topics.visible_topic`` (pages by viewer; feeds and
e-mails never carry a confidential topic).

Changes format: ``{"previous_version": int|null, "added": [request pk], "removed": [request
pk], "moved": [{"request", "from": {"slot", "start", "expert", "experts", "expert_name",
"expert_names"}, "to": {...}}]}`` (``experts`` and ``expert_names`` since group meetings, and
``expert_names`` only since the names are joined by their reader).

E-mails: version 1 goes to every attendee and every expert with a meeting, and to the
delegates whose request could not be placed; a later version only to the people whose meetings
were added, removed or moved (attendees, and the experts before and after).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from fusionforum.accounts.models import User
from fusionforum.core import audit, clock, happenings
from fusionforum.core.languages import speaking_to
from fusionforum.core.related import share_event
from fusionforum.notifications.services import queue_email

from . import instance as instance_module
from . import topics
from .models import (
    Expert,
    Meeting,
    MeetingRelease,
    MeetingRequest,
    MeetingSettings,
    joined_names,
)
from .slots import MeetingDay

FORMAT = "fusionforum-meetings/1"


def build_snapshot(event) -> dict:
    meeting_settings = MeetingSettings.objects.select_related("event").get(event=event)
    day = MeetingDay(meeting_settings)
    data = instance_module.build(event)
    by_id = {r["id"]: r for r in data["requests"]}
    meetings = list(Meeting.objects.filter(event=event)
                    .select_related("expert", "expert2", "request__organisation",
                                    "request__expert", "request__expert2")
                    .prefetch_related("request__attendees").order_by("slot", "expert__name"))
    share_event([meeting.request for meeting in meetings], meeting_settings.event)
    entries = []
    for meeting in meetings:
        request = meeting.request
        slot = day.slots[meeting.slot] if meeting.slot < len(day) else None
        if slot is None:
            continue
        attendees = sorted(request.attendees.all(), key=lambda u: (u.full_name, u.pk))
        entries.append({
            "request": request.pk, "slot": meeting.slot,
            "start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "expert": meeting.expert_id, "expert_name": meeting.expert_names,
            "expert_title": meeting.expert.title, "expert_user": meeting.expert.user_id,
            "experts": [e.pk for e in meeting.experts],
            "expert_names": [e.name for e in meeting.experts],
            "location": meeting.expert.location,
            "organisation": request.organisation_id,
            "organisation_name": request.organisation.name,
            "attendees": [u.pk for u in attendees],
            "attendee_names": [u.full_name or _("Participant") for u in attendees],
            "target": _target(request),
            "target_label": request.target_label,
            "topic": request.topic, "confidential": request.confidential,
        })
    met = {instance_module.request_id(m["request"]) for m in entries}
    unmet = sorted(instance_module.parse_id(r) for r in by_id if r not in met)
    return {
        "format": FORMAT,
        "event": {"slug": event.slug, "title": event.title, "time_zone": event.time_zone},
        "date": meeting_settings.date.isoformat(),
        "slots": [{"index": s.index, "start": s.start.isoformat(), "end": s.end.isoformat()}
                  for s in day.slots],
        "meetings": entries,
        "unmet": unmet,
        "objective": {
            "requesting_orgs": len({r["org"] for r in data["requests"]}),
            "covered_orgs": len({by_id[r]["org"] for r in met if r in by_id}),
            "weight": sum(by_id[r]["weight"] for r in met if r in by_id),
        },
    }


def _target(request) -> dict:
    seats = [{"expert": pk} if pk else {"discipline": key} for pk, key in request.seats]
    return seats[0] if len(seats) == 1 else {"group": seats}


def experts_of(meeting: dict) -> list[int]:
    """The expert pks of a published meeting (a version without ``experts``: its one)."""
    return list(meeting.get("experts") or [meeting["expert"]])


def expert_names_of(meeting: dict) -> list[str]:
    """The expert names of a published meeting (or of a change's place); a version without
    ``expert_names``: its one expert's ``expert_name``."""
    return list(meeting.get("expert_names") or [meeting.get("expert_name", "")])


def expert_words(meeting: dict) -> str:
    """Whom a published meeting is with, joined in the reader's language (the snapshot is
    written once, in the event's language, and read in everyone's)."""
    return joined_names(expert_names_of(meeting))


def diff(previous: dict | None, current: dict, previous_version: int | None) -> dict:
    old = {m["request"]: m for m in (previous or {}).get("meetings", [])}
    new = {m["request"]: m for m in current.get("meetings", [])}

    def place(m):
        return {"slot": m["slot"], "start": m["start"], "expert": m["expert"],
                "experts": experts_of(m), "expert_name": m["expert_name"],
                "expert_names": expert_names_of(m)}

    return {
        "previous_version": previous_version,
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "moved": [{"request": pk, "from": place(old[pk]), "to": place(new[pk])}
                  for pk in sorted(set(old) & set(new))
                  if (old[pk]["slot"], sorted(experts_of(old[pk])))
                  != (new[pk]["slot"], sorted(experts_of(new[pk])))],
    }


def _moment(moment, tz) -> str:
    return formats.date_format(moment.astimezone(tz), "j F Y, H:i")


def publication_refused(meeting_settings, now, *, close_requests: bool) -> str | None:
    """The life-cycle rule: a schedule is published only after requests close, so a published
    schedule never sits next to "requests are open until …" (it answers every request).
    Publishing while requests are open needs ``close_requests`` (they close at that moment);
    before they even open, nothing can be published."""
    tz = meeting_settings.event.tz
    if now < meeting_settings.requests_open_at:
        return _("Requests open only on %(moment)s: a schedule is published after they close. "
                 "Change the request window in the settings first.") % {
            "moment": _moment(meeting_settings.requests_open_at, tz)}
    if now < meeting_settings.requests_close_at and not close_requests:
        return _("Requests are open until %(moment)s. A schedule is published once they are "
                 "closed: wait until then, or tick “Close requests now”.") % {
            "moment": _moment(meeting_settings.requests_close_at, tz)}
    return None


def reopening_refused(event, new_close) -> str | None:
    """The other side of the rule: once a schedule is published, requests stay closed (late
    wishes are placed by hand on the organisers' schedule, then published as a new version)."""
    if new_close is not None and new_close > clock.now() \
            and MeetingRelease.objects.filter(event=event).exists():
        return _("A schedule is published, so requests stay closed: choose a close in the "
                 "past. Place late requests by hand on the working schedule, then publish a new "
                 "version.")
    return None


def publish(event, *, by, comment: str = "", close_requests: bool = False) -> MeetingRelease:
    from django.core.exceptions import ValidationError

    with transaction.atomic():
        meeting_settings = (MeetingSettings.objects.select_for_update().select_related("event")
                            .get(event=event))
        now = clock.now()
        refused = publication_refused(meeting_settings, now, close_requests=close_requests)
        if refused:
            raise ValidationError(refused)
        if now < meeting_settings.requests_close_at:
            meeting_settings.requests_close_at = now
            meeting_settings.save(update_fields=["requests_close_at"])
            audit.record("meetings.requests_closed", meeting_settings, actor=by,
                         summary="Requests closed on publication")
        previous = MeetingRelease.objects.filter(event=event).order_by("-version").first()
        # The snapshot is data shared by every reader: its few words (a request's target, an
        # unnamed attendee) are in the event's default language, not the publisher's.
        with speaking_to(None, event):
            snapshot = build_snapshot(event)
        changes = diff(previous.snapshot if previous else None, snapshot,
                       previous.version if previous else None)
        if previous is not None and not (changes["added"] or changes["removed"]
                                         or changes["moved"]):
            raise ValidationError(_("Nothing changed since the published version "
                                    "%(version)s.") % {"version": previous.version})
        release = MeetingRelease.objects.create(
            event=event, version=(previous.version + 1) if previous else 1,
            published_at=clock.now(), published_by=by, comment=comment, snapshot=snapshot,
            changes=changes)
        audit.record("meetings.published", release, actor=by,
                     summary=f"Version {release.version}: {len(snapshot['meetings'])} meetings")
        send_emails(event, release, previous)
        happenings.announce("meetings.published" if previous is None else "meetings.changed",
                            release, event=event)
    return release


# E-mails --------------------------------------------------------------------------------------


def _site_url() -> str:
    return getattr(django_settings, "SITE_URL", "").rstrip("/")


def _when(meeting: dict, tz) -> str:
    import datetime as dt

    start = dt.datetime.fromisoformat(meeting["start"]).astimezone(tz)
    end = dt.datetime.fromisoformat(meeting["end"]).astimezone(tz)
    return f"{formats.date_format(start, 'l j F Y, H:i')}–{formats.time_format(end, 'H:i')}"


def _line(meeting: dict, tz, *, for_expert: bool) -> str:
    who = meeting["organisation_name"] if for_expert else expert_words(meeting)
    where = f", {meeting['location']}" if meeting.get("location") else ""
    shown = topics.visible_topic(meeting, purpose=topics.Purpose.EMAIL)
    topic = (str(topics.HIDDEN[topics.Purpose.EMAIL]) if shown is None
             else " ".join(shown.split())[:200])
    return "- " + _("%(when)s%(where)s: %(who)s. Topic: %(topic)s") % {
        "when": _when(meeting, tz), "where": where, "who": who, "topic": topic}


def _recipients(event, snapshot: dict, request_pks: set[int]):
    """{address: {"user", "as_expert": [meetings], "as_attendee": [meetings]}}; ``user``: the
    account behind the address (its language), None for an expert without a login."""
    people: dict[str, dict] = defaultdict(lambda: {"user": None, "as_expert": [],
                                                   "as_attendee": []})
    meetings = [m for m in snapshot.get("meetings", []) if m["request"] in request_pks]
    users = {u.pk: u for u in User.objects.filter(
        pk__in={p for m in meetings for p in m["attendees"]}, is_active=True)}
    experts = {e.pk: e for e in Expert.objects.filter(
        pk__in={pk for m in meetings for pk in experts_of(m)}).select_related("user")}
    for meeting in meetings:
        for pk in meeting["attendees"]:
            if pk in users:
                people[users[pk].email]["as_attendee"].append(meeting)
                people[users[pk].email]["user"] = users[pk]
        for expert_pk in experts_of(meeting):
            expert = experts.get(expert_pk)
            address = (expert.user.email if expert and expert.user_id else
                       (expert.email if expert else ""))
            if address:
                people[address]["as_expert"].append(meeting)
                if expert.user_id and people[address]["user"] is None:
                    people[address]["user"] = expert.user
    return people


def send_emails(event, release: MeetingRelease, previous: MeetingRelease | None) -> int:
    tz = event.tz
    snapshot = release.snapshot
    link = f"{_site_url()}/{event.slug}/meetings/"
    expert_link = f"{_site_url()}/{event.slug}/expert/"
    sent = 0
    if previous is None:
        concerned = {m["request"] for m in snapshot["meetings"]}
        people = _recipients(event, snapshot, concerned)
        # Delegates whose requests could not be placed hear it too.
        unmet = (MeetingRequest.objects.filter(pk__in=snapshot.get("unmet", []))
                 .select_related("expert").prefetch_related("attendees"))
        unmet_by_address = defaultdict(list)
        for request in unmet:
            for person in request.attendees.all():
                if person.is_active:
                    unmet_by_address[person.email].append(request)
                    if people[person.email]["user"] is None:  # creates the entry if needed
                        people[person.email]["user"] = person
    else:
        changes = release.changes
        touched = set(changes["added"]) | {m["request"] for m in changes["moved"]}
        removed = set(changes["removed"])
        people = _recipients(event, snapshot, touched)
        old_people = _recipients(event, previous.snapshot, removed | {
            m["request"] for m in changes["moved"]})
        for address, old in old_people.items():
            if people[address]["user"] is None:  # creates the entry if needed
                people[address]["user"] = old["user"]
        unmet_by_address = {}
    for address, lists in sorted(people.items()):
        # Each e-mail in its recipient's language (an expert without a login: the event's).
        with speaking_to(lists["user"], event):
            queue_email(to=[address],
                        subject=_("%(event)s: your meetings (version %(version)s)") % {
                            "event": event.title, "version": release.version},
                        body=_body(event, release, previous, address, lists,
                                   old_people if previous is not None else {},
                                   unmet_by_address, tz, link, expert_link),
                        purpose="meetings_published", related=release)
        sent += 1
    return sent


def _body(event, release, previous, address, lists, old_people, unmet_by_address, tz, link,
          expert_link) -> str:
    snapshot = release.snapshot
    if previous is None:
        intro = _("The meetings day of %(event)s is published (version %(version)s).") % {
            "event": event.title, "version": release.version}
    else:
        intro = _("The meetings day of %(event)s changed (version %(version)s); this e-mail "
                  "lists your meetings that changed.") % {"event": event.title,
                                                          "version": release.version}
    lines = [intro, ""]
    # The person's whole current agenda, so the e-mail stands alone.
    mine = [m for m in snapshot["meetings"] if _concerns(m, address, lists)]
    if previous is not None:
        gone = [m for m in previous.snapshot["meetings"]
                if m["request"] in release.changes["removed"]
                and _concerns_old(m, address, old_people)]
        for meeting in gone:
            lines.append(_("Cancelled: %(meeting)s") % {"meeting": _line(
                meeting, tz, for_expert=bool(
                    lists["as_expert"] or old_people.get(address, {}).get("as_expert")))[2:]})
    if mine:
        lines.append(_("Your meetings now:"))
        for meeting in mine:
            as_expert = meeting in lists["as_expert"]
            lines.append(_line(meeting, tz, for_expert=as_expert))
    for request in unmet_by_address.get(address, []):
        lines.append(_("Your request for %(target)s could not be placed: the experts' time "
                       "was fully taken. The organisers keep it in case a place frees up.")
                     % {"target": request.target_label})
    lines += ["", _("Your agenda and calendar feed: %(url)s") % {"url": link}]
    if lists["as_expert"]:
        lines.append(_("Your expert agenda (check-in and notes): %(url)s")
                     % {"url": expert_link})
    return "\n".join(lines) + "\n"


def _concerns(meeting: dict, address: str, lists: dict) -> bool:
    return meeting in lists["as_attendee"] or meeting in lists["as_expert"] or False


def _concerns_old(meeting: dict, address: str, old_people: dict) -> bool:
    lists = old_people.get(address)
    return bool(lists) and (meeting in lists["as_attendee"] or meeting in lists["as_expert"])
