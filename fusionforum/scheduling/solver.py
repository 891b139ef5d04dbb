"""The scheduler: flow relaxation bound, rounding, branch and bound with CP-SAT slot assignment.

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
   there are re-slotted by augmenting paths (an occupant moves on to another free slot, up
   to three moves deep), what still does not fit is dropped and the greedy fills the rest.
   When every meeting of the flow is placed, the schedule reaches the bound: optimal, and
   proven so.
4. Otherwise, best-first branch and bound over the flow. A node forbids some (request,
   expert) pairs; its bound is its flow optimum. To close a node, its meetings are placed
   with CP-SAT (a short complete search, then CP-SAT's feasibility-jump local search, then
   a longer complete search). If they cannot all be placed, a conflict (an attendee whose
   meetings need more slots than they have between them, or a CP-SAT core over assumption
   literals, shrunk) gives one child per pair of the conflict, forbidding it: every
   schedule lacks one of them. The global bound is the best open node; the search stops
   when the best schedule reaches it.
5. If time remains with nodes that CP-SAT could neither close nor branch: CP-SAT on the
   reduced 0/1 model (only triples feasible under H2-H4, H9) around the unplaced meetings,
   hinted with the best schedule, objective M*C + W capped by the bound, in widening
   neighbourhoods. A bound not reached is reported as a gap.

Frozen meetings (for repair) are fixed beforehand: they consume expert slots and caps,
participants' time and rooms, and cover their organisations.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from ortools.graph.python import min_cost_flow

from .checker import violations
from .model import Problem, experts_of, slots_of


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

    def __init__(self, prob: Problem, frozen=(), groups=True):
        self.prob = prob
        self.groups = groups  # False: group requests left out (they are all frozen or dropped)
        self.frozen = list(frozen)
        self.cap = list(prob.expert_cap)
        self.avail = list(prob.expert_avail)
        self.busy = list(prob.part_busy)
        self.rooms = list(prob.rooms) if prob.rooms is not None else None
        self.covered = set()
        self.count = defaultdict(int)  # organisation -> frozen meetings
        self.org_exp = set()
        self.served = set()
        for r, e, t in self.frozen:
            for x in experts_of(e):
                self.cap[x] -= 1
                self.avail[x] &= ~(1 << t)
                self.org_exp.add((prob.req_org[r], x))
            for p in prob.req_att[r]:
                self.busy[p] |= 1 << t
            if self.rooms is not None:
                self.rooms[t] -= 1
            self.covered.add(prob.req_org[r])
            self.count[prob.req_org[r]] += 1
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
        if prob.version == 2 and self.groups:
            out.extend(self.group_pairs())
        return out

    def group_pairs(self) -> list[tuple[int, int, int]]:
        """Pairs of the group requests (v2): the expert of one seat, the one with the fewest
        candidates, in the slots where every other seat has a candidate available too. The
        other seats are filled when the meeting is placed; the flow relaxation counts only
        this seat's capacity, which can only raise its optimum (the bound stays valid)."""
        prob = self.prob
        rm = self.room_mask()
        out = []
        for r, seats in enumerate(prob.req_seats):
            if len(seats) < 2 or r in self.served:
                continue
            o = prob.req_org[r]
            free = rm & ~self.req_busy(r)
            if not free:
                continue
            ok = [[e for e in c if self.cap[e] > 0 and (o, e) not in self.org_exp]
                  for c in seats]
            keep = prob.group_key_seat(r)
            for e in ok[keep]:
                m = self.avail[e] & free
                for k, c in enumerate(ok):
                    if k != keep:
                        u = 0
                        for x in c:
                            if x != e:
                                u |= self.avail[x]
                        m &= u
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
        m = self.exp_free[e] & self.room_ok & ~b
        if m and self.prob.is_group(r):
            m2 = 0
            for t in slots_of(m):
                if self.others(r, e, t) is not None:
                    m2 |= 1 << t
            m = m2
        return m

    def others(self, r, e, t):
        """Experts for the other seats of group request r when e fills its key seat in
        slot t (most room left first), or None."""
        prob = self.prob
        o = prob.req_org[r]
        keep = prob.group_key_seat(r)
        lists = []
        for k, c in enumerate(prob.req_seats[r]):
            if k == keep:
                continue
            ok = [x for x in c if x != e and (self.exp_free[x] >> t) & 1 and self.cap[x] > 0
                  and (o, x) not in self.org_exp]
            if not ok:
                return None
            ok.sort(key=lambda x: (-self.cap[x], x))
            lists.append(ok)

        def rec(k, used):
            if k == len(lists):
                return ()
            for x in lists[k]:
                if x not in used:
                    rest = rec(k + 1, used | {x})
                    if rest is not None:
                        return (x,) + rest
            return None

        return rec(0, frozenset((e,)))

    def add(self, r, e, t):
        prob = self.prob
        if prob.is_group(r) and isinstance(e, int):
            e = (e,) + self.others(r, e, t)
        if not isinstance(e, int):
            for x in e:
                self.cap[x] -= 1
                self.exp_free[x] &= ~(1 << t)
                self.org_exp.add((prob.req_org[r], x))
            self._add_rest(r, e, t)
            return
        self.cap[e] -= 1
        self.exp_free[e] &= ~(1 << t)
        self.org_exp.add((prob.req_org[r], e))
        self._add_rest(r, e, t)

    def _add_rest(self, r, e, t):
        prob = self.prob
        for p in prob.req_att[r]:
            self.busy[p] |= 1 << t
        if self.rooms is not None:
            self.rooms[t] -= 1
            if self.rooms[t] <= 0:
                self.room_ok &= ~(1 << t)
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
    chosen_idx: list  # indices (into pairs) of the pairs in the flow's optimum
    chosen: list  # the pairs themselves: (request, expert, slot mask)
    slot_of: dict = field(default_factory=dict)  # request -> slot proposed by the flow


