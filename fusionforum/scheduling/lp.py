"""The linear relaxation that couples a group request's seats (v2).

The min-cost-flow relaxation lets a group request through one seat only; its "Lagrangian units"
(`FlowModel.lam_arcs`: one unit per other seat, from the source through that seat's candidate
experts) are tied to the request here by equality rows, `flow(request arc) = flow(seat unit)`,
and the whole is solved as a linear programme (HiGHS through SciPy). It is still a relaxation
of the schedule problem (H6 across experts, H9 per slot and H8's slot sets stay relaxed as in
the flow), so its optimum bounds A*C1 + M*C2 + W from above. Two additions make its optimal
point a schedule more often, without weakening the bound:

* valid inequalities for H6 where the flow is blind to it: the pairs of one attendee whose
  slots all lie in one or two slots cannot be more than that many (`participant_cuts`);
* when the vertex is fractional, the same model as a MIP (HiGHS) restricted by reduced-cost
  fixing to the arcs that a point worth floor(LP) can use (`integral_vertex`).

On the generated instances a slot assignment (CP-SAT) of that point's meetings then reaches
the bound, which proves C1, C2 and W optimal.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np

from .solver import FlowResult

# Branch-and-bound nodes of the MIP for a fractional vertex. A work limit, not a time limit:
# the point HiGHS returns then depends on the instance alone, not on the machine's load (on
# the generated instances the MIP closes at its root node). Neither the LP nor the MIP gets
# a HiGHS time limit: with one set, HiGHS's simplex returned one of two optimal vertices
# from run to run (same input, same objective), even when the limit was far from reached.
MIP_NODES = 50


def participant_cuts(fm, narrow=2):
    """Rows (arc indices) of valid inequalities `sum of flows <= len(slots)` for the pairs
    of an attendee whose slots all lie in a set of at most `narrow` slots: the flow relaxes
    H6 across experts, so without them its optimum may give a participant two meetings that
    can only take place in the same slot. [(arcs, right-hand side), ...]"""
    prob = fm.res.prob
    by_p = defaultdict(list)
    for i, (r, _e, m) in enumerate(fm.pairs):
        if bin(m).count("1") <= narrow:
            for p in prob.req_att[r]:
                by_p[p].append(i)
    rows = []
    for p in sorted(by_p):
        lst = by_p[p]
        if len({fm.pairs[i][0] for i in lst}) < 2:
            continue
        for s in sorted({fm.pairs[i][2] for i in lst}):
            inside = [i for i in lst if fm.pairs[i][2] & ~s == 0]
            if len({fm.pairs[i][0] for i in inside}) > bin(s).count("1"):
                rows.append(([fm.pair_arc[i] for i in inside], bin(s).count("1")))
    return rows


def integral_vertex(res, costs, caps, A_eq, b_eq, ub):
    """An integral point of the relaxation that reaches floor(LP optimum), or None: the
    relaxation as a MIP (HiGHS), with every arc whose reduced cost exceeds the LP's
    fractional part fixed at its bound (no point reaching floor(LP) can use it), which
    leaves a small MIP. The bound stays the LP's; this only finds a vertex to schedule.
    At most `MIP_NODES` nodes, no time limit (see `MIP_NODES`)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    slack = math.ceil(res.fun - 1e-6) - res.fun
    margin = slack + 1e-3
    lo = np.zeros(len(costs))
    hi = caps.astype(float).copy()
    hi[res.lower.marginals > margin] = 0
    at_upper = res.upper.marginals < -margin
    lo[at_upper] = hi[at_upper]
    cons = [LinearConstraint(A_eq, b_eq, b_eq)]
    if ub:
        cons.append(LinearConstraint(ub["A_ub"], -np.inf, ub["b_ub"]))
    # 0/1 arcs integral; the wide arcs (source and sink) follow by flow conservation
    # no relative gap: the objective's scale (A*C1 ~ 1e9) would let 1e-4 stop far from it
    out = milp(costs.astype(float), constraints=cons, bounds=Bounds(lo, hi),
               integrality=(caps <= 1).astype(np.int64),
               options={"node_limit": MIP_NODES, "disp": False, "mip_rel_gap": 0.0})
    if out.x is None or out.fun > math.ceil(res.fun - 1e-6) + 1e-6:
        return None
    y = np.rint(out.x)
    if not np.all(np.abs(out.x - y) < 1e-6):
        return None
    return y


