# ruff: noqa: F811  (the matrix's module fixtures, imported here, are used as arguments)
"""The confidential canaries of the web tests never leave through the API.

Planted in the demo world: a confidential answer of a talk that is in the released programme
(released again after it was written), a confidential meeting topic, and a site-access value
(sealed in the vault). Then every GET route of the API (the URL map walked, so later
resources are searched too), with each list followed to its last page, is read by every
role of the API matrix, sessions and tokens; none of the canaries may appear in any answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest

from fusionforum.core import clock as business_clock
from tests.authorization.conftest import ACCOUNTS, clients, world  # noqa: F401
from tests.authorization.demo_objects import demo_objects
from tests.authorization.test_api_matrix import (  # noqa: F401
    API_MATRIX,
    ROLES,
    api_clients,
    api_path,
    api_routes,
)

pytestmark = pytest.mark.django_db

ANSWER = "CANARY-ANSWER-tritium-breeding-9931"
TOPIC = "CANARY-TOPIC-private-licensing-5521"
SITE_ACCESS = "CANARY-SITE-P9988776"
CANARIES = (ANSWER, TOPIC, SITE_ACCESS)


@pytest.fixture(scope="module")
def planted(world, django_db_blocker):
    from fusionforum.accounts.models import User
    from fusionforum.cfp.models import Submission
    from fusionforum.meetings.models import MeetingRequest
    from fusionforum.programme import releases
    from fusionforum.programme.models import Release
    from fusionforum.vault import services as vault

    with django_db_blocker.unblock():
        latest = Release.objects.filter(event=world).order_by("-version").first()
        code = latest.snapshot["talks"][0]["code"]
        Submission.objects.filter(event=world, code=code).update(
            challenges=f"What we cannot say: {ANSWER}.", challenges_visibility="confidential")
        MeetingRequest.objects.filter(event=world).update(topic=f"Topic: {TOPIC}",
                                                          confidential=True)
        # A confidential answer never enters a snapshot: perhaps there is nothing to release.
        with contextlib.suppress(releases.ReleaseRefused):
            releases.release(world, by=None, comment="After the canaries", notify=False)
        from fusionforum.vault.models import AccessRecord
        from fusionforum.visits.models import Seat

        decided = AccessRecord.objects.filter(event=world, decided_at__isnull=False)
        holder = User.objects.get(pk=Seat.objects.filter(run__tour__event=world).exclude(
            user__in=decided.values("user")).values_list("user", flat=True).first())
        # Sent weeks before the visits, as a participant does (the demo's day is past the
        # deadline); the clock is put back afterwards.
        now = business_clock.now()
        business_clock.set_now(now - dt.timedelta(days=60))
        try:
            vault.submit(world, holder, {
                "given_names": "Bo", "surname": "Example", "nationality": "FR",
                "date_of_birth": "1985-04-12", "place_of_birth": "Testville, France",
                "document_type": "passport", "document_number": SITE_ACCESS,
                "document_expiry": "2031-01-31"})
        finally:
            business_clock.set_now(now)
    return code


def _read_everything(client, objects):
    bodies = {}
    for name, kwargs in sorted(api_routes().items()):
        if "GET" not in API_MATRIX[name].serves:
            continue
        url = api_path(name, kwargs, objects)
        if name.endswith("-list"):
            url += "?page_size=200"
        while url:
            response = client.get(url)
            body = response.content.decode()
            bodies[url] = (response.status_code, body)
            url = None
            if response.status_code == 200 and response["Content-Type"] == "application/json":
                data = json.loads(body)
                url = data.get("next") if isinstance(data, dict) else None
    return bodies


@pytest.mark.parametrize("role", ROLES)
def test_no_canary_in_any_api_answer(world, planted, api_clients, role):
    objects = demo_objects()
    objects["talk"] = planted  # the talk whose answer is confidential
    bodies = _read_everything(api_clients[role], objects)
    assert any(status == 200 for status, _ in bodies.values()) or role.endswith("token")
    leaks = [f"{url}: {canary}" for url, (_status, body) in bodies.items()
             for canary in CANARIES if canary in body]
    assert not leaks, leaks


def test_the_canaries_are_planted_where_the_api_would_find_them(world, planted, api_clients):
    """The sweep reads the talk whose answer is confidential: it is in the programme."""
    response = api_clients["organiser"].get(
        f"/api/v1/events/{world.slug}/programme/talks/{planted}/")
    assert response.status_code == 200
    assert {a["key"] for a in response.json()["answers"]} <= {"breakthroughs", "iter_help"}
    from fusionforum.meetings.models import MeetingRequest

    assert MeetingRequest.objects.filter(topic__contains=TOPIC).exists()
