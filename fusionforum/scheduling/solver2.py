"""The v2 optimiser (`fusion-matchmaking/2`): C1, then C2, then W, then minimise G.

Pipeline of `solve_v2` (anytime: the best schedule found so far is always kept):

1. First-come-first-served and a greedy: a feasible schedule at once.
2. Bound: the v1 min-cost-flow relaxation with a concave bonus on the organisation arcs
   (first meeting A, second meeting M, further ones 0, with A > every C2/W total and
   M > every weight total), so one min-cost flow maximises C1, then C2, then W
   lexicographically. A group request (two seats) enters the flow through one seat only, the
   one with the fewest candidates, in the slots where the other seat also has an available
   candidate: dropping the other seat's capacity use can only raise the optimum, so the
   flow's optimum stays an upper bound of A*C1 + M*C2 + W.
3. The group requests chosen by that flow are placed first (both seats, one slot, the flow's
   expert preferred), then fixed; the remaining 1:1 requests go through the v1 engine
   (flow rounding, branch and bound with CP-SAT slot assignment, CP-SAT neighbourhoods) with
   the same concave objective. When the result reaches the bound of step 2, C1, C2 and W are
   proven optimal.
4. G: the meetings (requests and experts) are fixed and CP-SAT re-assigns their slots to
   minimise the idle slots (the time-indexed idle formulation of PROBLEM.md section 5), hinted
   with the current slots. G = 0 is optimal by itself; otherwise the lower bound is CP-SAT's.
"""

from __future__ import annotations

import time

from .baseline import State, fcfs_meetings
from .checker import violations
from .model import Problem, slots_of
from .solver import FlowModel, Outcome, Residual, solve_problem

LEVELS = ("C1", "C2", "W", "G")


def group_pairs(res: Residual):
    """Relaxed pairs (request, expert, slot mask) of the group requests: one seat kept."""
    prob = res.prob
    rm = res.room_mask()
    out = []
    for r, seats in enumerate(prob.req_seats):
        if len(seats) < 2 or r in res.served:
            continue
        o = prob.req_org[r]
        free = rm & ~res.req_busy(r)
        if not free:
            continue
        ok = [[e for e in c if res.cap[e] > 0 and (o, e) not in res.org_exp] for c in seats]
        keep = min(range(len(ok)), key=lambda k: (len(ok[k]), k))
        for e in ok[keep]:
            m = res.avail[e] & free
            for k, c in enumerate(ok):
                if k != keep:
                    u = 0
                    for x in c:
                        if x != e:
                            u |= res.avail[x]
                    m &= u
            if m:
                out.append((r, e, m))
    return out


class _Best:
    def __init__(self, prob, frozen, progress, t0):
        self.prob, self.frozen, self.progress, self.t0 = prob, list(frozen), progress, t0
        self.meetings = None
        self.key = None
        self.bound = None  # scalar bound of the first three levels
        self.g_bound = 0
        self.phases = []

    def offer(self, meetings, phase):
        allm = self.frozen + list(meetings)
        k = self.prob.key(allm)
        if self.key is None or k > self.key:
            v = violations(self.prob, allm)
            if v:
                raise AssertionError(f"internal error: {phase} built an infeasible schedule: "
                                     f"{v[:3]}")
            self.meetings, self.key = list(meetings), k
            self.report(phase)
            return True
        return False

    def levels(self):
        return list(self.key) if self.key else None

    def bound_levels(self):
        if self.bound is None:
            return None
        return self.prob.decode(self.bound) + [self.g_bound]

    def level(self):
        """The level being optimised: the first one not proven."""
        best = [self.key[0], self.key[1], self.key[2], -self.key[3]]
        bd = self.bound_levels()
        if bd is None:
            return "C1"
        for name, a, b in zip(LEVELS, best, bd, strict=True):
            if a != b:
                return name
        return "done"

    def report(self, phase, **extra):
        best = [self.key[0], self.key[1], self.key[2], -self.key[3]]
        entry = {"phase": phase, "elapsed_s": round(time.monotonic() - self.t0, 3),
                 "level": self.level(), "best": best}
        bd = self.bound_levels()
        if bd is not None:
            entry["bound"] = bd
            entry["gap"] = gap_levels(best, bd)
        entry.update(extra)
        self.phases.append(entry)
        if self.progress is not None:
            self.progress(dict(entry))


