"""The shared validator (bench/matchmaking/check.py, run as a subprocess) accepts the solver's
schedules of the small public instances, which reach the README's reference optimum."""

import json
import re
import subprocess
import sys

import pytest

from fusionforum.scheduling import solve

from .helpers import BENCH_DIR

pytestmark = pytest.mark.skipif(not (BENCH_DIR / "check.py").exists(),
                                reason="shared benchmark folder not present")


def reference(name):
    text = (BENCH_DIR / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"^\|\s*{re.escape(name)}\s*\|[^|]*\|\s*(\d+)\s*/\s*(\d+)\s*\|", text, re.M)
    return (int(m.group(1)), int(m.group(2)))


@pytest.mark.parametrize("name", ["small-s1101", "small-s1102", "medium-s1201",
                                  "medium-s1202"])
def test_shared_validator_accepts_and_optimum_is_reached(name, tmp_path):
    path = BENCH_DIR / f"{name}.json"
    sol = solve(json.loads(path.read_text()), time_limit=10)
    out = tmp_path / "sol.json"
    out.write_text(json.dumps(sol))
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "check.py"), str(path), str(out),
                           "--json"], capture_output=True, text=True, cwd=BENCH_DIR)
    assert proc.returncode == 0, proc.stdout
    verdict = json.loads(proc.stdout)
    assert verdict["feasible"] and verdict["claimed_mismatch"] is None
    assert (verdict["covered_orgs"], verdict["weight"]) == reference(name)
    assert sol["meta"]["status"] == "optimal"
