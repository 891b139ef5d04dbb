"""The optimiser's input, ``fusion-matchmaking/2``, built from the database.

Ids: experts ``E<pk>``, organisations ``O<pk>``, participants ``P<user pk>``, requests
``R<pk>``; slot ids are the day's slot numbers.

- participants: the organisation's people with a confirmed registration for the event; an
  attendee whose registration is no longer confirmed is dropped from the request, and a request
  left without attendees is left out;
- ``unavailable``: every personal busy entry of the busy providers (talks, chairs, ...);
  ``site_visits``: the site-visit entries (see busy.py);
- slots carry ``session``: the number of breaks before them, so each run of slots between
  two breaks is one block of the idle-slot measure G;
- a group request's target is ``{"group": [seat, seat]}``, each seat ``{"expert"}`` or
  ``{"discipline"}``; an expert's conflicts of interest are its ``refuses`` (organisation ids,
  only those in the instance);
- experts: every expert of the event; one who cancelled keeps an empty availability (so a
  repair can see which published meetings lost their expert); lost slots are removed from every
  expert's availability and get 0 tables;
- weight: an organisation ranks its requests (priority 1 first, ties by arrival); the request
  ranked k gets weight ``max(1, 12 - 2k)``: 10, 8, 6, 4, 2, then 1. Coverage comes first in
  the objective anyway; the weights only decide between schedules covering as many
  organisations.
"""

from __future__ import annotations

from collections import defaultdict

from fusionforum.accounts.models import Organisation
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status as RegistrationStatus

from . import busy
from .models import Expert, ExpertRefusal, MeetingRequest, MeetingSettings
from .slots import MeetingDay

FORMAT = "fusion-matchmaking/2"
SOLUTION_FORMAT = "fusion-matchmaking-solution/2"


def weight_for_rank(rank: int) -> int:
    return max(1, 12 - 2 * rank)


def expert_id(pk: int) -> str:
    return f"E{pk}"


def request_id(pk: int) -> str:
    return f"R{pk}"


def parse_id(value: str) -> int:
    return int(str(value)[1:])


def confirmed_members(event) -> dict[int, int]:
    """{user id: organisation id} of everyone with a confirmed registration."""
    return dict(Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
                .values_list("user_id", "organisation_id"))


def organisation_id(pk: int) -> str:
    return f"O{pk}"


def _seat(expert_pk: int | None, discipline: str) -> dict:
    return {"expert": expert_id(expert_pk)} if expert_pk else {"discipline": discipline}


def target_of(request: MeetingRequest) -> dict:
    """The request's target: one seat, or ``{"group": [seat, seat]}``."""
    seats = [_seat(pk, key) for pk, key in request.seats]
    return seats[0] if len(seats) == 1 else {"group": seats}


def sessions(day: MeetingDay) -> list[int]:
    """Each slot's block: how many breaks come before it."""
    return [sum(1 for b in day.breaks if b.after_slot < s.index) for s in day.slots]


def ranked_requests(event) -> list[tuple[MeetingRequest, int]]:
    """Active requests with their weight, in arrival order."""
    requests = list(MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.ACTIVE)
                    .select_related("organisation", "expert", "expert2")
                    .prefetch_related("attendees").order_by("submitted_at", "id"))
    by_org = defaultdict(list)
    for request in requests:
        by_org[request.organisation_id].append(request)
    weights = {}
    for group in by_org.values():
        group.sort(key=lambda r: (r.priority, r.submitted_at, r.pk))
        for rank, request in enumerate(group, start=1):
            weights[request.pk] = weight_for_rank(rank)
    return [(r, weights[r.pk]) for r in requests]


def build(event, *, entries: list[busy.Busy] | None = None) -> dict:
    meeting_settings = MeetingSettings.objects.select_related("event").get(event=event)
    day = MeetingDay(meeting_settings)
    if entries is None:
        entries = busy.collect(event, day)
    members = confirmed_members(event)
    open_slots = set(day.open_slots())

    requests = []
    attendees_by_org: dict[int, set[int]] = defaultdict(set)
    for submitted, (request, weight) in enumerate(ranked_requests(event)):
        attendees = sorted(u.pk for u in request.attendees.all()
                           if members.get(u.pk) == request.organisation_id)
        if not attendees:
            continue
        attendees_by_org[request.organisation_id].update(attendees)
        target = target_of(request)
        requests.append({"id": request_id(request.pk), "org": f"O{request.organisation_id}",
                         "target": target, "weight": weight,
                         "attendees": [f"P{u}" for u in attendees], "submitted": submitted})
    for position, item in enumerate(requests):
        item["submitted"] = position

    organisation_ids = sorted(attendees_by_org)

    names = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
    kinds = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "kind"))
    personal: dict[int, set[int]] = defaultdict(set)
    visits = []
    for entry in entries:
        if entry.site_visit:
            visits.append(entry)
        else:
            for user_id in entry.user_ids:
                personal[user_id].update(entry.slots)
    in_instance: set[int] = set()
    organisations = []
    for org_id in organisation_ids:
        people = sorted(u for u, o in members.items() if o == org_id) or sorted(
            attendees_by_org[org_id])
        in_instance.update(people)
        organisations.append({
            "id": f"O{org_id}", "name": names.get(org_id, ""), "kind": kinds.get(org_id, ""),
            "participants": [{"id": f"P{u}", "unavailable": sorted(personal.get(u, ()))}
                             for u in people],
        })

    refusals: dict[int, list[str]] = defaultdict(list)
    for expert_pk, org_pk in (ExpertRefusal.objects.filter(
            expert__event=event, organisation_id__in=organisation_ids)
            .order_by("organisation_id").values_list("expert_id", "organisation_id")):
        refusals[expert_pk].append(organisation_id(org_pk))
    experts = []
    for expert in Expert.objects.filter(event=event).order_by("pk"):
        available = ([] if not expert.is_active else
                     sorted(s for s in (expert.available_slots or range(len(day)))
                            if s in open_slots))
        experts.append({"id": expert_id(expert.pk), "name": expert.name,
                        "disciplines": list(expert.disciplines), "available": available,
                        "max_meetings": expert.max_meetings,
                        "refuses": refusals.get(expert.pk, [])})

    rooms = ([day.tables(s.index) for s in day.slots] if meeting_settings.tables is not None
             else None)
    return {
        "format": FORMAT,
        "name": f"{event.slug}-meetings",
        "generator": "fusionforum.meetings",
        "day": {"label": f"Meetings {meeting_settings.date:%Y-%m-%d}",
                "slot_minutes": meeting_settings.slot_minutes},
        "slots": [{"id": s.index, "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}",
                   "session": session} for s, session in zip(day.slots, sessions(day),
                                                               strict=True)],
        "breaks": [{"after_slot": b.after_slot, "start": f"{b.start:%H:%M}",
                    "end": f"{b.end:%H:%M}", "label": b.label} for b in day.breaks],
        "rooms": rooms,
        "disciplines": [d["key"] for d in meeting_settings.disciplines],
        "experts": experts,
        "organisations": organisations,
        "site_visits": [{"id": v.key, "name": v.label, "slots": sorted(v.slots),
                         "capacity": v.capacity if v.capacity is not None else len(v.user_ids),
                         "participants": [f"P{u}" for u in sorted(v.user_ids)
                                          if u in in_instance]} for v in visits],
        "requests": requests,
    }
