"""First-come-first-served baseline: what a self-service booking tool would do.

The rule of the benchmark kit's `greedy.py`: requests in submission order (ties by id), each
placed in the EARLIEST slot where every attendee is free, a room is left and every seat can be
given a distinct eligible expert who is available, free, under their cap, not already meeting
this organisation and not refusing it; among several experts for a seat the least-loaded one
(ties: lowest id), backtracking over earlier seats when a later seat finds nobody. A request
that fits nowhere is dropped; nothing moves afterwards.

Organisers compare a run with it ("how many organisations would have had no meeting").
"""

from __future__ import annotations

import time

from .model import Problem, experts_of


class State:
    """A growing feasible set of v2 meetings (index form) with its bookkeeping."""

    def __init__(self, prob: Problem, frozen=()):
        self.prob = prob
        self.exp_free = list(prob.expert_avail)  # available and not booked
        self.load = [0] * len(prob.expert_ids)
        self.busy = list(prob.part_busy)
        self.room_left = list(prob.rooms) if prob.rooms is not None else None
        self.org_met = set()
        self.served = set()
        self.meetings = []
        for r, e, t in frozen:
            self.add(r, experts_of(e), t)

    def expert_ok(self, o, e, t) -> bool:
        p = self.prob
        return bool((self.exp_free[e] >> t) & 1 and self.load[e] < p.expert_cap[e]
                    and (o, e) not in self.org_met and o not in p.expert_refuses[e])

    def req_busy(self, r) -> int:
        b = 0
        for p in self.prob.req_att[r]:
            b |= self.busy[p]
        return b

    def room_ok(self, t) -> bool:
        return self.room_left is None or self.room_left[t] > 0

    def pick(self, r, t, key=None):
        """Distinct experts for the seats of r in slot t (least loaded first, or by `key`),
        backtracking over seats; None if impossible."""
        p = self.prob
        o = p.req_org[r]
        key = key or (lambda e: (self.load[e], p.expert_ids[e]))
        per_seat = []
        for cands in p.req_seats[r]:
            ok = sorted((e for e in cands if self.expert_ok(o, e, t)), key=key)
            if not ok:
                return None
            per_seat.append(ok)

        def rec(k, used):
            if k == len(per_seat):
                return ()
            for e in per_seat[k]:
                if e in used:
                    continue
                rest = rec(k + 1, used | {e})
                if rest is not None:
                    return (e,) + rest
            return None

        return rec(0, frozenset())

    def add(self, r, experts, t):
        p = self.prob
        o = p.req_org[r]
        for e in experts:
            self.exp_free[e] &= ~(1 << t)
            self.load[e] += 1
            self.org_met.add((o, e))
        for q in p.req_att[r]:
            self.busy[q] |= 1 << t
        if self.room_left is not None:
            self.room_left[t] -= 1
        self.served.add(r)
        self.meetings.append((r, experts[0] if len(experts) == 1 else tuple(experts), t))

    def remove(self, i):
        """Take meeting i out again (used by local search)."""
        r, e, t = self.meetings.pop(i)
        p = self.prob
        o = p.req_org[r]
        for x in experts_of(e):
            self.exp_free[x] |= 1 << t
            self.load[x] -= 1
            self.org_met.discard((o, x))
        for q in p.req_att[r]:
            self.busy[q] &= ~(1 << t)
            self.busy[q] |= p.part_busy[q]
        if self.room_left is not None:
            self.room_left[t] += 1
        self.served.discard(r)
        return r, e, t

    def place_earliest(self, r, slots=None) -> bool:
        if r in self.served:
            return False
        busy = self.req_busy(r)
        for t in (range(self.prob.T) if slots is None else slots):
            if (busy >> t) & 1 or not self.room_ok(t):
                continue
            ex = self.pick(r, t)
            if ex is not None:
                self.add(r, ex, t)
                return True
        return False


def fcfs_meetings(prob: Problem) -> list:
    st = State(prob)
    for r in sorted(range(len(prob.req_ids)), key=lambda r: (prob.req_sub[r], prob.req_ids[r])):
        st.place_earliest(r)
    return st.meetings


def first_come_first_served(instance: dict) -> dict:
    """The first-come-first-served schedule of an instance dict, as a solution dict whose
    `meta.objective` has the same keys as `solve`'s (covered_orgs, covered_orgs_twice,
    weight, idle_slots, ...)."""
    t0 = time.monotonic()
    prob = Problem.from_dict(instance)
    meetings = fcfs_meetings(prob)
    meta = {"status": "baseline", "method": "first come, first served (earliest slot)",
            "objective": prob.objective_dict(meetings),
            "time_s": round(time.monotonic() - t0, 3)}
    return prob.solution_dict(meetings, "fusionforum-fcfs", meta)
