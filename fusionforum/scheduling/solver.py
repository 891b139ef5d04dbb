"""The scheduler: relaxation bound, greedy and rounded schedules, CP-SAT slot assignment.

Pipeline of `solve_problem` (every step keeps the best feasible schedule found so far, so a
short time limit still returns one):

1. Greedy, coverage first: one meeting for as many organisations as possible (most
   constrained first), then the remaining requests by weight. Always feasible.
2. Relaxation as a min-cost flow (OR-Tools `SimpleMinCostFlow`). Source -> organisation
   (a first unit worth M = sum of weights + 1, further units worth 0) -> request (worth its
   weight) -> (organisation, expert) when the organisation has several requests that expert
   could serve (H8) -> (expert, set of feasible slots) -> (expert, slot) of capacity 1 (H5)
   -> expert of capacity max_meetings (H7) -> rooms of the day -> sink. The flow keeps
   H1, H2, H3, H4 per request, H5, H7, H8 and Hall's condition between an expert's meetings
   and their slots exactly; it relaxes only H6 between meetings of different experts, H9
   per slot and H8's slot sets. Min-cost flows have integral optima, so the optimum of the
   flow is an upper bound of the exact scalar objective M*C + W: its quotient by M bounds
   the organisations covered C, and when C reaches it the remainder bounds the weight W.
3. Rounding: the flow also proposes a slot for each meeting; meetings that break H4/H6/H9
   are moved to another free slot or dropped, and the greedy fills the rest.
4. Slot assignment with CP-SAT: the flow's meetings (request, expert) must all be placed
   in slots respecting H3-H6 and H9, hinted with the rounding. When it succeeds the
   schedule reaches the bound: it is optimal, and proven so.
5. Otherwise (the relaxation was not exact on this instance): CP-SAT on the reduced 0/1
   model (only triples feasible under H2-H4, H9) around the conflicts, hinted with the best
   schedule, objective M*C + W capped by the bound, in widening neighbourhoods until the
   bound is reached or the time is up. The bound stays the flow's (reported honestly as a
   gap when not reached).

Frozen meetings (for repair) are fixed beforehand: they consume expert slots and caps,
participants' time and rooms, and cover their organisations.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from .checker import violations
from .model import Problem, slots_of


def _cp_model():
    # imported on first use: CP-SAT's Python layer takes ~0.4 s to import and most small
    # instances are solved by the flow and the rounding alone
    from ortools.sat.python import cp_model

    return cp_model


def _lowbit_index(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


# ---------------------------------------------------------------------- residual state
class Residual:
    """What is left of an instance once `frozen` meetings are fixed."""

    def __init__(self, prob: Problem, frozen=()):
        self.prob = prob
        self.frozen = list(frozen)
        self.cap = list(prob.expert_cap)
        self.avail = list(prob.expert_avail)
        self.busy = list(prob.part_busy)
        self.rooms = list(prob.rooms) if prob.rooms is not None else None
        self.covered = set()
        self.org_exp = set()
        self.served = set()
        for r, e, t in self.frozen:
            self.cap[e] -= 1
            self.avail[e] &= ~(1 << t)
            for p in prob.req_att[r]:
                self.busy[p] |= 1 << t
            if self.rooms is not None:
                self.rooms[t] -= 1
            self.covered.add(prob.req_org[r])
            self.org_exp.add((prob.req_org[r], e))
            self.served.add(r)

    def room_mask(self) -> int:
        T = self.prob.T
        if self.rooms is None:
            return (1 << T) - 1
        m = 0
        for t in range(T):
            if self.rooms[t] > 0:
                m |= 1 << t
        return m

    def req_busy(self, r) -> int:
        b = 0
        for p in self.prob.req_att[r]:
            b |= self.busy[p]
        return b

    def pairs(self) -> list[tuple[int, int, int]]:
        """(request, expert, slot mask) individually feasible in the residual."""
        prob = self.prob
        rm = self.room_mask()
        out = []
        for r, elig in enumerate(prob.req_elig):
            if r in self.served:
                continue
            o = prob.req_org[r]
            free = rm & ~self.req_busy(r)
            if not free:
                continue
            for e in elig:
                if self.cap[e] <= 0 or (o, e) in self.org_exp:
                    continue
                m = self.avail[e] & free
                if m:
                    out.append((r, e, m))
        return out


# ---------------------------------------------------------------------- incremental schedule
class Schedule:
    """A growing feasible set of meetings on top of a residual (used by greedy and rounding)."""

    def __init__(self, res: Residual):
        self.res = res
        prob = res.prob
        self.prob = prob
        self.cap = list(res.cap)
        self.exp_free = list(res.avail)  # slots where the expert is available and not booked
        self.busy = list(res.busy)
        self.rooms = list(res.rooms) if res.rooms is not None else None
        self.room_ok = res.room_mask()
        self.org_exp = set(res.org_exp)
        self.served = set(res.served)
        self.covered = set(res.covered)
        self.meetings: list[tuple[int, int, int]] = []

    def free_slots(self, r, e) -> int:
        if r in self.served or self.cap[e] <= 0 or (self.prob.req_org[r], e) in self.org_exp:
            return 0
        b = 0
        for p in self.prob.req_att[r]:
            b |= self.busy[p]
        return self.exp_free[e] & self.room_ok & ~b

    def add(self, r, e, t):
        prob = self.prob
        self.cap[e] -= 1
        self.exp_free[e] &= ~(1 << t)
        for p in prob.req_att[r]:
            self.busy[p] |= 1 << t
        if self.rooms is not None:
            self.rooms[t] -= 1
            if self.rooms[t] <= 0:
                self.room_ok &= ~(1 << t)
        self.org_exp.add((prob.req_org[r], e))
        self.served.add(r)
        self.covered.add(prob.req_org[r])
        self.meetings.append((r, e, t))

    def place(self, r, candidates) -> bool:
        """Place request r with one of `candidates` (experts): the expert with most room
        left, in its earliest free slot."""
        best = None
        for e in candidates:
            m = self.free_slots(r, e)
            if m:
                key = (-self.cap[e], e)
                if best is None or key < best[0]:
                    best = (key, e, m)
        if best is None:
            return False
        self.add(r, best[1], _lowbit_index(best[2]))
        return True


def greedy_fill(sched: Schedule, pairs) -> None:
    """Coverage first: for organisations without a meeting (fewest options first) place one
    request; then every remaining request by decreasing weight."""
    prob = sched.prob
    cands = defaultdict(list)
    for r, e, _m in pairs:
        cands[r].append(e)
    org_reqs = defaultdict(list)
    for r in cands:
        org_reqs[prob.req_org[r]].append(r)
    n_opts = {o: sum(len(cands[r]) for r in rs) for o, rs in org_reqs.items()}
    for o in sorted(org_reqs, key=lambda o: (n_opts[o], o)):
        if o in sched.covered:
            continue
        for r in sorted(org_reqs[o], key=lambda r: (len(cands[r]), -prob.req_weight[r], r)):
            if sched.place(r, cands[r]):
                break
    for r in sorted(cands, key=lambda r: (-prob.req_weight[r], len(cands[r]), r)):
        if r not in sched.served:
            sched.place(r, cands[r])


# ---------------------------------------------------------------------- flow relaxation
@dataclass
class FlowResult:
    delta_scalar: int  # M * (new organisations covered) + new weight, optimum of the flow
    chosen: list[tuple[int, int, int]]  # (request, expert, slot mask) in the flow's optimum
    slot_of: dict = field(default_factory=dict)  # request -> slot proposed by the flow


def flow_relaxation(res: Residual, pairs) -> FlowResult:
    prob = res.prob
    M = prob.M
    if not pairs:
        return FlowResult(0, [], {})
    tails, heads, caps, costs = [], [], [], []

    def arc(u, v, c, w):
        tails.append(u)
        heads.append(v)
        caps.append(c)
        costs.append(w)
        return len(tails) - 1

    nodes = {}

    def node(key):
        n = nodes.get(key)
        if n is None:
            n = nodes[key] = len(nodes)
        return n

    S, K, K1 = node("S"), node("K"), node("K1")
    big = len(pairs) + 1
    oe_count = defaultdict(int)
    for r, e, _m in pairs:
        oe_count[(prob.req_org[r], e)] += 1
    oe_union = defaultdict(int)
    for r, e, m in pairs:
        oe_union[(prob.req_org[r], e)] |= m

    orgs_seen, reqs_seen = set(), set()
    pair_arc = []
    groups = {}
    for r, e, m in pairs:
        o = prob.req_org[r]
        on = node(("o", o))
        if o not in orgs_seen:
            orgs_seen.add(o)
            if o not in res.covered:
                arc(S, on, 1, -M)
            arc(S, on, big, 0)
        rn = node(("r", r))
        if r not in reqs_seen:
            reqs_seen.add(r)
            arc(on, rn, 1, -prob.req_weight[r])
        if oe_count[(o, e)] > 1:
            key = ("oe", o, e)
            fresh = key not in nodes
            oen = node(key)
            pair_arc.append(arc(rn, oen, 1, 0))
            if fresh:
                gm = oe_union[(o, e)]
                groups.setdefault((e, gm), node(("g", e, gm)))
                arc(oen, groups[(e, gm)], 1, 0)
        else:
            groups.setdefault((e, m), node(("g", e, m)))
            pair_arc.append(arc(rn, groups[(e, m)], 1, 0))
    slot_arcs = {}
    expert_nodes = {}
    for (e, m), gn in sorted(groups.items(), key=lambda kv: kv[1]):
        if e not in expert_nodes:
            en = expert_nodes[e] = node(("e", e))
            for t in slots_of(res.avail[e]):
                etn = node(("et", e, t))
                arc(etn, en, 1, 0)
            arc(en, K1, res.cap[e], 0)
        for t in slots_of(m):
            slot_arcs[(gn, t)] = arc(gn, nodes[("et", e, t)], 1, 0)
    total_rooms = sum(max(0, n) for n in res.rooms) if res.rooms is not None else big
    arc(K1, K, total_rooms, 0)
    arc(S, K, big, 0)

    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
        np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64))
    f.set_node_supply(S, big)
    f.set_node_supply(K, -big)
    status = f.solve()
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows = f.flows(np.arange(len(tails), dtype=np.int32))
    chosen = [pairs[i] for i, a in enumerate(pair_arc) if flows[a] > 0]
    # slots proposed by the flow: for every group, the slots carrying its units
    group_slots = defaultdict(list)
    for (gn, t), a in slot_arcs.items():
        if flows[a] > 0:
            group_slots[gn].append(t)
    slot_of = {}
    for r, e, m in chosen:
        o = prob.req_org[r]
        gm = oe_union[(o, e)] if oe_count[(o, e)] > 1 else m
        lst = group_slots.get(groups[(e, gm)])
        if lst:
            # prefer a proposed slot feasible for this very request
            pick = next((t for t in lst if (m >> t) & 1), lst[0])
            lst.remove(pick)
            slot_of[r] = pick
    return FlowResult(-f.optimal_cost(), chosen, slot_of)


def round_flow(res: Residual, flow: FlowResult, pairs) -> list[tuple[int, int, int]]:
    """Feasible schedule from the flow: keep its meetings in their proposed slots when
    possible (first meetings of organisations first), else in another free slot of the same
    expert; then complete greedily."""
    prob = res.prob
    sched = Schedule(res)
    first = set()
    seen_org = set(res.covered)
    order = sorted(flow.chosen, key=lambda p: (-prob.req_weight[p[0]], p[0]))
    for r, _e, _m in order:
        o = prob.req_org[r]
        if o not in seen_org:
            seen_org.add(o)
            first.add(r)
    order.sort(key=lambda p: (p[0] not in first, bin(p[2]).count("1"), p[0]))
    for r, e, _m in order:
        m = sched.free_slots(r, e)
        if not m:
            continue
        t = flow.slot_of.get(r)
        if t is None or not (m >> t) & 1:
            t = _lowbit_index(m)
        sched.add(r, e, t)
    greedy_fill(sched, pairs)
    return sched.meetings


# ---------------------------------------------------------------------- CP-SAT models
class TripleModel:
    """CP-SAT model over triples (request, expert, slot) of the given pairs.

    required=True: every pair must be placed (slot assignment); otherwise each request is
    served at most once and the objective is M * covered + weight (new part only)."""

    def __init__(self, res: Residual, pairs, required=False, ub=None):
        prob = res.prob
        cp_model = _cp_model()
        self.res, self.pairs, self.required = res, pairs, required
        m = self.model = cp_model.CpModel()
        self.x = {}
        by_req = defaultdict(list)
        by_et = defaultdict(list)
        by_pt = defaultdict(list)
        by_t = defaultdict(list)
        by_e = defaultdict(list)
        by_oe = defaultdict(list)
        for i, (r, e, mask) in enumerate(pairs):
            lits = []
            for t in slots_of(mask):
                v = m.new_bool_var(f"x{i}_{t}")
                self.x[(i, t)] = v
                lits.append(v)
                by_et[(e, t)].append(v)
                by_t[t].append(v)
                for p in prob.req_att[r]:
                    by_pt[(p, t)].append(v)
            if required:
                m.add_exactly_one(lits)
            else:
                by_req[r].extend(lits)
                by_e[e].extend(lits)
                by_oe[(prob.req_org[r], e)].extend(lits)
        for group in (by_et, by_pt):
            for lits in group.values():
                if len(lits) > 1:
                    m.add_at_most_one(lits)
        if res.rooms is not None:
            for t, lits in by_t.items():
                if len(lits) > res.rooms[t]:
                    m.add(sum(lits) <= res.rooms[t])
        self.obj = None
        if not required:
            for lits in by_req.values():
                if len(lits) > 1:
                    m.add_at_most_one(lits)
            for lits in by_oe.values():
                if len(lits) > 1:
                    m.add_at_most_one(lits)
            for e, lits in by_e.items():
                if len(lits) > res.cap[e]:
                    m.add(sum(lits) <= res.cap[e])
            org_lits = defaultdict(list)
            for r, lits in by_req.items():
                o = prob.req_org[r]
                if o not in res.covered:
                    org_lits[o].extend(lits)
            terms = []
            for o, lits in sorted(org_lits.items()):
                c = m.new_bool_var(f"c{o}")
                m.add(c <= sum(lits))
                terms.append(prob.M * c)
            for (i, _t), v in self.x.items():
                terms.append(prob.req_weight[pairs[i][0]] * v)
            self.obj = sum(terms)
            if ub is not None:
                m.add(self.obj <= ub)
            m.maximize(self.obj)

    def hint(self, meetings):
        idx = {(r, e): i for i, (r, e, _m) in enumerate(self.pairs)}
        chosen = set()
        for r, e, t in meetings:
            i = idx.get((r, e))
            if i is not None and (i, t) in self.x:
                chosen.add((i, t))
        for key, v in self.x.items():
            self.model.add_hint(v, key in chosen)

    def solve(self, time_limit, seed, threads, callback=None):
        cp_model = _cp_model()
        s = cp_model.CpSolver()
        prm = s.parameters
        prm.max_time_in_seconds = max(0.01, time_limit)
        prm.random_seed = seed
        if self.required:
            # A pure slot assignment started from the flow's slots: CP-SAT's feasibility
            # jump local search alone, one worker (deterministic), stopping at the first
            # schedule (all schedules are equally good). Presolve costs more than it saves.
            prm.num_workers = 1
            prm.use_ls_only = True
            prm.stop_after_first_solution = True
            prm.cp_model_presolve = False
        else:
            prm.num_workers = max(1, threads)
            # interleaved search keeps several workers deterministic for a given seed
            prm.interleave_search = threads > 1
        status = s.solve(self.model, callback) if callback else s.solve(self.model)
        meetings = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            meetings = [(self.pairs[i][0], self.pairs[i][1], t)
                        for (i, t), v in self.x.items() if s.boolean_value(v)]
        return status, meetings, s


# ---------------------------------------------------------------------- orchestration
@dataclass
class Outcome:
    meetings: list  # new meetings (frozen ones excluded)
    bound_scalar: int  # bound on the scalar objective of the whole schedule
    proven: bool
    phases: list
    status: str


class _Tracker:
    def __init__(self, prob, res, progress, t0):
        self.prob, self.res, self.progress, self.t0 = prob, res, progress, t0
        self.best = None
        self.best_scalar = -1
        self.bound = None
        self.phases = []

    def scalar(self, meetings):
        C, W = self.prob.objective(list(self.res.frozen) + list(meetings))
        return self.prob.M * C + W

    def offer(self, meetings, phase):
        s = self.scalar(meetings)
        if s > self.best_scalar:
            if violations(self.prob, list(self.res.frozen) + list(meetings)):
                raise AssertionError(f"internal error: phase {phase} built an infeasible schedule")
            self.best, self.best_scalar = list(meetings), s
        self.report(phase)

    def report(self, phase, **extra):
        elapsed = time.monotonic() - self.t0
        M = self.prob.M
        entry = {"phase": phase, "elapsed_s": round(elapsed, 3),
                 "best": [self.best_scalar // M, self.best_scalar % M]}
        if self.bound is not None:
            entry["bound"] = [self.bound // M, self.bound % M]
            entry["gap"] = gap_text(self.best_scalar, self.bound, M)
        entry.update(extra)
        self.phases.append(entry)
        if self.progress is not None:
            self.progress(dict(entry))


def gap_text(best, bound, M):
    dc = bound // M - best // M
    if dc > 0:
        return f"{dc} organisation(s)"
    return f"{bound - best} weight"


def solve_problem(prob: Problem, time_limit: float, seed: int = 0, threads: int = 2,
                  progress=None, frozen=(), t0=None) -> Outcome:
    t0 = time.monotonic() if t0 is None else t0
    deadline = t0 + max(0.0, time_limit)
    res = Residual(prob, frozen)
    tr = _Tracker(prob, res, progress, t0)
    pairs = res.pairs()

    sched = Schedule(res)
    greedy_fill(sched, pairs)
    tr.offer(sched.meetings, "greedy")

    base = tr.scalar([])
    flow = flow_relaxation(res, pairs)
    tr.bound = base + flow.delta_scalar
    tr.offer(round_flow(res, flow, pairs), "flow+rounding")

    def done():
        return tr.best_scalar >= tr.bound

    def left():
        return deadline - time.monotonic()

    if not done() and left() > 0 and flow.chosen:
        tm = TripleModel(res, flow.chosen, required=True)
        hint = [(r, e, flow.slot_of.get(r, _lowbit_index(m))) for r, e, m in flow.chosen]
        tm.hint(hint)
        status, meetings, _s = tm.solve(min(left(), max(1.0, 0.25 * left())), seed, threads)
        if meetings is not None:
            tr.offer(meetings, "cp-sat slot assignment")
        else:
            tr.report("cp-sat slot assignment", result=_status_name(status))

    # neighbourhoods around what the relaxation could not place
    radius = 0
    while not done() and left() > 0.05:
        radius += 1
        sub = _neighbourhood(res, pairs, flow.chosen, tr.best, radius)
        tm = TripleModel(res, sub, required=False, ub=tr.bound - base)
        tm.hint(tr.best)
        full = len(sub) == len(pairs)
        status, meetings, _s = tm.solve(left(), seed, threads)
        if meetings is not None:
            tr.offer(meetings, f"cp-sat neighbourhood r={radius}")
        if full and status == _cp_model().OPTIMAL:
            # the whole reduced model was solved to optimality: its optimum is the bound
            tr.bound = tr.best_scalar
            tr.report("cp-sat full model optimal")
            break
        if full:
            break
    proven = done()
    status = "optimal" if proven else "feasible"
    tr.report("done", status=status)
    return Outcome(tr.best, tr.bound, proven, tr.phases, status)


def _status_name(status):
    return _cp_model().CpSolverStatus.Name(status) if isinstance(status, int) else str(status)


def _neighbourhood(res, pairs, chosen, best, radius):
    """Pairs of the reduced model around the relaxation's meetings missing from `best`:
    their experts and organisations (radius 1), then one step further per radius; every
    pair of the best schedule and of the relaxation is always included."""
    prob = res.prob
    in_best = {(r, e) for r, e, _t in best}
    missing = [(r, e) for r, e, _m in chosen if (r, e) not in in_best]
    experts = {e for _r, e in missing}
    orgs = {prob.req_org[r] for r, _e in missing}
    by_org = defaultdict(set)
    by_exp = defaultdict(set)
    for r, e, _m in pairs:
        by_org[prob.req_org[r]].add(e)
        by_exp[e].add(prob.req_org[r])
    for _ in range(radius - 1):
        new_e = set().union(*(by_org[o] for o in orgs)) if orgs else set()
        new_o = set().union(*(by_exp[e] for e in experts)) if experts else set()
        experts |= new_e
        orgs |= new_o
    keep = in_best | {(r, e) for r, e, _m in chosen}
    return [p for p in pairs
            if (p[0], p[1]) in keep or p[1] in experts or prob.req_org[p[0]] in orgs]
