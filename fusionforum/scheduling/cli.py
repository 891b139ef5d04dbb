"""Command line: `python -m fusionforum.scheduling {solve,repair,check} ...` (see the package
docstring)."""

from __future__ import annotations

import argparse
import json
import sys

from . import changes
from .api import repair, solve
from .checker import check
from .model import InstanceError, load_json


class _Args(argparse.ArgumentParser):
    def error(self, message):  # usage errors: exit 2 with the message, no traceback
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _progress(quiet):
    def report(p):
        if quiet:
            return
        best = p.get("best")
        names = ("C", "W") if len(best) == 2 else ("C1", "C2", "W", "G")

        def fmt(vals):
            return " ".join(f"{n}={v}" for n, v in zip(names, vals, strict=True))

        line = f"[{p.get('elapsed_s', 0):7.2f}s] {p['phase']:<34} best {fmt(best)}"
        if "level" in p:
            line = line.replace(" best ", f" level {p['level']:<4} best ", 1)
        if "bound" in p:
            gap = p["gap"]
            if isinstance(gap, dict):
                gap = " ".join(f"{k}:{'-' if v is None else v}" for k, v in gap.items())
            line += f"  bound {fmt(p['bound'])}  gap {gap}"
        if "status" in p:
            line += f"  [{p['status']}]"
        if "result" in p:
            line += f"  ({p['result']})"
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return report


def _write(path, sol):
    text = json.dumps(sol, indent=1) + "\n"
    if path in (None, "-"):
        sys.stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InstanceError(f"cannot write {path}: {exc.strerror or exc}") from None


def _summary(sol, quiet):
    meta = sol["meta"]
    ob, bd = meta["objective"], meta["bound"]
    if "levels" in meta:
        lv = " ".join(f"{x['level']}={x['value']}/{x['bound']}" for x in meta["levels"])
        sys.stderr.write(f"{sol['instance']}: {meta['status']} {lv} (value/bound) "
                         f"meetings={len(sol['meetings'])} time={meta['time_s']:.2f}s\n")
        return
    sys.stderr.write(
        f"{sol['instance']}: {meta['status']} covered_orgs={ob['covered_orgs']} "
        f"weight={ob['weight']} bound={bd['covered_orgs']}/{bd['weight']} "
        f"meetings={len(sol['meetings'])} time={meta['time_s']:.2f}s\n")


def _slot_list(text):
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InstanceError(f"bad slot list {text!r}") from None


def build_parser():
    ap = _Args(prog="python -m fusionforum.scheduling",
               description="Open-doors matchmaking scheduler (fusion-matchmaking/1 and /2).")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Args)

    def common(p):
        p.add_argument("instance", help="instance JSON (format fusion-matchmaking/1 or /2)")
        p.add_argument("-o", "--output", help="solution JSON to write (default: stdout)")
        p.add_argument("--time-limit", type=float, required=True, metavar="SECONDS",
                       help="wall-clock budget; the best schedule found is returned")
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        p.add_argument("--threads", type=int, default=2, help="CP-SAT workers (default 2)")
        p.add_argument("--quiet", action="store_true", help="no progress on stderr")

    ps = sub.add_parser("solve", help="optimise a schedule", description=(
        "Optimise: organisations covered first, then (format 2) organisations with two "
        "meetings, then total weight, then (format 2) fewer idle slots."))
    common(ps)
    pr = sub.add_parser(
        "repair", help="re-optimise a published schedule after a change",
        description="Repair a published schedule after a change: keep as many published "
                    "meetings as possible (fewest changed), then maximise organisations "
                    "covered and weight. Change options are applied to INSTANCE first; "
                    "without them INSTANCE is taken as the already changed instance.")
    common(pr)
    pr.add_argument("--published", required=True, metavar="PUBLISHED.json",
                    help="the schedule published before the change")
    pr.add_argument("--cancel-expert", action="append", default=[], metavar="EXPERT",
                    help="the expert cancels all meetings")
    pr.add_argument("--expert-unavailable", action="append", default=[],
                    metavar="EXPERT:SLOT[,SLOT...]", help="the expert loses these slots")
    pr.add_argument("--participant-leaves", action="append", default=[],
                    metavar="PARTICIPANT", help="the participant leaves")
    pr.add_argument("--slot-lost", action="append", default=[], type=int, metavar="SLOT",
                    help="no meeting can take place in this slot")
    pr.add_argument("--rooms-lost", action="append", default=[], metavar="SLOT:COUNT",
                    help="COUNT fewer rooms in SLOT")
    pr.add_argument("--expert-refuses", action="append", default=[], metavar="EXPERT:ORG",
                    help="the expert declines to meet the organisation")
    pc = sub.add_parser("check", help="check a solution against H1-H10")
    pc.add_argument("instance")
    pc.add_argument("solution")
    return ap


def _apply_changes(inst, a):
    for eid in a.cancel_expert:
        inst = changes.expert_cancels(inst, eid)
    for spec in a.expert_unavailable:
        eid, _, slots = spec.partition(":")
        inst = changes.expert_unavailable(inst, eid, _slot_list(slots))
    for pid in a.participant_leaves:
        inst = changes.participant_leaves(inst, pid)
    for t in a.slot_lost:
        inst = changes.slot_lost(inst, t)
    for spec in a.expert_refuses:
        eid, _, org = spec.partition(":")
        inst = changes.expert_refuses(inst, eid, org)
    for spec in a.rooms_lost:
        t, _, n = spec.partition(":")
        try:
            inst = changes.rooms_lost(inst, int(t), int(n))
        except ValueError:
            raise InstanceError(f"bad --rooms-lost {spec!r} (expected SLOT:COUNT)") from None
    return inst


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    try:
        inst = load_json(a.instance)
        if a.command == "check":
            viol = check(inst, load_json(a.solution))
            for code, msg in viol:
                print(f"VIOLATION {code} {msg}")
            print("FEASIBLE" if not viol else f"INFEASIBLE ({len(viol)} violations)")
            return 0 if not viol else 1
        if a.time_limit < 0 or a.threads < 1:
            raise InstanceError("--time-limit must be >= 0 and --threads >= 1")
        if a.command == "solve":
            sol = solve(inst, a.time_limit, seed=a.seed, threads=a.threads,
                        progress=_progress(a.quiet))
        else:
            published = load_json(a.published)
            inst = _apply_changes(inst, a)
            sol = repair(inst, published, a.time_limit, seed=a.seed, threads=a.threads,
                         progress=_progress(a.quiet))
            rep = sol["meta"]["repair"]
            sys.stderr.write(f"repair: kept {rep['kept']} of {rep['published_meetings']} "
                             f"published meetings, moved {rep['moved']}, cancelled "
                             f"{rep['cancelled']}, added {rep['added']}\n")
        _write(a.output, sol)
        _summary(sol, a.quiet)
        return 0
    except InstanceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
