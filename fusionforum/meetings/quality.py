"""How good a schedule is, in the organisers' terms, read from an instance
(``fusion-matchmaking/2``, as ``instance.build`` makes it) and a list of meetings
``{"request", "experts": [...], "slot"}``:

- ``levels``: the four levels of the objective (C1 organisations with a meeting, C2 with two
  among those that asked for two or more, W total weight, G idle slots) and the idle slots of
  each person (definition of PROBLEM.md section 4: inside a session block, between the
  person's first and last meeting of the block, in slots where the person is available);
- ``shortfalls``: the organisations that got fewer meetings than they asked for, each unmet
  request with why it could not be placed next to the others.

The optimiser computes the same figures for itself (``scheduling``); this module reads them
for pages without reaching into its internals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import permutations

# Why an unmet request has no meeting, from the most to the least specific.
REFUSES = "refuses"            # a named expert (or every expert of a seat) refuses them
NO_EXPERT = "no_expert"        # no active expert can take a seat at all
BUSY = "busy"                  # attendees busy (tours, talks) whenever the experts are there
AT_CAP = "at_cap"              # every expert who could take a seat is at their daily maximum
NO_FREE_EXPERT = "not_free"    # the experts were in other meetings whenever the people were free
FREE_PLACE = "free_place"      # a place is free now (tables, or placed after the run)


def meetings_of(solution_meetings) -> list[dict]:
    """Solution meetings (``expert`` or ``experts``) in one shape."""
    result = []
    for item in solution_meetings:
        experts = list(item.get("experts") or ([item["expert"]] if item.get("expert") else []))
        result.append({"request": item["request"], "experts": experts, "slot": int(item["slot"])})
    return result


class _Day:
    def __init__(self, data: dict):
        self.data = data
        self.slots = [s["id"] for s in data["slots"]]
        blocks: dict[object, list[int]] = defaultdict(list)
        for s in data["slots"]:
            blocks[s.get("session", 0)].append(s["id"])
        self.blocks = list(blocks.values())
        self.experts = {e["id"]: e for e in data["experts"]}
        self.available = {e["id"]: set(e["available"]) for e in data["experts"]}
        self.refuses = {e["id"]: set(e.get("refuses") or ()) for e in data["experts"]}
        self.busy: dict[str, set[int]] = {}
        self.org_of: dict[str, str] = {}
        for org in data["organisations"]:
            for p in org["participants"]:
                self.busy[p["id"]] = set(p.get("unavailable") or ())
                self.org_of[p["id"]] = org["id"]
        for visit in data.get("site_visits") or []:
            for p in visit["participants"]:
                self.busy.setdefault(p, set()).update(visit["slots"])
        self.requests = {r["id"]: r for r in data["requests"]}

    def seats(self, request: dict) -> list[dict]:
        target = request["target"]
        return list(target["group"]) if "group" in target else [target]

    def admits(self, seat: dict, expert_id: str) -> bool:
        if "expert" in seat:
            return seat["expert"] == expert_id
        return seat["discipline"] in self.experts[expert_id]["disciplines"]

    def idle(self, occupied: set[int], available) -> int:
        total = 0
        for block in self.blocks:
            mine = [t for t in block if t in occupied]
            if len(mine) < 2:
                continue
            low, high = min(mine), max(mine)
            total += sum(1 for t in block if low < t < high and t not in occupied
                         and available(t))
        return total


def levels(data: dict, meetings: list[dict]) -> dict:
    """C1, C2, W, G (split) and ``idle``: {person id: idle slots} for people with any."""
    day = _Day(data)
    per_org: dict[str, int] = defaultdict(int)
    asked: dict[str, int] = defaultdict(int)
    for request in data["requests"]:
        asked[request["org"]] += 1
    weight = 0
    slots_of: dict[str, set[int]] = defaultdict(set)
    seen = set()
    for m in meetings:
        request = day.requests.get(m["request"])
        if request is None or m["request"] in seen:
            continue
        seen.add(m["request"])
        per_org[request["org"]] += 1
        weight += request["weight"]
        for expert in m["experts"]:
            slots_of[expert].add(m["slot"])
        for person in request["attendees"]:
            slots_of[person].add(m["slot"])
    idle = {}
    for person, occupied in slots_of.items():
        if person in day.available:
            count = day.idle(occupied, lambda t, p=person: t in day.available[p])
        else:
            count = day.idle(occupied, lambda t, p=person: t not in day.busy.get(p, ()))
        if count:
            idle[person] = count
    g_experts = sum(n for p, n in idle.items() if p in day.available)
    return {"C1": len(per_org),
            "C2": sum(1 for o, n in per_org.items() if n >= 2 and asked[o] >= 2),
            "W": weight, "G": sum(idle.values()), "G_participants": sum(idle.values()) - g_experts,
            "G_experts": g_experts, "idle": idle, "per_org": dict(per_org),
            "asked": dict(asked)}


@dataclass
class Shortfall:
    organisation: str          # organisation id of the instance
    asked: int
    got: int
    unmet: list[tuple[str, str, list[str]]] = field(default_factory=list)
    # (request id, reason code, expert ids the reason names)


def _fills(day: _Day, seats: list[dict], candidates: list[set[str]]) -> bool:
    """Can distinct experts, one per seat, be chosen from each seat's candidates?"""
    if any(not c for c in candidates):
        return False
    if len(seats) == 1:
        return True
    pools = [sorted(c) for c in candidates]
    for order in permutations(range(len(seats))):
        used: set[str] = set()
        ok = True
        for index in order:
            choice = next((e for e in pools[index] if e not in used), None)
            if choice is None:
                ok = False
                break
            used.add(choice)
        if ok:
            return True
    return False


