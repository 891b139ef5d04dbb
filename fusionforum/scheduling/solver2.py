"""The v2 optimiser (`fusion-matchmaking/2`): C1, then C2, then W, then minimise G.

Objective as one integer for the first three levels: A*C1 + M*C2 + W with M > the total
weight and A > every M*C2 + W (`Problem.scalar`); in the min-cost flow of the v1 engine this
is a concave bonus on the organisation arcs (first meeting A, second M, further ones 0,
`Problem.org_unit_values`), so one flow orders C1, C2, W lexicographically. A group request
enters the flow through its key seat (the seat with the fewest candidates), in the slots where
its other seat has a candidate too: leaving the other seat's capacity out can only raise the
optimum, so the flow stays an upper bound. The other seat is chosen when meetings are placed
(greedy, rounding, CP-SAT variables z[meeting, slot, expert]); a set of pairs that cannot all
be placed, other seats included, is a valid branching for the branch and bound.

Pipeline of `solve_v2` (anytime: the best schedule so far is always kept; each step is skipped
once the best schedule reaches the bound):

1. First come, first served, the engine's greedy, its flow relaxation and rounding.
2. The linear relaxation that ties each group's other seat to the request (`lp.py`, HiGHS,
   with cuts for attendees' narrow slot sets): a tighter bound; when its optimal vertex is
   integral (else a MIP restricted by reduced costs finds an integral point worth
   floor(LP)) and CP-SAT places its meetings in slots, the schedule reaches the bound (C1,
   C2, W proven). When its meetings clash in slots (or its
   vertex is fractional: arcs above one half), its group meetings are kept and the 1:1
   requests are solved exactly around them; if that leaves the schedule below the bound, the
   groups with an expert an uncovered organisation could use are dropped one at a time
   (`blocking_groups`). Above `LP_FIRST_REQUESTS` requests this step comes before the 1:1
   solves of step 4, which then only fill the time it leaves.
3. The engine's branch and bound (group conflicts, participants' Hall conflicts, CP-SAT cores).
4. The 1:1 requests solved exactly around fixed group meetings (the flow without groups is
   tight), then a local search over group requests (drop one, add one), each move re-solving
   the 1:1 requests.
5. G: requests and experts fixed, a local search moves a meeting to another slot, swaps or
   chains two meetings (sharing a person, or trading the room of a full slot), or gives a
   discipline seat another expert, whenever the idle slots of the people concerned fall
   (`compact`); when it is stuck with time left, CP-SAT re-slots the meetings of the people
   still idle and the other meetings of the people they meet, with idle slots counted exactly
   (`compact_cp`), and the local search runs again. G = 0 is optimal by itself; otherwise
   the level's bound reported is 0.

The bound reported is the lowest of the flow's (after branching) and the linear relaxation's.
"""

from __future__ import annotations

import time
from collections import defaultdict

from .baseline import State, fcfs_meetings
from .model import Problem, experts_of, slots_of
from .solver import FlowModel, Outcome, Residual, solve_problem

LEVELS = ("C1", "C2", "W", "G")
SMALL_REQUESTS = 200  # up to this many requests, branch and bound comes before the LP
LP_FIRST_REQUESTS = 1000  # above this many requests, the LP comes before the 1:1 re-solves
FALLBACK_MOVES = 12  # group moves tried on the LP's fractional guide before its MIP runs


def gap_levels(best, bound):
    """Per level gap; a level's bound only holds when the levels above it are equal, so the
    gap of a level below an open one is None."""
    out = {}
    equal = True
    for name, a, b in zip(LEVELS, best, bound, strict=True):
        if not equal:
            out[name] = None
            continue
        out[name] = (a - b) if name == "G" else (b - a)
        equal = a == b
    return out


def current_level(best, bound):
    for name, a, b in zip(LEVELS, best, bound, strict=True):
        if a != b:
            return name
    return "done"


