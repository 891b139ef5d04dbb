"""Version-2 instances for the scheduler tests: hand-made builder, brute force over the four
levels (C1, C2, W, G), and a small generator that mimics the benchmark's description
(session blocks, group requests, refusals, site visits) for unseen instances."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

BENCH2_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "matchmaking2"


def seat(spec):
    return {"discipline": spec[2:]} if spec.startswith("d:") else {"expert": spec}


def make_v2(T, experts, orgs, requests, rooms=None, visits=(), sessions=None, name="test"):
    """experts: {id: (disciplines, available, cap, refuses)}; orgs: {org: {participant:
    unavailable}}; requests: [(id, org, target, weight, attendees)] where target is "E..",
    "d:discipline" or a tuple of two of those (a group); sessions: session of each slot."""
    sessions = sessions or [0] * T
    discs = sorted({d for ds, *_ in experts.values() for d in ds}
                   | {s[2:] for *_x, tg, _w, _a in requests
                      for s in (tg if isinstance(tg, tuple) else (tg,)) if s.startswith("d:")})
    return {
        "format": "fusion-matchmaking/2", "name": name,
        "slots": [{"id": t, "start": f"{9 + t}:00", "end": f"{9 + t}:25",
                   "session": sessions[t]} for t in range(T)],
        "rooms": rooms, "disciplines": discs,
        "experts": [{"id": e, "name": e, "disciplines": list(ds), "available": list(av),
                     "max_meetings": cap, "refuses": list(ref)}
                    for e, (ds, av, cap, ref) in experts.items()],
        "organisations": [{"id": o, "name": o, "participants": [
            {"id": p, "unavailable": list(un)} for p, un in parts.items()]}
            for o, parts in orgs.items()],
        "site_visits": [{"id": f"V{i}", "name": "tour", "slots": list(sl), "capacity": 99,
                         "participants": list(ps)} for i, (sl, ps) in enumerate(visits)],
        "requests": [{"id": rid, "org": o,
                      "target": ({"group": [seat(s) for s in tg]} if isinstance(tg, tuple)
                                 else seat(tg)),
                      "weight": w, "attendees": list(att), "submitted": k}
                     for k, (rid, o, tg, w, att) in enumerate(requests)],
    }


def kit_check(inst, sol, tmp_path):
    """(feasible, by_code, objective) from the kit's check.py, or None without the kit."""
    if not (BENCH2_DIR / "check.py").exists():
        return None
    ip, sp = tmp_path / "inst.json", tmp_path / "sol.json"
    ip.write_text(json.dumps(inst))
    sp.write_text(json.dumps(sol))
    proc = subprocess.run([sys.executable, str(BENCH2_DIR / "check.py"), str(ip), str(sp),
                           "--json"], capture_output=True, text=True, cwd=BENCH2_DIR)
    v = json.loads(proc.stdout.strip().splitlines()[-1])
    return v["feasible"], v["by_code"], (v["C1"], v["C2"], v["W"], v["G"])


def levels(inst, meetings):
    """(C1, C2, W, G) of meetings [(request, experts tuple, slot)] (reference formula)."""
    reqs = {r["id"]: r for r in inst["requests"]}
    per_org = {}
    for r, _e, _t in meetings:
        per_org[reqs[r]["org"]] = per_org.get(reqs[r]["org"], 0) + 1
    W = sum(reqs[r]["weight"] for r, _e, _t in meetings)
    busy = {p["id"]: set(p["unavailable"]) for o in inst["organisations"]
            for p in o["participants"]}
    for v in inst.get("site_visits", []):
        for p in v["participants"]:
            busy[p] |= set(v["slots"])
    avail = {e["id"]: set(e["available"]) for e in inst["experts"]}
    occ = {}
    for r, ex, t in meetings:
        for q in list(ex) + list(reqs[r]["attendees"]):
            occ.setdefault(q, set()).add(t)
    blocks = {}  # maximal runs of consecutive slots with the same session (PROBLEM.md)
    run, prev = -1, None
    for s in inst["slots"]:
        if s["session"] != prev:
            run, prev = run + 1, s["session"]
        blocks.setdefault(run, []).append(s["id"])
    G = 0
    for q, slots in occ.items():
        for b in blocks.values():
            mine = sorted(t for t in b if t in slots)
            if len(mine) < 2:
                continue
            for t in range(mine[0] + 1, mine[-1]):
                ok = t in avail[q] if q in avail else t not in busy[q]
                if t not in slots and ok:
                    G += 1
    return (len(per_org), sum(1 for n in per_org.values() if n >= 2), W, G)


