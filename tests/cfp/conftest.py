"""Shared fixtures for the call for presentations (used by the call, review and programme tests).

- ``call``: the event's CallSettings, open at the ``clock`` moment (20 May 2027, 12:00 Paris):
  opened 1 April 2027, closes 24 May 2027 18:00 Paris; the default categories installed.
- ``make_cfp_organisation(name=None, approach="tokamak", kind="private_developer")``
- ``make_participant(organisation=None, verified=True, status="confirmed", **user_fields)``:
  a user of ``organisation`` with a registration for ``event`` in ``status`` (a row written
  directly, no seat rules involved; the event gets open RegistrationSettings with 200 seats).
- ``org_a``, ``org_b``; ``author`` and ``colleague`` (participants of org A), ``outsider``
  (participant of org B).
- ``make_submission(organisation=None, author=None, speakers=None, state="draft",
  key_figures=(), challenge_categories=(), help_categories=(), **fields)``: a complete
  submission; ``state`` is reached through ``cfp.lifecycle.move`` (so the transition log is
  real), e.g. ``state="accepted"`` goes draft → submitted → accepted.
- ``make_reviewer(**user_fields)``: a reviewer of ``event`` (team role REVIEWER).
- ``other_event_organiser``: an organiser of a different event.
- ``pdf_bytes(text="Slides")``: a small valid PDF; ``png_bytes(w, h)``: a small PNG.
"""

from __future__ import annotations

import io

import pytest

from fusionforum.accounts.models import Organisation, User
from fusionforum.core import clock as business_clock

from ..conftest import paris

SUBMIT_PATH = {
    "draft": [],
    "submitted": ["submitted"],
    "accepted": ["submitted", "accepted"],
    "rejected": ["submitted", "rejected"],
    "waitlisted": ["submitted", "waitlisted"],
    "confirmed": ["submitted", "accepted", "confirmed"],
    "withdrawn": ["withdrawn"],
}


@pytest.fixture
def call(event, clock):
    from fusionforum.cfp.categories import install_defaults
    from fusionforum.cfp.models import CallSettings

    settings = CallSettings.objects.create(
        event=event, opens_at=paris(2027, 4, 1), closes_at=paris(2027, 5, 24, 18, 0),
        introduction="Tell us about **your** progress.", default_duration_minutes=20,
        max_slides_mb=2, reviews_per_submission=2,
    )
    install_defaults(event)
    return settings


@pytest.fixture
def make_cfp_organisation(db):
    counter = {"n": 0}

    def factory(name=None, approach=Organisation.Approach.TOKAMAK,
                kind=Organisation.Kind.PRIVATE_DEVELOPER, **extra):
        counter["n"] += 1
        organisation = Organisation(
            name=name or f"Fictional Fusion Org {counter['n']}", kind=kind,
            country=extra.pop("country", "FR"),
            fusion_approach=approach if kind == Organisation.Kind.PRIVATE_DEVELOPER else "",
            **extra,
        )
        organisation.full_clean()
        organisation.save()
        return organisation

    return factory


@pytest.fixture
def make_participant(db, event, make_cfp_organisation):
    from fusionforum.registration.models import Registration, RegistrationSettings

    counter = {"n": 0}
    RegistrationSettings.objects.get_or_create(event=event, defaults={
        "opens_at": paris(2027, 3, 1), "closes_at": paris(2027, 5, 25), "capacity": 200,
        "delegates_per_organisation": 10, "requires_approval": False})

    def factory(organisation=None, verified=True, status="confirmed", **extra):
        counter["n"] += 1
        organisation = organisation or make_cfp_organisation()
        user = User.objects.create_user(
            extra.pop("email", f"speaker{counter['n']}@test.invalid"), "a-long-test-password",
            full_name=extra.pop("full_name", f"Speaker {counter['n']}"),
            organisation=organisation,
            email_verified_at=paris(2027, 3, 1) if verified else None, **extra,
        )
        if status:
            Registration.objects.create(event=event, user=user, organisation=organisation,
                                        status=status, submitted_at=paris(2027, 4, 2),
                                        seat_pool="general" if status == "confirmed" else "")
        return user

    return factory