def shortfalls(data: dict, meetings: list[dict]) -> list[Shortfall]:
    """Organisations with fewer meetings than requests, each unmet request with its reason
    next to the given meetings."""
    day = _Day(data)
    met = {m["request"] for m in meetings}
    load: dict[str, int] = defaultdict(int)
    expert_at: dict[tuple[str, int], bool] = {}
    person_at: set[tuple[str, int]] = set()
    org_meets: set[tuple[str, str]] = set()
    per_slot: dict[int, int] = defaultdict(int)
    for m in meetings:
        request = day.requests.get(m["request"])
        if request is None:
            continue
        per_slot[m["slot"]] += 1
        for expert in m["experts"]:
            load[expert] += 1
            expert_at[(expert, m["slot"])] = True
            org_meets.add((request["org"], expert))
        for person in request["attendees"]:
            person_at.add((person, m["slot"]))
    rooms = data.get("rooms")
    by_org: dict[str, list[dict]] = defaultdict(list)
    for request in data["requests"]:
        by_org[request["org"]].append(request)
    result = []
    for org, requests in by_org.items():
        unmet = [r for r in requests if r["id"] not in met]
        if not unmet:
            continue
        item = Shortfall(org, len(requests), len(requests) - len(unmet))
        for request in unmet:
            item.unmet.append((request["id"], *_reason(day, request, load, expert_at,
                                                        person_at, org_meets, per_slot,
                                                        rooms)))
        result.append(item)
    return result


def _reason(day, request, load, expert_at, person_at, org_meets, per_slot, rooms):
    org = request["org"]
    seats = day.seats(request)
    active = [e for e, ex in day.experts.items() if day.available[e]]
    eligible = [{e for e in active if day.admits(seat, e)} for seat in seats]
    willing = [{e for e in c if org not in day.refuses[e]} for c in eligible]
    for c, w in zip(eligible, willing, strict=True):
        if c and not w:
            return REFUSES, sorted(c)
    if not _fills(day, seats, willing):
        return NO_EXPERT, []
    people_free = [t for t in day.slots
                   if not any(t in day.busy.get(p, ()) for p in request["attendees"])]
    open_slots = [t for t in people_free
                  if _fills(day, seats, [{e for e in w if t in day.available[e]}
                                         for w in willing])]
    if not open_slots:
        return BUSY, []
    with_room = [{e for e in w if load[e] < day.experts[e]["max_meetings"]
                  and (org, e) not in org_meets} for w in willing]
    if not _fills(day, seats, with_room):
        full = sorted({e for w in willing for e in w
                       if load[e] >= day.experts[e]["max_meetings"]})
        return AT_CAP, full
    for t in open_slots:
        if any((p, t) in person_at for p in request["attendees"]):
            continue
        if rooms is not None and rooms[t] is not None and per_slot[t] >= rooms[t]:
            continue
        if _fills(day, seats, [{e for e in w if t in day.available[e]
                                and not expert_at.get((e, t))} for w in with_room]):
            return FREE_PLACE, []
    return NO_FREE_EXPERT, []
