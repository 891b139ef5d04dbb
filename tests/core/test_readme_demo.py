"""README.md's demo accounts say true things: the claims it makes about named demo people are
checked against a loaded demo, and the figures `load_demo` prints are the registration desk's.
The seat table of every event in the demo adds up (see tests/registration/test_seat_invariants.py
for random histories)."""

from __future__ import annotations

import html.parser
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from fusionforum.accounts.models import User
from fusionforum.events.demo import DEMO_PARTICIPANT, DEMO_SLUG, DEMO_VISITOR
from fusionforum.events.models import Event
from fusionforum.programme.agenda import starred_codes
from fusionforum.registration.models import Registration
from fusionforum.vault.models import AccessRecord, ClearanceStatus
from fusionforum.visits.models import Seat
from tests.conftest import login_verified
from tests.demo_snapshot import load_full_demo
from tests.registration.test_seat_invariants import check_table

pytestmark = pytest.mark.django_db

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
DOMAIN = "demo.fusionforum.invalid"
PASSWORD = "demo-organiser-password"
STATES = {"pending approval": "pending", "on the waiting list": "waitlisted",
          "offered a seat": "offered", "cancelled": "cancelled"}


class Tables(html.parser.HTMLParser):
    """Every table of a page as rows of cell texts."""

    def __init__(self, text):
        super().__init__()
        self.tables, self.row, self.cell = [], None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None


def landing(email):
    response = Client().post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, email
    return response["Location"]


@pytest.fixture
def demo(clock):
    # The demo restored (its snapshot was made by a real load), then the command run again as
    # `make demo` reruns it: what it prints is checked against the desk.
    load_full_demo(clock.now().date())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return Event.objects.get(slug=DEMO_SLUG), out.getvalue()


def test_the_readme_demo_accounts_say_true_things(demo):
    event, printed = demo

    # The participant the README names: confirmed, badge, starred talks, her data.
    named = re.search(r"\| participant \| `([^`]+)`", README).group(1)
    assert named == DEMO_PARTICIPANT
    ada = User.objects.get(email=named)
    assert Registration.objects.get(event=event, user=ada, status__in=["confirmed"])
    assert landing(named) == f"/{DEMO_SLUG}/registration/"
    client = Client()
    client.force_login(ada)
    assert "Confirmed" in client.get(f"/{DEMO_SLUG}/registration/").content.decode()
    badge = client.get(f"/{DEMO_SLUG}/registration/badge.pdf")
    assert badge.status_code == 200 and badge.content.startswith(b"%PDF")
    # Her visa invitation letter, and the public check of it.
    assert "/registration/visa-letter/" in README
    assert "EXAMPLE Ada (demo)" in client.get(
        f"/{DEMO_SLUG}/registration/visa-letter/").content.decode()
    letter = ada.registrations.get(event=event).visa_letters.get(superseded_at__isnull=True)
    checked = Client().get(f"/{DEMO_SLUG}/visa-letters/check/",
                           {"number": letter.number, "code": letter.code}).content.decode()
    assert "is valid" in checked and "EXAMPLE Ada (demo)" in checked
    agenda = client.get(f"/{DEMO_SLUG}/agenda/").content.decode()
    starred = starred_codes(ada, event)
    assert len(starred) == 3 and ".ics" in agenda
    assert all(f"/talks/{code}/unstar/" in agenda for code in starred)
    profile = client.get("/accounts/profile/").content.decode()
    assert "/accounts/export/" in profile and "/accounts/delete/" in profile
    assert client.get("/accounts/export/").status_code == 200

    # The other states, each shown by the person the README names for it.
    named_states = re.findall(r"`(\w+)\.example@…` (" + "|".join(STATES) + ")", README)
    assert {state for _, state in named_states} == set(STATES)
    for first, state in named_states:
        registration = (Registration.objects.filter(event=event,
                                                    user__email=f"{first}.example@{DOMAIN}")
                        .order_by("-id").first())
        assert registration.status == STATES[state], (first, state)

    # The visitor: holds tour seats, site access approved, and their meetings.
    visitor = re.search(r"`(\w+)\.example@…` holds seats", README).group(1)
    assert f"{visitor}.example@{DOMAIN}" == DEMO_VISITOR
    assert f"(`{visitor}.example@…`: approved)" in README
    bo = User.objects.get(email=DEMO_VISITOR)
    assert Seat.objects.filter(run__tour__event=event, user=bo, status="held").exists()
    assert AccessRecord.objects.get(event=event, user=bo).status == ClearanceStatus.APPROVED
    client.force_login(bo)
    assert client.get(f"/{DEMO_SLUG}/visits/").status_code == 200
    assert "approved" in client.get(f"/{DEMO_SLUG}/site-access/").content.decode().lower()
    meetings = client.get(f"/{DEMO_SLUG}/meetings/").content.decode()
    assert "You have no meeting" not in meetings

    # The expert lands on a day with meetings; staff on /manage/ (after the second factor).
    assert landing(f"expert@{DOMAIN}") == f"/{DEMO_SLUG}/expert/"
    client.force_login(User.objects.get(email=f"expert@{DOMAIN}"))
    assert "You have no meeting" not in client.get(f"/{DEMO_SLUG}/expert/").content.decode()
    for staff in ("organiser", "reviewer", "security", "admin"):
        assert "next=%2Fmanage%2F" in landing(f"{staff}@{DOMAIN}"), staff

    # Who may start events: the README says the organiser is an event creator.
    import rules

    assert "in the demo the organiser is one" in README
    for who, may in (("organiser", True), ("admin", True), ("reviewer", False),
                     ("security", False)):
        user = User.objects.get(email=f"{who}@{DOMAIN}")
        assert rules.has_perm("events.create_event", user) is may, who
    assert event.status == "published"
    clone = Event.objects.filter(slug=f"{DEMO_SLUG}-2028").first()
    if clone is not None:
        assert clone.status == "draft" and clone.series_id == event.series_id is not None

    # What load_demo printed is what the desk shows.
    line = next(text.strip() for text in printed.splitlines()
                if text.strip().startswith("Registration desk:"))
    organiser = login_verified(Client(), User.objects.get(email=f"organiser@{DOMAIN}"))
    desk = organiser.get(f"/manage/{DEMO_SLUG}/registrations/")
    assert desk.status_code == 200
    pools, statuses = Tables(desk.content.decode()).tables[:2]
    *rows, totals = pools[1:]
    total = sum(int(count) for _, count in statuses[1:])
    assert line.startswith(f"Registration desk: {total} registrations, ")
    for label, count in statuses[1:]:
        if int(count):
            assert f"{count} {label.lower()}" in line
    assert totals[0] == "All seats"
    assert f"seats taken {totals[2]} of {totals[1]}, {totals[3]} free" in line
    for label, seats, taken, _free in rows:
        assert f"{label} {taken} of {seats}" in line
        assert int(taken) <= int(seats)
    # Every event of the demo (the workshop and its cloned edition) adds up.
    for each in Event.objects.filter(registration_settings__isnull=False):
        check_table(each)