def compact(prob: Problem, frozen, meetings, deadline):
    """Slots of `meetings` (requests and experts fixed) with fewer idle slots G, by local
    search: move one meeting to another slot, or swap the slots of two meetings (sharing a
    person, or trading the room of a full slot), whenever it lowers the idle slots of the
    people concerned; the frozen meetings stay where they are.
    Deterministic; stops at a local optimum, at G = 0 or at `deadline` (monotonic clock)."""
    T = prob.T
    full = (1 << T) - 1
    rooms = list(prob.rooms) if prob.rooms is not None else None
    ms = list(meetings)
    n = len(ms)
    ex_of = [experts_of(e) for _r, e, _t in ms]
    people = [[("e", x) for x in ex_of[i]] + [("p", p) for p in prob.req_att[ms[i][0]]]
              for i in range(n)]
    occ = defaultdict(int)
    for r, e, t in frozen:
        for x in experts_of(e):
            occ[("e", x)] |= 1 << t
        for p in prob.req_att[r]:
            occ[("p", p)] |= 1 << t
        if rooms is not None:
            rooms[t] -= 1
    for i, (_r, _e, t) in enumerate(ms):
        for q in people[i]:
            occ[q] |= 1 << t
        if rooms is not None:
            rooms[t] -= 1
    avail = {}
    for q in occ:
        avail[q] = prob.expert_avail[q[1]] if q[0] == "e" else full & ~prob.part_busy[q[1]]
    allowed = []  # slots where meeting i may go as far as availability goes
    for i in range(n):
        m = full
        for q in people[i]:
            m &= avail[q]
        allowed.append(m)
    by_person = defaultdict(list)
    for i in range(n):
        for q in people[i]:
            by_person[q].append(i)

    def idle(q, o=None):
        return prob.idle(occ[q] if o is None else o, avail[q])

    g = {q: idle(q) for q in occ}
    total = sum(g.values())

    frozen_occ = defaultdict(int)
    for r, e, t in frozen:
        for x in experts_of(e):
            frozen_occ[("e", x)] |= 1 << t
        for p in prob.req_att[r]:
            frozen_occ[("p", p)] |= 1 << t

    def attempt(changes):
        """Apply {meeting: new slot} if feasible and it lowers G strictly."""
        nonlocal total
        for i, t in changes.items():
            if not (allowed[i] >> t) & 1:
                return False
        if rooms is not None:
            d = defaultdict(int)
            for i, t in changes.items():
                d[ms[i][2]] -= 1
                d[t] += 1
            if any(rooms[t] - k < 0 for t, k in d.items() if k > 0):
                return False
        affected = set()
        for i in changes:
            affected.update(people[i])
        delta = 0
        new = {}
        for q in affected:
            o = frozen_occ[q]
            for k in by_person[q]:
                b = 1 << changes.get(k, ms[k][2])
                if o & b:
                    return False
                o |= b
            v = idle(q, o)
            new[q] = (o, v)
            delta += v - g[q]
        if delta >= 0:
            return False
        for q, (o, v) in new.items():
            occ[q], g[q] = o, v
        if rooms is not None:
            for i, t in changes.items():
                rooms[ms[i][2]] += 1
                rooms[t] -= 1
        for i, t in changes.items():
            r, e, _t = ms[i]
            ms[i] = (r, e, t)
        total += delta
        return True

    def blockers(i, t):
        out = set()
        for q in people[i]:
            if (occ[q] >> t) & 1:
                if (frozen_occ[q] >> t) & 1:
                    return None
                out.update(k for k in by_person[q] if ms[k][2] == t)
        out.discard(i)
        return out

    load = defaultdict(int)
    org_exp = set()
    for r, e, _t in list(frozen) + ms:
        for x in experts_of(e):
            load[x] += 1
            org_exp.add((prob.req_org[r], x))

    def hand_over(i, o, x, y):
        """Meeting i (of organisation o) changes expert x for y: the experts' loads, the pairs
        met (H8), who the meeting's people are and the slots all of them allow."""
        qx, qy = ("e", x), ("e", y)
        load[x] -= 1
        load[y] += 1
        org_exp.discard((o, x))
        org_exp.add((o, y))
        people[i] = [qy if z == qx else z for z in people[i]]
        by_person[qx].remove(i)
        by_person[qy].append(i)
        m = full
        for z in people[i]:
            m &= avail[z]
        allowed[i] = m

    def swap_expert(i, x):
        """Give meeting i another expert instead of x, same slot, if it lowers G."""
        nonlocal total
        r, e, t = ms[i]
        o = prob.req_org[r]
        E = experts_of(e)
        cands = sorted({y for c in prob.req_seats[r] for y in c} - set(E))
        qx = ("e", x)
        ox = occ[qx] & ~(1 << t)
        vx = idle(qx, ox)
        for y in cands:
            qy = ("e", y)
            if (not (prob.expert_avail[y] >> t) & 1 or load[y] >= prob.expert_cap[y]
                    or (o, y) in org_exp):
                continue
            if qy not in occ:
                occ[qy] = frozen_occ[qy]
                avail[qy] = prob.expert_avail[y]
                g[qy] = idle(qy)
            if (occ[qy] >> t) & 1:
                continue
            newE = tuple(y if z == x else z for z in E)
            if len(newE) > 1 and not prob.eligible_assignment(r, newE):
                continue
            oy = occ[qy] | (1 << t)
            vy = idle(qy, oy)
            delta = vx - g[qx] + vy - g[qy]
            if delta >= 0:
                continue
            occ[qx], g[qx], occ[qy], g[qy] = ox, vx, oy, vy
            ms[i] = (r, newE[0] if len(newE) == 1 else newE, t)
            hand_over(i, o, x, y)
            total += delta
            return True
        return False

    def move_with_expert(i):
        """Move a 1:1 meeting to another slot with another expert for its seat."""
        nonlocal total
        r, e, t1 = ms[i]
        if prob.is_group(r):
            return False
        o = prob.req_org[r]
        parts = [q for q in people[i] if q[0] == "p"]
        pmask = full
        for q in parts:
            pmask &= avail[q] & ~(occ[q] & ~(1 << t1))
        if rooms is not None:
            pmask &= sum(1 << t for t in range(T) if rooms[t] > 0) | (1 << t1)
        qx = ("e", e)
        for y in prob.req_seats[r][0]:
            if y == e or load[y] >= prob.expert_cap[y] or (o, y) in org_exp:
                continue
            qy = ("e", y)
            if qy not in occ:
                occ[qy] = frozen_occ[qy]
                avail[qy] = prob.expert_avail[y]
                g[qy] = idle(qy)
            for t2 in slots_of(pmask & prob.expert_avail[y] & ~occ[qy]):
                if t2 == t1:
                    continue
                new = {qx: occ[qx] & ~(1 << t1), qy: occ[qy] | (1 << t2)}
                for q in parts:
                    new[q] = (occ[q] & ~(1 << t1)) | (1 << t2)
                delta = sum(idle(q, o2) - g[q] for q, o2 in new.items())
                if delta >= 0:
                    continue
                for q, o2 in new.items():
                    occ[q], g[q] = o2, idle(q, o2)
                if rooms is not None:
                    rooms[t1] += 1
                    rooms[t2] -= 1
                ms[i] = (r, y, t2)
                hand_over(i, o, e, y)
                total += delta
                return True
        return False

    def improve(q):
        if q[0] == "e":
            for i in list(by_person[q]):
                if swap_expert(i, q[1]):
                    return True
        for i in list(by_person[q]):
            if move_with_expert(i):
                return True
        for i in by_person[q]:
            t1 = ms[i][2]
            for t2 in slots_of(allowed[i]):
                if t2 == t1:
                    continue
                bl = blockers(i, t2)
                if bl is None or len(bl) > 1:
                    continue
                if not bl:
                    if attempt({i: t2}):
                        return True
                    continue
                j = bl.pop()
                if attempt({i: t2, j: t1}):
                    return True
                for t3 in slots_of(allowed[j]):  # ejection chain: j moves on elsewhere
                    if t3 not in (t1, t2) and attempt({i: t2, j: t3}):
                        return True
        return False

    def trade_room(q):
        """Move a meeting of q to a slot whose rooms are all taken, in exchange for a
        meeting there that shares nobody with it and can take its slot (rooms are often
        the only thing in the way once agendas are nearly compact)."""
        if rooms is None:
            return False
        at = defaultdict(list)
        for k, (_r, _e, t) in enumerate(ms):
            at[t].append(k)
        for i in list(by_person[q]):
            t1 = ms[i][2]
            for t2 in slots_of(allowed[i]):
                if t2 == t1 or rooms[t2] > 0 or blockers(i, t2) != set():
                    continue
                for j in at[t2]:
                    if (allowed[j] >> t1) & 1 and attempt({i: t2, j: t1}):
                        return True
        return False

    improved = True
    while improved and total > 0 and time.monotonic() < deadline:
        improved = False
        for q in sorted((q for q, v in g.items() if v > 0), key=lambda q: (-g[q], q)):
            if time.monotonic() >= deadline:
                break
            while g[q] > 0 and (improve(q) or trade_room(q)):
                improved = True
    return ms


