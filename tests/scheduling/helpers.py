"""Small hand-made and random instances, and a brute-force optimum, for the scheduler tests."""

from __future__ import annotations

import json
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "matchmaking"


def make_instance(T, experts, orgs, requests, rooms=None, visits=(), name="test"):
    """experts: {id: (disciplines, available, cap)}; orgs: {org: {participant: unavailable}};
    requests: [(id, org, target, weight, attendees)] where target is "E.." (named expert) or
    "d:discipline"."""
    disciplines = sorted({d for ds, _a, _c in experts.values() for d in ds}
                         | {t[2:] for _i, _o, t, _w, _a in requests if t.startswith("d:")})
    return {
        "format": "fusion-matchmaking/1",
        "name": name,
        "slots": [{"id": t, "start": f"{9 + t}:00", "end": f"{9 + t}:25", "session": 0}
                  for t in range(T)],
        "rooms": rooms,
        "disciplines": disciplines,
        "experts": [{"id": e, "name": e, "disciplines": list(ds), "available": list(av),
                     "max_meetings": cap} for e, (ds, av, cap) in experts.items()],
        "organisations": [{"id": o, "name": o, "participants": [
            {"id": p, "unavailable": list(un)} for p, un in parts.items()]}
            for o, parts in orgs.items()],
        "site_visits": [{"id": f"V{i}", "name": "tour", "slots": list(sl), "capacity": 99,
                         "participants": list(ps)} for i, (sl, ps) in enumerate(visits)],
        "requests": [{"id": rid, "org": o,
                      "target": ({"discipline": t[2:]} if t.startswith("d:") else {"expert": t}),
                      "weight": w, "attendees": list(att), "submitted": k}
                     for k, (rid, o, t, w, att) in enumerate(requests)],
    }


def meetings_of(sol):
    return sorted((m["request"], m["expert"], m["slot"]) for m in sol["meetings"])


def solution(inst, meetings):
    return {"format": "fusion-matchmaking-solution/1", "instance": inst["name"],
            "meetings": [{"request": r, "expert": e, "slot": t} for r, e, t in meetings]}


def objective(inst, meetings):
    reqs = {r["id"]: r for r in inst["requests"]}
    served = {r for r, _e, _t in meetings}
    return (len({reqs[r]["org"] for r in served}), sum(reqs[r]["weight"] for r in served))


def brute_force(inst, fixed=None):
    """Optimal (C, W) by depth-first enumeration of every feasible schedule (tiny only);
    `fixed` {request: (expert, slot)} forces those meetings."""
    fixed = fixed or {}
    T = len(inst["slots"])
    experts = {e["id"]: e for e in inst["experts"]}
    busy = {}
    org_of = {}
    for o in inst["organisations"]:
        for p in o["participants"]:
            busy[p["id"]] = set(p["unavailable"])
            org_of[p["id"]] = o["id"]
    for v in inst.get("site_visits", []):
        for p in v["participants"]:
            busy[p] |= set(v["slots"])
    rooms = inst.get("rooms")
    options = []
    for r in inst["requests"]:
        att = r["attendees"] or [p["id"] for o in inst["organisations"] if o["id"] == r["org"]
                                 for p in o["participants"]]
        tgt = r["target"]
        elig = ([tgt["expert"]] if "expert" in tgt else
                [e for e, x in experts.items() if tgt["discipline"] in x["disciplines"]])
        opts = [(e, t) for e in elig for t in experts[e]["available"]
                if not any(t in busy[p] for p in att) and (rooms is None or rooms[t] > 0)]
        if r["id"] in fixed:
            opts = [fixed[r["id"]]] if fixed[r["id"]] in opts else []
        options.append((r, att, opts))
    best = (0, 0)
    exp_slot, part_slot, load, org_exp = set(), set(), {}, set()
    room_used = [0] * T

    def dfs(k, C_orgs, W):
        nonlocal best
        if k == len(options):
            val = (len(C_orgs), W)
            best = max(best, val)
            return
        r, att, opts = options[k]
        if r["id"] not in fixed:
            dfs(k + 1, C_orgs, W)
        for e, t in opts:
            if ((e, t) in exp_slot or any((p, t) in part_slot for p in att)
                    or load.get(e, 0) >= experts[e]["max_meetings"]
                    or (r["org"], e) in org_exp
                    or (rooms is not None and room_used[t] >= rooms[t])):
                continue
            exp_slot.add((e, t))
            for p in att:
                part_slot.add((p, t))
            load[e] = load.get(e, 0) + 1
            org_exp.add((r["org"], e))
            room_used[t] += 1
            dfs(k + 1, C_orgs | {r["org"]}, W + r["weight"])
            exp_slot.discard((e, t))
            for p in att:
                part_slot.discard((p, t))
            load[e] -= 1
            org_exp.discard((r["org"], e))
            room_used[t] -= 1

    dfs(0, frozenset(), 0)
    return best


