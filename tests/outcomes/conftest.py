"""Fixtures of the outcomes report tests: an event with synthetic submissions whose answers
carry every visibility, with distinctive phrases to look for in every output."""

from __future__ import annotations

import datetime as dt

import pytest

CONFIDENTIAL_PHRASE = "Quasarwidget Leakcheck"
AGGREGATE_PHRASE = "Aggregonly Marmalade"
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'

# (organisation, kind, approach, challenges, iter_help)
ANSWERS = [
    ("Synthetic Tokamak Alpha", "private_developer", "tokamak",
     "High-temperature superconducting magnets quench under fast ramps; magnet quench "
     "protection is unsolved.",
     "Share magnet quench protection data and superconducting magnet test results."),
    ("Synthetic Stellar Beta", "private_developer", "stellarator",
     "Superconducting magnets with complex coils; quench protection of magnets.",
     "Access to magnet test facilities and superconducting cable qualification data."),
    ("Synthetic Laser Gamma", "private_developer", "laser_inertial",
     "Tritium breeding blankets and tritium fuel cycle accounting remain open.",
     "Tritium handling experience and fuel cycle licensing for tritium plants."),
    ("Synthetic Pinch Delta", "private_developer", "z_pinch",
     "Tritium fuel cycle inventory and tritium permeation through the blanket.",
     "Training on tritium fuel cycle systems and tritium accounting data."),
    ("Synthetic Supplier Epsilon", "supplier", "",
     "Superconducting magnets for several customers at once; magnet coils winding.",
     "Qualified supplier lists for magnets and superconducting cable."),
    ("Synthetic Mirror Zeta", "private_developer", "mirror",
     "Tritium permeation and tritium breeding in liquid blankets. " + CONFIDENTIAL_PHRASE,
     "Tritium licensing help. " + CONFIDENTIAL_PHRASE),
    ("Synthetic FRC Eta", "private_developer", "frc",
     "Magnets and superconducting quench detection. " + AGGREGATE_PHRASE,
     "Magnet test data. " + AGGREGATE_PHRASE),
    ("Synthetic Script Theta", "private_developer", "tokamak",
     "Tritium fuel cycle and tritium breeding " + XSS,
     "Tritium accounting data " + XSS),
]


@pytest.fixture
def outcomes_event(event, organiser, clock):
    """The event with eight submissions: Zeta's answers are confidential, Eta's aggregate
    only, the others public."""
    from fusionforum.accounts.models import Organisation
    from fusionforum.cfp.categories import install_defaults
    from fusionforum.cfp.models import CallSettings, Submission

    CallSettings.objects.create(event=event, opens_at=clock.now() - dt.timedelta(days=60),
                                closes_at=clock.now() - dt.timedelta(days=10))
    categories = {c.slug: c for c in install_defaults(event)}
    for index, (name, kind, approach, challenges, iter_help) in enumerate(ANSWERS):
        organisation = Organisation.objects.create(name=name, kind=kind, country="FR",
                                                   fusion_approach=approach)
        visibility = ("confidential" if "Zeta" in name
                      else "aggregate" if "Eta" in name else "public")
        submission = Submission.objects.create(
            event=event, organisation=organisation, state="submitted",
            title=f"Talk {index}", abstract="Synthetic abstract.", breakthroughs="Synthetic.",
            challenges=challenges, challenges_visibility=visibility,
            iter_help=iter_help, iter_help_visibility=visibility,
            created_at=clock.now(), submitted_at=clock.now())
        slug = ("magnets-and-superconductors" if "agnet" in challenges
                else "tritium-and-fuel-cycle")
        submission.challenge_categories.add(categories[slug])
        submission.help_categories.add(categories[slug])
    # A draft never counts.
    Submission.objects.create(
        event=event, organisation=Organisation.objects.get(name="Synthetic Tokamak Alpha"),
        title="Draft", abstract="x", breakthroughs="x", challenges="Draftonly Phrase magnets",
        iter_help="Draftonly Phrase magnets", created_at=clock.now())
    return event


@pytest.fixture
def organiser_client(client, organiser):
    from tests.conftest import login_verified

    return login_verified(client, organiser)


def name_themes(event, organiser, prefix: str = "Subject") -> None:
    """Give every working theme an organiser's name (automatic names are never published)."""
    from fusionforum.outcomes import services
    from fusionforum.outcomes.models import Theme

    for index, theme in enumerate(Theme.objects.filter(event=event), start=1):
        if not theme.named_by_organiser:
            services.rename_theme(event, theme.pk, f"{prefix} {index}", by=organiser)