def solve_lp(fm, time_limit: float, cuts=True, before_mip=None):
    """(bound on the flow's objective (an int, to add to the frozen part), FlowResult of the
    optimal vertex, its arcs above one half when it is fractional (`fr.integral` tells)) or
    None when the LP was not solved. `cuts`: with the participants' narrow slot sets
    (`participant_cuts`). The LP and the MIP have work limits only (see `MIP_NODES`);
    `time_limit` only skips the MIP when the LP alone took it all (a safety net).
    `before_mip(fr)`, when given, is called with the FlowResult of a fractional vertex (its
    arcs above one half) before the MIP runs, so that a schedule from it is at hand whatever
    the MIP gives."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    if not fm.n_arcs:
        fr = FlowResult(0, [], [], {})
        fr.other_seats, fr.integral = {}, True
        return 0, fr
    tails, heads, caps, _c = fm.arrays
    costs = fm.base_costs
    n = int(max(tails.max(), heads.max())) + 1
    m = fm.n_arcs
    idx = np.arange(m)
    A = coo_matrix((np.concatenate([np.ones(m), -np.ones(m)]),
                    (np.concatenate([tails, heads]), np.concatenate([idx, idx]))), shape=(n, m))
    b = np.zeros(n)
    b[fm.S] = fm.big
    b[fm.K] = -fm.big
    k = len(fm.lam_arcs)
    rows = np.repeat(np.arange(k), 2)
    cols = np.array([a for _r, _s, ra, ya in fm.lam_arcs for a in (ra, ya)], dtype=np.int64)
    C = coo_matrix((np.tile([1.0, -1.0], k), (rows, cols)), shape=(k, m))
    ub = {}
    if cuts:
        rows = participant_cuts(fm)
        if rows:
            ri = np.concatenate([np.full(len(a), j) for j, (a, _h) in enumerate(rows)])
            ci = np.concatenate([np.asarray(a, dtype=np.int64) for a, _h in rows])
            ub = {"A_ub": coo_matrix((np.ones(len(ci)), (ri, ci)), shape=(len(rows), m)).tocsr(),
                  "b_ub": np.array([h for _a, h in rows], dtype=float)}
    t_end = time.monotonic() + max(0.01, time_limit)
    A_eq, b_eq = vstack([A, C]).tocsr(), np.concatenate([b, np.zeros(k)])
    res = linprog(costs.astype(float), A_eq=A_eq, **ub, b_eq=b_eq,
                  bounds=np.stack([np.zeros(m), caps.astype(float)], axis=1), method="highs",
                  options={"presolve": True})
    if res.status != 0:
        return None
    x = res.x
    value = -res.fun
    rounded = np.rint(x)
    integral = bool(np.all(np.abs(x - rounded) < 1e-6))
    if not integral and before_mip is not None:
        before_mip(_flow_result(fm, (x > 0.5).astype(np.int64), math.floor(value + 1e-6),
                                False))
    if not integral and t_end - time.monotonic() > 0.1:
        y = integral_vertex(res, costs, caps, A_eq, b_eq, ub)
        if y is not None:
            x, rounded, integral = y, y, True
    if integral:
        # the objective of an integral vertex, in exact integer arithmetic
        bound = -int(np.dot(costs.astype(object), rounded.astype(np.int64).astype(object)))
        bound = max(bound, math.floor(value + 1e-6))
    else:
        bound = math.floor(value + 1e-6)
    # a fractional vertex still guides the group requests: its arcs above one half (at most
    # one pair per request, the request arc has capacity one) are rounded to whole meetings
    fr = _flow_result(fm, rounded.astype(np.int64) if integral else (x > 0.5).astype(np.int64),
                      bound, integral)
    return bound, fr


def _flow_result(fm, flows, bound, integral):
    """The FlowResult of arc flows: chosen pairs, proposed slots, other seats' experts."""
    chosen_idx = [i for i, a in enumerate(fm.pair_arc) if flows[a] > 0]
    group_slots = defaultdict(list)
    for gn, t, a in fm.slot_arcs:
        if flows[a] > 0:
            group_slots[gn].append(t)
    slot_of = {}
    for i in chosen_idx:
        r, _e, msk = fm.pairs[i]
        lst = group_slots.get(fm.pair_group[i])
        if lst:
            pick = next((t for t in lst if (msk >> t) & 1), lst[0])
            lst.remove(pick)
            slot_of[r] = pick
    fr = FlowResult(bound, chosen_idx, [fm.pairs[i] for i in chosen_idx], slot_of)
    fr.other_seats = defaultdict(list)  # group request -> the LP's experts for other seats
    for r, x, a in fm.seat_arcs:
        if flows[a] > 0:
            fr.other_seats[r].append(x)
    fr.integral = integral
    return fr


