"""Instances and solutions of the open-doors matchmaking problem (`fusion-matchmaking/1`).

`Problem` is an indexed, validated view of an instance dict: experts, organisations,
participants and requests are numbered 0..n-1 and every slot set is an integer bit mask
(bit t set = slot t). `Problem.pairs` lists the (request, expert) pairs that are
individually feasible under H2-H4 and H9 (eligible expert, a slot where the expert is
available, every attendee is free and the slot has a room), with that slot mask.

Nothing here imports Django: the meetings app builds the same plain dicts from its database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FORMAT = "fusion-matchmaking/1"
SOLUTION_FORMAT = "fusion-matchmaking-solution/1"


class InstanceError(ValueError):
    """The instance (or a published solution given for repair) is not well formed."""


def _bits(slots) -> int:
    m = 0
    for t in slots:
        m |= 1 << t
    return m


def slots_of(mask: int) -> list[int]:
    out = []
    t = 0
    while mask:
        if mask & 1:
            out.append(t)
        mask >>= 1
        t += 1
    return out


def _require(cond, msg):
    if not cond:
        raise InstanceError(msg)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _slot_list(value, T, where):
    _require(isinstance(value, list), f"{where}: expected a list of slot numbers")
    for t in value:
        _require(_is_int(t) and 0 <= t < T, f"{where}: slot {t!r} is not in 0..{T - 1}")
    return value


@dataclass
class Problem:
    """Validated, indexed instance. Build with `Problem.from_dict(instance_dict)`."""

    data: dict
    name: str
    T: int
    rooms: list[int] | None
    expert_ids: list[str]
    expert_disc: list[frozenset]
    expert_avail: list[int]  # slot mask
    expert_cap: list[int]
    org_ids: list[str]
    part_ids: list[str]
    part_org: list[int]
    part_busy: list[int]  # slot mask (unavailable + site visits)
    req_ids: list[str]
    req_org: list[int]
    req_weight: list[int]
    req_att: list[tuple[int, ...]]
    req_elig: list[list[int]]
    req_sub: list[int]
    req_busy: list[int] = field(default_factory=list)
    expert_index: dict = field(default_factory=dict)
    req_index: dict = field(default_factory=dict)
    org_index: dict = field(default_factory=dict)
    part_index: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_dict(cls, data) -> Problem:
        _require(isinstance(data, dict), "the instance must be a JSON object")
        fmt = data.get("format")
        _require(fmt == FORMAT, f"format must be {FORMAT!r} (got {fmt!r})")
        for key in ("slots", "disciplines", "experts", "organisations", "requests"):
            _require(isinstance(data.get(key), list), f"missing or invalid list {key!r}")
        slots = data["slots"]
        T = len(slots)
        for i, s in enumerate(slots):
            _require(isinstance(s, dict) and s.get("id") == i,
                     f"slots[{i}]: slot ids must be 0..T-1 in order")
        rooms = data.get("rooms")
        if rooms is not None:
            _require(isinstance(rooms, list) and len(rooms) == T,
                     f"rooms must be null or a list of {T} integers")
            for t, n in enumerate(rooms):
                _require(_is_int(n) and n >= 0, f"rooms[{t}] must be a non-negative integer")
            rooms = list(rooms)

        expert_ids, expert_disc, expert_avail, expert_cap = [], [], [], []
        expert_index = {}
        by_disc: dict[str, list[int]] = {}
        for i, e in enumerate(data["experts"]):
            _require(isinstance(e, dict), f"experts[{i}] must be an object")
            eid = e.get("id")
            _require(isinstance(eid, str) and eid, f"experts[{i}]: missing id")
            _require(eid not in expert_index, f"duplicate expert id {eid!r}")
            disc = e.get("disciplines", [])
            _require(isinstance(disc, list) and all(isinstance(d, str) for d in disc),
                     f"expert {eid}: disciplines must be a list of strings")
            avail = _slot_list(e.get("available"), T, f"expert {eid} available")
            cap = e.get("max_meetings")
            _require(_is_int(cap) and cap >= 0,
                     f"expert {eid}: max_meetings must be a non-negative integer")
            expert_index[eid] = len(expert_ids)
            for d in disc:
                by_disc.setdefault(d, []).append(len(expert_ids))
            expert_ids.append(eid)
            expert_disc.append(frozenset(disc))
            expert_avail.append(_bits(avail))
            expert_cap.append(cap)

        org_ids, part_ids, part_org, part_busy = [], [], [], []
        org_index, part_index = {}, {}
        org_parts: list[list[int]] = []
        for i, o in enumerate(data["organisations"]):
            _require(isinstance(o, dict), f"organisations[{i}] must be an object")
            oid = o.get("id")
            _require(isinstance(oid, str) and oid, f"organisations[{i}]: missing id")
            _require(oid not in org_index, f"duplicate organisation id {oid!r}")
            org_index[oid] = len(org_ids)
            org_ids.append(oid)
            members = []
            parts = o.get("participants", [])
            _require(isinstance(parts, list), f"organisation {oid}: participants must be a list")
            for j, p in enumerate(parts):
                _require(isinstance(p, dict) and isinstance(p.get("id"), str),
                         f"organisation {oid}: participants[{j}] needs an id")
                pid = p["id"]
                _require(pid not in part_index, f"duplicate participant id {pid!r}")
                un = _slot_list(p.get("unavailable", []), T, f"participant {pid} unavailable")
                part_index[pid] = len(part_ids)
                members.append(len(part_ids))
                part_ids.append(pid)
                part_org.append(org_index[oid])
                part_busy.append(_bits(un))
            org_parts.append(members)

        visits = data.get("site_visits", []) or []
        _require(isinstance(visits, list), "site_visits must be a list")
        for i, v in enumerate(visits):
            _require(isinstance(v, dict), f"site_visits[{i}] must be an object")
            vid = v.get("id", i)
            mask = _bits(_slot_list(v.get("slots", []), T, f"site visit {vid} slots"))
            people = v.get("participants", [])
            _require(isinstance(people, list), f"site visit {vid}: participants must be a list")
            for pid in people:
                _require(pid in part_index, f"site visit {vid}: unknown participant {pid!r}")
                part_busy[part_index[pid]] |= mask

        req_ids, req_org, req_weight, req_att, req_elig, req_sub = [], [], [], [], [], []
        req_index = {}
        for i, r in enumerate(data["requests"]):
            _require(isinstance(r, dict), f"requests[{i}] must be an object")
            rid = r.get("id")
            _require(isinstance(rid, str) and rid, f"requests[{i}]: missing id")
            _require(rid not in req_index, f"duplicate request id {rid!r}")
            oid = r.get("org")
            _require(oid in org_index, f"request {rid}: unknown organisation {oid!r}")
            o = org_index[oid]
            w = r.get("weight")
            _require(_is_int(w) and w >= 1, f"request {rid}: weight must be an integer >= 1")
            tgt = r.get("target")
            _require(isinstance(tgt, dict) and (("expert" in tgt) != ("discipline" in tgt)),
                     f"request {rid}: target must be {{'expert': id}} or {{'discipline': name}}")
            if "expert" in tgt:
                _require(tgt["expert"] in expert_index,
                         f"request {rid}: unknown expert {tgt['expert']!r}")
                elig = [expert_index[tgt["expert"]]]
            else:
                _require(isinstance(tgt["discipline"], str),
                         f"request {rid}: discipline must be a string")
                elig = list(by_disc.get(tgt["discipline"], []))
            att = r.get("attendees") or [part_ids[p] for p in org_parts[o]]
            _require(isinstance(att, list), f"request {rid}: attendees must be a list")
            atts = []
            for pid in att:
                _require(pid in part_index, f"request {rid}: unknown attendee {pid!r}")
                _require(part_org[part_index[pid]] == o,
                         f"request {rid}: attendee {pid} is not a member of {oid}")
                atts.append(part_index[pid])
            _require(atts, f"request {rid}: no attendees (organisation {oid} has no participants)")
            sub = r.get("submitted", i)
            _require(_is_int(sub), f"request {rid}: submitted must be an integer")
            req_index[rid] = len(req_ids)
            req_ids.append(rid)
            req_org.append(o)
            req_weight.append(w)
            req_att.append(tuple(sorted(set(atts))))
            req_elig.append(elig)
            req_sub.append(sub)

        prob = cls(data=data, name=str(data.get("name", "?")), T=T, rooms=rooms,
                   expert_ids=expert_ids, expert_disc=expert_disc, expert_avail=expert_avail,
                   expert_cap=expert_cap, org_ids=org_ids, part_ids=part_ids, part_org=part_org,
                   part_busy=part_busy, req_ids=req_ids, req_org=req_org, req_weight=req_weight,
                   req_att=req_att, req_elig=req_elig, req_sub=req_sub,
                   expert_index=expert_index, req_index=req_index, org_index=org_index,
                   part_index=part_index)
        prob.req_busy = []
        for a in req_att:
            b = 0
            for p in a:
                b |= part_busy[p]
            prob.req_busy.append(b)
        return prob

    # ------------------------------------------------------------------ derived
    @property
    def total_weight(self) -> int:
        return sum(self.req_weight)

    @property
    def M(self) -> int:
        """Scale of the exact scalar objective M*C + W (W < M)."""
        return self.total_weight + 1

    @property
    def room_mask(self) -> int:
        full = (1 << self.T) - 1
        if self.rooms is None:
            return full
        return _bits(t for t in range(self.T) if self.rooms[t] > 0)

    def pairs(self) -> list[tuple[int, int, int]]:
        """(request, expert, slot mask) for every individually feasible pair."""
        out = []
        rm = self.room_mask
        for r, elig in enumerate(self.req_elig):
            free = rm & ~self.req_busy[r]
            for e in elig:
                m = self.expert_avail[e] & free
                if m and self.expert_cap[e] > 0:
                    out.append((r, e, m))
        return out

    def objective(self, meetings) -> tuple[int, int]:
        """(covered organisations C, weight W) of index meetings (r, e, t)."""
        seen = set()
        orgs = set()
        w = 0
        for r, _e, _t in meetings:
            if r in seen:
                continue
            seen.add(r)
            orgs.add(self.req_org[r])
            w += self.req_weight[r]
        return len(orgs), w

    # ------------------------------------------------------------------ solutions
    def meetings_from_solution(self, sol, *, strict=True) -> list[tuple[int, int, int]]:
        """Index meetings of a solution dict. With strict=False, meetings naming an unknown
        request/expert or an out-of-range slot are skipped (used by repair after a change)."""
        if not isinstance(sol, dict) or not isinstance(sol.get("meetings"), list):
            raise InstanceError("a solution must be an object with a 'meetings' list")
        out = []
        for i, m in enumerate(sol["meetings"]):
            if not isinstance(m, dict):
                raise InstanceError(f"meetings[{i}] must be an object")
            rid, eid, t = m.get("request"), m.get("expert"), m.get("slot")
            ok = (rid in self.req_index and eid in self.expert_index and _is_int(t)
                  and 0 <= t < self.T)
            if not ok:
                if strict:
                    raise InstanceError(f"meetings[{i}]: unknown request/expert or bad slot: {m!r}")
                continue
            out.append((self.req_index[rid], self.expert_index[eid], t))
        return out

    def solution_dict(self, meetings, solver="fusionforum-scheduler", meta=None) -> dict:
        C, W = self.objective(meetings)
        out = {
            "format": SOLUTION_FORMAT,
            "instance": self.name,
            "solver": solver,
            "objective": {"covered_orgs": C, "weight": W, "scalar": self.M * C + W},
            "meetings": [
                {"request": self.req_ids[r], "expert": self.expert_ids[e], "slot": t}
                for (r, e, t) in sorted(meetings, key=lambda m: (m[2], self.expert_ids[m[1]],
                                                                 self.req_ids[m[0]]))
            ],
        }
        if meta is not None:
            out["meta"] = meta
        return out


def load_json(path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise InstanceError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InstanceError(f"{path} is not valid JSON: {exc}") from None