class FlowModel:
    """The min-cost-flow relaxation, built once; `solve(forbidden)` re-solves it with some
    (request, expert) pairs forbidden (branching on conflicts)."""

    def __init__(self, res: Residual, pairs):
        prob = res.prob
        self.res, self.pairs = res, pairs
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
        big = len(pairs) * max([1, *(len(x) for x in prob.req_seats)]) + 1
        oe_count = defaultdict(int)
        oe_union = defaultdict(int)
        for r, e, m in pairs:
            oe_count[(prob.req_org[r], e)] += 1
            oe_union[(prob.req_org[r], e)] |= m
        orgs_seen, reqs_seen = set(), set()
        pair_arc = []
        groups = {}
        pair_group = []
        req_arc = {}
        for r, e, m in pairs:
            o = prob.req_org[r]
            on = node(("o", o))
            if o not in orgs_seen:
                orgs_seen.add(o)
                for val in prob.org_unit_values(res.count[o], o):
                    arc(S, on, 1, -val)
                arc(S, on, big, 0)
            rn = node(("r", r))
            if r not in reqs_seen:
                reqs_seen.add(r)
                req_arc[r] = arc(on, rn, 1, -prob.req_weight[r])
            if oe_count[(o, e)] > 1:
                key = ("oe", o, e)
                fresh = key not in nodes
                oen = node(key)
                pair_arc.append(arc(rn, oen, 1, 0))
                gm = oe_union[(o, e)]
                if (e, gm) not in groups:
                    groups[(e, gm)] = node(("g", e, gm))
                if fresh:
                    arc(oen, groups[(e, gm)], 1, 0)
            else:
                gm = m
                if (e, gm) not in groups:
                    groups[(e, gm)] = node(("g", e, gm))
                pair_arc.append(arc(rn, groups[(e, gm)], 1, 0))
            pair_group.append(groups[(e, gm)])
        # units of the other seats of group requests: S -> (r, seat) -> the seat's
        # candidates, worth nothing here (so the flow's optimum is unchanged); `lp.solve_lp`
        # ties each to its request's arc (equal flows), which prices the other seats'
        # capacity in the linear relaxation
        self.lam_arcs = []  # (request, seat, request arc, unit arc)
        self.seat_arcs = []  # (request, expert, arc) from a seat unit to a candidate
        union = defaultdict(int)
        for r, _e, m in pairs:
            union[r] |= m
        for r in sorted(req_arc):
            if not prob.is_group(r):
                continue
            o = prob.req_org[r]
            keep = prob.group_key_seat(r)
            for k, c in enumerate(prob.req_seats[r]):
                if k == keep:
                    continue
                un = node(("y", r, k))
                ya = arc(S, un, 1, 0)
                for x in c:
                    if res.cap[x] <= 0 or (o, x) in res.org_exp:
                        continue
                    gm = res.avail[x] & union[r]
                    if not gm:
                        continue
                    if (x, gm) not in groups:
                        groups[(x, gm)] = node(("g", x, gm))
                    self.seat_arcs.append((r, x, arc(un, groups[(x, gm)], 1, 0)))
                self.lam_arcs.append((r, k, req_arc[r], ya))
        slot_arcs = []
        expert_nodes = {}
        for (e, m), gn in sorted(groups.items(), key=lambda kv: kv[1]):
            if e not in expert_nodes:
                en = expert_nodes[e] = node(("e", e))
                for t in slots_of(res.avail[e]):
                    arc(node(("et", e, t)), en, 1, 0)
                arc(en, K1, res.cap[e], 0)
            for t in slots_of(m):
                slot_arcs.append((gn, t, arc(gn, nodes[("et", e, t)], 1, 0)))
        total_rooms = sum(max(0, n) for n in res.rooms) if res.rooms is not None else big
        arc(K1, K, total_rooms + len(self.lam_arcs), 0)
        arc(S, K, big, 0)
        self.pair_arc = pair_arc
        self.pair_group = pair_group
        self.slot_arcs = slot_arcs
        self.n_arcs = len(tails)
        self.arrays = (np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
                       np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64))
        self.base_costs = self.arrays[3].copy()
        self.S, self.K, self.big = S, K, big
        self._build()

    def _build(self):
        f = self.f = min_cost_flow.SimpleMinCostFlow()
        if self.n_arcs:
            f.add_arcs_with_capacity_and_unit_cost(*self.arrays)
            f.set_node_supply(self.S, self.big)
            f.set_node_supply(self.K, -self.big)

    def solve(self, forbidden=frozenset()) -> FlowResult:
        if not self.pairs:
            return FlowResult(0, [], [], {})
        f = self.f
        for i in forbidden:
            f.set_arc_capacity(self.pair_arc[i], 0)
        status = f.solve()
        for i in forbidden:
            f.set_arc_capacity(self.pair_arc[i], 1)
        if status != f.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")
        flows = f.flows(np.arange(self.n_arcs, dtype=np.int32))
        chosen_idx = [i for i, a in enumerate(self.pair_arc) if flows[a] > 0]
        group_slots = defaultdict(list)
        for gn, t, a in self.slot_arcs:
            if flows[a] > 0:
                group_slots[gn].append(t)
        slot_of = {}
        for i in chosen_idx:
            r, _e, m = self.pairs[i]
            lst = group_slots.get(self.pair_group[i])
            if lst:
                # prefer a proposed slot feasible for this very request
                pick = next((t for t in lst if (m >> t) & 1), lst[0])
                lst.remove(pick)
                slot_of[r] = pick
        return FlowResult(-f.optimal_cost(), chosen_idx, [self.pairs[i] for i in chosen_idx],
                          slot_of)


