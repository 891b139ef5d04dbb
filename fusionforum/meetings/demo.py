"""The demo workshop's meetings day (day 3): 32 fictional experts, requests from every demo
organisation with confirmed participants (a few for two experts together; two fictional
conflicts of interest), oversubscribed on purpose (three tables per slot) so that the
fairness and compactness levels of the objective shape the schedule, a scheduler run with
the real optimiser (first come, first served stored beside it), a published version and a few
meeting notes. Every name here is synthetic and labelled fictional.

Idempotent: loading again on the same day keeps everything; when the workshop moved to other
days the meetings day is rebuilt.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from fusionforum.accounts.models import User
from fusionforum.core import clock
from fusionforum.events.demo import create_demo_user
from fusionforum.events.models import TeamMembership

from . import instance as instance_module
from . import publishing, services
from .models import (
    Expert,
    ExpertRefusal,
    Meeting,
    MeetingOutcome,
    MeetingRelease,
    MeetingRequest,
    MeetingSettings,
    ScheduleRun,
)

EXPERT_LOGIN = "expert@demo.fusionforum.invalid"
BREAKS = [{"start": "10:30", "end": "11:00", "label": "coffee"},
          {"start": "12:30", "end": "14:00", "label": "lunch"},
          {"start": "15:30", "end": "16:00", "label": "coffee"}]
MORNING, AFTERNOON = list(range(0, 6)), list(range(6, 11))

# name, title, department, disciplines, keywords, availability, max meetings
EXPERTS = [
    ("Mara Fictive", "Senior magnet engineer", "Magnet division",
     ["magnets", "cryogenics"], "HTS cable testing, quench detection, conductor qualification",
     None, 6),
    ("Tomas Samplewood", "Superconductor specialist", "Magnet division",
     ["magnets", "materials"], "Nb3Sn strand, REBCO tape, coil winding", MORNING, 4),
    ("Ines Placeholder", "Cryoplant lead", "Cryogenics section",
     ["cryogenics"], "helium refrigeration, cold boxes, thermal shields", None, 6),
    ("Ravi Examplar", "Vacuum physicist", "Vacuum section",
     ["vacuum"], "leak detection, cryopumps, outgassing of materials", AFTERNOON, 4),
    ("Olga Demova", "Remote handling engineer", "Remote handling",
     ["remote_handling", "assembly"], "divertor cassette handling, robotics, hot cells", None, 5),
    ("Henrik Mockford", "Tritium plant engineer", "Fuel cycle",
     ["tritium_fuel_cycle"], "tritium breeding, isotope separation, detritiation", None, 6),
    ("Sofia Fakir", "Plasma control physicist", "Plasma operations",
     ["plasma_control"], "disruption mitigation, real-time control, shape control", MORNING, 4),
    ("Jun Testa", "Diagnostics lead", "Diagnostics",
     ["diagnostics"], "Thomson scattering, bolometry, neutron cameras", None, 6),
    ("Claire Simul", "Heating systems engineer", "Heating and current drive",
     ["heating_current_drive"], "gyrotrons, ECRH, neutral beam injection", None, 5),
    ("Pavel Neutrino", "Neutronics analyst", "Nuclear analysis",
     ["neutronics"], "shielding, activation, MCNP and OpenMC models", AFTERNOON, 4),
    ("Amira Steelhart", "Materials scientist", "Materials",
     ["materials"], "tungsten armour, reduced-activation steels, irradiation testing", None, 6),
    ("Lucas Regulus", "Licensing officer", "Nuclear safety",
     ["licensing_nuclear_safety"], "safety case, regulator dialogue, radiation protection",
     None, 6),
    ("Nadia Assemblova", "Assembly manager", "Assembly",
     ["assembly"], "sector welding, metrology, tooling", MORNING, 4),
    ("Ethan Voltaire", "Power supplies engineer", "Electrical engineering",
     ["power_supplies"], "coil power converters, reactive power compensation, grid connection",
     None, 5),
    ("Greta Ledger", "Procurement strategist", "Procurement",
     ["project_management_supply_chain"], "supplier qualification, in-kind procurement, QA",
     None, 6),
    ("Omar Quench", "Magnet protection engineer", "Magnet division",
     ["magnets", "power_supplies"], "quench protection, fast discharge units, busbars",
     AFTERNOON, 4),
    ("Lena Coldwell", "Cryogenic systems engineer", "Cryogenics section",
     ["cryogenics", "vacuum"], "cryostat design, cryogenic distribution lines", None, 5),
    ("Marco Pumpi", "Fuelling engineer", "Fuel cycle",
     ["tritium_fuel_cycle", "vacuum"], "pellet injection, torus exhaust, gas fuelling",
     MORNING, 4),
    ("Yara Sensor", "Diagnostics engineer", "Diagnostics",
     ["diagnostics", "plasma_control"], "magnetic sensors, interferometry, data acquisition",
     None, 5),
    ("Felix Beamline", "Neutral beam physicist", "Heating and current drive",
     ["heating_current_drive", "power_supplies"], "negative ion sources, high-voltage holding",
     AFTERNOON, 4),
    ("Hana Shieldon", "Radiation protection expert", "Nuclear safety",
     ["licensing_nuclear_safety", "neutronics"], "dose assessment, waste classification",
     None, 5),
    ("Victor Weldman", "Welding specialist", "Assembly",
     ["assembly", "materials"], "electron beam welding, weld inspection, NDT", None, 5),
    ("Sara Scheduler", "Project controls lead", "Project office",
     ["project_management_supply_chain"], "integrated schedule, risk management, interfaces",
     AFTERNOON, 4),
    ("Bruno Gripper", "Robotics engineer", "Remote handling",
     ["remote_handling"], "manipulators, virtual reality training, radiation-hard cameras",
     None, 5),
    ("Elena Plasmova", "Scenario physicist", "Plasma operations",
     ["plasma_control", "heating_current_drive"], "burning plasma scenarios, ELM control",
     None, 5),
    ("Kofi Breeder", "Blanket engineer", "Fuel cycle",
     ["tritium_fuel_cycle", "materials", "neutronics"],
     "breeding blankets, lithium ceramics, test blanket modules", None, 6),
    ("Mei Cryo", "Cryogenic instrumentation engineer", "Cryogenics section",
     ["cryogenics", "diagnostics"], "cryogenic thermometry, flow metering", MORNING, 4),
    ("Anders Vault", "Quality assurance manager", "Quality",
     ["project_management_supply_chain", "licensing_nuclear_safety"],
     "nuclear quality standards, supplier audits, codes and standards", None, 5),
    ("Rosa Converter", "Electrical systems architect", "Electrical engineering",
     ["power_supplies"], "pulsed power, energy storage, switching networks", AFTERNOON, 4),
    ("Ivan Coilsky", "Coil manufacturing engineer", "Magnet division",
     ["magnets", "assembly"], "coil impregnation, winding packs, cold testing", None, 5),
    ("Tess Tungsten", "Plasma-facing components engineer", "Materials",
     ["materials", "vacuum"], "divertor targets, heat flux testing, beryllium handling",
     None, 5),
    ("Noor Modeller", "Neutronics code developer", "Nuclear analysis",
     ["neutronics", "diagnostics"], "neutron transport codes, benchmark experiments",
     MORNING, 4),
]

# Topics by the organisation's fusion approach or kind: (target, topic, confidential).
TOPICS = {
    "tokamak": [("magnets", "HTS cable testing for our central solenoid prototype", False),
                ("group:magnets+cryogenics", "Cooling an HTS central solenoid: magnet and "
                 "cryoplant views together", False),
                ("expert:Jun Testa", "Which diagnostics to prioritise on a first plasma", False),
                ("licensing_nuclear_safety", "Preparing a safety case for a pilot plant", True)],
    "spherical_tokamak": [("expert:Mara Fictive", "Quench detection on compact HTS coils",
                           True),
                          ("heating_current_drive", "Gyrotron supply for start-up", False)],
    "stellarator": [("assembly", "Metrology for complex three-dimensional coils", False),
                    ("group:expert:Ivan Coilsky+materials", "Winding pack materials for "
                     "non-planar coils", False),
                    ("magnets", "Winding tolerances for non-planar coils", False),
                    ("plasma_control", "Real-time control of island divertors", False)],
    "laser_inertial": [("tritium_fuel_cycle", "Target fill and tritium inventory", True),
                       ("materials", "First-wall materials under pulsed loads", False)],
    "magneto_inertial": [("power_supplies", "Pulsed power and energy storage switching", False),
                         ("neutronics", "Shielding for a compact pulsed device", False)],
    "z_pinch": [("power_supplies", "Grid connection of a pulsed machine", False),
                ("diagnostics", "Neutron diagnostics for short pulses", False)],
    "frc": [("expert:Claire Simul", "Neutral beam injection for sustainment", False),
            ("vacuum", "Vacuum vessel outgassing and leak detection", False)],
    "mirror": [("magnets", "High-field HTS end plugs", False),
               ("project_management_supply_chain", "Qualifying suppliers for coils", False)],
    "supplier": [("project_management_supply_chain", "How to qualify as a supplier", False),
                 ("group:expert:Greta Ledger+expert:Anders Vault", "Supplier qualification and "
                  "nuclear quality audits in one meeting", False),
                 ("expert:Ines Placeholder", "Cold boxes for helium refrigeration", False),
                 ("cryogenics", "Cryogenic valves qualification", True)],
    "public_lab": [("materials", "Irradiation testing of reduced-activation steels", False),
                   ("expert:Kofi Breeder", "Breeding blanket test modules", False)],
    "academia": [("plasma_control", "Disruption mitigation research collaboration", False),
                 ("neutronics", "Benchmark experiments for transport codes", False)],
    "investor": [("project_management_supply_chain", "Supply-chain risks for fusion pilots",
                  False)],
    "media": [("licensing_nuclear_safety", "Explaining fusion regulation to the public", False)],
    "other": [("remote_handling", "Robotics for maintenance in radiation", False),
              ("expert:Greta Ledger", "In-kind procurement lessons learnt", False)],
}

NOTES = [
    ("Discussed the central solenoid test plan and the conductor qualification steps.",
     True, "Send the test facility's booking conditions.", "technical_advice"),
    ("Compared quench detection approaches; they will share their voltage-tap data.",
     True, "Joint note on detection thresholds.", "collaboration"),
]


def _meeting_settings(event) -> MeetingSettings:
    day3 = event.start_date + dt.timedelta(days=2)
    # Requests closed before the schedule was published (the life-cycle rule: a published
    # schedule answers every request; publishing.publication_refused): two days before the
    # workshop, or an hour ago when the demo is loaded for a workshop further ahead.
    closes = min(dt.datetime.combine(event.start_date - dt.timedelta(days=2), dt.time(18),
                                     tzinfo=event.tz),
                 clock.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1))
    opens = min(dt.datetime.combine(event.start_date - dt.timedelta(days=30), dt.time(9),
                                    tzinfo=event.tz), closes - dt.timedelta(days=14))
    values = {
        "date": day3, "start_time": dt.time(9, 0), "end_time": dt.time(17, 0),
        "slot_minutes": 30, "breaks": BREAKS, "tables": 3, "lost_slots": [],
        "requests_open_at": opens, "requests_close_at": closes,
        "max_requests_per_organisation": 5, "time_limit_seconds": 10,
    }
    meeting_settings, _ = MeetingSettings.objects.update_or_create(event=event, defaults=values)
    return meeting_settings


def _experts(event) -> dict[str, Expert]:
    login = User.objects.filter(email=EXPERT_LOGIN).first()
    if login is None:
        login = create_demo_user(EXPERT_LOGIN,
                                         full_name="Mara Fictive (demo expert)",
                                         email_verified_at=clock.now())
    experts = {}
    for number, (name, title, department, disciplines, keywords, available, cap) in enumerate(
            EXPERTS, start=1):
        expert, _ = Expert.objects.update_or_create(
            event=event, name=f"{name} (fictional)",
            defaults={"title": title, "department": department, "disciplines": disciplines,
                      "keywords": keywords, "available_slots": available or [],
                      "max_meetings": cap, "location": f"Table {(number - 1) % 12 + 1}",
                      "languages": ["English", "English, French", "English, German",
                                    "English, Italian", "English, Japanese"][number % 5],
                      "bio": f"{name} is a fictional {title.lower()} in the {department} of the "
                             f"demo host, working on {keywords}.",
                      "email": "" if number == 1 else
                      f"{name.split()[0].lower()}.expert@demo.fusionforum.invalid",
                      "user": login if number == 1 else None, "is_active": True})
        experts[name] = expert
    return experts


def _requests(event, experts) -> int:
    from fusionforum.registration.models import Registration
    from fusionforum.registration.states import Status

    confirmed = (Registration.objects.filter(event=event, status=Status.CONFIRMED)
                 .select_related("organisation", "user").order_by("organisation__name", "id"))
    by_org: dict = {}
    for registration in confirmed:
        by_org.setdefault(registration.organisation, []).append(registration.user)
    made = 0
    for organisation, people in by_org.items():
        key = organisation.fusion_approach or organisation.kind
        if organisation.kind == "supplier":
            key = "supplier"
        topics = TOPICS.get(key) or TOPICS["other"]
        for priority, (target, topic, confidential) in enumerate(topics, start=1):
            seats = target.removeprefix("group:").split("+")
            expert, discipline = _seat(seats[0], experts)
            expert2, discipline2 = _seat(seats[1], experts) if len(seats) > 1 else (None, "")
            attendees = people[:2] if priority == 1 else people[priority % len(people):][:1] \
                or people[:1]
            try:
                services.submit_request(
                    event, people[0], expert=expert, discipline=discipline, expert2=expert2,
                    discipline2=discipline2, topic=f"{topic} (demo request)", priority=priority,
                    attendees=attendees, confidential=confidential)
            except services.RequestRefused:
                continue  # a conflict of interest of the demo: the delegates asked otherwise
            made += 1
    return made


def _seat(target: str, experts) -> tuple[Expert | None, str]:
    if target.startswith("expert:"):
        return experts[target.split(":", 1)[1]], ""
    return None, target


def _refusals(event, experts) -> int:
    """Two fictional conflicts of interest: Mara Fictive does not meet the first supplier
    (reason kept to herself), Greta Ledger the second (reason shown to organisers)."""
    from fusionforum.accounts.models import Organisation

    suppliers = list(Organisation.objects.filter(
        kind="supplier", registrations__event=event).distinct().order_by("name")[:2])
    made = 0
    for (name, reason, share), organisation in zip(
            [("Mara Fictive", "Former employer (demo reason).", False),
             ("Greta Ledger", "Ongoing tender evaluation with this supplier (demo reason).",
              True)], suppliers, strict=False):
        ExpertRefusal.objects.update_or_create(
            expert=experts[name], organisation=organisation,
            defaults={"reason": reason, "share_reason": share})
        made += 1
    return made


def _is_current(event) -> bool:
    meeting_settings = MeetingSettings.objects.filter(event=event).first()
    return (meeting_settings is not None
            and meeting_settings.date == event.start_date + dt.timedelta(days=2)
            and MeetingRelease.objects.filter(event=event).exists())


def load(event) -> str:
    if _is_current(event):
        _meeting_settings(event)  # a database loaded before the request window moved
        release = services.latest_release(event)
        return (f"Meetings: {Expert.objects.filter(event=event).count()} experts, "
                f"{len(release.snapshot['meetings'])} meetings published as version "
                f"{release.version} (kept)")
    with transaction.atomic():
        MeetingOutcome.objects.filter(request__event=event).delete()
        Meeting.objects.filter(event=event).delete()
        MeetingRelease.objects.filter(event=event).delete()
        ScheduleRun.objects.filter(event=event).delete()
        MeetingRequest.objects.filter(event=event).delete()
        meeting_settings = _meeting_settings(event)
        experts = _experts(event)
        refusals = _refusals(event, experts)
        # The delegates asked while requests were open: open the window for them, then
        # close it again and date their requests before the close.
        closes = meeting_settings.requests_close_at
        MeetingSettings.objects.filter(pk=meeting_settings.pk).update(
            requests_close_at=clock.now() + dt.timedelta(hours=1))
        made = _requests(event, experts)
        MeetingSettings.objects.filter(pk=meeting_settings.pk).update(requests_close_at=closes)
        MeetingRequest.objects.filter(event=event).update(
            submitted_at=F("submitted_at") + (closes - dt.timedelta(days=1) - clock.now()))
    organiser = (TeamMembership.objects.filter(event=event, role=TeamMembership.Role.ORGANISER)
                 .select_related("user").first())
    by = organiser.user if organiser else None
    try:
        from fusionforum.scheduling import solve
    except ImportError:
        return (f"Meetings: {len(experts)} experts, {made} requests; the scheduler is not "
                f"installed, so nothing is published")
    data = instance_module.build(event)
    with transaction.atomic():
        run = ScheduleRun.objects.create(event=event, created_by=by, created_at=clock.now(),
                                         time_limit=5, instance=data,
                                         status=ScheduleRun.Status.RUNNING,
                                         started_at=clock.now())
        solution = solve(data, time_limit=5, seed=0)
        solution["baseline"] = services.compute_baseline(data)
        services.apply_solution(event, data, solution)
        meta = services._readable(solution.get("meta") or {})
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.DONE, finished_at=clock.now(), solution=solution,
            progress=meta)
        release = publishing.publish(event, by=by, comment="Demo: first published version.")
        for meeting, (text, follow, follow_text, category) in zip(
                [m for m in release.snapshot["meetings"]
                 if experts["Mara Fictive"].pk in publishing.experts_of(m)], NOTES,
                strict=False):
            MeetingOutcome.objects.update_or_create(
                request_id=meeting["request"],
                defaults={"attendance": MeetingOutcome.Attendance.HELD,
                          "checked_in_at": clock.now(), "notes_topic": text,
                          "follow_up_requested": follow, "follow_up": follow_text,
                          "category": category, "notes_at": clock.now(),
                          "notes_by": experts["Mara Fictive"].user})
    objective = release.snapshot["objective"]
    levels = (solution.get("objective") or {})
    baseline = solution["baseline"]
    groups = sum(1 for r in MeetingRequest.objects.filter(event=event) if r.is_group)
    return (f"Meetings: {len(experts)} experts, {made} requests ({groups} for two experts), "
            f"{refusals} conflicts of interest, "
            f"{len(release.snapshot['meetings'])} meetings published as version 1 "
            f"({objective['covered_orgs']} of {objective['requesting_orgs']} organisations "
            f"covered, C2 {levels.get('C2')}, W {levels.get('W')}, G {levels.get('G')}; "
            f"first come, first served: C1 {baseline['C1']}, C2 {baseline['C2']}, "
            f"W {baseline['W']}, G {baseline['G']})")
