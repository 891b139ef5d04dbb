"""The loaded demo workshop, a second event, and one signed-in client per role of the URL
matrix (``test_url_matrix.py``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from fusionforum.core import clock as business_clock
from tests.conftest import login_verified
from tests.rolled_back import demo_rolled_back

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = dt.date(2027, 5, 26)
SLUG = "demo-workshop"
OTHER_SLUG = "other-workshop"

# role -> (account e-mail, second factor verified). The demo's accounts are the README's; the
# people of the other event and the person with no role are created by ``world``.
ACCOUNTS = {
    "anonymous": (None, False),
    "no role": ("no.role@test.invalid", False),
    "participant": ("bo.example@demo.fusionforum.invalid", False),
    "other participant": ("other.participant@test.invalid", False),
    "speaker": ("esme.fictive@demo-speakers.fusionforum.invalid", False),
    "expert": ("expert@demo.fusionforum.invalid", False),
    "reviewer": ("reviewer@demo.fusionforum.invalid", True),
    "organiser": ("organiser@demo.fusionforum.invalid", True),
    "other organiser": ("other.organiser@test.invalid", True),
    "security officer": ("security@demo.fusionforum.invalid", True),
    "platform admin": ("admin@demo.fusionforum.invalid", True),
    # Staff whose session has not passed the second factor yet.
    "unverified organiser": ("organiser@demo.fusionforum.invalid", False),
    "unverified platform admin": ("admin@demo.fusionforum.invalid", False),
}


def _other_event(demo):
    """A second published event with its own organiser and one confirmed participant, and
    nothing else: they hold roles, but not on the demo workshop."""
    from fusionforum.accounts.models import User
    from fusionforum.events.models import Day, Event, TeamMembership
    from fusionforum.registration.models import Registration

    other = Event.objects.create(
        slug=OTHER_SLUG, title="Other Workshop", start_date=demo.start_date,
        end_date=demo.end_date, venue_name="Elsewhere", venue_address="2 Other Road",
        latitude="45.000000", longitude="5.000000", description="Another event.",
        contact_emails="other@test.invalid", public_email="other@test.invalid",
        status="published")
    Day.objects.create(event=other, date=other.start_date, label="Day 1")
    organiser = User.objects.create_user("other.organiser@test.invalid", "a-long-test-password",
                                         full_name="Other Organiser")
    TeamMembership.objects.create(event=other, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    participant = User.objects.create_user("other.participant@test.invalid",
                                           "a-long-test-password", full_name="Other Participant")
    bo = Registration.objects.get(event=demo, user__email=ACCOUNTS["participant"][0])
    Registration.objects.create(event=other, user=participant, organisation=bo.organisation,
                                status="confirmed", submitted_at=business_clock.now())
    User.objects.create_user("no.role@test.invalid", "a-long-test-password",
                             full_name="Nobody Inparticular")
    return other


def _speaker_files(demo):
    """Slides on the submissions and a photo on their profile (the demo has none),
    so the download addresses answer who may have them rather than 404 for everyone."""
    from django.core.files.base import ContentFile

    from fusionforum.cfp.models import SpeakerProfile, Submission

    email = ACCOUNTS["speaker"][0]
    submission = Submission.objects.filter(event=demo, speaker_links__user__email=email).get()
    submission.slides.save("slides.pdf", ContentFile(b"%PDF-1.4 test slides"), save=False)
    # Every submission shares the file: the reviewer's assigned ones have slides too.
    Submission.objects.filter(event=demo).update(slides=submission.slides.name,
                                                 slides_uploaded_at=business_clock.now())
    profile, _ = SpeakerProfile.objects.get_or_create(event=demo, user=submission.speaker_links
                                                      .get(user__email=email).user)
    profile.photo.save("photo.jpg", ContentFile(b"\xff\xd8\xff\xe0 test photo"), save=False)
    SpeakerProfile.objects.filter(pk=profile.pk).update(photo=profile.photo.name)
    # A new release of the programme publishes them (its snapshot says which talks have
    # slides and which speakers a photo).
    from fusionforum.accounts.models import User
    from fusionforum.programme import releases

    releases.release(demo, by=User.objects.get(email=ACCOUNTS["organiser"][0]),
                     comment="Slides and a photo", notify=False)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo workshop and the other event, loaded once for the module in a transaction
    rolled back after it; each request of the matrix runs in its own rolled-back savepoint."""
    with demo_rolled_back(django_db_blocker, TODAY) as event:
        _other_event(event)
        _speaker_files(event)
        yield event


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One client per role, logged in once (sessions live in the module's transaction)."""
    from fusionforum.accounts.models import User

    made = {}
    with django_db_blocker.unblock():
        for role, (email, verified) in ACCOUNTS.items():
            client = Client()
            if email:
                user = User.objects.get(email=email)
                if verified:
                    login_verified(client, user)
                else:
                    client.force_login(user)
            made[role] = client
    return made
