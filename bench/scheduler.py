"""Solve every public matchmaking instance (v1 and v2) and compare with the reference figures.

Run from anywhere (``make bench-scheduler``; ``make bench`` runs it too). For each benchmark
folder (default ``../shared/bench/matchmaking`` (format ``fusion-matchmaking/1``) and
``../shared/bench/matchmaking2`` (``fusion-matchmaking/2``) next to the repository, or
``--dir``, repeatable) and each instance JSON in it, the script:

1. runs ``python -m fusionforum.scheduling solve INSTANCE -o SOLUTION --time-limit L
   --threads 2 --seed 0`` as a subprocess and times it on the wall clock (interpreter start,
   imports, reading the JSON and model building included); L defaults to the target of the
   instance's size;
2. validates the solution with that folder's ``check.py`` (a subprocess) and takes the levels
   from the validator's output (v1: C, W; v2: C1, C2, W, G);
3. reads the reference optimum of the folder's README table (column "optimum ...", parsed,
   never hard-coded) and prints, per level, the value, the solver's bound, the gap, the
   seconds, the validator's verdict and PASS/FAIL.

PASS = feasible for check.py, proven optimal (every level reaches its bound), every level
equal to the reference optimum, and wall time within the target of its size: 1 s (small),
2 s (medium), 8 s (large), 45 s (xl) with 2 threads. The load average is printed before and
after: timings on a loaded 2-core machine are slower. The exit status is 0 whatever the
verdict unless ``--strict`` is given.
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
DEFAULT_DIRS = [REPO_DIR.parent / "shared" / "bench" / "matchmaking",
                REPO_DIR.parent / "shared" / "bench" / "matchmaking2"]
FORMATS = ("fusion-matchmaking/1", "fusion-matchmaking/2")
TARGETS = {"small": 1.0, "medium": 2.0, "large": 8.0, "xl": 45.0}


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def reference_figures(readme: Path) -> dict:
    """{instance: (level values...)} from the README table column "optimum ..." (v1: C / W,
    v2: C1 / C2 / W / G)."""
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
        if col < len(cells) and re.fullmatch(r"\s*\d+(\s*/\s*\d+)+\s*", cells[col]):
            refs[cells[0]] = tuple(int(x) for x in cells[col].split("/"))
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
    v2 = data.get("format") == "fusion-matchmaking/2"
    row = {"instance": data.get("name", path.stem), "size": size, "target": target,
           "wall": wall, "exit": proc.returncode, "v2": v2}
    if proc.returncode != 0:
        row["error"] = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return row
    sol = json.loads(out.read_text(encoding="utf-8"))
    meta = sol.get("meta", {})
    bd = meta.get("bound", {})
    if v2:
        bound = [bd.get(k) for k in ("covered_orgs", "covered_orgs_twice", "weight",
                                     "idle_slots")]
    else:
        bound = [bd.get("covered_orgs"), bd.get("weight")]
    row.update(status=meta.get("status"), proven=meta.get("proven_optimal"), bound=bound,
               solver_time=meta.get("time_s"))
    chk = subprocess.run([sys.executable, str(folder / "check.py"), str(path), str(out),
                          "--json"], cwd=folder, capture_output=True, text=True)
    try:
        verdict = json.loads(chk.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        verdict = {"feasible": False}
    keys = ("C1", "C2", "W", "G") if v2 else ("covered_orgs", "weight")
    row.update(feasible=bool(chk.returncode == 0 and verdict.get("feasible")),
               values=[verdict.get(k) for k in keys])
    return row


def gaps(values, bound, v2):
    """Per level gap (bound - value, or value - bound for G); a level below an open one has no
    valid bound of its own (None)."""
    out = []
    equal = True
    for k, (v, b) in enumerate(zip(values, bound, strict=True)):
        if not equal or v is None or b is None:
            out.append(None)
            continue
        out.append((v - b) if (v2 and k == 3) else (b - v))
        equal = v == b
    return out


def bench_folder(folder: Path, a, files_filter):
    refs = reference_figures(folder / "README.md")
    order = {s: i for i, s in enumerate(TARGETS)}
    files = []
    for p in sorted(folder.glob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if d.get("format") in FORMATS and files_filter in p.name:
            files.append((order.get(size_of(p, d), 99), p.name, p))
    files.sort()
    print(f"\n{folder}: {len(files)} instances, {a.threads} threads, seed {a.seed}, "
          f"{os.cpu_count()} CPUs, load average before: {load_average()}")
    passed = 0
    with tempfile.TemporaryDirectory(prefix="ff-sched-bench-") as tmp:
        for _o, _n, path in files:
            row = run_one(path, folder, a.time_limit, a.threads, a.seed, Path(tmp))
            names = ("C1", "C2", "W", "G") if row["v2"] else ("C", "W")
            if row["exit"] != 0:
                print(f"  {row['instance']:<14} solver exit {row['exit']}: {row.get('error')}"
                      f"  FAIL")
                continue
            ref = refs.get(row["instance"])
            g = gaps(row["values"], row["bound"], row["v2"])
            levels = "  ".join(
                f"{n}={v} (bound {b}, gap {'-' if x is None else x}"
                f"{', ref ' + str(ref[k]) if ref and k < len(ref) else ''})"
                for k, (n, v, b, x) in enumerate(zip(names, row["values"], row["bound"], g,
                                                     strict=True)))
            ok = (row["feasible"] and row["proven"] and ref is not None
                  and tuple(row["values"]) == tuple(ref) and row["target"] is not None
                  and row["wall"] <= row["target"])
            passed += bool(ok)
            why = []
            if not row["feasible"]:
                why.append("infeasible")
            if not row["proven"]:
                why.append("not proven")
            if ref is None:
                why.append("no reference")
            elif tuple(row["values"]) != tuple(ref):
                worse = [n for n, v, r in zip(names, row["values"], ref, strict=True) if v != r]
                why.append("differs from reference at " + ",".join(worse))
            if row["target"] is not None and row["wall"] > row["target"]:
                why.append("over target time")
            tgt = f"{row['target']:.0f}" if row["target"] else "-"
            print(f"  {row['instance']:<14} {levels}  {row['wall']:.2f}s/{tgt}s "
                  f"{'FEASIBLE' if row['feasible'] else 'REJECTED'} {row['status']}  "
                  f"{'PASS' if ok else 'FAIL (' + ', '.join(why) + ')'}")
    print(f"  load average after: {load_average()}; {passed}/{len(files)} PASS")
    return passed, len(files)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, action="append", default=None,
                    help="benchmark folder (repeatable; default: v1 and v2 folders)")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="solver time limit (default: the target of each size)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="", help="substring filter on file names")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless every row passes")
    a = ap.parse_args(argv)
    folders = [d.resolve() for d in (a.dir or DEFAULT_DIRS)]
    total = passed = 0
    for folder in folders:
        if not (folder / "check.py").exists():
            print(f"benchmark folder not found: {folder}", file=sys.stderr)
            return 2
        p, n = bench_folder(folder, a, a.only)
        passed += p
        total += n
    print(f"\n{passed}/{total} PASS")
    return 0 if (passed == total or not a.strict) else 1


if __name__ == "__main__":
    sys.exit(main())
