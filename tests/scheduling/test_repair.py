"""Repair of a published schedule after a same-day change: published meetings are kept
unless the change forbids them (fewest changed meetings first), then the objective."""

import json
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.scheduling import changes, check, repair, solve

from .helpers import brute_force, make_instance, meetings_of, objective, random_instance, synthetic


def published_and_instance():
    inst = synthetic(7, n_orgs=40, n_experts=12)
    return inst, solve(inst, time_limit=10)


def test_expert_cancels_only_their_meetings_change():
    inst, pub = published_and_instance()
    busiest = max({m["expert"] for m in pub["meetings"]},
                  key=lambda e: sum(m["expert"] == e for m in pub["meetings"]))
    changed = changes.expert_cancels(inst, busiest)
    new = repair(changed, pub, time_limit=10)
    assert check(changed, new) == []
    before, after = set(meetings_of(pub)), set(meetings_of(new))
    others = {m for m in before if m[1] != busiest}
    assert others <= after  # every meeting of other experts kept as published
    assert not any(m[1] == busiest for m in after)
    rep = new["meta"]["repair"]
    n_busiest = len(before) - len(others)
    assert rep["changed"] == n_busiest and rep["kept"] == len(others)
    assert {c["request"] for c in new["meta"]["changes"]} == {
        m[0] for m in before if m[1] == busiest}
    assert rep["fewest_changes_proven"] is True
    assert new["meta"]["status"] == "optimal"


def test_fewest_moves_come_before_the_objective():
    # R1 (magnets, E1 or E2) meets E1 in slot 0, R2 (names E1) meets E1 in slot 1. E1 loses
    # slot 1: moving R1 to E2 would let R2 take E1 in slot 0 (both organisations covered),
    # but that changes two published meetings; the repair changes only R2's (cancelled).
    inst = make_instance(2, {"E1": (["magnets"], [0, 1], 2), "E2": (["magnets"], [1], 1)},
                         {"O1": {"P1": [1]}, "O2": {"P2": []}},
                         [("R1", "O1", "d:magnets", 5, ["P1"]), ("R2", "O2", "E1", 5, ["P2"])])
    pub = {"meetings": [{"request": "R1", "expert": "E1", "slot": 0},
                        {"request": "R2", "expert": "E1", "slot": 1}]}
    assert check(inst, pub) == []
    new = repair(changes.expert_unavailable(inst, "E1", [1]), pub, time_limit=5)
    assert meetings_of(new) == [("R1", "E1", 0)]
    assert new["meta"]["repair"]["changed"] == 1
    assert new["meta"]["changes"][0]["now"] is None


def test_displaced_meeting_is_moved_when_possible():
    inst = make_instance(3, {"E1": (["magnets"], [0, 1, 2], 3)},
                         {"O1": {"P1": []}, "O2": {"P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O2", "E1", 5, ["P2"])])
    pub = {"meetings": [{"request": "R1", "expert": "E1", "slot": 0},
                        {"request": "R2", "expert": "E1", "slot": 1}]}
    new = repair(changes.slot_lost(inst, 1), pub, time_limit=5)
    assert meetings_of(new) == [("R1", "E1", 0), ("R2", "E1", 2)]
    ch = new["meta"]["changes"]
    assert ch == [{"request": "R2", "expert": "E1", "slot": 1, "reason": "slot lost",
                   "now": {"expert": "E1", "slot": 2}}]
    assert new["meta"]["repair"]["moved"] == 1


def test_rooms_lost_keeps_the_better_meeting():
    inst = make_instance(1, {"E1": (["magnets"], [0], 1), "E2": (["vacuum"], [0], 1)},
                         {"O1": {"P1": []}, "O2": {"P2": []}},
                         [("R1", "O1", "E1", 3, ["P1"]), ("R2", "O2", "E2", 8, ["P2"])],
                         rooms=[2])
    pub = solve(inst, time_limit=5)
    assert len(pub["meetings"]) == 2
    new = repair(changes.rooms_lost(inst, 0, 1), pub, time_limit=5)
    assert meetings_of(new) == [("R2", "E2", 0)]
    assert new["meta"]["repair"]["changed"] == 1


def test_participant_leaves():
    inst = make_instance(2, {"E1": (["magnets"], [0, 1], 2), "E2": (["vacuum"], [0, 1], 2)},
                         {"O1": {"P1": [], "P2": []}},
                         [("R1", "O1", "E1", 5, ["P1"]), ("R2", "O1", "E2", 4, ["P1", "P2"])])
    pub = solve(inst, time_limit=5)
    assert len(pub["meetings"]) == 2
    changed = changes.participant_leaves(inst, "P1")
    assert [r["id"] for r in changed["requests"]] == ["R2"]  # R1 had nobody else
    new = repair(changed, pub, time_limit=5)
    assert check(changed, new) == []
    r2 = [m for m in meetings_of(pub) if m[0] == "R2"]
    assert meetings_of(new) == r2  # kept as published
    assert new["meta"]["repair"]["changed"] == 1


@st.composite
def tiny_with_change(draw):
    def draw_int(lo, hi):
        return draw(st.integers(lo, hi))

    inst = random_instance(draw_int, n_slots=draw_int(2, 3), n_experts=draw_int(1, 3),
                           n_orgs=draw_int(1, 3), n_requests=draw_int(1, 5),
                           rooms_on=draw(st.booleans()))
    expert = f"E{draw_int(0, len(inst['experts']) - 1)}"
    slot = draw_int(0, len(inst["slots"]) - 1)
    return inst, expert, slot


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_with_change())
def test_repair_against_brute_force(case):
    inst, expert, slot = case
    pub = solve(inst, time_limit=5, threads=1)
    changed = changes.expert_unavailable(inst, expert, [slot])
    new = repair(changed, pub, time_limit=5, threads=1)
    assert check(changed, new) == []
    # fewest changes: every published meeting still possible is kept
    survivors = [m for m in meetings_of(pub) if not (m[1] == expert and m[2] == slot)]
    assert set(survivors) <= set(meetings_of(new))
    assert new["meta"]["repair"]["changed"] == len(pub["meetings"]) - len(survivors)
    # then the best objective with those meetings frozen
    best = brute_force(changed, fixed={r: (e, t) for r, e, t in survivors})
    assert objective(changed, meetings_of(new)) == best
    assert new["meta"]["status"] == "optimal"


def test_cli_repair(tmp_path):
    inst, pub = published_and_instance()
    ip, pp, out = tmp_path / "i.json", tmp_path / "p.json", tmp_path / "o.json"
    ip.write_text(json.dumps(inst))
    pp.write_text(json.dumps(pub))
    expert = pub["meetings"][0]["expert"]
    proc = subprocess.run([sys.executable, "-m", "fusionforum.scheduling", "repair", str(ip),
                           "--published", str(pp), "--cancel-expert", expert, "-o", str(out),
                           "--time-limit", "5"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "repair: kept" in proc.stderr
    new = json.loads(out.read_text())
    assert check(changes.expert_cancels(inst, expert), new) == []
    assert not any(m["expert"] == expert for m in new["meetings"])
