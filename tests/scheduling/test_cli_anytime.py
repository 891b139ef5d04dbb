"""Command line, malformed instances, anytime behaviour and determinism."""

import json
import subprocess
import sys

import pytest

from fusionforum.scheduling import InstanceError, check, solve

from .helpers import BENCH_DIR, make_instance, meetings_of, synthetic

CLI = [sys.executable, "-m", "fusionforum.scheduling"]


def run(args, **kw):
    return subprocess.run(CLI + args, capture_output=True, text=True, **kw)


@pytest.fixture
def small_instance(tmp_path):
    inst = synthetic(3, n_orgs=20, n_experts=8)
    path = tmp_path / "inst.json"
    path.write_text(json.dumps(inst))
    return inst, path


def test_cli_solve_writes_a_feasible_solution_with_progress_and_meta(small_instance, tmp_path):
    inst, path = small_instance
    out = tmp_path / "sol.json"
    proc = run(["solve", str(path), "-o", str(out), "--time-limit", "5", "--seed", "1",
                "--threads", "1"])
    assert proc.returncode == 0, proc.stderr
    assert "bound" in proc.stderr and "gap" in proc.stderr
    sol = json.loads(out.read_text())
    assert sol["format"] == "fusion-matchmaking-solution/1"
    assert check(inst, sol) == []
    meta = sol["meta"]
    assert meta["status"] in ("optimal", "feasible")
    assert {"objective", "bound", "gap", "proven_optimal"} <= set(meta)
    assert meta["seed"] == 1 and meta["threads"] == 1


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"format": "other/1"}', "format must be"),
    ('{"format": "fusion-matchmaking/1", "slots": []}', "missing or invalid list"),
])
def test_cli_malformed_instance_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    proc = run(["solve", str(path), "-o", str(tmp_path / "o.json"), "--time-limit", "1"])
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_missing_file_and_bad_arguments(tmp_path):
    proc = run(["solve", str(tmp_path / "nope.json"), "--time-limit", "1"])
    assert proc.returncode == 2 and "cannot read" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run(["solve", "x.json"])
    assert proc.returncode == 2 and "--time-limit" in proc.stderr


def test_help_documents_repair():
    proc = run(["repair", "--help"])
    assert proc.returncode == 0
    for opt in ("--published", "--cancel-expert", "--expert-unavailable",
                "--participant-leaves", "--slot-lost", "--rooms-lost", "--time-limit"):
        assert opt in proc.stdout


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["requests"].append(dict(d["requests"][0])), "duplicate request id"),
    (lambda d: d["requests"][0].update(target={"expert": "E99"}), "unknown expert"),
    (lambda d: d["requests"][0].update(weight=0), "weight"),
    (lambda d: d["experts"][0].update(available=[0, 99]), "not in 0.."),
    (lambda d: d["requests"][0].update(attendees=["P9"]), "unknown attendee"),
    (lambda d: d.update(rooms=[1]), "rooms"),
])
def test_malformed_instances_raise_instance_error(mutate, message):
    inst = make_instance(2, {"E1": (["magnets"], [0, 1], 1)}, {"O1": {"P1": []}},
                         [("R1", "O1", "E1", 5, ["P1"])])
    mutate(inst)
    with pytest.raises(InstanceError, match=message):
        solve(inst, time_limit=1)


@pytest.mark.parametrize("limit", [0.1, 0.0])
def test_short_time_limit_still_returns_a_feasible_schedule(limit):
    name = "large-s1301"
    if (BENCH_DIR / f"{name}.json").exists():
        inst = json.loads((BENCH_DIR / f"{name}.json").read_text())
    else:
        inst = synthetic(5, n_orgs=300, n_experts=80, T=14)
    sol = solve(inst, time_limit=limit)
    assert check(inst, sol) == []
    assert len(sol["meetings"]) > 0
    assert sol["meta"]["status"] in ("optimal", "feasible")


def test_same_seed_and_threads_give_the_same_schedule():
    # busy participants: the branch and bound (CP-SAT cores, rounding) is exercised
    inst = synthetic(4, busy=0.55, rooms=[12] * 10)
    a = solve(inst, time_limit=20, seed=3, threads=2)
    b = solve(inst, time_limit=20, seed=3, threads=2)
    assert a["meta"]["status"] == "optimal"
    assert any(p["phase"] == "branch rounding" for p in a["meta"]["phases"])
    assert meetings_of(a) == meetings_of(b)
    assert a["objective"] == b["objective"]
    assert a["meta"]["phases"] == b["meta"]["phases"]


def test_package_is_pure_python():
    code = ("import sys, fusionforum.scheduling as s; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'django' or "
            "(m.startswith('fusionforum.') and not m.startswith('fusionforum.scheduling'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