def brute_force_v2(inst):
    """Best (C1, C2, W, -G) over every feasible schedule (tiny instances only)."""
    T = len(inst["slots"])
    experts = {e["id"]: e for e in inst["experts"]}
    busy = {p["id"]: set(p["unavailable"]) for o in inst["organisations"]
            for p in o["participants"]}
    for v in inst.get("site_visits", []):
        for p in v["participants"]:
            busy[p] |= set(v["slots"])
    rooms = inst.get("rooms")
    options = []
    for r in inst["requests"]:
        tg = r["target"]
        specs = tg.get("group", [tg])
        cands = []
        for s in specs:
            c = ([s["expert"]] if "expert" in s else
                 [e for e, x in experts.items() if s["discipline"] in x["disciplines"]])
            cands.append([e for e in c if r["org"] not in experts[e].get("refuses", [])])
        opts = []
        for ex in itertools.product(*cands):
            if len(set(ex)) != len(ex):
                continue
            for t in range(T):
                if all(t in experts[e]["available"] for e in ex) and not any(
                        t in busy[p] for p in r["attendees"]) and (rooms is None or rooms[t] > 0):
                    opts.append((tuple(sorted(ex)), t))
        options.append((r, sorted(set(opts))))
    best = None
    chosen = []
    exp_slot, part_slot, load, org_exp = set(), set(), {}, set()
    room_used = [0] * T

    def dfs(k):
        nonlocal best
        if k == len(options):
            c1, c2, w, g = levels(inst, chosen)
            key = (c1, c2, w, -g)
            if best is None or key > best:
                best = key
            return
        r, opts = options[k]
        dfs(k + 1)
        for ex, t in opts:
            att = r["attendees"]
            if (any((e, t) in exp_slot for e in ex) or any((p, t) in part_slot for p in att)
                    or any(load.get(e, 0) >= experts[e]["max_meetings"] for e in ex)
                    or any((r["org"], e) in org_exp for e in ex)
                    or (rooms is not None and room_used[t] >= rooms[t])):
                continue
            for e in ex:
                exp_slot.add((e, t))
                load[e] = load.get(e, 0) + 1
                org_exp.add((r["org"], e))
            for p in att:
                part_slot.add((p, t))
            room_used[t] += 1
            chosen.append((r["id"], ex, t))
            dfs(k + 1)
            chosen.pop()
            for e in ex:
                exp_slot.discard((e, t))
                load[e] -= 1
                org_exp.discard((r["org"], e))
            for p in att:
                part_slot.discard((p, t))
            room_used[t] -= 1

    dfs(0)
    return best


def meetings_v2(sol):
    return sorted((m["request"], tuple(sorted(m["experts"] if "experts" in m else [m["expert"]])),
                   m["slot"]) for m in sol["meetings"])


DISCIPLINES = ["magnets", "cryogenics", "vacuum", "remote handling", "tritium", "plasma control",
               "diagnostics", "heating", "neutronics", "materials", "licensing", "assembly",
               "power supplies", "supply chain"]


def generate(seed, n_orgs=30, n_experts=15, blocks=(4, 4, 3, 3), group_share=0.08,
             refuse_share=0.2, max_refusals=2, name=None):
    """An instance like the benchmark's generator describes (PROBLEM.md section 6): session
    blocks, experts with one or two disciplines, availability patterns and caps, refusals,
    organisations of one to three participants with personal unavailability, site-visit
    tours, about 2.7 requests per organisation with falling weights, some of them groups
    of two seats (two disciplines, a named expert and a discipline, two named experts),
    rooms per slot. Not the benchmark's generator: a stand-in to test on unseen instances."""
    rnd = random.Random(seed)
    T = sum(blocks)
    sessions = [b for b, n in enumerate(blocks) for _ in range(n)]
    discs = DISCIPLINES
    experts = {}
    for i in range(n_experts):
        ds = rnd.sample(discs, 1 if rnd.random() < 0.7 else 2)
        pattern = rnd.random()
        if pattern < 0.6:
            av = list(range(T))
        elif pattern < 0.8:
            av = list(range(T // 2))
        else:
            av = list(range(T // 2, T))
        av = [t for t in av if rnd.random() > 0.1]
        experts[f"E{i:03d}"] = [ds, av, rnd.randint(3, 10), []]
    org_ids = [f"O{o:04d}" for o in range(n_orgs)]
    for e in experts.values():
        if rnd.random() < refuse_share:
            e[3] = rnd.sample(org_ids, rnd.randint(1, max_refusals))
    orgs, requests, visits = {}, [], []
    tour = [p for p in range(T) if sessions[p] == 1][:2]
    tour_people = []
    k = 0
    eids = sorted(experts)
    for o in org_ids:
        parts = {}
        for j in range(rnd.randint(1, 3)):
            pid = f"P{o[1:]}{j}"
            parts[pid] = [t for t in range(T) if rnd.random() < 0.08]
            if rnd.random() < 0.2:
                tour_people.append(pid)
        orgs[o] = parts
        used = set()
        n_req = rnd.choice([1, 2, 2, 3, 3, 3, 4])
        for rank in range(n_req):
            x = rnd.random()
            if x < group_share:
                kind = rnd.random()
                if kind < 0.45:
                    a, b = rnd.sample(discs, 2)
                    tg = ("d:" + a, "d:" + b)
                elif kind < 0.8:
                    tg = (rnd.choice(eids), "d:" + rnd.choice(discs))
                else:
                    tg = tuple(rnd.sample(eids, 2))
            elif x < 0.55:
                tg = rnd.choice(eids)
            else:
                tg = "d:" + rnd.choice(discs)
            named = [s for s in (tg if isinstance(tg, tuple) else (tg,)) if not s.startswith("d:")]
            if tg in used or any(n in used for n in named):
                continue
            used.add(tg)
            used.update(named)
            names = sorted(parts)
            att = sorted(rnd.sample(names, rnd.randint(1, len(names))))
            requests.append((f"R{k:05d}", o, tg, max(1, 10 - 3 * rank + rnd.randint(-1, 1)),
                             att))
            k += 1
    if tour_people:
        visits.append((tour, tour_people))
    rooms = [max(2, n_experts * 2 // 5)] * T
    inst = make_v2(T, {e: tuple(v) for e, v in experts.items()}, orgs, requests, rooms=rooms,
                   visits=visits, sessions=sessions, name=name or f"gen-{seed}")
    order = list(range(len(inst["requests"])))
    rnd.shuffle(order)
    for r, s in zip(inst["requests"], order, strict=True):
        r["submitted"] = s
    return inst