def participant_conflict(prob: Problem, pairs, chosen_idx):
    """Smallest set of chosen pairs sharing an attendee whose slot sets violate Hall's
    condition (|union of slots| < number of meetings): at least one of them cannot be
    served in any schedule containing the others. None if there is no such set (checked
    for attendees with at most 10 meetings)."""
    by_p = defaultdict(list)
    for i in chosen_idx:
        for p in prob.req_att[pairs[i][0]]:
            by_p[p].append(i)
    best = None
    for p in sorted(by_p):
        lst = by_p[p]
        if len(lst) < 2 or len(lst) > 10:
            continue
        # a member of a violating set X has fewer than |X| slots
        lst = [i for i in lst if bin(pairs[i][2]).count("1") < len(lst)]
        if len(lst) < 2:
            continue
        for size in range(2, len(lst) + 1):
            if best is not None and size >= len(best):
                break
            found = None
            for combo in combinations(lst, size):
                u = 0
                for i in combo:
                    u |= pairs[i][2]
                if bin(u).count("1") < size:
                    found = list(combo)
                    break
            if found:
                best = found
                break
    return best


def group_conflict(res: Residual, pairs, chosen_idx):
    """Smallest set of chosen pairs that contains a group request's pair and leaves one of
    its other seats without any candidate: every candidate expert is either used up by the
    chosen pairs (their meetings fill the expert's cap) or already meets the organisation in
    a chosen pair (H8). No schedule holds all of them. None if there is no such set."""
    prob = res.prob
    load = defaultdict(list)
    org_e = {}
    for i in chosen_idx:
        r, e, _m = pairs[i]
        load[e].append(i)
        org_e[(prob.req_org[r], e)] = i
    best = None
    for i in chosen_idx:
        r, e, m = pairs[i]
        if not prob.is_group(r):
            continue
        o = prob.req_org[r]
        keep = prob.group_key_seat(r)
        for k, c in enumerate(prob.req_seats[r]):
            if k == keep:
                continue
            blocked = [i]
            ok = False
            for x in c:
                if x == e or res.cap[x] <= 0 or not (res.avail[x] & m) or (o, x) in res.org_exp:
                    continue
                j = org_e.get((o, x))
                if j is not None:
                    blocked.append(j)
                elif len(load[x]) >= res.cap[x]:
                    blocked.extend(load[x])
                else:
                    ok = True
                    break
            if not ok and (best is None or len(blocked) < len(best)):
                best = sorted(set(blocked))
    return best


