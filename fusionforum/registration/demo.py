"""The demo workshop's registration: a form, organisations of every kind, and people in every
state. All organisations and people are fictional."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fusionforum.accounts.models import Organisation, User
from fusionforum.core import clock
from fusionforum.events.demo import (
    DEMO_FRENCH_PARTICIPANT,
    DEMO_PARTICIPANT,
    DEMO_TZ,
    create_demo_user,
)
from fusionforum.events.models import TeamMembership

from . import services
from .capacity import GENERAL
from .models import (
    Question,
    Registration,
    RegistrationSettings,
    ReservedSeats,
    VisaLetterSettings,
)
from .states import ACTIVE, Status

K = Organisation.Kind
A = Organisation.Approach

ORGANISATIONS = [
    ("Aurora Tokamak Systems (fictional)", K.PRIVATE_DEVELOPER, "GB", A.TOKAMAK),
    ("Compact Sphere Energy (fictional)", K.PRIVATE_DEVELOPER, "US", A.SPHERICAL_TOKAMAK),
    ("Helix Stellarator Works (fictional)", K.PRIVATE_DEVELOPER, "DE", A.STELLARATOR),
    ("Lumen Inertial Power (fictional)", K.PRIVATE_DEVELOPER, "US", A.LASER_INERTIAL),
    ("Piston Plasma Dynamics (fictional)", K.PRIVATE_DEVELOPER, "CA", A.MAGNETO_INERTIAL),
    ("Pinch Point Fusion (fictional)", K.PRIVATE_DEVELOPER, "US", A.Z_PINCH),
    ("Reversed Field Ventures (fictional)", K.PRIVATE_DEVELOPER, "JP", A.FRC),
    ("Mirror Line Energy (fictional)", K.PRIVATE_DEVELOPER, "FR", A.MIRROR),
    ("Cryo Components Example Ltd (fictional)", K.SUPPLIER, "IT", ""),
    ("Superconductor Sample Works (fictional)", K.SUPPLIER, "KR", ""),
    ("National Plasma Laboratory of Exampleland (fictional)", K.PUBLIC_LAB, "ES", ""),
    ("Demo Energy Agency (fictional)", K.PUBLIC_LAB, "BE", ""),
    ("University of Placeholder, Plasma Group (fictional)", K.ACADEMIA, "NL", ""),
    ("Example Climate Capital (fictional)", K.INVESTOR, "CH", ""),
    ("Fusion Weekly Example (fictional)", K.MEDIA, "GB", ""),
    ("Independent Consultants Example (fictional)", K.OTHER, "SE", ""),
]

FIRST = ["Ada", "Bo", "Cleo", "Dara", "Eli", "Fen", "Gus", "Hana", "Ivo", "Juno", "Kai", "Lior",
         "Mika", "Nour", "Oli", "Pia", "Quin", "Remy", "Sol", "Tam", "Uma", "Vik", "Wren", "Xia",
         "Yan", "Zoe"]

QUESTIONS = [
    ("Job title", Question.Kind.TEXT, True, [], Question.Visibility.PARTICIPANT_LIST),
    ("Dietary requirements", Question.Kind.SINGLE_CHOICE, True,
     ["None", "Vegetarian", "Vegan", "Halal", "Kosher", "Other (tell us by e-mail)"],
     Question.Visibility.ORGANISERS),
    ("Which day-3 tours interest you?", Question.Kind.MULTIPLE_CHOICE, False,
     ["Main worksite tour", "Cryogenics plant", "Reactive power compensation",
      "Magnet conversion buildings", "Repair workshops"], Question.Visibility.ORGANISERS),
    ("Do you need a visa invitation letter?", Question.Kind.YES_NO, True, [],
     Question.Visibility.ORGANISERS),
    ("Nationality", Question.Kind.COUNTRY, False, [], Question.Visibility.ORGANISERS),
    ("Arrival date", Question.Kind.DATE, False, [], Question.Visibility.ORGANISERS),
]


def answers_for(event, index: int) -> dict:
    """Plausible answers to the demo form (the other demo loaders register people too)."""
    return _answers(event, index)


def _answers(event, index: int) -> dict:
    by_label = {q.label: q for q in event.questions.all()}
    return {
        str(by_label["Job title"].pk): ["Chief engineer", "Head of partnerships",
                                        "Plasma physicist", "Procurement lead"][index % 4],
        str(by_label["Dietary requirements"].pk): ["None", "Vegetarian", "Vegan"][index % 3],
        str(by_label["Which day-3 tours interest you?"].pk):
            [["Main worksite tour"], ["Cryogenics plant", "Repair workshops"]][index % 2],
        str(by_label["Do you need a visa invitation letter?"].pk): index % 5 == 0,
    }


@transaction.atomic
def load(event) -> str:
    today = event.start_date
    window = {
        # Opens before the call for presentations, so its speakers could register with it.
        "opens_at": dt.datetime.combine(today - dt.timedelta(days=90), dt.time(9), tzinfo=DEMO_TZ),
        "closes_at": dt.datetime.combine(event.end_date, dt.time(18), tzinfo=DEMO_TZ),
    }
    reg_settings = RegistrationSettings.objects.filter(event=event).first()
    if reg_settings is None:
        reg_settings = RegistrationSettings.objects.create(
            event=event, **window, capacity=20, delegates_per_organisation=3,
            requires_approval=True, offer_hold_hours=48, public_list_enabled=True)
        ReservedSeats.objects.create(settings=reg_settings, organisation_kind=K.PUBLIC_LAB,
                                     seats=4)
    else:
        # A reload moves the window with the workshop's days; the seats are the organisers'
        # (and the other demo loaders', through the seat service): never reset under people
        # who hold one.
        RegistrationSettings.objects.filter(pk=reg_settings.pk).update(**window)
    for position, (label, kind, required, choices, visibility) in enumerate(QUESTIONS):
        Question.objects.update_or_create(
            event=event, label=label,
            defaults={"kind": kind, "required": required, "choices": choices,
                      "visibility": visibility, "position": position})

    organisations = []
    for name, kind, country, approach in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "country": country,
                                 "fusion_approach": approach,
                                 "website": ""})
        organisations.append(organisation)

    organiser = TeamMembership.objects.filter(event=event).select_related("user").first().user
    people = []
    for index, first in enumerate(FIRST):
        organisation = organisations[index % len(organisations)]
        email = f"{first.lower()}.example@demo.fusionforum.invalid"
        person = User.objects.filter(email=email).first()
        language = "fr" if email == DEMO_FRENCH_PARTICIPANT else ""
        if person is None:
            person = create_demo_user(
                email, full_name=f"{first} Example (demo)",
                organisation=organisation, email_verified_at=clock.now(),
                preferred_language=language)
        elif language and person.preferred_language != language:
            User.objects.filter(pk=person.pk).update(preferred_language=language)
        people.append(person)

    if not Registration.objects.filter(event=event, user__in=people).exists():
        # Everyone registers; the organiser approves most of them in order, which fills the
        # seats and the waiting list; one confirmed person cancels, so the first waiting person
        # gets an offer; the last three stay pending. Ada (the README's participant) is
        # confirmed and keeps her seat.
        for index, person in enumerate(people):
            services.submit(event, person, organisation=person.organisation,
                            answers=_answers(event, index), consent_public_list=index % 4 != 3)
        pending = list(Registration.objects.filter(event=event, status=Status.PENDING)
                       .order_by("submitted_at", "id"))
        for registration in pending[:-3]:
            services.approve(registration, by=organiser)
        leaving = (Registration.objects.filter(event=event, status=Status.CONFIRMED,
                                               seat_pool=GENERAL, user__in=people)
                   .exclude(user__email=DEMO_PARTICIPANT).order_by("-id").first())
        services.cancel(leaving, by=leaving.user, note="Demo: cannot travel")

    letter = _visa_letters(event, organiser)

    mine = Registration.objects.filter(event=event, user__in=people)
    counts = {status.label: mine.filter(status=status).count()
              for status in Status if mine.filter(status=status).exists()}
    return (f"Registration: {len(organisations)} organisations, {len(people)} demo people "
            f"({', '.join(f'{n} {label.lower()}' for label, n in counts.items())}); "
            f"{DEMO_PARTICIPANT} is confirmed"
            + (f", holds visa letter no. {letter.number} (code {letter.code})" if letter else ""))


def _visa_letters(event, organiser):
    """The letter settings (the visa question, a fictional signatory) and a letter for the
    README's participant, who asked for one and is confirmed."""
    from . import visa_letters

    question = Question.objects.get(event=event, label="Do you need a visa invitation letter?")
    VisaLetterSettings.objects.update_or_create(
        event=event, defaults={
            "question": question, "signatory_name": "Dr Demo Signatory (fictional)",
            "signatory_title": "Chair of the organising committee (demo)"})
    registration = Registration.objects.filter(
        event=event, user__email=DEMO_PARTICIPANT, status=Status.CONFIRMED).first()
    if registration is None or not visa_letters.asked_for_letter(
            registration, visa_letters.letter_settings(event)):
        return None
    letter, _new = visa_letters.issue_within(registration, by=registration.user,
                                             passport_name="EXAMPLE Ada (demo)")
    return letter


def desk_summary(event) -> str:
    """What the registration desk shows, in one line (printed at the end of load_demo, after
    every loader that registers people): the same counts as the desk's tables."""
    from .desk_services import capacity_overview

    overview = capacity_overview(event, RegistrationSettings.objects.filter(event=event).first())
    active = sum(row["count"] for row in overview["statuses"] if row["status"] in ACTIVE)
    statuses = ", ".join(f"{row['count']} {row['label'].lower()}"
                         for row in overview["statuses"] if row["count"])
    pools = "; ".join(f"{p['label']} {p['taken']} of {p['seats']}" for p in overview["pools"])
    totals = overview["totals"] or {"seats": 0, "taken": 0, "free": 0}
    return (f"Registration desk: {overview['total']} registrations, {active} active "
            f"({statuses}); seats taken {totals['taken']} of {totals['seats']}, "
            f"{totals['free']} free ({pools})")
