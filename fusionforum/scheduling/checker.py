"""Feasibility check of a schedule against hard constraints H1-H10 (plus H0, well-formedness),
as the benchmark kit's `check.py` (fusion-matchmaking/2; v1 solutions are v2 solutions).

The solver checks every schedule it returns with `violations`; the Django app can call
`check(instance, solution)` before publishing a hand-edited schedule.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import InstanceError, Problem, experts_of


def violations(prob: Problem, meetings) -> list[tuple[str, str]]:
    """Violations (code, message) of index meetings (r, e, t), e an expert index (1:1) or a
    tuple of expert indices (group); empty list = feasible."""
    v = []
    per_req = Counter()
    exp_slot = defaultdict(list)
    part_slot = defaultdict(list)
    exp_load = Counter()
    org_exp = defaultdict(list)
    slot_load = Counter()
    for r, e, t in meetings:
        rid = prob.req_ids[r]
        ex = experts_of(e)
        if not (0 <= t < prob.T):
            v.append(("H0", f"request {rid}: slot {t} out of range"))
            continue
        if len(ex) != len(prob.req_seats[r]):
            v.append(("H0", f"request {rid}: {len(ex)} expert(s) given for "
                            f"{len(prob.req_seats[r])} seat(s)"))
            continue
        if len(set(ex)) != len(ex):
            v.append(("H0", f"request {rid}: the same expert fills two seats"))
            continue
        per_req[r] += 1
        names = ",".join(prob.expert_ids[x] for x in ex)
        if not prob.eligible_assignment(r, ex):
            v.append(("H2", f"request {rid}: experts {names} cannot fill its seats"))
        o = prob.req_org[r]
        for x in ex:
            eid = prob.expert_ids[x]
            if not (prob.expert_avail[x] >> t) & 1:
                v.append(("H3", f"expert {eid} not available in slot {t} (request {rid})"))
            if o in prob.expert_refuses[x]:
                v.append(("H10", f"expert {eid} refuses organisation {prob.org_ids[o]} "
                                 f"(request {rid})"))
            exp_slot[(x, t)].append(rid)
            exp_load[x] += 1
            org_exp[(o, x)].append(rid)
        for p in prob.req_att[r]:
            if (prob.part_busy[p] >> t) & 1:
                v.append(("H4", f"attendee {prob.part_ids[p]} of request {rid} busy in slot {t}"))
            part_slot[(p, t)].append(rid)
        slot_load[t] += 1
    for r, n in sorted(per_req.items()):
        if n > 1:
            v.append(("H1", f"request {prob.req_ids[r]} served {n} times"))
    for (e, t), rs in sorted(exp_slot.items()):
        if len(rs) > 1:
            v.append(("H5", f"expert {prob.expert_ids[e]} double-booked in slot {t}: {rs}"))
    for (p, t), rs in sorted(part_slot.items()):
        if len(rs) > 1:
            v.append(("H6", f"participant {prob.part_ids[p]} double-booked in slot {t}: {rs}"))
    for e, n in sorted(exp_load.items()):
        if n > prob.expert_cap[e]:
            v.append(("H7", f"expert {prob.expert_ids[e]} has {n} meetings > "
                            f"max_meetings {prob.expert_cap[e]}"))
    for (o, e), rs in sorted(org_exp.items()):
        if len(rs) > 1:
            v.append(("H8", f"organisation {prob.org_ids[o]} meets expert "
                            f"{prob.expert_ids[e]} {len(rs)} times: {rs}"))
    if prob.rooms is not None:
        for t, n in sorted(slot_load.items()):
            if n > prob.rooms[t]:
                v.append(("H9", f"slot {t} has {n} meetings > rooms {prob.rooms[t]}"))
    return v


def parse_meetings(prob: Problem, solution: dict):
    """(index meetings, H0 violations) of a solution dict; meetings naming unknown ids,
    bad slots or the wrong number of experts are H0 and left out."""
    if not isinstance(solution, dict) or not isinstance(solution.get("meetings"), list):
        raise InstanceError("a solution must be an object with a 'meetings' list")
    out = []
    meetings = []
    for i, m in enumerate(solution["meetings"]):
        if not isinstance(m, dict):
            out.append(("H0", f"meeting {i} is not an object"))
            continue
        rid, t = m.get("request"), m.get("slot")
        if "experts" in m and "expert" in m:
            out.append(("H0", f"meeting {i}: give either 'expert' or 'experts', not both"))
            continue
        eids = m.get("experts") if "experts" in m else [m.get("expert")]
        if rid not in prob.req_index:
            out.append(("H0", f"meeting {i}: unknown request {rid!r}"))
        elif not isinstance(eids, list) or not eids:
            out.append(("H0", f"meeting {i}: 'experts' must be a non-empty list"))
        elif any(not isinstance(x, str) or x not in prob.expert_index for x in eids):
            out.append(("H0", f"meeting {i}: unknown expert(s) {eids!r}"))
        elif isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < prob.T:
            out.append(("H0", f"meeting {i}: bad slot {t!r}"))
        else:
            ex = tuple(prob.expert_index[x] for x in eids)
            meetings.append((prob.req_index[rid], ex[0] if len(ex) == 1 else ex, t))
    return meetings, out


def check(instance: dict, solution: dict) -> list[tuple[str, str]]:
    """Violations of a solution dict against an instance dict (unknown ids are H0)."""
    prob = Problem.from_dict(instance)
    meetings, out = parse_meetings(prob, solution)
    return out + violations(prob, meetings)
