"""Python API of the scheduler: plain dicts in, plain dicts out."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from .model import Problem, experts_of
from .solver import solve_problem
from .solver2 import gap_levels, solve_v2

SOLVER_NAME = "fusionforum-scheduler"
BOUND_METHOD = ("min-cost-flow relaxation (exact except H6 across experts, H8 slot sets, "
                "H9 per slot)")
BOUND_METHOD_V2 = ("min-cost-flow relaxation with a concave organisation bonus (C1, C2, W); "
                   "group requests through one seat; G >= 0")


def _meta_v2(prob: Problem, meetings, out, *, t0, time_limit, seed, threads, extra=None):
    lv = prob.levels(meetings)
    best = [lv["C1"], lv["C2"], lv["W"], lv["G"]]
    bC1, bC2, bW = prob.decode(out.bound_scalar)
    g_bound = getattr(out, "g_bound", 0)
    bound = [bC1, bC2, bW, g_bound]
    gaps = gap_levels(best, bound)
    objective = prob.objective_dict(meetings)
    meta = {
        "status": out.status,
        "proven_optimal": out.proven,
        "objective": objective,
        "bound": {"covered_orgs": bC1, "covered_orgs_twice": bC2, "weight": bW,
                  "idle_slots": g_bound, "scalar": out.bound_scalar,
                  "method": BOUND_METHOD_V2},
        "gap": {"covered_orgs": gaps["C1"], "covered_orgs_twice": gaps["C2"],
                "weight": gaps["W"], "idle_slots": gaps["G"],
                "relative": (round((out.bound_scalar - objective["scalar"]) / out.bound_scalar, 9)
                             if out.bound_scalar else 0.0)},
        "levels": [{"level": name, "value": v, "bound": b, "gap": gaps[name],
                    "proven": gaps[name] == 0}
                   for name, v, b in zip(("C1", "C2", "W", "G"), best, bound, strict=True)],
        "time_limit_s": time_limit,
        "seed": seed,
        "threads": threads,
        "phases": [{k: v for k, v in p.items() if k != "elapsed_s"} for p in out.phases],
        "time_s": round(time.monotonic() - t0, 3),
    }
    if extra:
        meta.update(extra)
    return meta


def _meta(prob: Problem, meetings, out, *, t0, time_limit, seed, threads, extra=None):
    if prob.version == 2:
        return _meta_v2(prob, meetings, out, t0=t0, time_limit=time_limit, seed=seed,
                        threads=threads, extra=extra)
    M = prob.M
    C, W = prob.objective(meetings)
    scalar = M * C + W
    bound = out.bound_scalar
    bC, bW = bound // M, bound % M
    meta = {
        "status": out.status,
        "proven_optimal": out.proven,
        "objective": prob.objective_dict(meetings),
        "bound": {"covered_orgs": bC, "weight": bW, "scalar": bound, "method": BOUND_METHOD},
        "gap": {
            "covered_orgs": bC - C,
            # the weight bound applies to schedules covering bC organisations
            "weight": (bW - W) if bC == C else None,
            "relative": round((bound - scalar) / bound, 9) if bound else 0.0,
        },
        "time_limit_s": time_limit,
        "seed": seed,
        "threads": threads,
        "phases": [{k: v for k, v in p.items() if k != "elapsed_s"} for p in out.phases],
        "time_s": round(time.monotonic() - t0, 3),
    }
    if extra:
        meta.update(extra)
    return meta


def solve(instance: dict, time_limit: float = 10.0, seed: int = 0, threads: int = 2,
          progress=None) -> dict:
    """Best schedule of a `fusion-matchmaking/1` instance within `time_limit` seconds.

    Returns a `fusion-matchmaking-solution/1` dict; `meta` holds the status ("optimal" when
    the schedule reaches the bound, i.e. is proven optimal, else "feasible"), objective,
    bound and gap. `progress`, when given, is called with a dict (phase, elapsed_s, best,
    bound, gap) at every improvement. Raises `InstanceError` on a malformed instance.
    """
    t0 = time.monotonic()
    prob = Problem.from_dict(instance)
    engine = solve_v2 if prob.version == 2 else solve_problem
    out = engine(prob, time_limit, seed=seed, threads=threads, progress=progress, t0=t0)
    meta = _meta(prob, out.meetings, out, t0=t0, time_limit=time_limit, seed=seed,
                 threads=threads)
    return prob.solution_dict(out.meetings, SOLVER_NAME, meta)


def _keepable(prob: Problem, published, seed):
    """Largest subset of the published meetings still feasible after the change (ties: best
    objective of the kept meetings). Returns (kept, dropped_with_reason, exact)."""
    dropped = []
    cand = []
    for r, e, t in published:
        ex = experts_of(e)
        o = prob.req_org[r]
        if not prob.eligible_assignment(r, ex):
            dropped.append(((r, e, t), "expert no longer eligible"))
        elif any(o in prob.expert_refuses[x] for x in ex):
            dropped.append(((r, e, t), "the expert declines to meet this organisation"))
        elif any(not (prob.expert_avail[x] >> t) & 1 or prob.expert_cap[x] <= 0 for x in ex):
            dropped.append(((r, e, t), "expert no longer available in this slot"))
        elif prob.rooms is not None and prob.rooms[t] <= 0:
            dropped.append(((r, e, t), "slot lost"))
        elif prob.req_busy[r] >> t & 1:
            dropped.append(((r, e, t), "an attendee is no longer available in this slot"))
        else:
            cand.append((r, e, t))
    # conflicts between the remaining ones (lower caps or rooms, edited attendees, ...)
    groups = defaultdict(list)
    by_e = defaultdict(list)
    for i, (r, e, t) in enumerate(cand):
        groups[("r", r)].append(i)
        for x in experts_of(e):
            groups[("et", x, t)].append(i)
            groups[("oe", prob.req_org[r], x)].append(i)
            by_e[x].append(i)
        for p in prob.req_att[r]:
            groups[("pt", p, t)].append(i)
    load_t = Counter(t for _r, _e, t in cand)
    conflict = (any(len(v) > 1 for v in groups.values())
                or any(len(v) > prob.expert_cap[x] for x, v in by_e.items())
                or (prob.rooms is not None and any(n > prob.rooms[t] for t, n in load_t.items())))
    if not conflict:
        return cand, dropped, True
    from ortools.sat.python import cp_model
    m = cp_model.CpModel()
    k = [m.new_bool_var(f"k{i}") for i in range(len(cand))]
    for v in groups.values():
        if len(v) > 1:
            m.add_at_most_one(k[i] for i in v)
    for x, v in by_e.items():
        if len(v) > prob.expert_cap[x]:
            m.add(sum(k[i] for i in v) <= prob.expert_cap[x])
    if prob.rooms is not None:
        for t, n in load_t.items():
            if n > prob.rooms[t]:
                m.add(sum(k[i] for i, c in enumerate(cand) if c[2] == t) <= prob.rooms[t])
    M = prob.M
    big = M * (len(prob.org_ids) + 1)
    by_org = defaultdict(list)
    for i, (r, _e, _t) in enumerate(cand):
        by_org[prob.req_org[r]].append(k[i])
    cov = []
    for o, lits in by_org.items():
        c = m.new_bool_var(f"c{o}")
        m.add(c <= sum(lits))
        cov.append(c)
    m.maximize(big * sum(k) + M * sum(cov)
               + sum(prob.req_weight[r] * k[i] for i, (r, _e, _t) in enumerate(cand)))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.random_seed = seed
    s.parameters.max_time_in_seconds = 30
    st = s.solve(m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - tiny model
        raise RuntimeError("repair: could not select the meetings to keep")
    kept = []
    for i, c in enumerate(cand):
        if s.boolean_value(k[i]):
            kept.append(c)
        else:
            dropped.append((c, "conflicts with the change (capacity, rooms or attendees)"))
    return kept, dropped, st == cp_model.OPTIMAL


def _change_entry(prob, r, e, t, why, now):
    out = prob.meeting_dict(r, e, t)
    out["reason"] = why
    if now is None:
        out["now"] = None
    else:
        nm = prob.meeting_dict(r, now[0], now[1])
        nm.pop("request")
        out["now"] = nm
    return out


def repair(instance: dict, published: dict, time_limit: float = 10.0, seed: int = 0,
           threads: int = 2, progress=None) -> dict:
    """Re-optimise a published schedule after a change.

    `instance` is the instance *after* the change (see `changes.apply_change`), `published`
    the schedule published before it. Lexicographic: first keep as many published meetings
    unchanged as possible (a meeting is changed when its request, expert or slot changes or
    it is cancelled), then maximise (organisations covered, weight) with those meetings
    frozen: displaced requests and unserved ones may get new meetings. `meta.changes` lists
    every published meeting that was not kept, with its reason and its new placement.
    """
    t0 = time.monotonic()
    prob = Problem.from_dict(instance)
    pub_all = published.get("meetings") if isinstance(published, dict) else None
    pub = prob.meetings_from_solution(published, strict=False)
    n_pub = len(pub_all) if isinstance(pub_all, list) else 0
    kept, dropped, exact = _keepable(prob, pub, seed)
    engine = solve_v2 if prob.version == 2 else solve_problem
    out = engine(prob, max(0.0, time_limit - (time.monotonic() - t0)), seed=seed,
                 threads=threads, progress=progress, frozen=kept, t0=t0)
    meetings = list(kept) + list(out.meetings)
    new_of = {r: (e, t) for r, e, t in out.meetings}
    def key(m):
        ex = m.get("experts") if "experts" in m else [m.get("expert")]
        ex = tuple(sorted(map(str, ex))) if isinstance(ex, list) else (str(ex),)
        return (m.get("request"), ex, m.get("slot"))

    known = {key(prob.meeting_dict(r, e, t)) for r, e, t in pub}
    changes = []
    for m in pub_all or []:
        if not isinstance(m, dict):
            continue
        if key(m) not in known:
            entry = {k: m.get(k) for k in ("request", "expert", "experts", "slot") if k in m}
            entry.update(reason="request, expert or slot no longer in the instance", now=None)
            changes.append(entry)
    for (r, e, t), why in dropped:
        changes.append(_change_entry(prob, r, e, t, why, new_of.get(r)))
    changes.sort(key=lambda c: (str(c.get("request")), str(c.get("expert", c.get("experts"))),
                                str(c.get("slot"))))
    extra = {
        "repair": {
            "published_meetings": n_pub,
            "kept": len(kept),
            "changed": n_pub - len(kept),
            "moved": sum(1 for c in changes if c["now"] is not None),
            "cancelled": sum(1 for c in changes if c["now"] is None),
            "added": sum(1 for r in new_of if r not in {c[0] for c, _w in dropped}),
            "fewest_changes_proven": exact,
        },
        "changes": changes,
    }
    meta = _meta(prob, meetings, out, t0=t0, time_limit=time_limit, seed=seed,
                 threads=threads, extra=extra)
    meta["status"] = out.status
    return prob.solution_dict(meetings, SOLVER_NAME + "-repair", meta)
