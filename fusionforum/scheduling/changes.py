"""Same-day changes applied to an instance before a repair. Each returns a new instance dict
(the input is not modified).

    expert_cancels(inst, "E017")                  the expert takes no meeting at all
    expert_unavailable(inst, "E017", [5, 6])      the expert loses these slots
    participant_leaves(inst, "P00012")            removed from organisation, requests and tours;
                                                  requests left without attendees are withdrawn
    slot_lost(inst, 7)                            nobody meets in slot 7 (rooms 0)
    rooms_lost(inst, 7, 3)                        3 fewer rooms in slot 7 (needs `rooms`)
    expert_refuses(inst, "E017", "O0042")         the expert declines to meet the organisation
"""

from __future__ import annotations

import copy

from .model import InstanceError


def _expert(inst, eid):
    for e in inst["experts"]:
        if e["id"] == eid:
            return e
    raise InstanceError(f"unknown expert {eid!r}")


def expert_cancels(inst: dict, expert: str) -> dict:
    out = copy.deepcopy(inst)
    _expert(out, expert)["available"] = []
    return out


def expert_unavailable(inst: dict, expert: str, slots) -> dict:
    out = copy.deepcopy(inst)
    e = _expert(out, expert)
    lost = set(slots)
    e["available"] = [t for t in e["available"] if t not in lost]
    return out


def participant_leaves(inst: dict, participant: str) -> dict:
    out = copy.deepcopy(inst)
    org = None
    for o in out["organisations"]:
        before = len(o["participants"])
        o["participants"] = [p for p in o["participants"] if p["id"] != participant]
        if len(o["participants"]) != before:
            org = o
    if org is None:
        raise InstanceError(f"unknown participant {participant!r}")
    for v in out.get("site_visits", []) or []:
        v["participants"] = [p for p in v["participants"] if p != participant]
    kept = []
    for r in out["requests"]:
        if r["org"] == org["id"]:
            att = r.get("attendees") or []
            if participant in att:
                att = [p for p in att if p != participant]
                if not att:
                    continue  # nobody left to attend: the request is withdrawn
                r["attendees"] = att
            elif not att and not org["participants"]:
                continue
        kept.append(r)
    out["requests"] = kept
    return out


def slot_lost(inst: dict, slot: int) -> dict:
    out = copy.deepcopy(inst)
    T = len(out["slots"])
    if not (isinstance(slot, int) and 0 <= slot < T):
        raise InstanceError(f"slot {slot!r} is not in 0..{T - 1}")
    if out.get("rooms") is None:
        out["rooms"] = [len(out["experts"])] * T
    out["rooms"][slot] = 0
    return out


def rooms_lost(inst: dict, slot: int, count: int) -> dict:
    out = copy.deepcopy(inst)
    if out.get("rooms") is None:
        raise InstanceError("the instance has no room counts")
    T = len(out["slots"])
    if not (isinstance(slot, int) and 0 <= slot < T):
        raise InstanceError(f"slot {slot!r} is not in 0..{T - 1}")
    out["rooms"][slot] = max(0, out["rooms"][slot] - count)
    return out


def expert_refuses(inst: dict, expert: str, org: str) -> dict:
    """The expert declines to meet the organisation (conflict of interest, H10); the instance
    becomes `fusion-matchmaking/2` if it was not."""
    out = copy.deepcopy(inst)
    if org not in {o["id"] for o in out["organisations"]}:
        raise InstanceError(f"unknown organisation {org!r}")
    e = _expert(out, expert)
    ref = list(e.get("refuses", []) or [])
    if org not in ref:
        ref.append(org)
    e["refuses"] = ref
    out["format"] = "fusion-matchmaking/2"
    return out