class SlotAssigner:
    """Slots for fixed (request, expert) meetings under H3-H6 and H9, by augmenting paths:
    a meeting that fits nowhere may take a slot whose single occupant (same expert or a
    shared attendee) moves on to another slot, recursively up to `depth` moves."""

    def __init__(self, res: Residual, chosen, proposed=None):
        self.res, self.prob = res, res.prob
        self.chosen = chosen
        self.proposed = proposed or {}
        self.slot = [-1] * len(chosen)
        self.exp_occ = {}
        self.part_occ = {}
        self.rooms = res.rooms
        self.used = [0] * res.prob.T
        self.steps = 0

    def _blockers(self, i, t):
        r, e, _m = self.chosen[i]
        out = set()
        j = self.exp_occ.get((e, t))
        if j is not None:
            out.add(j)
        for p in self.prob.req_att[r]:
            j = self.part_occ.get((p, t))
            if j is not None:
                out.add(j)
        return out

    def _place(self, i, t):
        r, e, _m = self.chosen[i]
        self.slot[i] = t
        self.exp_occ[(e, t)] = i
        for p in self.prob.req_att[r]:
            self.part_occ[(p, t)] = i
        self.used[t] += 1

    def _unplace(self, i):
        r, e, _m = self.chosen[i]
        t = self.slot[i]
        self.slot[i] = -1
        del self.exp_occ[(e, t)]
        for p in self.prob.req_att[r]:
            del self.part_occ[(p, t)]
        self.used[t] -= 1

    def _room(self, t):
        return self.rooms is None or self.used[t] < self.rooms[t]

    def _slots(self, i):
        ts = slots_of(self.chosen[i][2])
        pt = self.proposed.get(self.chosen[i][0])
        if pt in ts:
            ts.remove(pt)
            ts.insert(0, pt)
        return ts

    def _augment(self, i, depth, visited):
        self.steps += 1
        ts = self._slots(i)
        for t in ts:
            if not self._blockers(i, t) and self._room(t):
                self._place(i, t)
                return True
        if depth == 0 or self.steps > 20000:
            return False
        for t in ts:
            b = self._blockers(i, t)
            if len(b) != 1:
                continue
            j = b.pop()
            if j in visited:
                continue
            old = self.slot[j]
            self._unplace(j)
            self._place(i, t)
            visited.add(j)
            if self._augment(j, depth - 1, visited):
                return True
            visited.discard(j)
            self._unplace(i)
            self._place(j, old)
        return False

    def run(self, order, depth=3):
        """Place meetings in `order` (indices); returns the indices left unplaced."""
        for i in order:
            t = self.proposed.get(self.chosen[i][0])
            if (t is not None and (self.chosen[i][2] >> t) & 1 and not self._blockers(i, t)
                    and self._room(t)):
                self._place(i, t)
        missing = []
        for i in order:
            if self.slot[i] < 0:
                self.steps = 0
                if not self._augment(i, depth, {i}):
                    missing.append(i)
        return missing

    def meetings(self):
        return [(r, e, self.slot[i]) for i, (r, e, _m) in enumerate(self.chosen)
                if self.slot[i] >= 0]