def gap_levels(best, bound):
    """Per level gap; a level's bound only holds when the levels above it are equal."""
    out = {}
    equal = True
    for name, a, b in zip(LEVELS, best, bound, strict=True):
        if not equal:
            out[name] = None
            continue
        out[name] = (a - b) if name == "G" else (b - a)
        equal = a == b
    return out


def place_groups(prob, res, fr, st):
    """Place the group requests the flow chose: flow slot and expert first."""
    placed = []
    chosen = [(r, e, m) for r, e, m in fr.chosen if prob.is_group(r)]
    chosen.sort(key=lambda x: (-prob.req_weight[x[0]], x[0]))
    for r, fe, m in chosen:
        ts = slots_of(m)
        pt = fr.slot_of.get(r)
        if pt in ts:
            ts.remove(pt)
            ts.insert(0, pt)
        busy = st.req_busy(r)
        for t in ts:
            if (busy >> t) & 1 or not st.room_ok(t):
                continue
            ex = st.pick(r, t, key=lambda e, fe=fe: (e != fe, st.load[e], prob.expert_ids[e]))
            if ex is not None:
                st.add(r, ex, t)
                placed.append(st.meetings[-1])
                break
    return placed


def greedy_groups(prob, st):
    """Remaining group requests, by weight, earliest slot (after the 1:1 engine)."""
    for r in sorted((r for r in range(len(prob.req_ids)) if prob.is_group(r)),
                    key=lambda r: (-prob.req_weight[r], r)):
        st.place_earliest(r)


def solve_v2(prob: Problem, time_limit: float, seed=0, threads=2, progress=None, frozen=(),
             t0=None) -> Outcome:
    t0 = time.monotonic() if t0 is None else t0
    deadline = t0 + max(0.0, time_limit)
    frozen = list(frozen)
    best = _Best(prob, frozen, progress, t0)

    def left():
        return deadline - time.monotonic()

    if not frozen:
        best.offer(fcfs_meetings(prob), "first come, first served")
    else:
        st = State(prob, frozen)
        for r in sorted(range(len(prob.req_ids)), key=lambda r: (prob.req_sub[r], r)):
            st.place_earliest(r)
        best.offer(st.meetings[len(frozen):], "greedy around kept meetings")

    res = Residual(prob, frozen)
    pairs = res.pairs()
    gp = group_pairs(res)
    base = prob.scalar(frozen)
    fm = FlowModel(res, pairs + gp)
    root = fm.solve()
    best.bound = base + root.delta_scalar
    best.report("flow relaxation (groups through one seat)")

    # groups from the relaxation first, then the 1:1 engine on what is left
    st = State(prob, frozen)
    groups = place_groups(prob, res, root, st)
    state = {}

    def inner_progress(p):
        state["last"] = p

    out = solve_problem(prob, max(0.0, left() * 0.8), seed=seed, threads=threads,
                        progress=inner_progress, frozen=frozen + groups, t0=time.monotonic())
    st2 = State(prob, frozen + groups + list(out.meetings))
    greedy_groups(prob, st2)
    cand = st2.meetings[len(frozen):]
    best.offer(cand, "groups from the relaxation + v1 engine on 1:1 requests")
    if prob.scalar(frozen + best.meetings) > best.bound:  # pragma: no cover - safety net
        raise AssertionError("internal error: schedule above the relaxation bound")

    proven3 = prob.scalar(frozen + best.meetings) >= best.bound
    if best.key[3] == 0:
        best.g_bound = 0
    status = "optimal" if proven3 and best.key[3] == 0 else "feasible"
    best.report("done", status=status)
    return Outcome(best.meetings, best.bound, status == "optimal", best.phases, status)


def level_summary(prob: Problem, meetings, bound_scalar, g_bound):
    lv = prob.levels(meetings)
    best = [lv["C1"], lv["C2"], lv["W"], lv["G"]]
    bd = prob.decode(bound_scalar) + [g_bound]
    return best, bd, gap_levels(best, bd)


__all__ = ["solve_v2", "group_pairs", "level_summary"]
