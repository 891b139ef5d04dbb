"""fusion-matchmaking/2: group requests, refusals (H10), session blocks and the four-level
objective (C1, C2, W, then G). Hand-made cases for each constraint, cross-checked with the
kit's check.py when the shared benchmark folder is present; the levels against brute force on
tiny random instances; FCFS against the kit's greedy; repair with frozen meetings."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.scheduling import (
    InstanceError,
    changes,
    check,
    first_come_first_served,
    repair,
    solve,
)

from .helpers_v2 import (
    BENCH2_DIR,
    brute_force_v2,
    generate,
    kit_check,
    levels,
    make_v2,
    meetings_v2,
)

# two experts of one discipline pair, one participant per organisation
EXPERTS = {"E1": (["magnets"], [0, 1, 2, 3], 3, []),
           "E2": (["cryogenics"], [0, 1, 2, 3], 3, ["O2"]),
           "E3": (["cryogenics"], [2, 3], 1, [])}
ORGS = {"O1": {"P1": []}, "O2": {"P2": [0]}}


def base(requests, rooms=None, experts=EXPERTS, sessions=(0, 0, 1, 1)):
    return make_v2(4, experts, ORGS, requests, rooms=rooms, sessions=list(sessions))


def sol(meetings):
    out = []
    for r, ex, t in meetings:
        out.append({"request": r, "expert": ex} if isinstance(ex, str)
                   else {"request": r, "experts": list(ex), "slot": t})
        out[-1]["slot"] = t
    return {"format": "fusion-matchmaking-solution/2", "meetings": out}


GROUP = [("R1", "O1", ("d:magnets", "d:cryogenics"), 5, ["P1"]),
         ("R2", "O2", ("E1", "d:cryogenics"), 4, ["P2"]),
         ("R3", "O1", "E3", 2, ["P1"])]

CASES = [  # (meetings, expected violation codes)
    ([("R1", ("E1", "E2"), 0)], set()),
    ([("R1", ("E2", "E1"), 0)], set()),  # any order
    ([("R1", ("E1",), 0)], {"H0"}),  # one expert for two seats
    ([("R1", ("E1", "E1"), 0)], {"H0"}),  # the same expert twice
    ([("R1", ("E2", "E3"), 2)], {"H2"}),  # nobody for the magnets seat
    ([("R1", ("E1", "E3"), 0)], {"H3"}),  # E3 is not there in slot 0
    ([("R2", ("E1", "E2"), 1)], {"H10"}),  # E2 refuses O2
    ([("R2", ("E1", "E3"), 0)], {"H3", "H4"}),  # P2 busy in slot 0, E3 absent
    ([("R1", ("E1", "E2"), 3), ("R2", ("E1", "E3"), 3)], {"H5"}),
    ([("R1", ("E1", "E3"), 2), ("R3", "E3", 3)], {"H7", "H8"}),
    ([("R1", ("E1", "E2"), 1), ("R1", ("E1", "E2"), 2)], {"H1", "H8"}),
]


@pytest.mark.parametrize("meetings,codes", CASES)
def test_constraints_on_group_meetings_match_the_kit(meetings, codes, tmp_path):
    inst = base(GROUP)
    got = {c for c, _m in check(inst, sol(meetings))}
    assert got == codes
    kit = kit_check(inst, sol(meetings), tmp_path)
    if kit is not None:
        assert set(kit[1]) == codes


def test_group_uses_one_room_and_rooms_bind(tmp_path):
    inst = base(GROUP, rooms=[1, 1, 1, 1])
    ok = sol([("R1", ("E1", "E2"), 1), ("R2", ("E1", "E3"), 2)])
    assert check(inst, ok) == []
    bad = sol([("R1", ("E1", "E2"), 2), ("R2", ("E1", "E3"), 2)])
    assert {c for c, _m in check(inst, bad)} >= {"H9"}
    kit = kit_check(inst, bad, tmp_path)
    if kit is not None:
        assert "H9" in kit[1]


def test_solver_never_gives_a_refusing_expert():
    inst = base([("R1", "O2", "d:cryogenics", 5, ["P2"])])
    out = solve(inst, time_limit=5, threads=1)
    assert check(inst, out) == []
    assert meetings_v2(out) == [("R1", ("E3",), 2)] or meetings_v2(out) == [("R1", ("E3",), 3)]


def test_group_meeting_written_with_both_experts(tmp_path):
    inst = base(GROUP)
    out = solve(inst, time_limit=5, threads=1)
    assert check(inst, out) == []
    groups = [m for m in out["meetings"] if "experts" in m]
    assert groups and all(len(m["experts"]) == 2 for m in groups)
    assert out["format"] == "fusion-matchmaking-solution/2"
    meta = out["meta"]
    assert {"covered_orgs", "covered_orgs_twice", "weight", "idle_slots"} <= set(meta["objective"])
    assert [lv["level"] for lv in meta["levels"]] == ["C1", "C2", "W", "G"]
    kit = kit_check(inst, out, tmp_path)
    if kit is not None:
        assert kit[0] and kit[2] == tuple(out["objective"][k] for k in ("C1", "C2", "W", "G"))


def test_malformed_v2_targets_are_instance_errors():
    inst = base(GROUP)
    inst["requests"][0]["target"] = {"group": [{"discipline": "magnets"}]}
    with pytest.raises(InstanceError):
        solve(inst, time_limit=1)
    inst = base(GROUP)
    inst["experts"][0]["refuses"] = ["O9"]
    with pytest.raises(InstanceError):
        solve(inst, time_limit=1)
    inst = base(GROUP)
    inst["format"] = "fusion-matchmaking/1"  # groups are v2 only
    with pytest.raises(InstanceError):
        solve(inst, time_limit=1)


def test_idle_slots_count_within_blocks_only():
    # P1 meets in slots 0 and 3: different blocks (0-1 | 2-3), no idle slot; in one block
    # (0, 0, 0, 0) the two slots between count for P1 and none for the experts (one each)
    reqs = [("R1", "O1", "E1", 5, ["P1"]), ("R3", "O1", "E3", 2, ["P1"])]
    two_blocks = base(reqs)
    m = [("R1", ("E1",), 0), ("R3", ("E3",), 3)]
    assert levels(two_blocks, m)[3] == 0
    one_block = base(reqs, sessions=(0, 0, 0, 0))
    assert levels(one_block, m)[3] == 2
    out = solve(one_block, time_limit=5, threads=1)
    assert out["objective"]["G"] == 0 and out["meta"]["status"] == "optimal"


@st.composite
def tiny_v2(draw):
    def d(lo, hi):
        return draw(st.integers(lo, hi))

    T = d(2, 4)
    discs = ["magnets", "vacuum"]
    experts = {}
    n_orgs = d(1, 3)
    for i in range(d(2, 3)):
        ds = [x for x in discs if d(0, 1)] or [discs[d(0, 1)]]
        av = [t for t in range(T) if d(0, 3)]
        ref = [f"O{o}" for o in range(n_orgs) if d(0, 5) == 0]
        experts[f"E{i}"] = (ds, av, d(1, T), ref)
    orgs = {f"O{o}": {f"P{o}{k}": [t for t in range(T) if d(0, 4) == 0]
                      for k in range(d(1, 2))} for o in range(n_orgs)}
    reqs, used = [], set()
    for k in range(d(1, 5)):
        o = f"O{d(0, n_orgs - 1)}"
        kind = d(0, 3)
        if kind == 0:
            tg = ("d:magnets", "d:vacuum") if d(0, 1) else (f"E{d(0, len(experts) - 1)}",
                                                           "d:" + discs[d(0, 1)])
        elif kind == 1:
            tg = f"E{d(0, len(experts) - 1)}"
        else:
            tg = "d:" + discs[d(0, 1)]
        if (o, tg) in used:
            continue
        used.add((o, tg))
        parts = sorted(orgs[o])
        att = [p for p in parts if d(0, 1)] or [parts[0]]
        reqs.append((f"R{k}", o, tg, d(1, 10), att))
    sessions = [0 if t < d(1, T) else 1 for t in range(T)]
    rooms = [d(0, 2) for _ in range(T)] if d(0, 1) else None
    return make_v2(T, experts, orgs, reqs, rooms=rooms, sessions=sessions, name="tiny")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_v2())
def test_levels_match_brute_force(inst):
    out = solve(inst, time_limit=5, threads=1)
    assert check(inst, out) == []
    got = levels(inst, meetings_v2(out))
    best = brute_force_v2(inst)
    assert got[:3] == best[:3]
    assert got[3] >= -best[3]
    meta = out["meta"]
    # the first three levels are proven (bound reached) on such tiny instances
    assert [lv["proven"] for lv in meta["levels"][:3]] == [True, True, True]
    assert (meta["bound"]["covered_orgs"], meta["bound"]["covered_orgs_twice"],
            meta["bound"]["weight"]) == best[:3]
    if meta["status"] == "optimal":
        assert got[3] == 0


def test_second_meeting_before_weight():
    # O1 can have R1 (weight 9) or R2 (weight 1) with E1 besides R3 with E2; O2 only R4 with
    # E1. E1 has one meeting: C1 wants O2 covered (R4), so O1 gets R3 and no second meeting
    # from E1. Then with E1 at cap 2: C2 prefers O1's second meeting over nothing.
    ex = {"E1": (["magnets"], [0, 1], 2, []), "E2": (["vacuum"], [0, 1], 1, [])}
    orgs = {"O1": {"P1": []}, "O2": {"P2": []}}
    reqs = [("R1", "O1", "E1", 9, ["P1"]), ("R3", "O1", "E2", 1, ["P1"]),
            ("R4", "O2", "E1", 1, ["P2"])]
    inst = make_v2(2, ex, orgs, reqs)
    out = solve(inst, time_limit=5, threads=1)
    assert out["objective"]["C1"] == 2 and out["objective"]["C2"] == 1


def test_fcfs_is_the_kits_greedy(tmp_path):
    if not (BENCH2_DIR / "greedy.py").exists():
        pytest.skip("shared benchmark folder not present")
    path = BENCH2_DIR / "small-s2101.json"
    inst = json.loads(path.read_text())
    ours = first_come_first_served(inst)
    out = tmp_path / "g.json"
    subprocess.run([sys.executable, str(BENCH2_DIR / "greedy.py"), str(path), "-o", str(out)],
                   check=True, capture_output=True, cwd=BENCH2_DIR)
    kit = json.loads(out.read_text())
    assert meetings_v2(ours) == meetings_v2(kit)
    assert ours["meta"]["objective"]["covered_orgs"] == kit["objective"]["C1"]
    assert ours["meta"]["objective"]["idle_slots"] == kit["objective"]["G"]


def test_generated_instances_are_solved_feasibly_with_honest_bounds(tmp_path):
    for seed in (7, 8):
        inst = generate(seed)
        out = solve(inst, time_limit=3, seed=0, threads=1)
        assert check(inst, out) == []
        lv = out["meta"]["levels"]
        assert lv[0]["value"] <= lv[0]["bound"]
        fc = first_come_first_served(inst)["meta"]["objective"]
        ob = out["meta"]["objective"]
        assert (ob["covered_orgs"], ob["covered_orgs_twice"], ob["weight"]) >= (
            fc["covered_orgs"], fc["covered_orgs_twice"], fc["weight"])
        kit = kit_check(inst, out, tmp_path)
        if kit is not None:
            assert kit[0]


def test_deterministic_for_seed_and_threads():
    inst = generate(3)
    a = solve(inst, time_limit=2, seed=1, threads=1)
    b = solve(inst, time_limit=2, seed=1, threads=1)
    if a["meta"]["status"] == "optimal" and b["meta"]["status"] == "optimal":
        assert a["meetings"] == b["meetings"]


def test_repair_keeps_published_meetings_and_handles_a_refusal(tmp_path):
    inst = base(GROUP)
    pub = solve(inst, time_limit=5, threads=1)
    group = next(m for m in pub["meetings"] if m["request"] == "R1")
    other = sorted(set(group["experts"]) - {"E1"})[0]
    changed = changes.expert_refuses(inst, other, "O1")
    new = repair(changed, pub, time_limit=5, threads=1)
    assert check(changed, new) == []
    kept = {m["request"]: m for m in new["meetings"]}
    for m in pub["meetings"]:
        if m["request"] != "R1" and m.get("expert") != other:
            assert kept[m["request"]] == m  # unchanged
    rep = new["meta"]["repair"]
    assert rep["changed"] >= 1
    assert any(c["request"] == "R1" and "declines" in c["reason"] for c in new["meta"]["changes"])
    kit = kit_check(changed, new, tmp_path)
    if kit is not None:
        assert kit[0]


def test_repair_without_change_keeps_everything():
    inst = generate(5)
    pub = solve(inst, time_limit=2, threads=1)
    new = repair(inst, pub, time_limit=2, threads=1)
    assert new["meta"]["repair"]["changed"] == 0
    assert meetings_v2(new)[: len(pub["meetings"])] is not None
    assert set(meetings_v2(pub)) <= set(meetings_v2(new))


def test_linear_relaxation_prices_the_other_seat():
    # the group's other seat (E2) is the only expert of O2's request: the flow, which lets the
    # group through its key seat only, would cover both organisations; the linear relaxation
    # ties the seat to the request and proves that only one can be
    ex = {"E1": (["magnets"], [0, 1], 1, []), "E2": (["cryogenics"], [0, 1], 1, [])}
    orgs = {"O1": {"P1": []}, "O2": {"P2": []}}
    reqs = [("R1", "O1", ("E1", "E2"), 5, ["P1"]), ("R2", "O2", "E2", 1, ["P2"])]
    inst = make_v2(2, ex, orgs, reqs)
    out = solve(inst, time_limit=5, threads=1)
    assert check(inst, out) == []
    meta = out["meta"]
    assert meta["status"] == "optimal"
    assert (meta["bound"]["covered_orgs"], meta["bound"]["weight"]) == (1, 5)
    assert out["objective"]["C1"] == 1 and out["objective"]["W"] == 5


def test_lp_vertex_rounded_and_blocking_groups_are_groups_of_the_schedule():
    from fusionforum.scheduling.baseline import fcfs_meetings
    from fusionforum.scheduling.lp import solve_lp
    from fusionforum.scheduling.model import Problem
    from fusionforum.scheduling.solver import FlowModel, Residual
    from fusionforum.scheduling.solver2 import blocking_groups

    prob = Problem.from_dict(generate(11, group_share=0.2))
    res = Residual(prob, [])
    fm = FlowModel(res, res.pairs())
    bound, fr = solve_lp(fm, 30)
    assert isinstance(fr.integral, bool)
    # whole or rounded at one half, at most one pair per request
    reqs = [r for r, _e, _m in fr.chosen]
    assert len(reqs) == len(set(reqs))
    ms = fcfs_meetings(prob)
    assert prob.scalar(ms) <= bound
    served_groups = {r for r, _e, _t in ms if prob.is_group(r)}
    blocking = blocking_groups(prob, [], ms)
    assert set(blocking) <= served_groups and len(blocking) == len(set(blocking))


def test_cp_sat_compaction_keeps_the_schedule_feasible_and_lowers_idle_slots():
    import time

    from fusionforum.scheduling.baseline import fcfs_meetings
    from fusionforum.scheduling.checker import violations
    from fusionforum.scheduling.model import Problem
    from fusionforum.scheduling.solver2 import compact_cp

    prob = Problem.from_dict(generate(5))
    ms = fcfs_meetings(prob)
    before = prob.levels(ms)["G"]
    assert before > 0
    new = compact_cp(prob, [], ms, time.monotonic() + 2, threads=1)
    assert violations(prob, new) == []
    assert sorted((r, e) for r, e, _t in new) == sorted((r, e) for r, e, _t in ms)
    assert prob.levels(new)["G"] < before


def test_participant_cuts_keep_an_attendee_from_two_meetings_in_their_only_slot():
    from fusionforum.scheduling.lp import participant_cuts, solve_lp
    from fusionforum.scheduling.model import Problem
    from fusionforum.scheduling.solver import FlowModel, Residual

    # P1's two requests can only take place in slot 0 (both experts are there then only):
    # the flow relaxes H6 across experts and serves both, the cut keeps one
    ex = {"E1": (["magnets"], [0], 1, []), "E2": (["cryogenics"], [0], 1, [])}
    orgs = {"O1": {"P1": []}}
    reqs = [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O1", "E2", 3, ["P1"])]
    prob = Problem.from_dict(make_v2(2, ex, orgs, reqs))
    res = Residual(prob, [])
    fm = FlowModel(res, res.pairs())
    assert [rhs for _arcs, rhs in participant_cuts(fm)] == [1]
    loose, _fr = solve_lp(fm, 10, cuts=False)
    tight, fr = solve_lp(fm, 10)
    assert prob.decode(loose) == [1, 1, 8]
    assert prob.decode(tight) == [1, 0, 5] and fr.integral
    out = solve(make_v2(2, ex, orgs, reqs), time_limit=5, threads=1)
    assert out["meta"]["status"] == "optimal" and out["objective"]["W"] == 5


def test_compaction_trades_the_room_of_a_full_slot():
    from fusionforum.scheduling.checker import violations
    from fusionforum.scheduling.model import Problem
    from fusionforum.scheduling.solver2 import compact

    # E1 meets in slots 0 and 2 and idles in 1, whose only room R3 takes: E1's first meeting
    # can move there only if R3 takes its slot in exchange
    ex = {"E1": (["magnets"], [0, 1, 2], 2, []), "E2": (["cryogenics"], [0, 1, 2], 1, [])}
    orgs = {"O1": {"P1": []}, "O2": {"P2": []}, "O3": {"P3": []}}
    reqs = [("R1", "O1", "E1", 1, ["P1"]), ("R2", "O2", "E1", 1, ["P2"]),
            ("R3", "O3", "E2", 1, ["P3"])]
    prob = Problem.from_dict(make_v2(3, ex, orgs, reqs, rooms=[1, 1, 1]))
    r, e = prob.req_index, prob.expert_index
    ms = [(r["R1"], e["E1"], 0), (r["R2"], e["E1"], 2), (r["R3"], e["E2"], 1)]
    assert violations(prob, ms) == [] and prob.levels(ms)["G"] == 1
    new = compact(prob, [], ms, float("inf"))
    assert violations(prob, new) == [] and prob.levels(new)["G"] == 0


def test_group_search_stops_on_its_work_limits():
    import time

    from fusionforum.scheduling.baseline import fcfs_meetings
    from fusionforum.scheduling.model import Problem
    from fusionforum.scheduling.solver2 import group_search

    prob = Problem.from_dict(generate(11, group_share=0.2))
    ms = fcfs_meetings(prob)
    far = time.monotonic() + 60
    offers = []
    # no move at all, or already enough: the schedule comes back as it was
    assert group_search(prob, [], ms, far, 0, 1, offers.append, max_moves=0) == ms
    assert group_search(prob, [], ms, far, 0, 1, offers.append, enough=lambda _m: True) == ms
    assert offers == []
    # one move: at most one improvement offered
    group_search(prob, [], ms, far, 0, 1, offers.append, max_moves=1)
    assert len(offers) <= 1


def test_lp_hands_a_fractional_vertex_over_before_its_mip():
    from fusionforum.scheduling.lp import solve_lp
    from fusionforum.scheduling.model import Problem
    from fusionforum.scheduling.solver import FlowModel, Residual

    prob = Problem.from_dict(generate(11, group_share=0.2))
    res = Residual(prob, [])
    fm = FlowModel(res, res.pairs())
    handed = []
    first = solve_lp(fm, 30, before_mip=handed.append)
    assert first is not None
    bound, fr = first
    for frac in handed:  # only a fractional vertex, rounded at one half, never above the LP
        assert not frac.integral and frac.delta_scalar >= bound
    # work limits only: the same model gives the same point
    again = solve_lp(fm, 30)
    assert again[0] == bound and again[1].chosen == fr.chosen