def lp_schedule(res, fm, deadline, seed, threads, fallback=None):
    """(bound, meetings or None, group meetings or None): the LP bound; when its vertex is
    integral, the schedule of its meetings if CP-SAT places them all in slots (it reaches
    the bound), else its group meetings (of a fractional vertex: its arcs above one half)
    placed greedily, for an exact 1:1 solve around them. With `fallback`, the vertex's group
    meetings go to `fallback(groups, bound, integral)` before its meetings are placed in slots (a
    fractional vertex's before the MIP looks for an integral point), and are not returned
    again."""
    from .solver import _realise, group_conflict, participant_conflict

    left = deadline - time.monotonic()
    if left <= 0:
        return None, None, None
    before_mip = None
    handed = []
    if fallback is not None:
        def before_mip(frac):
            handed.append(True)
            fallback(place_groups(res, frac), frac.delta_scalar, False)
    out = solve_lp(fm, left, before_mip=before_mip)
    if out is None:
        return None, None, None
    bound, fr = out

    def remaining():
        return deadline - time.monotonic()

    if fallback is not None and not handed and fr.integral:
        # an integral vertex's groups too, before its slot assignment: when its meetings do
        # not fit in slots, the time the assignment took is not taken from the fallback
        handed.append(True)
        fallback(place_groups(res, fr), bound, True)
    prob = res.prob
    clash = fr.integral and (group_conflict(res, fm.pairs, fr.chosen_idx)
                             or participant_conflict(prob, fm.pairs, fr.chosen_idx))
    if fr.integral and clash is None:
        # no long complete search: when the local search does not place the point's
        # meetings they rarely fit at all, and the time is worth more to what follows
        kind, got = _realise(res, fr, remaining, seed, threads, thorough=False)
        if kind == "schedule":
            return bound, got, None
    if handed:
        return bound, None, None
    return bound, None, place_groups(res, fr)


def place_groups(res, fr):
    """The group meetings of a FlowResult, placed greedily (its slot and other-seat experts
    first) around the frozen meetings."""
    from .baseline import State

    prob = res.prob
    st = State(prob, res.frozen)
    for r, e, m in sorted(fr.chosen, key=lambda c: (c[0], c[1])):
        if not prob.is_group(r):
            continue
        want = {e, *fr.other_seats.get(r, ())}
        ts = [t for t in range(prob.T) if (m >> t) & 1]
        pt = fr.slot_of.get(r)
        if pt in ts:
            ts.remove(pt)
            ts.insert(0, pt)
        busy = st.req_busy(r)
        for t in ts:
            if (busy >> t) & 1 or not st.room_ok(t):
                continue
            ex = st.pick(r, t, key=lambda x, want=want: (x not in want, st.load[x],
                                                          prob.expert_ids[x]))
            if ex is not None:
                st.add(r, ex, t)
                break
    return st.meetings[len(res.frozen):]