def random_instance(draw_int, n_slots, n_experts, n_orgs, n_requests, rooms_on):
    """A tiny random instance; `draw_int(lo, hi)` supplies the randomness (hypothesis)."""
    discs = ["magnets", "vacuum"]
    experts = {}
    for i in range(n_experts):
        ds = [d for d in discs if draw_int(0, 1)] or [discs[draw_int(0, 1)]]
        av = [t for t in range(n_slots) if draw_int(0, 3)]
        experts[f"E{i}"] = (ds, av, draw_int(0, n_slots))
    orgs = {}
    for o in range(n_orgs):
        orgs[f"O{o}"] = {f"P{o}{k}": [t for t in range(n_slots) if draw_int(0, 4) == 0]
                         for k in range(draw_int(1, 2))}
    requests = []
    used = set()
    for k in range(n_requests):
        o = f"O{draw_int(0, n_orgs - 1)}"
        named = draw_int(0, 1)
        tgt = f"E{draw_int(0, n_experts - 1)}" if named else "d:" + discs[draw_int(0, 1)]
        if (o, tgt) in used:
            continue
        used.add((o, tgt))
        parts = sorted(orgs[o])
        att = [p for p in parts if draw_int(0, 1)] or [parts[0]]
        requests.append((f"R{k}", o, tgt, draw_int(1, 10), att))
    rooms = [draw_int(0, 2) for _ in range(n_slots)] if rooms_on else None
    return make_instance(n_slots, experts, orgs, requests, rooms=rooms, name="random")


def load_bench(name):
    return json.loads((BENCH_DIR / f"{name}.json").read_text(encoding="utf-8"))


def synthetic(seed, n_orgs=60, n_experts=20, T=10, busy=0.35, rooms=None):
    """A random mid-size instance with busy participants (many attendee conflicts)."""
    import random

    rnd = random.Random(seed)
    discs = ["magnets", "vacuum", "cryogenics", "diagnostics"]
    experts = {}
    for i in range(n_experts):
        ds = rnd.sample(discs, rnd.randint(1, 2))
        start = rnd.choice([0, 0, T // 2])
        av = [t for t in range(start, T) if rnd.random() > 0.15]
        experts[f"E{i:02d}"] = (ds, av, rnd.randint(2, 6))
    orgs, requests = {}, []
    k = 0
    for o in range(n_orgs):
        parts = {f"P{o:03d}{j}": [t for t in range(T) if rnd.random() < busy]
                 for j in range(rnd.randint(1, 2))}
        orgs[f"O{o:03d}"] = parts
        targets = set()
        for _ in range(rnd.randint(1, 4)):
            tgt = (f"E{min(int(rnd.expovariate(0.25)), n_experts - 1):02d}"
                   if rnd.random() < 0.65 else "d:" + rnd.choice(discs))
            if tgt in targets:
                continue
            targets.add(tgt)
            names = sorted(parts)
            att = rnd.sample(names, rnd.randint(1, len(names)))
            requests.append((f"R{k:04d}", f"O{o:03d}", tgt, rnd.randint(1, 10), sorted(att)))
            k += 1
    return make_instance(T, experts, orgs, requests, rooms=rooms, name=f"synthetic-{seed}")
