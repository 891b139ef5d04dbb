"""Hard constraints H1-H9 on hand-made cases: a schedule breaking the constraint is rejected by
the scheduler's checker (and by the shared validator), and the solver, tempted by the same
case, never produces it and reaches the optimum that respects it."""

import json
import subprocess
import sys

import pytest

from fusionforum.scheduling import check, solve

from .helpers import BENCH_DIR, make_instance, meetings_of, objective, solution

MAG = (["magnets"], [0, 1, 2], 3)


def case_h1():
    # two magnets experts could both serve R1: once only
    inst = make_instance(3, {"E1": MAG, "E2": MAG}, {"O1": {"P1": []}},
                         [("R1", "O1", "d:magnets", 5, ["P1"])])
    return inst, [("R1", "E1", 0), ("R1", "E2", 1)], (1, 5)


def case_h2():
    # R1 names E2, who has no slot; E1 is free but not eligible
    inst = make_instance(3, {"E1": MAG, "E2": (["vacuum"], [], 2)}, {"O1": {"P1": []}},
                         [("R1", "O1", "E2", 5, ["P1"])])
    return inst, [("R1", "E1", 0)], (0, 0)


def case_h3():
    # the expert is only there in slot 0, when the participant is busy
    inst = make_instance(3, {"E1": (["magnets"], [0], 3)}, {"O1": {"P1": [0]}},
                         [("R1", "O1", "E1", 5, ["P1"])])
    return inst, [("R1", "E1", 1)], (0, 0)


def case_h4_personal():
    inst = make_instance(3, {"E1": (["magnets"], [0, 1], 3)}, {"O1": {"P1": [0, 1]}},
                         [("R1", "O1", "E1", 5, ["P1"])])
    return inst, [("R1", "E1", 0)], (0, 0)


def case_h4_site_visit():
    # P2 attends with P1 and is on a tour in slots 0-1; only slot 2 is left
    inst = make_instance(3, {"E1": (["magnets"], [0, 1], 3)}, {"O1": {"P1": [], "P2": []}},
                         [("R1", "O1", "E1", 5, ["P1", "P2"])], visits=[([0, 1], ["P2"])])
    return inst, [("R1", "E1", 1)], (0, 0)


def case_h5():
    # one expert, one slot, two organisations
    inst = make_instance(3, {"E1": (["magnets"], [0], 3)}, {"O1": {"P1": []}, "O2": {"P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O2", "E1", 7, ["P2"])])
    return inst, [("R1", "E1", 0), ("R2", "E1", 0)], (1, 7)


def case_h6():
    # P1 attends both requests; both experts are only there in slot 0
    inst = make_instance(3, {"E1": (["magnets"], [0], 3), "E2": (["vacuum"], [0], 3)},
                         {"O1": {"P1": [], "P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O1", "E2", 4, ["P1", "P2"])])
    return inst, [("R1", "E1", 0), ("R2", "E2", 0)], (1, 5)


def case_h7():
    # cap 1, three free slots, two organisations
    inst = make_instance(3, {"E1": (["magnets"], [0, 1, 2], 1)},
                         {"O1": {"P1": []}, "O2": {"P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O2", "E1", 7, ["P2"])])
    return inst, [("R1", "E1", 0), ("R2", "E1", 1)], (1, 7)


def case_h8():
    # O1 names E1 and asks for magnets (E1 is the only magnets expert), disjoint attendees
    inst = make_instance(3, {"E1": MAG}, {"O1": {"P1": [], "P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O1", "d:magnets", 6, ["P2"])])
    return inst, [("R1", "E1", 0), ("R2", "E1", 1)], (1, 6)


def case_h9():
    # three experts free all day, but rooms 1, 1, 0
    ex = {f"E{i}": (["magnets"], [0, 1, 2], 3) for i in (1, 2, 3)}
    orgs = {f"O{i}": {f"P{i}": []} for i in (1, 2, 3)}
    reqs = [(f"R{i}", f"O{i}", f"E{i}", i, [f"P{i}"]) for i in (1, 2, 3)]
    inst = make_instance(3, ex, orgs, reqs, rooms=[1, 1, 0])
    return inst, [("R1", "E1", 0), ("R2", "E2", 0), ("R3", "E3", 1)], (2, 5)


CASES = {
    "H1": case_h1, "H2": case_h2, "H3": case_h3, "H4": case_h4_personal,
    "H4-visit": case_h4_site_visit, "H5": case_h5, "H6": case_h6, "H7": case_h7,
    "H8": case_h8, "H9": case_h9,
}


def shared_check(tmp_path, inst, sol):
    if not (BENCH_DIR / "check.py").exists():
        return None
    ip, sp = tmp_path / "inst.json", tmp_path / "sol.json"
    ip.write_text(json.dumps(inst))
    sp.write_text(json.dumps(sol))
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "check.py"), str(ip), str(sp)],
                          capture_output=True, text=True, cwd=BENCH_DIR)
    return proc


@pytest.mark.parametrize("name", sorted(CASES))
def test_violation_is_rejected(name, tmp_path):
    inst, bad, _opt = CASES[name]()
    code = name.split("-")[0]
    codes = {c for c, _m in check(inst, solution(inst, bad))}
    assert code in codes
    proc = shared_check(tmp_path, inst, solution(inst, bad))
    if proc is not None:
        assert proc.returncode == 1
        assert f"VIOLATION {code}" in proc.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_solver_respects_it_and_is_optimal(name, tmp_path):
    inst, _bad, opt = CASES[name]()
    sol = solve(inst, time_limit=5)
    assert check(inst, sol) == []
    assert objective(inst, meetings_of(sol)) == opt
    assert (sol["objective"]["covered_orgs"], sol["objective"]["weight"]) == opt
    assert sol["meta"]["status"] == "optimal"
    assert sol["meta"]["proven_optimal"] is True
    proc = shared_check(tmp_path, inst, sol)
    if proc is not None:
        assert proc.returncode == 0, proc.stdout


def test_parallel_meetings_of_one_organisation_with_disjoint_attendees():
    inst = make_instance(1, {"E1": (["magnets"], [0], 1), "E2": (["vacuum"], [0], 1)},
                         {"O1": {"P1": [], "P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O1", "E2", 4, ["P2"])])
    sol = solve(inst, time_limit=5)
    assert meetings_of(sol) == [("R1", "E1", 0), ("R2", "E2", 0)]


def test_missing_attendees_means_the_whole_delegation():
    inst = make_instance(2, {"E1": (["magnets"], [0, 1], 2)}, {"O1": {"P1": [], "P2": [0]}},
                         [("R1", "O1", "E1", 5, [])])
    sol = solve(inst, time_limit=5)
    assert meetings_of(sol) == [("R1", "E1", 1)]


def test_coverage_comes_before_weight():
    # E1 once: O1's heavy request or O2's only one; a second expert lets O1 meet anyway
    inst = make_instance(1, {"E1": (["magnets"], [0], 1), "E2": (["vacuum"], [0], 1)},
                         {"O1": {"P1": [], "P2": []}, "O2": {"P3": []}},
                         [("R1", "O1", "E1", 10, ["P1"]), ("R2", "O1", "E2", 1, ["P2"]),
                          ("R3", "O2", "E1", 1, ["P3"])])
    sol = solve(inst, time_limit=5)
    assert meetings_of(sol) == [("R2", "E2", 0), ("R3", "E1", 0)]
    assert sol["meta"]["objective"]["covered_orgs"] == 2
