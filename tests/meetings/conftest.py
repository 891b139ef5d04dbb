"""Fixtures of the meetings tests: an event with a meetings day (six 30-minute slots on day 3),
two organisations with confirmed delegates, three experts, and a small exact-enough greedy
solver the tests put in place of the optimiser when they need a schedule fast."""

import datetime as dt

import pytest

from tests.conftest import login_verified, paris  # noqa: F401

SLOTS = 6


@pytest.fixture
def meeting_settings(event, clock):
    from fusionforum.meetings.models import MeetingSettings

    meeting_settings = MeetingSettings(
        event=event, date=dt.date(2027, 5, 28), start_time=dt.time(9, 0),
        end_time=dt.time(12, 0), slot_minutes=30, breaks=[],
        requests_open_at=paris(2027, 5, 1, 9), requests_close_at=paris(2027, 5, 25, 18))
    meeting_settings.full_clean()
    meeting_settings.save()
    return meeting_settings


@pytest.fixture
def make_delegate(make_user, event):
    from fusionforum.registration.models import Registration

    def factory(organisation, email=None, name="Delegate", status="confirmed"):
        user = make_user(email, full_name=name, organisation=organisation)
        Registration.objects.create(event=event, user=user, organisation=organisation,
                                    status=status, submitted_at=paris(2027, 5, 2, 10))
        return user

    return factory


@pytest.fixture
def orgs(db):
    from fusionforum.accounts.models import Organisation

    a = Organisation.objects.create(name="Alpha Fusion (test)", kind="private_developer",
                                    country="FR", fusion_approach="tokamak")
    b = Organisation.objects.create(name="Beta Cryo (test)", kind="supplier", country="IT")
    return a, b


@pytest.fixture
def people(orgs, make_delegate):
    a, b = orgs
    return {
        "alice": make_delegate(a, "alice@alpha.invalid", "Alice Alpha"),
        "arno": make_delegate(a, "arno@alpha.invalid", "Arno Alpha"),
        "bea": make_delegate(b, "bea@beta.invalid", "Bea Beta"),
    }


@pytest.fixture
def experts(meeting_settings, make_user):
    from fusionforum.meetings.models import Expert

    login = make_user("mara@host.invalid", full_name="Mara Magnet")
    mara = Expert.objects.create(
        event=meeting_settings.event, user=login, name="Mara Magnet", title="Magnet engineer",
        disciplines=["magnets"], keywords="HTS cable testing, quench detection",
        bio="Tests superconducting cables and coils.", max_meetings=4, location="Table 1")
    cyril = Expert.objects.create(
        event=meeting_settings.event, name="Cyril Cold", title="Cryoplant lead",
        email="cyril@host.invalid", disciplines=["cryogenics"],
        keywords="helium refrigeration, cold boxes", bio="Runs the cryoplant.", max_meetings=4,
        location="Table 2")
    vera = Expert.objects.create(
        event=meeting_settings.event, name="Vera Vacuum", title="Vacuum physicist",
        email="vera@host.invalid", disciplines=["vacuum", "cryogenics"],
        keywords="leak detection, cryopumps", bio="Leak tightness of large vessels.",
        available_slots=[3, 4, 5], max_meetings=2, location="Table 3")
    return {"mara": mara, "cyril": cyril, "vera": vera}


def greedy_solve(instance, time_limit=1.0, seed=0, threads=2, progress=None, **kwargs):
    """Requests by weight, first feasible (expert, slot): a stand-in for the optimiser."""
    experts = {e["id"]: e for e in instance["experts"]}
    busy = {}
    for org in instance["organisations"]:
        for p in org["participants"]:
            busy[p["id"]] = set(p.get("unavailable", []))
    for visit in instance.get("site_visits", []):
        for p in visit["participants"]:
            busy.setdefault(p, set()).update(visit["slots"])
    rooms = instance.get("rooms")
    taken_e, taken_p, load, pairs, per_slot, meetings = set(), set(), {}, set(), {}, []
    frozen = kwargs.get("frozen") or []
    for request in sorted(instance["requests"], key=lambda r: (-r["weight"], r["submitted"])):
        target = request["target"]
        eligible = ([target["expert"]] if "expert" in target else
                    [e for e in experts if target["discipline"] in experts[e]["disciplines"]])
        done = False
        for eid in eligible:
            expert = experts[eid]
            if load.get(eid, 0) >= expert["max_meetings"] or (request["org"], eid) in pairs:
                continue
            for t in expert["available"]:
                if (eid, t) in taken_e or any(t in busy.get(p, ()) or (p, t) in taken_p
                                              for p in request["attendees"]):
                    continue
                if rooms is not None and per_slot.get(t, 0) >= rooms[t]:
                    continue
                meetings.append({"request": request["id"], "expert": eid, "slot": t})
                taken_e.add((eid, t))
                taken_p.update((p, t) for p in request["attendees"])
                load[eid] = load.get(eid, 0) + 1
                pairs.add((request["org"], eid))
                per_slot[t] = per_slot.get(t, 0) + 1
                done = True
                break
            if done:
                break
    del frozen
    if progress:
        progress({"phase": "greedy", "elapsed_s": 0.01, "best": [1, 1]})
    return {"format": "fusion-matchmaking-solution/1", "instance": instance.get("name", ""),
            "meetings": meetings, "meta": {"proof": "test stand-in", "bound": [9, 9]}}


def greedy_repair(instance, published, time_limit=1.0, seed=0, threads=2, progress=None,
                  **kwargs):
    """Keeps every published meeting still feasible, then fills greedily."""
    kept = []
    experts = {e["id"]: e for e in instance["experts"]}
    requests = {r["id"]: r for r in instance["requests"]}
    for m in published["meetings"]:
        if m["request"] in requests and m["slot"] in experts[m["expert"]]["available"]:
            kept.append(m)
    rest = dict(instance)
    kept_ids = {m["request"] for m in kept}
    rest["requests"] = [r for r in instance["requests"] if r["id"] not in kept_ids]
    # Block the kept meetings' expert slots for the fill.
    rest["experts"] = []
    for e in instance["experts"]:
        used = [m for m in kept if m["expert"] == e["id"]]
        rest["experts"].append({**e, "available": [t for t in e["available"]
                                                   if t not in {m["slot"] for m in used}],
                                "max_meetings": e["max_meetings"] - len(used)})
    filled = greedy_solve(rest)["meetings"]
    return {"format": "fusion-matchmaking-solution/1", "meetings": kept + filled,
            "meta": {"moved": 0}}


@pytest.fixture
def fake_solver(monkeypatch):
    import fusionforum.scheduling as scheduling

    monkeypatch.setattr(scheduling, "solve", greedy_solve, raising=False)
    monkeypatch.setattr(scheduling, "repair", greedy_repair, raising=False)
    return scheduling
