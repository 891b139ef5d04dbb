"""Feasibility check of a schedule against hard constraints H1-H9 (plus H0, well-formedness).

The solver checks every schedule it returns with `violations`; the Django app can call
`check(instance, solution)` before publishing a hand-edited schedule.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import InstanceError, Problem


def violations(prob: Problem, meetings) -> list[tuple[str, str]]:
    """Violations (code, message) of index meetings (r, e, t); empty list = feasible."""
    v = []
    per_req = Counter()
    exp_slot = defaultdict(list)
    part_slot = defaultdict(list)
    exp_load = Counter()
    org_exp = defaultdict(list)
    slot_load = Counter()
    for r, e, t in meetings:
        rid, eid = prob.req_ids[r], prob.expert_ids[e]
        if not (0 <= t < prob.T):
            v.append(("H0", f"request {rid}: slot {t} out of range"))
            continue
        per_req[r] += 1
        if e not in prob.req_elig[r]:
            v.append(("H2", f"request {rid} served by ineligible expert {eid}"))
        if not (prob.expert_avail[e] >> t) & 1:
            v.append(("H3", f"expert {eid} not available in slot {t} (request {rid})"))
        for p in prob.req_att[r]:
            if (prob.part_busy[p] >> t) & 1:
                v.append(("H4", f"attendee {prob.part_ids[p]} of request {rid} busy in slot {t}"))
            part_slot[(p, t)].append(rid)
        exp_slot[(e, t)].append(rid)
        exp_load[e] += 1
        org_exp[(prob.req_org[r], e)].append(rid)
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


def check(instance: dict, solution: dict) -> list[tuple[str, str]]:
    """Violations of a solution dict against an instance dict (unknown ids are H0)."""
    prob = Problem.from_dict(instance)
    if not isinstance(solution, dict) or not isinstance(solution.get("meetings"), list):
        raise InstanceError("a solution must be an object with a 'meetings' list")
    out = []
    meetings = []
    for i, m in enumerate(solution["meetings"]):
        if not isinstance(m, dict):
            out.append(("H0", f"meeting {i} is not an object"))
            continue
        rid, eid, t = m.get("request"), m.get("expert"), m.get("slot")
        if rid not in prob.req_index:
            out.append(("H0", f"meeting {i}: unknown request {rid!r}"))
        elif eid not in prob.expert_index:
            out.append(("H0", f"meeting {i}: unknown expert {eid!r}"))
        elif isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < prob.T:
            out.append(("H0", f"meeting {i}: bad slot {t!r}"))
        else:
            meetings.append((prob.req_index[rid], prob.expert_index[eid], t))
    return out + violations(prob, meetings)