def round_flow(res: Residual, flow: FlowResult, pairs) -> list[tuple[int, int, int]]:
    """Feasible schedule from the flow: its meetings in their proposed slots, conflicts
    (H4 for H8's merged slot sets, H6 across experts, H9) resolved by augmenting paths,
    first meetings of organisations first; what still does not fit is left out and the
    schedule is completed greedily."""
    prob = res.prob
    first = set()
    seen_org = set(res.covered)
    by_weight = sorted(range(len(flow.chosen)),
                       key=lambda i: (-prob.req_weight[flow.chosen[i][0]], flow.chosen[i][0]))
    for i in by_weight:
        o = prob.req_org[flow.chosen[i][0]]
        if o not in seen_org:
            seen_org.add(o)
            first.add(i)
    order = sorted(by_weight, key=lambda i: (i not in first,
                                             bin(flow.chosen[i][2]).count("1"),
                                             flow.chosen[i][0]))
    sa = SlotAssigner(res, flow.chosen, flow.slot_of)
    sa.run(order)
    sched = Schedule(res)
    placed = sa.meetings()
    for r, e, t in placed:
        if not prob.is_group(r):
            sched.add(r, e, t)
    for r, e, t in placed:  # groups last: their other seats must not take a 1:1 slot
        if prob.is_group(r) and (sched.free_slots(r, e) >> t) & 1:
            sched.add(r, e, t)
    greedy_fill(sched, pairs)
    return sched.meetings