@pytest.fixture
def org_a(make_cfp_organisation):
    return make_cfp_organisation("Fictional Helix Fusion", approach="stellarator")


@pytest.fixture
def org_b(make_cfp_organisation):
    return make_cfp_organisation("Fictional Pinch Power", approach="z_pinch")


@pytest.fixture
def author(make_participant, org_a):
    return make_participant(org_a, email="author@test.invalid", full_name="Ada Author")


@pytest.fixture
def colleague(make_participant, org_a):
    return make_participant(org_a, email="colleague@test.invalid", full_name="Cole Colleague")


@pytest.fixture
def outsider(make_participant, org_b):
    return make_participant(org_b, email="outsider@test.invalid", full_name="Otto Outsider")


@pytest.fixture
def make_reviewer(db, event, make_user):
    from fusionforum.events.models import TeamMembership

    counter = {"n": 0}

    def factory(**extra):
        counter["n"] += 1
        user = make_user(extra.pop("email", f"reviewer{counter['n']}@test.invalid"),
                         full_name=extra.pop("full_name", f"Reviewer {counter['n']}"), **extra)
        TeamMembership.objects.create(event=event, user=user,
                                      role=TeamMembership.Role.REVIEWER)
        return user

    return factory


@pytest.fixture
def other_event_organiser(make_event, make_user):
    from fusionforum.events.models import TeamMembership

    other = make_event(slug="other-workshop", title="Another Test Workshop", with_days=False)
    user = make_user("other-organiser@test.invalid", full_name="Oscar Other")
    TeamMembership.objects.create(event=other, user=user, role=TeamMembership.Role.ORGANISER)
    return user


@pytest.fixture
def make_submission(event, call, make_participant):
    from fusionforum.cfp import lifecycle
    from fusionforum.cfp.models import Category, KeyFigure, Speaker, Submission

    counter = {"n": 0}

    def factory(organisation=None, author=None, speakers=None, state="draft", key_figures=(),
                challenge_categories=(), help_categories=(), **fields):
        counter["n"] += 1
        if author is None:
            author = make_participant(organisation)
        organisation = organisation or author.organisation
        values = {
            "title": f"Synthetic progress report {counter['n']}",
            "abstract": "A synthetic abstract about a fictional fusion device.",
            "breakthroughs": "We reached a synthetic milestone on a fictional device.",
            "breakthrough_scale": "prototype_device",
            "challenges": "Synthetic challenges remain in materials.",
            "iter_help": "Synthetic request: access to ITER test data.",
            "created_at": business_clock.now(),
        }
        values.update(fields)
        submission = Submission.objects.create(event=event, organisation=organisation,
                                               created_by=author, **values)
        for position, person in enumerate(speakers if speakers is not None else [author]):
            Speaker.objects.create(submission=submission, user=person, position=position)
        for position, figure in enumerate(key_figures):
            label, value, unit = figure
            KeyFigure.objects.create(submission=submission, label=label, value=value,
                                     unit=unit, position=position)
        categories = {c.slug: c for c in Category.objects.filter(event=event)}
        submission.challenge_categories.set(
            [categories[c] if isinstance(c, str) else c for c in challenge_categories])
        submission.help_categories.set(
            [categories[c] if isinstance(c, str) else c for c in help_categories])
        for target in SUBMIT_PATH[state]:
            lifecycle.move(submission, target, by=author)
        submission.refresh_from_db()
        return submission

    return factory


def make_pdf(text: str = "Synthetic slides", *, pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_image(width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (30, 90, 160))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes():
    return make_pdf


@pytest.fixture
def png_bytes():
    return make_image