CP_COMPACT_MEETINGS = 400  # meetings that `compact_cp` re-slots at most when it widens


def compact_cp(prob: Problem, frozen, meetings, deadline, seed=0, threads=2, hops=1):
    """Slots of `meetings` (requests and experts fixed) with fewer idle slots G, by CP-SAT
    over the meetings of the people who still have idle slots and, for `hops` > 1, the other
    meetings of the people in them, `hops` - 1 steps further while there are at most
    `CP_COMPACT_MEETINGS` (the other meetings and the
    frozen ones stay where they are): exact idle slots per person and block, started from
    the current slots. Returns the meetings (unchanged when nothing better was found)."""
    from .solver import _cp_model

    T = prob.T
    full = (1 << T) - 1
    ms = list(meetings)
    people = [[("e", x) for x in experts_of(e)] + [("p", p) for p in prob.req_att[r]]
              for r, e, _t in ms]

    def avail_of(q):
        return prob.expert_avail[q[1]] if q[0] == "e" else full & ~prob.part_busy[q[1]]

    occ = defaultdict(int)
    for r, e, t in frozen:
        for x in experts_of(e):
            occ[("e", x)] |= 1 << t
        for p in prob.req_att[r]:
            occ[("p", p)] |= 1 << t
    for i, (_r, _e, t) in enumerate(ms):
        for q in people[i]:
            occ[q] |= 1 << t
    bad = {q for q, o in occ.items() if prob.idle(o, avail_of(q)) > 0}
    mov = {i for i in range(len(ms)) if any(q in bad for q in people[i])}
    if not mov or time.monotonic() >= deadline:
        return ms
    by_person = defaultdict(list)
    for i in range(len(ms)):
        for q in people[i]:
            by_person[q].append(i)
    for _ in range(hops - 1):
        # one step further: the other meetings of the people concerned can move too (an
        # idle person's meeting often needs a slot that someone in it uses elsewhere);
        # participants' first (they have few meetings), experts' while the model stays small
        for kind in ("p", "e"):
            more = {k for i in mov for q in people[i] if q[0] == kind for k in by_person[q]}
            if len(mov | more) > CP_COMPACT_MEETINGS:
                break
            mov |= more
    movable = sorted(mov)
    concerned = {q for i in movable for q in people[i]}
    fixed = defaultdict(int)  # slots of the concerned people taken by meetings that stay
    for r, e, t in frozen:
        for q in [("e", x) for x in experts_of(e)] + [("p", p) for p in prob.req_att[r]]:
            if q in concerned:
                fixed[q] |= 1 << t
    room_left = list(prob.rooms) if prob.rooms is not None else None
    for i, (_r, _e, t) in enumerate(ms):
        if i not in mov:
            for q in people[i]:
                if q in concerned:
                    fixed[q] |= 1 << t
            if room_left is not None:
                room_left[t] -= 1
    if room_left is not None:
        for _r, _e, t in frozen:
            room_left[t] -= 1
    cp_model = _cp_model()
    m = cp_model.CpModel()
    x = {}
    by_qt = defaultdict(list)
    by_t = defaultdict(list)
    for i in movable:
        allowed = full
        for q in people[i]:
            allowed &= avail_of(q) & ~fixed[q]
        lits = []
        for t in slots_of(allowed):
            v = m.new_bool_var(f"x{i}_{t}")
            x[(i, t)] = v
            lits.append(v)
            by_t[t].append(v)
            for q in people[i]:
                by_qt[(q, t)].append(v)
        if not lits:
            return ms
        m.add_exactly_one(lits)
        m.add_hint(x.get((i, ms[i][2]), lits[0]), 1)
    for lits in by_qt.values():
        if len(lits) > 1:
            m.add_at_most_one(lits)
    if room_left is not None:
        for t, lits in by_t.items():
            m.add(sum(lits) <= max(0, room_left[t]))
    idle_terms = []
    for q in sorted(concerned):
        av = avail_of(q)
        for b in prob.blocks:
            ts = slots_of(b)
            y = []
            for t in ts:
                if (fixed[q] >> t) & 1:
                    y.append(1)
                else:
                    y.append(sum(by_qt.get((q, t), [])))
            if sum(1 for v in y if not isinstance(v, int) or v) < 2:
                continue
            # slot k is idle iff a meeting lies before it, another after it and none in
            # it: d_k >= y_i + y_j - y_k - 1 for every i < k < j (a tight formulation, no
            # auxiliary "before"/"after" variables)
            live = [k for k, v in enumerate(y) if not isinstance(v, int) or v]
            for k, t in enumerate(ts):
                if not (av >> t) & 1 or (fixed[q] >> t) & 1:
                    continue
                before = [y[i] for i in live if i < k]
                after = [y[j] for j in live if j > k]
                if not before or not after:
                    continue
                d = m.new_bool_var("")
                for a in before:
                    for c in after:
                        m.add(d >= a + c - y[k] - 1)
                idle_terms.append(d)
    m.minimize(sum(idle_terms))
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    prm.random_seed = seed
    prm.num_workers = max(1, threads)
    prm.interleave_search = threads > 1
    st = solver.solve(m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ms
    out = list(ms)
    for i in movable:
        r, e, _t = ms[i]
        t = next(t for t in range(T) if (i, t) in x and solver.boolean_value(x[(i, t)]))
        out[i] = (r, e, t)
    return out


def insert_groups(prob: Problem, frozen, meetings):
    """Add the group requests to a schedule where they fit without moving anything:
    organisations with no meeting first, then those with one, then by weight."""
    st = State(prob, frozen + meetings)
    count = defaultdict(int)
    for r, _e, _t in frozen + meetings:
        count[prob.req_org[r]] += 1
    groups = [r for r in range(len(prob.req_ids)) if prob.is_group(r) and r not in st.served]
    groups.sort(key=lambda r: (min(count[prob.req_org[r]], 2), -prob.req_weight[r], r))
    for r in groups:
        if st.place_earliest(r):
            count[prob.req_org[r]] += 1
    return st.meetings[len(frozen):]


def blocking_groups(prob: Problem, frozen, meetings):
    """The group requests of `meetings` most likely to stand in the way of C1 and C2: those
    with an expert eligible for a request of an organisation not covered (then one with a
    single meeting that asked for more), lightest first."""
    count = defaultdict(int)
    for r, _e, _t in frozen + list(meetings):
        count[prob.req_org[r]] += 1
    asked = defaultdict(int)
    for r in range(len(prob.req_ids)):
        asked[prob.req_org[r]] += 1
    want = {}  # expert -> 0 (an uncovered organisation needs it) or 1 (a second meeting)
    served = {r for r, _e, _t in meetings}
    for r in range(len(prob.req_ids)):
        o = prob.req_org[r]
        if r in served or count[o] >= 2 or asked[o] < 2 and count[o] >= 1:
            continue
        for c in prob.req_seats[r]:
            for x in c:
                want[x] = min(want.get(x, 2), count[o])
    out = []
    for r, e, _t in meetings:
        if prob.is_group(r):
            rank = min((want.get(x, 2) for x in experts_of(e)), default=2)
            if rank < 2:
                out.append((rank, prob.req_weight[r], r))
    return [r for _k, _w, r in sorted(out)]


def group_search(prob: Problem, frozen, meetings, deadline, seed, threads, offer,
                 order=None, enough=None, max_moves=None):
    """Local search over the group requests: with the groups of the schedule fixed, the 1:1
    requests are solved exactly and fast by the engine (no group in its flow); try dropping
    one served group, or adding one unserved group in its first feasible slot, and keep
    any change that improves (C1, C2, W). `offer(meetings)` records each improvement;
    `order`, when given, is the list of group requests to try (default: every one).
    Work limits (the result then does not depend on the machine's speed): it stops once
    `enough(meetings)` holds or after `max_moves` moves tried."""
    best = list(meetings)
    best_s = prob.scalar(frozen + best)
    groups = [r for r in range(len(prob.req_ids)) if prob.is_group(r)] if order is None \
        else list(order)
    moves = 0
    improved = enough is None or not enough(best)
    while improved and time.monotonic() < deadline:
        improved = False
        for g in groups:
            if time.monotonic() >= deadline or max_moves is not None and moves >= max_moves:
                break
            moves += 1
            fixed = [m for m in best if prob.is_group(m[0])]
            if any(m[0] == g for m in fixed):
                trial = [m for m in fixed if m[0] != g]
            else:
                st = State(prob, frozen + fixed)
                if not st.place_earliest(g):
                    continue
                trial = fixed + [st.meetings[-1]]
            left = deadline - time.monotonic()
            out = solve_problem(prob, min(left, 2.0), seed=seed, threads=threads,
                                frozen=frozen + trial, groups=False)
            cand = trial + list(out.meetings)
            sc = prob.scalar(frozen + cand)
            if sc > best_s:
                best, best_s = cand, sc
                offer(cand)
                improved = True
                if enough is not None and enough(best):
                    return best
    return best


def solve_v2(prob: Problem, time_limit: float, seed=0, threads=2, progress=None, frozen=(),
             t0=None) -> Outcome:
    t0 = time.monotonic() if t0 is None else t0
    deadline = t0 + max(0.0, time_limit)
    frozen = list(frozen)
    phases = []

    def report(entry):
        entry = dict(entry)
        best = list(entry.get("best", [])) + [entry.pop("G", None)]
        if best[3] is None:
            best[3] = state["G"]
        entry["best"] = best
        if "bound" in entry:
            entry["bound"] = list(entry["bound"]) + [0]
            entry["gap"] = gap_levels(best, entry["bound"])
            entry["level"] = current_level(best, entry["bound"])
        phases.append(entry)
        if progress is not None:
            progress(dict(entry))

    state = {"G": prob.levels(frozen)["G"]}
    initial = None
    if not frozen:
        initial = fcfs_meetings(prob)
        state["G"] = prob.levels(initial)["G"]

    def engine_progress(entry):
        report(entry)

    def within(share):
        """A sub-solve's budget: `share` of the time limit, never past 85 % of it."""
        return max(0.0, min(share * time_limit, t0 + 0.85 * time_limit - time.monotonic()))

    def best_of(*cands):
        cands = [c for c in cands if c is not None]
        return max(cands, key=lambda ms: prob.key(frozen + ms))

    def note(phase, ms, bound=None):
        lv = prob.levels(frozen + ms)
        state["G"] = lv["G"]
        entry = {"phase": phase, "elapsed_s": round(time.monotonic() - t0, 3),
                 "best": [lv["C1"], lv["C2"], lv["W"]]}
        if bound is not None:
            entry["bound"] = prob.decode(bound)
        report(entry)

    if not prob.has_groups:
        out = solve_problem(prob, 0.75 * max(0.0, time_limit), seed=seed, threads=threads,
                            progress=engine_progress, frozen=frozen, t0=t0, initial=initial)
        return _finish(prob, frozen, list(out.meetings), out.bound_scalar, out.proven, t0,
                       deadline, time_limit, report, state, phases,
                       seed, threads)

    # 1. the flow engine's greedy, relaxation and rounding; on a small instance also a short
    # branch and bound (its nodes are cheap there, and it spares the LP solver's start-up)
    small = len(prob.req_ids) <= SMALL_REQUESTS
    out = solve_problem(prob, 0.3 * max(0.0, time_limit) if small else 0.0, seed=seed,
                        threads=threads, progress=engine_progress, frozen=frozen, t0=t0,
                        initial=initial)
    bound = out.bound_scalar
    best = best_of(list(out.meetings), initial)
    if prob.scalar(frozen + best) >= bound:
        return _finish(prob, frozen, best, bound, True, t0, deadline, time_limit, report,
                       state, phases, seed, threads)

    # 2. the 1:1 requests exactly around fixed group meetings (the flow without groups is
    # tight): the groups of the best schedule so far, or none with the groups added
    # afterwards where they fit. On a large instance the linear relaxation comes first (its
    # groups are the better guide) and this step only fills the time it leaves.
    def around_groups(best, until):
        fixed = [m for m in best if prob.is_group(m[0])]
        for groups in (fixed, []):
            if time.monotonic() >= t0 + until * time_limit:
                break
            sub = solve_problem(prob, within(0.1), seed=seed, threads=threads,
                                frozen=frozen + groups, groups=False)
            best = best_of(insert_groups(prob, frozen, groups + list(sub.meetings)), best)
        note("1:1 requests exactly around the group meetings", best, bound)
        return best

    lp_first = len(prob.req_ids) > LP_FIRST_REQUESTS
    if not lp_first:
        best = around_groups(best, 0.5)

    # 3. the linear relaxation with the group seats coupled: its bound, and on the generated
    # instances an integral vertex whose meetings CP-SAT places in slots (then optimal)
    from .lp import lp_schedule

    res = Residual(prob, frozen)
    fm = FlowModel(res, res.pairs())
    around_lp = []
    lp_c1 = [None]

    def around_lp_groups(groups, moves=None):
        """The LP's group meetings kept, the 1:1 requests solved exactly around them (the
        engine branches on the clashes); on a large instance the groups in the way of the
        organisations the LP covers are then dropped one at a time (`blocking_groups`),
        until C1 reaches the LP's or after `moves` moves."""
        sub = solve_problem(prob, within(0.25), seed=seed, threads=threads,
                            frozen=frozen + groups, groups=False)
        cand = insert_groups(prob, frozen, groups + list(sub.meetings))
        if lp_first:
            cand = group_search(prob, frozen, cand, t0 + 0.85 * max(0.0, time_limit), seed,
                                threads, lambda _ms: None,
                                order=blocking_groups(prob, frozen, cand),
                                enough=lambda ms: prob.levels(frozen + ms)["C1"] >= lp_c1[0],
                                max_moves=moves)
        around_lp.append(cand)

    def before_mip(groups, bnd, integral):
        # the vertex's groups are solved around before its point is placed in slots (a
        # fractional one's before the MIP looks for an integral point), so that a schedule
        # covering the LP's organisations is at hand whatever that gives; a fixed number of
        # moves (deterministic), none for an integral vertex (its point usually fits, and
        # the moves cost seconds on the largest instances)
        lp_c1[0] = prob.decode(prob.scalar(frozen) + bnd)[0]
        around_lp_groups(groups, moves=0 if integral else FALLBACK_MOVES)

    # the deadline leaves the slot assignment of the MIP's point time on a loaded machine
    # (on a large instance the fallback is at hand by then)
    bnd, ms, lp_groups = lp_schedule(res, fm, t0 + (0.9 if lp_first else 0.85)
                                     * max(0.0, time_limit), seed, threads,
                                     fallback=before_mip if lp_first else None)
    if bnd is not None:
        bound = min(bound, prob.scalar(frozen) + bnd)
        lp_c1[0] = prob.decode(bound)[0]
    if ms is not None:
        best = best_of(ms, best)
        note("linear relaxation (group seats coupled)", best, bound)
    else:
        if lp_groups is not None and time.monotonic() < t0 + 0.8 * time_limit:
            around_lp_groups(lp_groups)
        if around_lp:
            cand = around_lp[0]
            if prob.scalar(frozen + cand) < bound and lp_first \
                    and time.monotonic() < t0 + 0.85 * time_limit:
                # what time is left: the blocking groups further, past the LP's C1
                cand = group_search(prob, frozen, cand, t0 + 0.85 * max(0.0, time_limit),
                                    seed, threads, lambda _ms: None,
                                    order=blocking_groups(prob, frozen, cand))
            best = best_of(cand, best)
            note("linear relaxation's groups, 1:1 requests exactly around them", best, bound)
    if lp_first and prob.scalar(frozen + best) < bound:
        best = around_groups(best, 0.6)
    if prob.scalar(frozen + best) >= bound:
        return _finish(prob, frozen, best, bound, True, t0, deadline, time_limit, report,
                       state, phases, seed, threads)

    # 4. branch and bound over the flow (group conflicts, CP-SAT cores)
    if time.monotonic() < t0 + 0.6 * time_limit:
        out = solve_problem(prob, 0.7 * max(0.0, time_limit), seed=seed, threads=threads,
                            progress=engine_progress, frozen=frozen, t0=t0, initial=best)
        bound = min(bound, out.bound_scalar)
        best = best_of(list(out.meetings), best)
        if prob.scalar(frozen + best) >= bound:
            return _finish(prob, frozen, best, bound, True, t0, deadline, time_limit, report,
                           state, phases, seed, threads)

    # 5. a local search over the group requests
    if time.monotonic() < t0 + 0.85 * time_limit:

        def offer(ms):
            note("group search", ms, bound)

        best = group_search(prob, frozen, best, t0 + 0.85 * max(0.0, time_limit), seed,
                            threads, offer)
    proven = prob.scalar(frozen + best) >= bound
    return _finish(prob, frozen, best, bound, proven, t0, deadline, time_limit, report,
                   state, phases, seed, threads)


def _finish(prob, frozen, meetings, bound_scalar, proven3, t0, deadline, time_limit, report,
            state, phases, seed=0, threads=2):
    """Report the first three levels, compact the agendas (G), return the Outcome."""
    lv = prob.levels(frozen + meetings)
    state["G"] = lv["G"]
    best3 = [lv["C1"], lv["C2"], lv["W"]]
    bound = prob.decode(bound_scalar) + [0]
    report({"phase": "levels C1, C2, W done", "elapsed_s": round(time.monotonic() - t0, 3),
            "best": best3, "bound": bound[:3]})
    if lv["G"] > 0:
        # the agenda compaction is quick; it gets a little time even when the levels above
        # used it all
        new = compact(prob, frozen, meetings,
                      max(deadline, time.monotonic() + 0.05 * max(0.0, time_limit)))
        g = prob.levels(frozen + new)["G"]
        if g < lv["G"]:
            from .checker import violations

            v = violations(prob, frozen + new)
            if v:  # pragma: no cover - the moves check every constraint
                raise AssertionError(f"internal error: compaction broke {v[:3]}")
            meetings = new
            state["G"] = g
        if state["G"] > 0 and deadline - time.monotonic() > 0.5:
            # the local search is stuck: CP-SAT re-slots the meetings of the people with idle
            # slots, then the local search again
            new = compact_cp(prob, frozen, meetings, deadline - 0.2, seed, threads, hops=2)
            new = compact(prob, frozen, new, time.monotonic() + 0.02 * max(0.0, time_limit))
            g = prob.levels(frozen + new)["G"]
            if g < state["G"]:
                from .checker import violations

                if not violations(prob, frozen + new):
                    meetings = new
                    state["G"] = g
        report({"phase": "agenda compaction",
                "elapsed_s": round(time.monotonic() - t0, 3), "best": best3,
                "bound": bound[:3]})
    proven = proven3 and state["G"] == 0
    status = "optimal" if proven else "feasible"
    report({"phase": "done", "elapsed_s": round(time.monotonic() - t0, 3), "best": best3,
            "bound": bound[:3], "status": status})
    return Outcome(meetings, bound_scalar, proven, phases, status)
