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
from functools import cached_property

FORMAT = "fusion-matchmaking/1"
FORMAT_V2 = "fusion-matchmaking/2"
FORMATS = (FORMAT, FORMAT_V2)
SOLUTION_FORMAT = "fusion-matchmaking-solution/1"
SOLUTION_FORMAT_V2 = "fusion-matchmaking-solution/2"


class InstanceError(ValueError):
    """The instance (or a published solution given for repair) is not well formed."""


def _bits(slots) -> int:
    m = 0
    for t in slots:
        m |= 1 << t
    return m


def popcount(mask: int) -> int:
    return bin(mask).count("1")


def experts_of(e) -> tuple:
    """The experts of an index meeting's middle field: an int (1:1) or a tuple (group)."""
    return (e,) if isinstance(e, int) else tuple(e)


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


def _target_specs(rid, tgt, fmt):
    """The seats of a request target: [{"expert": id} | {"discipline": d}, ...]."""
    one = "target must be {'expert': id} or {'discipline': name}"
    if fmt == FORMAT_V2:
        one += " or {'group': [seat, seat]}"
    _require(isinstance(tgt, dict), f"request {rid}: {one}")
    if "group" in tgt:
        _require(fmt == FORMAT_V2 and len(tgt) == 1, f"request {rid}: {one}")
        specs = tgt["group"]
        _require(isinstance(specs, list) and len(specs) >= 2,
                 f"request {rid}: a group needs a list of at least two seats")
    else:
        specs = [tgt]
    for s in specs:
        _require(isinstance(s, dict) and len(s) == 1 and ("expert" in s or "discipline" in s),
                 f"request {rid}: {one}")
    return specs


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
    version: int = 1
    # v2: per request, per seat, the experts that may fill the seat (eligible, H2, and not
    # refusing the organisation, H10); req_elig is seat 0 of 1:1 requests, [] for groups
    req_seats: list = field(default_factory=list)
    req_seat_spec: list = field(default_factory=list)  # per seat ("expert", e) / ("discipline", d)
    expert_refuses: list = field(default_factory=list)  # set of organisation indices
    blocks: list = field(default_factory=list)  # session blocks: slot bit masks
    expert_index: dict = field(default_factory=dict)
    req_index: dict = field(default_factory=dict)
    org_index: dict = field(default_factory=dict)
    part_index: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_dict(cls, data) -> Problem:
        _require(isinstance(data, dict), "the instance must be a JSON object")
        fmt = data.get("format")
        _require(fmt in FORMATS, f"format must be one of {FORMATS!r} (got {fmt!r})")
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
        refuses_raw = []
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
            ref = e.get("refuses", []) or []
            _require(isinstance(ref, list) and all(isinstance(x, str) for x in ref),
                     f"expert {eid}: refuses must be a list of organisation ids")
            refuses_raw.append(ref)

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

        expert_refuses = []
        for eid, ref in zip(expert_ids, refuses_raw, strict=True):
            for oid in ref:
                _require(oid in org_index, f"expert {eid}: refuses unknown organisation {oid!r}")
            expert_refuses.append(frozenset(org_index[oid] for oid in ref))

        blocks = []
        prev = object()
        for s in slots:
            sess = s.get("session", 0)
            if not blocks or sess != prev:
                blocks.append(0)
                prev = sess
            blocks[-1] |= 1 << s["id"]

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
        req_seats, req_seat_spec = [], []
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
            specs = _target_specs(rid, tgt, fmt)
            spec_out, seats = [], []
            for s in specs:
                if "expert" in s:
                    _require(s["expert"] in expert_index,
                             f"request {rid}: unknown expert {s['expert']!r}")
                    cand = [expert_index[s["expert"]]]
                    spec_out.append(("expert", cand[0]))
                else:
                    _require(isinstance(s["discipline"], str),
                             f"request {rid}: discipline must be a string")
                    cand = list(by_disc.get(s["discipline"], []))
                    spec_out.append(("discipline", s["discipline"]))
                seats.append([e for e in cand if o not in expert_refuses[e]])
            _require(len({x for x in spec_out if x[0] == "expert"})
                     == sum(1 for x in spec_out if x[0] == "expert"),
                     f"request {rid}: the same expert is named for two seats")
            elig = list(seats[0]) if len(seats) == 1 else []
            req_seats.append(seats)
            req_seat_spec.append(spec_out)
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
                   part_index=part_index, version=2 if fmt == FORMAT_V2 else 1,
                   req_seats=req_seats, req_seat_spec=req_seat_spec,
                   expert_refuses=expert_refuses, blocks=blocks)
        prob.req_busy = []
        for a in req_att:
            b = 0
            for p in a:
                b |= part_busy[p]
            prob.req_busy.append(b)
        return prob

    # ------------------------------------------------------------------ derived
    @cached_property
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

    @cached_property
    def org_nreq(self) -> list[int]:
        n = [0] * len(self.org_ids)
        for o in self.req_org:
            n[o] += 1
        return n

    @property
    def has_groups(self) -> bool:
        return any(len(s) > 1 for s in self.req_seats)

    def is_group(self, r) -> bool:
        return len(self.req_seats[r]) > 1

    def group_key_seat(self, r) -> int:
        """The seat of a group request that stands for it in the flow: fewest candidates."""
        seats = self.req_seats[r]
        return min(range(len(seats)), key=lambda k: (len(seats[k]), k))

    @property
    def A(self) -> int:
        """Scale of the v2 scalar objective A*C1 + M*C2 + W (M*C2 + W < A)."""
        return self.M * (len(self.org_ids) + 1)

    def seat_eligible(self, r, k, e) -> bool:
        """Expert e may fill seat k of request r as far as H2 goes (refusals aside)."""
        kind, val = self.req_seat_spec[r][k]
        return e == val if kind == "expert" else val in self.expert_disc[e]

    def eligible_assignment(self, r, experts) -> bool:
        """H2: the experts are distinct, one per seat, and can be matched to the seats."""
        n = len(self.req_seat_spec[r])
        if len(experts) != n or len(set(experts)) != n:
            return False
        from itertools import permutations

        return any(all(self.seat_eligible(r, perm[k], experts[k]) for k in range(n))
                   for perm in permutations(range(n)))

    def person_slots(self, meetings):
        """({expert: slot mask}, {participant: slot mask}) of index meetings."""
        ex, pa = {}, {}
        for r, e, t in meetings:
            for x in experts_of(e):
                ex[x] = ex.get(x, 0) | (1 << t)
            for p in self.req_att[r]:
                pa[p] = pa.get(p, 0) | (1 << t)
        return ex, pa

    def idle(self, occ: int, avail: int) -> int:
        """Idle slots of a person with meetings in `occ` (mask), available in `avail`."""
        g = 0
        for b in self.blocks:
            m = occ & b
            if m & (m - 1):  # two meetings or more in the block
                lo = m & -m
                hi = 1 << (m.bit_length() - 1)
                between = (hi - 1) & ~((lo << 1) - 1)
                g += popcount(between & ~occ & avail)
        return g

    def gaps(self, meetings) -> tuple[int, int]:
        """(idle slots of participants, idle slots of experts)."""
        ex, pa = self.person_slots(meetings)
        full = (1 << self.T) - 1
        ge = sum(self.idle(m, self.expert_avail[e]) for e, m in ex.items())
        gp = sum(self.idle(m, full & ~self.part_busy[p]) for p, m in pa.items())
        return gp, ge

    def levels(self, meetings) -> dict:
        """C1, C2, W and G (with its split) of index meetings, each request counted once."""
        seen = set()
        per_org = {}
        w = 0
        kept = []
        for m in meetings:
            if m[0] in seen:
                continue
            seen.add(m[0])
            kept.append(m)
            o = self.req_org[m[0]]
            per_org[o] = per_org.get(o, 0) + 1
            w += self.req_weight[m[0]]
        gp, ge = self.gaps(kept)
        return {"C1": len(per_org), "C2": sum(1 for n in per_org.values() if n >= 2), "W": w,
                "G": gp + ge, "G_participants": gp, "G_experts": ge}

    def scalar(self, meetings) -> int:
        """The levels the optimiser maximises as one integer (larger is better): M*C + W for
        a v1 instance, A*C1 + M*C2 + W for v2 (G is minimised afterwards)."""
        if self.version == 1:
            C, W = self.objective(meetings)
            return self.M * C + W
        per_org = {}
        seen = set()
        w = 0
        for m in meetings:
            if m[0] not in seen:
                seen.add(m[0])
                o = self.req_org[m[0]]
                per_org[o] = per_org.get(o, 0) + 1
                w += self.req_weight[m[0]]
        return (self.A * len(per_org) + self.M * sum(1 for n in per_org.values() if n >= 2)
                + w)

    def decode(self, scalar: int) -> list[int]:
        """[C, W] (v1) or [C1, C2, W] (v2) of a scalar."""
        if self.version == 1:
            return [scalar // self.M, scalar % self.M]
        return [scalar // self.A, (scalar % self.A) // self.M, scalar % self.M]

    def org_unit_values(self, already: int, o: int) -> list[int]:
        """Value of the next meetings of organisation o that has `already` meetings: the
        concave bonus of the flow (first unit A, second unit M in v2; first unit M in v1)."""
        if self.version == 1:
            return [self.M] if already == 0 else []
        vals = [self.A] if already == 0 else []
        if already <= 1 and self.org_nreq[o] >= 2:
            vals.append(self.M)
        return vals

    def key(self, meetings) -> tuple:
        """Lexicographic key of the four levels (larger is better)."""
        lv = self.levels(meetings)
        return (lv["C1"], lv["C2"], lv["W"], -lv["G"])

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
            rid, t = m.get("request"), m.get("slot")
            eids = m.get("experts") if "experts" in m else [m.get("expert")]
            ok = (rid in self.req_index and isinstance(eids, list) and eids
                  and all(isinstance(x, str) and x in self.expert_index for x in eids)
                  and len(set(eids)) == len(eids) and _is_int(t) and 0 <= t < self.T)
            if ok:
                r = self.req_index[rid]
                ok = len(eids) == len(self.req_seats[r])
            if not ok:
                if strict:
                    raise InstanceError(f"meetings[{i}]: unknown request/expert or bad slot: {m!r}")
                continue
            ex = tuple(self.expert_index[x] for x in eids)
            out.append((r, ex[0] if len(ex) == 1 else ex, t))
        return out

    def meeting_dict(self, r, e, t) -> dict:
        ex = experts_of(e)
        if len(ex) == 1:
            return {"request": self.req_ids[r], "expert": self.expert_ids[ex[0]], "slot": t}
        return {"request": self.req_ids[r], "experts": [self.expert_ids[x] for x in ex],
                "slot": t}

    def objective_dict(self, meetings) -> dict:
        """Every level under its v2 name and its product name (v1 names kept)."""
        lv = self.levels(meetings)
        return {"covered_orgs": lv["C1"], "covered_orgs_twice": lv["C2"], "weight": lv["W"],
                "idle_slots": lv["G"], "idle_slots_participants": lv["G_participants"],
                "idle_slots_experts": lv["G_experts"],
                "scalar": self.M * lv["C1"] + lv["W"] if self.version == 1
                else self.A * lv["C1"] + self.M * lv["C2"] + lv["W"]}

    def solution_dict(self, meetings, solver="fusionforum-scheduler", meta=None) -> dict:
        if self.version == 1:
            C, W = self.objective(meetings)
            fmt, objective = SOLUTION_FORMAT, {"covered_orgs": C, "weight": W,
                                                "scalar": self.M * C + W}
        else:
            lv = self.levels(meetings)
            fmt, objective = SOLUTION_FORMAT_V2, {k: lv[k] for k in ("C1", "C2", "W", "G")}
        out = {
            "format": fmt,
            "instance": self.name,
            "solver": solver,
            "objective": objective,
            "meetings": [
                self.meeting_dict(r, e, t)
                for (r, e, t) in sorted(meetings, key=lambda m: (
                    m[2], [self.expert_ids[x] for x in experts_of(m[1])], self.req_ids[m[0]]))
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
