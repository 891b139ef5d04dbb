"""The linear relaxation that couples a group request's seats (v2).

The min-cost-flow relaxation lets a group request through one seat only; its "Lagrangian units"
(`FlowModel.lam_arcs`: one unit per other seat, from the source through that seat's candidate
experts) are tied to the request here by equality rows, `flow(request arc) = flow(seat unit)`,
and the whole is solved as a linear programme (HiGHS through SciPy). It is still a relaxation
of the schedule problem (H6 across experts, H9 per slot and H8's slot sets stay relaxed as in
the flow), so its optimum bounds A*C1 + M*C2 + W from above; on the generated instances the
optimal vertex is integral and a slot assignment (CP-SAT) of its meetings reaches it, which
proves C1, C2 and W optimal.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np

from .solver import FlowResult


def solve_lp(fm, time_limit: float):
    """(bound on the flow's objective (an int, to add to the frozen part), FlowResult of the
    optimal vertex, its arcs above one half when it is fractional (`fr.integral` tells)) or
    None when the LP was not solved in time."""
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
    res = linprog(costs.astype(float), A_eq=vstack([A, C]).tocsr(),
                  b_eq=np.concatenate([b, np.zeros(k)]),
                  bounds=np.stack([np.zeros(m), caps.astype(float)], axis=1), method="highs",
                  options={"time_limit": max(0.01, time_limit), "presolve": True})
    if res.status != 0:
        return None
    x = res.x
    value = -res.fun
    rounded = np.rint(x)
    integral = bool(np.all(np.abs(x - rounded) < 1e-6))
    if integral:
        # the objective of an integral vertex, in exact integer arithmetic
        bound = -int(np.dot(costs.astype(object), rounded.astype(np.int64).astype(object)))
        bound = max(bound, math.floor(value + 1e-6))
    else:
        bound = math.floor(value + 1e-6)
    # a fractional vertex still guides the group requests: its arcs above one half (at most
    # one pair per request, the request arc has capacity one) are rounded to whole meetings
    flows = rounded.astype(np.int64) if integral else (x > 0.5).astype(np.int64)
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
    return bound, fr


def lp_schedule(res, fm, deadline, seed, threads):
    """(bound, meetings or None, group meetings or None): the LP bound; when its vertex is
    integral, the schedule of its meetings if CP-SAT places them all in slots (it reaches
    the bound), else its group meetings (of a fractional vertex: its arcs above one half)
    placed greedily, for an exact 1:1 solve around them."""
    from .baseline import State
    from .solver import _realise, group_conflict, participant_conflict

    left = deadline - time.monotonic()
    if left <= 0:
        return None, None, None
    out = solve_lp(fm, left)
    if out is None:
        return None, None, None
    bound, fr = out

    def remaining():
        return deadline - time.monotonic()

    prob = res.prob
    clash = fr.integral and (group_conflict(res, fm.pairs, fr.chosen_idx)
                             or participant_conflict(prob, fm.pairs, fr.chosen_idx))
    if fr.integral and clash is None:
        kind, got = _realise(res, fr, remaining, seed, threads)
        if kind == "schedule":
            return bound, got, None
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
    return bound, None, st.meetings[len(res.frozen):]