# ---------------------------------------------------------------------- CP-SAT models
class TripleModel:
    """CP-SAT model over triples (request, expert, slot) of the given pairs.

    required=True: every pair must be placed (slot assignment); with assume=True as well,
    pair i is placed iff the assumption literal `self.assume[i]` holds, so an infeasible
    assignment yields a core (a set of pairs that cannot all be placed). Otherwise each
    request is served at most once and the objective is M * covered + weight (new part)."""

    def __init__(self, res: Residual, pairs, required=False, ub=None, assume=False):
        prob = res.prob
        cp_model = _cp_model()
        self.res, self.pairs, self.required, self.assume_mode = res, pairs, required, assume
        m = self.model = cp_model.CpModel()
        self.x = {}
        self.z = {}  # (i, t) -> [(other seat expert, literal), ...] for group requests
        self.assume = []
        by_req = defaultdict(list)
        by_et = defaultdict(list)
        by_pt = defaultdict(list)
        by_t = defaultdict(list)
        by_e = defaultdict(list)
        by_oe = defaultdict(list)
        z_keys_e, z_keys_oe = set(), set()  # constraints the other seats need (required mode)
        for i, (r, e, mask) in enumerate(pairs):
            lits = []
            group = prob.is_group(r)
            o = prob.req_org[r]
            for t in slots_of(mask):
                v = m.new_bool_var(f"x{i}_{t}")
                self.x[(i, t)] = v
                lits.append(v)
                by_et[(e, t)].append(v)
                by_t[t].append(v)
                for p in prob.req_att[r]:
                    by_pt[(p, t)].append(v)
                if required:
                    by_e[e].append(v)
                    by_oe[(o, e)].append(v)
                if group:
                    zl = []
                    keep = prob.group_key_seat(r)
                    for k, c in enumerate(prob.req_seats[r]):
                        if k == keep:
                            continue
                        seat = []
                        for x in c:
                            if (x == e or not (res.avail[x] >> t) & 1 or res.cap[x] <= 0
                                    or (o, x) in res.org_exp):
                                continue
                            zv = m.new_bool_var(f"z{i}_{t}_{x}")
                            seat.append(zv)
                            zl.append((x, zv))
                            by_et[(x, t)].append(zv)
                            by_e[x].append(zv)
                            by_oe[(o, x)].append(zv)
                            z_keys_e.add(x)
                            z_keys_oe.add((o, x))
                        m.add(sum(seat) == v)
                    self.z[(i, t)] = zl
            if required and assume:
                a = m.new_bool_var(f"a{i}")
                self.assume.append(a)
                m.add(sum(lits) == a)
            elif required:
                m.add_exactly_one(lits)
            else:
                by_req[r].extend(lits)
                by_e[e].extend(lits)
                by_oe[(o, e)].extend(lits)
        for group in (by_et, by_pt):
            for lits in group.values():
                if len(lits) > 1:
                    m.add_at_most_one(lits)
        if res.rooms is not None:
            for t, lits in by_t.items():
                if len(lits) > res.rooms[t]:
                    m.add(sum(lits) <= res.rooms[t])
        if required:
            # the flow keeps caps and H8 for the pairs' own experts; other seats need them
            for key in z_keys_oe:
                if len(by_oe[key]) > 1:
                    m.add_at_most_one(by_oe[key])
            for x in z_keys_e:
                if len(by_e[x]) > res.cap[x]:
                    m.add(sum(by_e[x]) <= res.cap[x])
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
                org_lits[prob.req_org[r]].extend(lits)
            terms = []
            for o, lits in sorted(org_lits.items()):
                vals = prob.org_unit_values(res.count[o], o)
                if not vals:
                    continue
                cs = [m.new_bool_var(f"c{o}_{k}") for k in range(len(vals))]
                m.add(sum(cs) <= sum(lits))
                for k in range(1, len(cs)):
                    m.add(cs[k] <= cs[k - 1])
                terms.extend(v * c for v, c in zip(vals, cs, strict=True))
            for (i, _t), v in self.x.items():
                terms.append(prob.req_weight[pairs[i][0]] * v)
            self.obj = sum(terms)
            if ub is not None:
                m.add(self.obj <= ub)
            m.maximize(self.obj)

    def hint(self, meetings):
        idx = {(r, e): i for i, (r, e, _m) in enumerate(self.pairs)}
        chosen = set()
        zon = set()
        for r, e, t in meetings:
            for x in experts_of(e):
                i = idx.get((r, x))
                if i is not None and (i, t) in self.x:
                    chosen.add((i, t))
                    zon.update((i, t, y) for y in experts_of(e) if y != x)
                    break
        for key, v in self.x.items():
            self.model.add_hint(v, key in chosen)
        for (i, t), zl in self.z.items():
            for x, zv in zl:
                self.model.add_hint(zv, (i, t, x) in zon)

    def meeting(self, s, i, t):
        r, e, _m = self.pairs[i]
        zl = self.z.get((i, t))
        if zl is None:
            return (r, e, t)
        return (r, (e, *[x for x, zv in zl if s.boolean_value(zv)]), t)

    def solve(self, time_limit, seed, threads, callback=None, wall_limit=None):
        """`wall_limit`, when given, makes `time_limit` CP-SAT's deterministic time (a work
        limit: the same answer whatever the load) and itself the wall-clock safety net."""
        cp_model = _cp_model()
        s = cp_model.CpSolver()
        prm = s.parameters
        if wall_limit is None:
            prm.max_time_in_seconds = max(0.01, time_limit)
        else:
            prm.max_deterministic_time = max(0.01, time_limit)
            prm.max_time_in_seconds = max(0.01, wall_limit)
        prm.random_seed = seed
        if self.assume_mode:
            # complete search for a core: one worker (deterministic, cores need it)
            prm.num_workers = 1
            self.model.add_assumptions(self.assume)
        elif self.required:
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
        if status == cp_model.INFEASIBLE and self.assume_mode:
            pos = {a.Index(): i for i, a in enumerate(self.assume)}
            core = [pos[k] for k in s.sufficient_assumptions_for_infeasibility() if k in pos]
            return status, core, s
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            meetings = [self.meeting(s, i, t)
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
        return self.prob.scalar(list(self.res.frozen) + list(meetings))

    def offer(self, meetings, phase):
        s = self.scalar(meetings)
        if s > self.best_scalar:
            if violations(self.prob, list(self.res.frozen) + list(meetings)):
                raise AssertionError(f"internal error: phase {phase} built an infeasible schedule")
            self.best, self.best_scalar = list(meetings), s
            self.report(phase)

    def set_bound(self, bound, phase):
        if self.bound is None or bound < self.bound:
            self.bound = bound
            self.report(phase)

    def report(self, phase, **extra):
        elapsed = time.monotonic() - self.t0
        prob = self.prob
        entry = {"phase": phase, "elapsed_s": round(elapsed, 3),
                 "best": prob.decode(max(self.best_scalar, 0))}
        if self.bound is not None:
            entry["bound"] = prob.decode(self.bound)
            entry["gap"] = gap_text(prob, self.best_scalar, self.bound)
        entry.update(extra)
        self.phases.append(entry)
        if self.progress is not None:
            self.progress(dict(entry))


def gap_text(prob, best, bound):
    names = (["organisation(s)", "weight"] if prob.version == 1
             else ["organisation(s)", "organisation(s) with two meetings", "weight"])
    for name, a, b in zip(names, prob.decode(max(best, 0)), prob.decode(bound), strict=True):
        if b != a:
            return f"{b - a} {name}"
    return "0"


def solve_problem(prob: Problem, time_limit: float, seed: int = 0, threads: int = 2,
                  progress=None, frozen=(), t0=None, initial=None, groups=True) -> Outcome:
    t0 = time.monotonic() if t0 is None else t0
    deadline = t0 + max(0.0, time_limit)
    res = Residual(prob, frozen, groups=groups)
    tr = _Tracker(prob, res, progress, t0)
    pairs = res.pairs()

    if initial is not None:
        tr.offer(initial, "initial schedule")
    sched = Schedule(res)
    greedy_fill(sched, pairs)
    tr.offer(sched.meetings, "greedy")

    base = tr.scalar([])
    fm = FlowModel(res, pairs)
    root = fm.solve()
    tr.set_bound(base + root.delta_scalar, "flow relaxation")
    tr.offer(round_flow(res, root, pairs), "flow+rounding")

    def left():
        return deadline - time.monotonic()


    # Best-first branch and bound over the flow: a node forbids some pairs; its bound is
    # its flow optimum. A node is closed when a schedule reaches its bound (rounding, then
    # CP-SAT slot assignment); otherwise a set of its pairs that cannot all be placed (an
    # attendee's Hall violation, else a CP-SAT core) gives one child per pair, forbidding it.
    heap = [(-root.delta_scalar, 0, frozenset(), root)]
    seen = {frozenset()}
    stuck = []  # bounds of nodes neither closed nor branched (time ran out in CP-SAT)
    counter = 1
    nodes = 0
    last_hint = root
    # v2: keep time for the CP-SAT neighbourhoods (the group requests' other seats make
    # branch and bound slower to close, the neighbourhoods improve the schedule)
    reserve = 0.4 * left() if prob.has_groups and groups else 0.0
    while heap and left() > reserve:
        open_bound = base - heap[0][0]
        tr.set_bound(max([tr.best_scalar, open_bound, *stuck]), "branch and bound")
        if tr.best_scalar >= tr.bound:
            break
        negb, _, forb, fr = heapq.heappop(heap)
        nodes += 1
        node_bound = base - negb
        if node_bound <= tr.best_scalar:
            continue
        if forb:
            tr.offer(round_flow(res, fr, pairs), "branch rounding")
            if tr.best_scalar >= node_bound:
                continue
        conflict = group_conflict(res, pairs, fr.chosen_idx) if prob.version == 2 else None
        if conflict is None:
            conflict = participant_conflict(prob, pairs, fr.chosen_idx)
        if conflict is None and fr.chosen:
            last_hint = fr
            kind, out = _realise(res, fr, left, seed, threads)
            if kind == "schedule":
                tr.offer(out, "cp-sat slot assignment")
                continue
            if kind == "unknown":
                stuck.append(node_bound)
                if left() <= 0:
                    break
                continue
            conflict = [fr.chosen_idx[j] for j in out]
        if conflict is None:
            continue
        for i in sorted(conflict):
            child = forb | {i}
            if child in seen:
                continue
            seen.add(child)
            cr = fm.solve(child)
            if base + cr.delta_scalar > tr.best_scalar:
                heapq.heappush(heap, (-cr.delta_scalar, counter, child, cr))
                counter += 1
    if not heap and left() > reserve:
        # every node closed or stuck: the bound is the best stuck node or the incumbent
        tr.set_bound(max([tr.best_scalar, *stuck]), "branch and bound closed")
    elif heap:
        tr.set_bound(max([tr.best_scalar, base - heap[0][0], *stuck]),
                     "branch and bound (time)")
    tr.report("branch and bound", nodes=nodes)

    # neighbourhoods around what the relaxation could not place
    radius = 0
    while tr.best_scalar < tr.bound and left() > 0.05:
        radius += 1
        sub = _neighbourhood(res, pairs, last_hint.chosen, tr.best, radius)
        if len(sub) > NEIGHBOURHOOD_PAIRS_PER_S * left():
            # building and presolving the model alone would overrun the time limit
            break
        tm = TripleModel(res, sub, required=False, ub=tr.bound - base)
        tm.hint(tr.best)
        full = len(sub) == len(pairs)
        status, meetings, _s = tm.solve(left(), seed, threads)
        if meetings is not None:
            tr.offer(meetings, f"cp-sat neighbourhood r={radius}")
        if full and status == _cp_model().OPTIMAL:
            tr.set_bound(tr.best_scalar, "cp-sat full model optimal")
        if full:
            break
    proven = tr.best_scalar >= tr.bound
    status = "optimal" if proven else "feasible"
    tr.report("done", status=status)
    return Outcome(tr.best, tr.bound, proven, tr.phases, status)


NEIGHBOURHOOD_PAIRS_PER_S = 2000  # pairs of a CP-SAT neighbourhood worth building per second


THOROUGH_MEETINGS = 500  # above this many meetings a quick `_realise` skips complete search


def _realise(res: Residual, fr: FlowResult, left, seed, threads, thorough=True):
    """Place all the flow's meetings in slots: ("schedule", meetings), ("conflict", indices
    into fr.chosen of pairs that cannot all be placed), or ("unknown", None) when time ran
    out. A short complete search first (it settles small cases and finds cores at once),
    then CP-SAT's local search (quick on large feasible assignments), then a longer complete
    search; not `thorough`: the local search only, after the short complete search when there
    are at most `THOROUGH_MEETINGS` meetings."""
    cp_model = _cp_model()
    other = getattr(fr, "other_seats", {})  # the linear relaxation's other-seat experts
    hint = [(r, (e, *other[r]) if other.get(r) else e, fr.slot_of.get(r, _lowbit_index(m)))
            for r, e, m in fr.chosen]
    n = len(fr.chosen)
    phases = [("complete", 0.1 + n / 5000.0), ("ls", 0.5 + n / 1000.0),
              ("complete", 2.0 + n / 500.0)]
    if not thorough:  # a quick look: the local search alone (for a large assignment)
        phases = phases[:2] if n <= THOROUGH_MEETINGS else phases[1:2]
    for kind, budget in phases:
        if kind == "complete":
            budget = min(left(), budget)
        if left() <= 0:
            break
        tm = TripleModel(res, fr.chosen, required=True, assume=(kind == "complete"))
        tm.hint(hint)
        # the local search stops on work done, not on the clock (the time left is only a
        # safety net), so a loaded machine does not turn a schedule into "unknown"
        st, out, _s = tm.solve(budget, seed, threads,
                               wall_limit=left() if kind == "ls" else None)
        if st == cp_model.INFEASIBLE and kind == "complete":
            return "conflict", _shrink_core(res, fr.chosen, out, left, seed)
        if out is not None and st != cp_model.INFEASIBLE:
            return "schedule", out
    return "unknown", None


def _shrink_core(res, chosen, core, left, seed):
    """Make a core (pairs that cannot all be placed) smaller: re-solve on the core alone
    until it stops shrinking, then drop members one by one while it stays infeasible.
    A subset that cannot be placed on its own cannot be placed with more meetings either."""
    cp_model = _cp_model()
    core = sorted(core)

    def infeasible(subset):
        tm = TripleModel(res, [chosen[i] for i in subset], required=True, assume=True)
        st, out, _s = tm.solve(min(left(), 0.5), seed, 1)
        if st == cp_model.INFEASIBLE:
            return [subset[j] for j in (out or range(len(subset)))]
        return None

    for _ in range(5):
        if left() <= 0:
            return core
        smaller = infeasible(core)
        if smaller is None or len(smaller) >= len(core):
            break
        core = sorted(smaller)
    if len(core) <= 30:
        for i in list(core):
            if left() <= 0 or len(core) <= 2:
                break
            rest = [j for j in core if j != i]
            if infeasible(rest) is not None:
                core = rest
    return core


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
