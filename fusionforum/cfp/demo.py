"""The demo workshop's call for presentations: a call that closed before the event, the default
categories and about thirty synthetic submissions from fictional private fusion developers.

Every organisation, person, figure and answer here is invented. The answers are assembled from
sentence templates and approach-specific phrases (not copies of one text), because the outcomes
report later groups and counts them. All submissions stay "submitted": the review demo adds
reviews and decisions afterwards.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random

from django.db import transaction

from fusionforum.accounts.models import Organisation, User
from fusionforum.core import clock
from fusionforum.events.demo import DEMO_TZ, create_demo_user
from fusionforum.events.models import TeamMembership
from fusionforum.registration import demo as registration_demo
from fusionforum.registration import services as registration_services
from fusionforum.registration.models import (
    Registration,
    RegistrationSettings,
)
from fusionforum.registration.states import ACTIVE, Status

from . import lifecycle
from .categories import install_defaults
from .models import CallSettings, Category, KeyFigure, Scale, Speaker, Submission, Visibility
from .states import SubmissionState

A = Organisation.Approach

# (name, country, approach): invented names, none of them a real company.
COMPANIES = [
    ("Borealis Torus Labs (fictional)", "NO", A.TOKAMAK),
    ("Meridian Field Fusion (fictional)", "GB", A.TOKAMAK),
    ("Kestrel Confinement Co. (fictional)", "US", A.TOKAMAK),
    ("Ionwell Reactor Systems (fictional)", "JP", A.TOKAMAK),
    ("Torvane Energy (fictional)", "IT", A.TOKAMAK),
    ("Little Sphere Power (fictional)", "GB", A.SPHERICAL_TOKAMAK),
    ("Apple-Core Plasma (fictional)", "US", A.SPHERICAL_TOKAMAK),
    ("Nimbus Compact Fusion (fictional)", "CN", A.SPHERICAL_TOKAMAK),
    ("Lowaspect Dynamics (fictional)", "CA", A.SPHERICAL_TOKAMAK),
    ("Twistcoil Stellarator GmbH (fictional)", "DE", A.STELLARATOR),
    ("Quasar Symmetry Works (fictional)", "US", A.STELLARATOR),
    ("Moebius Field Energy (fictional)", "ES", A.STELLARATOR),
    ("Heliotrope Coils (fictional)", "FR", A.STELLARATOR),
    ("Brightpoint Ignition (fictional)", "US", A.LASER_INERTIAL),
    ("Pellet Forge Energy (fictional)", "DE", A.LASER_INERTIAL),
    ("Shortpulse Fusion Systems (fictional)", "GB", A.LASER_INERTIAL),
    ("Hohlraum Harbour (fictional)", "AU", A.LASER_INERTIAL),
    ("Liner Drive Fusion (fictional)", "CA", A.MAGNETO_INERTIAL),
    ("Compression Cascade Energy (fictional)", "US", A.MAGNETO_INERTIAL),
    ("Anvil Plasma Works (fictional)", "GB", A.MAGNETO_INERTIAL),
    ("Sheared Flow Pinch Co. (fictional)", "US", A.Z_PINCH),
    ("Thunderline Pulse Power (fictional)", "NZ", A.Z_PINCH),
    ("Axial Current Energy (fictional)", "IL", A.Z_PINCH),
    ("Reversal Ring Fusion (fictional)", "US", A.FRC),
    ("Colliding Torus Energy (fictional)", "JP", A.FRC),
    ("Plasmoid Merge Systems (fictional)", "SE", A.FRC),
    ("Tandem Mirror Power (fictional)", "US", A.MIRROR),
    ("Magnetic Bottle Labs (fictional)", "FI", A.MIRROR),
    ("Dense Focus Example Energy (fictional)", "PL", A.OTHER),
    ("Electrostatic Grid Fusion (fictional)", "CH", A.OTHER),
]

FIRST = ["Alba", "Benno", "Carys", "Dmitri", "Esme", "Farid", "Greta", "Hiro", "Ines", "Jonas",
         "Kalani", "Leif", "Marta", "Nils", "Odile", "Pavel", "Rania", "Sven", "Tereza", "Ugo",
         "Vera", "Wim", "Yara", "Zeno", "Anouk", "Bruno", "Chiara", "Dalia", "Emil", "Freya",
         "Goran", "Helga", "Ilse", "Jarek", "Kira", "Lotte", "Milan", "Nadia", "Otto", "Priya"]
LAST = ["Sample", "Placeholder", "Fictive", "Testwell", "Mockford", "Dummond", "Synthia",
        "Examplar"]

# Per approach: the device family, what was achieved, how, the key figures that fit, and
# which categories its challenges and requests for help lean towards.
APPROACH = {
    A.TOKAMAK: {
        "device": ["our high-field demonstration tokamak", "the compact copper tokamak we run",
                   "our superconducting test tokamak"],
        "result": ["sustained H-mode plasmas for several energy confinement times",
                   "plasma currents above one megaampere with non-inductive ramp-up",
                   "a full-size high-temperature superconducting toroidal field coil at 20 T"],
        "method": ["by pairing REBCO tape magnets with a radiative divertor",
                   "through a staged campaign of fast ramp-up and feedback-controlled shaping",
                   "with an in-house magnet winding line and quench detection on fibre optics"],
        "figures": [("Plasma current", "1.2", "MA"), ("On-axis field", "12.2", "T"),
                    ("Pulse length", "18", "s"), ("Energy confinement time", "0.09", "s")],
        "challenges": ["magnets-and-superconductors", "materials-and-first-wall",
                       "tritium-and-fuel-cycle", "remote-handling-and-maintenance"],
        "help": ["materials-and-first-wall", "remote-handling-and-maintenance",
                 "licensing-and-nuclear-safety", "diagnostics-and-control"],
    },
    A.SPHERICAL_TOKAMAK: {
        "device": ["our low-aspect-ratio prototype", "the spherical tokamak on our test site",
                   "a compact spherical torus with merging-compression start-up"],
        "result": ["ion temperatures above 100 million degrees",
                   "solenoid-free start-up to several hundred kiloamperes",
                   "stable plasmas at a normalised beta above 5"],
        "method": ["using merging-compression formation and neutral beam heating",
                   "by relying on electron Bernstein wave current drive",
                   "with a centre column designed for rapid replacement"],
        "figures": [("Ion temperature", "8.6", "keV"), ("Aspect ratio", "1.6", ""),
                    ("Normalised beta", "5.2", ""), ("Plasma current", "0.45", "MA")],
        "challenges": ["neutronics-and-shielding", "magnets-and-superconductors",
                       "heating-and-current-drive", "power-systems"],
        "help": ["neutronics-and-shielding", "heating-and-current-drive",
                 "codes-and-standards", "staff-and-skills"],
    },
    A.STELLARATOR: {
        "device": ["our optimised stellarator prototype", "a quasi-symmetric test device",
                   "our planar-coil stellarator"],
        "result": ["steady-state plasmas over long pulses without disruptions",
                   "field-line accuracy within a few parts in ten thousand",
                   "a modular coil set assembled within tolerance on the first attempt"],
        "method": ["by optimising the coils numerically before any metal was cut",
                   "through permanent magnets that shape the field around simple planar coils",
                   "with metrology-driven assembly and digital twins of each coil"],
        "figures": [("Pulse length", "480", "s"), ("Coil positioning tolerance", "0.2", "mm"),
                    ("Field error", "0.0003", ""), ("Electron temperature", "4.1", "keV")],
        "challenges": ["supply-chain-and-manufacturing", "magnets-and-superconductors",
                       "diagnostics-and-control", "cryogenics-and-vacuum"],
        "help": ["supply-chain-and-manufacturing", "cryogenics-and-vacuum",
                 "codes-and-standards", "diagnostics-and-control"],
    },
    A.LASER_INERTIAL: {
        "device": ["our diode-pumped laser test bed", "a target chamber at our laser facility",
                   "our short-pulse ignition experiment"],
        "result": ["repeatable target shots at one hertz",
                   "fast-ignitor heating of compressed fuel above 1 keV",
                   "mass-producible targets within the required sphericity"],
        "method": ["by automating target injection and tracking",
                   "through direct-drive compression with beam smoothing",
                   "with a cryogenic target layering line of our own design"],
        "figures": [("Repetition rate", "1", "Hz"), ("Laser energy per pulse", "2.5", "kJ"),
                    ("Target yield", "0.4", "MJ"), ("Wall-plug efficiency", "12", "%")],
        "challenges": ["materials-and-first-wall", "tritium-and-fuel-cycle",
                       "supply-chain-and-manufacturing", "financing"],
        "help": ["tritium-and-fuel-cycle", "licensing-and-nuclear-safety",
                 "materials-and-first-wall", "staff-and-skills"],
    },
    A.MAGNETO_INERTIAL: {
        "device": ["our liquid-metal liner compression rig", "a pulsed magnetised-target machine",
                   "our piston-driven compression prototype"],
        "result": ["plasma compression ratios above ten with the field retained",
                   "repeatable liner implosions within microsecond timing",
                   "thermonuclear neutrons from a compressed magnetised plasma"],
        "method": ["using synchronised pistons to collapse a rotating liquid-metal wall",
                   "by injecting a spheromak into a collapsing liner",
                   "with pulsed power switched by solid-state modules"],
        "figures": [("Compression ratio", "11", ""), ("Timing jitter", "1.5", "µs"),
                    ("Neutron yield", "3e9", "per shot"), ("Peak field", "150", "T")],
        "challenges": ["power-systems", "materials-and-first-wall", "diagnostics-and-control",
                       "supply-chain-and-manufacturing"],
        "help": ["diagnostics-and-control", "power-systems", "licensing-and-nuclear-safety",
                 "codes-and-standards"],
    },
    A.Z_PINCH: {
        "device": ["our sheared-flow stabilised pinch", "a pulsed-power Z-pinch driver",
                   "our next-generation pinch experiment"],
        "result": ["stable pinches lasting thousands of Alfvén times",
                   "electron temperatures of several keV in a compact column",
                   "capacitor banks cycled a million times without failure"],
        "method": ["by driving axial flow shear to stabilise the column",
                   "through fast capacitor discharge and precise gas puffing",
                   "with electrodes made of refractory alloys we developed"],
        "figures": [("Pinch current", "650", "kA"), ("Electron temperature", "2.8", "keV"),
                    ("Stable duration", "40", "µs"), ("Bank energy", "1.1", "MJ")],
        "challenges": ["materials-and-first-wall", "power-systems", "diagnostics-and-control",
                       "staff-and-skills"],
        "help": ["materials-and-first-wall", "diagnostics-and-control",
                 "neutronics-and-shielding", "financing"],
    },
    A.FRC: {
        "device": ["our colliding-beam FRC machine", "a field-reversed configuration test stand",
                   "our merging-plasmoid accelerator"],
        "result": ["field-reversed plasmas sustained by neutral beams for tens of milliseconds",
                   "plasmoid collisions at several hundred kilometres per second",
                   "direct energy recovery of a large share of the exhaust"],
        "method": ["by tangential neutral beam injection and active feedback",
                   "through formation sections fired in microsecond synchrony",
                   "with a magnetic nozzle and inductive recovery coils"],
        "figures": [("Plasma lifetime", "30", "ms"), ("Collision speed", "300", "km/s"),
                    ("Energy recovered", "38", "%"), ("Ion temperature", "3.0", "keV")],
        "challenges": ["heating-and-current-drive", "power-systems", "diagnostics-and-control",
                       "financing"],
        "help": ["heating-and-current-drive", "diagnostics-and-control",
                 "supply-chain-and-manufacturing", "codes-and-standards"],
    },
    A.MIRROR: {
        "device": ["our axisymmetric tandem mirror", "a high-field mirror cell",
                   "our magnetic mirror test device"],
        "result": ["electron temperatures well above earlier mirror records",
                   "confinement improved by thermal barriers at both ends",
                   "a 17 T end plug built from commercial superconductor"],
        "method": ["using high-temperature superconducting end plugs",
                   "by electron cyclotron heating at the mirror throats",
                   "with vortex stabilisation from biased end plates"],
        "figures": [("Mirror ratio", "17", ""), ("Electron temperature", "0.9", "keV"),
                    ("End plug field", "17", "T"), ("Plasma density", "3", "10¹⁹ m⁻³")],
        "challenges": ["magnets-and-superconductors", "heating-and-current-drive",
                       "cryogenics-and-vacuum", "staff-and-skills"],
        "help": ["magnets-and-superconductors", "cryogenics-and-vacuum",
                 "heating-and-current-drive", "licensing-and-nuclear-safety"],
    },
    A.OTHER: {
        "device": ["our dense plasma focus", "an electrostatic confinement prototype",
                   "our alternative-concept test bed"],
        "result": ["reproducible neutron pulses over long campaigns",
                   "ion energies in the tens of keV at modest input power",
                   "an operating point none of the classic scaling laws predicted"],
        "method": ["by reshaping electrodes and optimising the fill pressure",
                   "through a nested-grid geometry we simulated first",
                   "with a fast data pipeline that screens thousands of shots"],
        "figures": [("Neutron yield", "1e10", "per pulse"), ("Ion energy", "40", "keV"),
                    ("Shots analysed", "12000", ""), ("Input power", "25", "kW")],
        "challenges": ["diagnostics-and-control", "financing", "staff-and-skills",
                       "materials-and-first-wall"],
        "help": ["diagnostics-and-control", "codes-and-standards", "staff-and-skills",
                 "financing"],
    },
}

SCALES = {
    A.TOKAMAK: [Scale.INTEGRATED_DEVICE, Scale.PROTOTYPE_DEVICE, Scale.PILOT_PLANT_DESIGN],
    A.SPHERICAL_TOKAMAK: [Scale.PROTOTYPE_DEVICE, Scale.INTEGRATED_DEVICE],
    A.STELLARATOR: [Scale.PROTOTYPE_DEVICE, Scale.LAB_EXPERIMENT, Scale.PILOT_PLANT_DESIGN],
    A.LASER_INERTIAL: [Scale.LAB_EXPERIMENT, Scale.PROTOTYPE_DEVICE],
    A.MAGNETO_INERTIAL: [Scale.PROTOTYPE_DEVICE, Scale.LAB_EXPERIMENT],
    A.Z_PINCH: [Scale.PROTOTYPE_DEVICE, Scale.LAB_EXPERIMENT],
    A.FRC: [Scale.INTEGRATED_DEVICE, Scale.PROTOTYPE_DEVICE],
    A.MIRROR: [Scale.PROTOTYPE_DEVICE, Scale.LAB_EXPERIMENT],
    A.OTHER: [Scale.LAB_EXPERIMENT],
}

CATEGORY_PHRASES = {
    "magnets-and-superconductors": "qualifying high-temperature superconducting tape in "
                                   "volume and protecting large coils against quenches",
    "materials-and-first-wall": "finding first-wall materials that survive the neutron and "
                                "heat loads over years, not weeks",
    "tritium-and-fuel-cycle": "breeding, extracting and accounting for tritium at plant scale",
    "remote-handling-and-maintenance": "replacing activated components quickly by remote "
                                       "handling",
    "heating-and-current-drive": "heating and driving current efficiently enough for a net "
                                 "energy gain",
    "diagnostics-and-control": "measuring what happens inside the plasma fast enough to "
                               "control it",
    "neutronics-and-shielding": "shielding sensitive components in a compact machine",
    "licensing-and-nuclear-safety": "a licensing path that regulators and investors can plan on",
    "supply-chain-and-manufacturing": "suppliers able to build large precise parts on time",
    "cryogenics-and-vacuum": "reliable cryogenic plant and vacuum at industrial duty cycles",
    "power-systems": "pulsed power and grid connection that last millions of cycles",
    "codes-and-standards": "design codes and standards written for fusion components",
    "staff-and-skills": "hiring and training enough engineers who know fusion",
    "financing": "financing the step from prototype to pilot plant",
}

HELP_PHRASES = {
    "magnets-and-superconductors": "share test results and quench data from its magnet "
                                   "programme",
    "materials-and-first-wall": "open its materials database and irradiation results",
    "tritium-and-fuel-cycle": "share operating experience of tritium handling and accounting",
    "remote-handling-and-maintenance": "let our engineers train on its remote handling mock-ups",
    "heating-and-current-drive": "give access to its heating system test stands",
    "diagnostics-and-control": "share diagnostic designs and plasma control software",
    "neutronics-and-shielding": "share validated neutronics models and benchmark data",
    "licensing-and-nuclear-safety": "explain how its safety case was built with the regulator",
    "supply-chain-and-manufacturing": "introduce us to its qualified suppliers",
    "cryogenics-and-vacuum": "share lessons from commissioning its cryoplant",
    "power-systems": "share its experience of large power supplies and grid connection",
    "codes-and-standards": "help establish shared codes and standards for fusion components",
    "staff-and-skills": "host secondments and open its training courses",
    "financing": "signal to public funders which technologies are mature",
}

OPENINGS = ["In the last two years", "Since our last funding round", "Over the past campaign",
            "This year", "In a series of experiments"]
SCALE_SENTENCES = {
    Scale.LAB_EXPERIMENT: "These are laboratory-scale results; the next step is a prototype.",
    Scale.PROTOTYPE_DEVICE: "The results come from a prototype device, not yet an integrated "
                            "machine.",
    Scale.INTEGRATED_DEVICE: "The results were obtained on an integrated device with all main "
                             "systems operating together.",
    Scale.PILOT_PLANT_DESIGN: "These results now feed the conceptual design of our pilot plant.",
}
CLOSINGS = ["We will show the data behind these results.",
            "The talk presents the measurements and their uncertainties.",
            "We will also discuss what did not work.",
            "We present the results together with our independent reviewers' comments."]
CHALLENGE_LEADS = ["The hardest remaining problem is", "Our main challenge is",
                   "What stands between us and a pilot plant is", "We still need to solve"]
HELP_LEADS = ["ITER could", "It would help us most if ITER could", "We ask that ITER",
              "The most useful step would be for ITER to"]
TITLES = ["{result}", "{result}: results from a {approach} programme",
          "{company}: progress and open problems",
          "From prototype to pilot plant: the {company} {approach} path",
          "What our {approach} campaign taught us about {topic}",
          "{topic_cap}: the open problem of the {approach} route"]


def _visibility(index: int, question: int) -> str:
    """Mostly public; some aggregate-only and some confidential answers, varied by question."""
    mark = (index * 7 + question * 3) % 10
    if mark == 0 or (question == 2 and mark == 4):
        return Visibility.CONFIDENTIAL
    if mark in (1, 5) or (question == 3 and mark == 8):
        return Visibility.AGGREGATE
    return Visibility.PUBLIC


def _compose(index: int, company: str, approach: str) -> dict:
    rng = random.Random(f"fusionforum-demo-cfp-{index}")  # noqa: S311 - synthetic text
    spec = APPROACH[approach]
    device, result, method = (rng.choice(spec["device"]), rng.choice(spec["result"]),
                              rng.choice(spec["method"]))
    scale = rng.choice(SCALES[approach])
    challenge_slugs = rng.sample(spec["challenges"], k=rng.randint(1, 3))
    if rng.random() < 0.35:
        challenge_slugs.append(rng.choice(["financing", "staff-and-skills",
                                           "licensing-and-nuclear-safety"]))
    challenge_slugs = list(dict.fromkeys(challenge_slugs))
    help_slugs = list(dict.fromkeys(rng.sample(spec["help"], k=rng.randint(1, 2))))
    figures = [(label, _vary(rng, value), unit)
               for label, value, unit in rng.sample(spec["figures"], k=rng.randint(0, 3))]

    breakthroughs = (
        f"{rng.choice(OPENINGS)}, {device} achieved {result}. We did it {method}. "
        f"{SCALE_SENTENCES[scale]} {rng.choice(CLOSINGS)}"
    )
    challenge_parts = [CATEGORY_PHRASES[slug] for slug in challenge_slugs]
    challenges = (
        f"{rng.choice(CHALLENGE_LEADS)} {challenge_parts[0]}."
        + (f" We also face {'; and '.join(challenge_parts[1:])}." if len(challenge_parts) > 1
           else "")
        + rng.choice([" None of this is specific to our approach alone.",
                      " We expect this to set our schedule more than physics does.",
                      " We are working with suppliers on this but progress is slow.", ""])
    )
    help_parts = [HELP_PHRASES[slug] for slug in help_slugs]
    iter_help = (
        f"{rng.choice(HELP_LEADS)} {help_parts[0]}."
        + (f" In addition, ITER could {help_parts[1]}." if len(help_parts) > 1 else "")
        + rng.choice([" A framework for such exchanges with private companies would help "
                      "everyone.", " We would contribute our own data in return.",
                      " Even informal contact between engineers would save us months.", ""])
    )
    topic = CATEGORY_PHRASES[challenge_slugs[0]].split(" that ")[0].split(" at ")[0]
    result_short = result.split(" within ")[0].split(" for ")[0]
    title = rng.choice(TITLES).format(
        result=result_short[0].upper() + result_short[1:],
        approach=("alternative-concept" if approach == A.OTHER
                  else Organisation.Approach(approach).label.lower().split(" /")[0]),
        company=company.replace(" (fictional)", ""), topic=topic,
        topic_cap=topic[0].upper() + topic[1:])
    abstract = (f"{company.replace(' (fictional)', '')} presents how {device} achieved "
                f"{result}, the problems left to solve and where ITER's experience would "
                f"help. Synthetic demonstration submission.")
    return {
        "title": title[0].upper() + title[1:], "abstract": abstract,
        "breakthroughs": breakthroughs, "breakthrough_scale": scale,
        "challenges": challenges, "iter_help": iter_help,
        "challenge_slugs": challenge_slugs, "help_slugs": help_slugs, "figures": figures,
    }


def _vary(rng, value: str) -> str:
    """The same kind of figure, a different plausible value for each company."""
    number = decimal.Decimal(value) * decimal.Decimal(str(rng.choice(
        [0.6, 0.75, 0.8, 0.9, 1, 1.1, 1.25, 1.4])))
    return f"{number:.2g}" if number < 100 else str(int(number.quantize(decimal.Decimal(1))))


def _call(event) -> CallSettings:
    start = dt.datetime.combine(event.start_date, dt.time(18), tzinfo=DEMO_TZ)
    closes = min(start - dt.timedelta(days=21), clock.now() - dt.timedelta(days=1))
    call, _ = CallSettings.objects.update_or_create(event=event, defaults={
        "opens_at": closes - dt.timedelta(days=60), "closes_at": closes,
        "introduction": (
            "Private fusion companies are invited to present their work on the first two days "
            "of the workshop by answering **three questions**. For each answer you choose "
            "whether it may be quoted, only counted in the outcomes report, or kept "
            "confidential to the organisers and reviewers.\n\n"
            "*Demonstration call: every submission shown is synthetic.*"),
        "default_duration_minutes": 20, "max_slides_mb": 20, "reviews_per_submission": 3,
    })
    return call


def _speaker_email(first: str, last: str) -> str:
    return f"{first.lower()}.{last.lower()}@demo-speakers.fusionforum.invalid"


def _speaker(event, organisation, first: str, last: str, moment, organiser) -> User:
    """A demo speaker, registered like anyone else (submitted, then approved by the organiser,
    through the registration services) at the moment of their submission."""
    email = _speaker_email(first, last)
    person = User.objects.filter(email=email).first()
    if person is None:
        person = create_demo_user(
            email, full_name=f"{first} {last} (demo)",
            organisation=organisation, email_verified_at=moment)
    if not Registration.objects.filter(event=event, user=person, status__in=ACTIVE).exists():
        with clock.frozen(moment):
            registration = registration_services.submit(
                event, person, organisation=organisation,
                answers=registration_demo.answers_for(event, person.pk),
                consent_public_list=True)
            if registration.status == Status.PENDING:
                registration_services.approve(registration, by=organiser)
    return person


def _make_room_for_speakers(event, organiser, emails: list[str]) -> None:
    """Speakers hold seats: the organiser adds one seat per speaker not yet registered (through
    the seat service, so no pool is ever oversold), before they register."""
    reg_settings = RegistrationSettings.objects.filter(event=event).first()
    if reg_settings is None:
        return
    registered = set(Registration.objects.filter(event=event, status__in=ACTIVE,
                                                 user__email__in=emails)
                     .values_list("user__email", flat=True))
    missing = len(set(emails) - registered)
    if missing:
        registration_services.change_seats(
            event, capacity=reg_settings.capacity + missing,
            reserved={r.organisation_kind: r.seats for r in reg_settings.reserved.all()},
            by=organiser)


@transaction.atomic
def load(event) -> str:
    call = _call(event)
    install_defaults(event)
    categories = {c.slug: c for c in Category.objects.filter(event=event)}
    if Submission.objects.filter(event=event).exists():
        return (f"Call: closed {call.closes_at:%Y-%m-%d}, "
                f"{Submission.objects.filter(event=event).count()} submissions (kept)")

    organiser = (TeamMembership.objects.filter(event=event, role=TeamMembership.Role.ORGANISER)
                 .select_related("user").first().user)
    _make_room_for_speakers(event, organiser, [
        _speaker_email(FIRST[(index * 2 + n) % len(FIRST)], LAST[(index + n) % len(LAST)])
        for index in range(len(COMPANIES)) for n in range(1 + (index % 3 == 0))])
    speakers_total = 0
    for index, (name, country, approach) in enumerate(COMPANIES):
        moment = call.opens_at + dt.timedelta(days=2 + index * 55 // len(COMPANIES),
                                              hours=index % 9)
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": Organisation.Kind.PRIVATE_DEVELOPER,
                                 "country": country, "fusion_approach": approach})
        count = 1 + (index % 3 == 0)
        people = [_speaker(event, organisation, FIRST[(index * 2 + n) % len(FIRST)],
                           LAST[(index + n) % len(LAST)], moment, organiser)
                  for n in range(count)]
        speakers_total += count
        text = _compose(index, name, approach)
        submission = Submission.objects.create(
            event=event, organisation=organisation, created_by=people[0],
            created_at=moment, title=text["title"][:200], abstract=text["abstract"],
            breakthroughs=text["breakthroughs"], breakthroughs_visibility=_visibility(index, 1),
            breakthrough_scale=text["breakthrough_scale"], challenges=text["challenges"],
            challenges_visibility=_visibility(index, 2), iter_help=text["iter_help"],
            iter_help_visibility=_visibility(index, 3),
            language="en",  # the demo's answers are written in English
        )
        for position, person in enumerate(people):
            Speaker.objects.create(submission=submission, user=person, position=position)
        for position, (label, value, unit) in enumerate(text["figures"]):
            KeyFigure.objects.create(submission=submission, label=label,
                                     value=decimal.Decimal(value), unit=unit,
                                     position=position)
        submission.challenge_categories.set([categories[s] for s in text["challenge_slugs"]
                                             if s in categories])
        submission.help_categories.set([categories[s] for s in text["help_slugs"]
                                        if s in categories])
        with clock.frozen(moment + dt.timedelta(days=1)):
            lifecycle.move(submission, SubmissionState.SUBMITTED, by=people[0],
                           note="Demo submission")
    return (f"Call: closed {call.closes_at:%Y-%m-%d}, {len(COMPANIES)} synthetic submissions "
            f"from fictional developers, {speakers_total} demo speakers")

