"""Solve every public matchmaking instance and compare with the reference figures.

Run from anywhere (``make bench-scheduler``; ``make bench`` runs it too). For each instance
JSON in the benchmark folder (default ``../shared/bench/matchmaking`` next to the repository,
or ``--dir``), the script:

1. runs ``python -m fusionforum.scheduling solve INSTANCE -o SOLUTION --time-limit L
   --threads 2 --seed 0`` as a subprocess and times it on the wall clock (interpreter start,
   imports, reading the JSON and model building included); L defaults to the target of the
   instance's size;
2. validates the solution with that folder's ``check.py`` (a subprocess) and takes C and W
   from the validator's output;
3. reads the reference optimum C / W of the folder's README table (parsed, never hard-coded)
   and prints a table: C, W, reference, bound, gap, seconds, validator verdict and PASS/FAIL.

PASS = feasible for check.py, proven optimal (the schedule reaches the bound), C and W equal
to the reference optimum, and wall time within the target of its size: 1 s (small), 2 s
(medium), 8 s (large), 45 s (xl) with 2 threads. The load average is printed before and after:
timings on a loaded 2-core machine are slower. The exit status is 0 whatever the verdict
unless ``--strict`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO_DIR.parent / "shared" / "bench" / "matchmaking"
TARGETS = {"small": 1.0, "medium": 2.0, "large": 8.0, "xl": 45.0}


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def reference_figures(readme: Path) -> dict:
    """{instance: (C, W)} from the README table column "optimum C / W"."""
    refs = {}
    header = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set(line.replace("|", "").strip()) <= set("-: "):
            continue
        try:
            col = next(i for i, h in enumerate(header) if h.startswith("optimum"))
        except StopIteration:
            continue
        m = re.match(r"\s*(\d+)\s*/\s*(\d+)", cells[col]) if col < len(cells) else None
        if m:
            refs[cells[0]] = (int(m.group(1)), int(m.group(2)))
    return refs


def size_of(path: Path, data: dict) -> str:
    size = data.get("size")
    if size in TARGETS:
        return size
    return path.stem.split("-")[0]


def run_one(path: Path, folder: Path, limit: float | None, threads: int, seed: int, tmp: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    size = size_of(path, data)
    target = TARGETS.get(size)
    tl = limit if limit is not None else (target or 60.0)
    out = tmp / f"{path.stem}.solution.json"
    cmd = [sys.executable, "-m", "fusionforum.scheduling", "solve", str(path), "-o", str(out),
           "--time-limit", str(tl), "--threads", str(threads), "--seed", str(seed), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO_DIR, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    row = {"instance": data.get("name", path.stem), "size": size, "target": target,
           "wall": wall, "exit": proc.returncode}
    if proc.returncode != 0:
        row["error"] = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return row
    sol = json.loads(out.read_text(encoding="utf-8"))
    meta = sol.get("meta", {})
    row.update(status=meta.get("status"), proven=meta.get("proven_optimal"),
               bound=meta.get("bound", {}), solver_time=meta.get("time_s"))
    chk = subprocess.run([sys.executable, str(folder / "check.py"), str(path), str(out),
                          "--json"], cwd=folder, capture_output=True, text=True)
    try:
        verdict = json.loads(chk.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        verdict = {"feasible": False}
    row.update(feasible=chk.returncode == 0 and verdict.get("feasible"),
               C=verdict.get("covered_orgs"), W=verdict.get("weight"))
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="benchmark folder")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="solver time limit (default: the target of each size)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="", help="substring filter on file names")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every row passes")
    a = ap.parse_args(argv)
    folder = a.dir.resolve()
    if not (folder / "check.py").exists():
        print(f"benchmark folder not found: {folder}", file=sys.stderr)
        return 2
    refs = reference_figures(folder / "README.md")
    order = {s: i for i, s in enumerate(TARGETS)}
    files = []
    for p in sorted(folder.glob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if d.get("format") == "fusion-matchmaking/1" and a.only in p.name:
            files.append((order.get(size_of(p, d), 99), p.name, p))
    files.sort()
    print(f"Scheduler benchmark: {len(files)} instances in {folder}, {a.threads} threads, "
          f"seed {a.seed}, {os.cpu_count()} CPUs")
    print(f"load average before: {load_average()}")
    head = (f"{'instance':<14} {'C':>5} {'W':>6} {'ref C/W':>11} {'bound C/W':>11} "
            f"{'gap':>7} {'status':>8} {'wall s':>7} {'target':>6} {'check':>8}  verdict")
    print(head)
    print("-" * len(head))
    passed = 0
    with tempfile.TemporaryDirectory(prefix="ff-sched-bench-") as tmp:
        for _o, _n, path in files:
            row = run_one(path, folder, a.time_limit, a.threads, a.seed, Path(tmp))
            ref = refs.get(row["instance"])
            ref_txt = f"{ref[0]}/{ref[1]}" if ref else "-"
            tgt = f"{row['target']:.0f}" if row["target"] else "-"
            if row["exit"] != 0:
                print(f"{row['instance']:<14} solver exit {row['exit']}: {row.get('error')}"
                      f"  FAIL")
                continue
            b = row["bound"]
            gap = "-"
            if b:
                dc = b["covered_orgs"] - row["C"]
                gap = f"{dc} org" if dc else f"{b['weight'] - row['W']} w"
            ok = (row["feasible"] and row["proven"] and ref is not None
                  and (row["C"], row["W"]) == ref and row["target"] is not None
                  and row["wall"] <= row["target"])
            passed += bool(ok)
            why = []
            if not row["feasible"]:
                why.append("infeasible")
            if not row["proven"]:
                why.append("not proven")
            if ref is None:
                why.append("no reference")
            elif (row["C"], row["W"]) != ref:
                why.append("differs from reference")
            if row["target"] is not None and row["wall"] > row["target"]:
                why.append("over target time")
            print(f"{row['instance']:<14} {row['C']:>5} {row['W']:>6} {ref_txt:>11} "
                  f"{str(b.get('covered_orgs', '-')) + '/' + str(b.get('weight', '-')):>11} "
                  f"{gap:>7} "
                  f"{row['status']:>8} {row['wall']:>7.2f} {tgt:>6} "
                  f"{'FEASIBLE' if row['feasible'] else 'REJECTED':>8}  "
                  f"{'PASS' if ok else 'FAIL (' + ', '.join(why) + ')'}")
    print(f"load average after: {load_average()}")
    print(f"{passed}/{len(files)} PASS")
    return 0 if (passed == len(files) or not a.strict) else 1


if __name__ == "__main__":
    sys.exit(main())
