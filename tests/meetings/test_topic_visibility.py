# ruff: noqa: F811  (fixtures imported from test_views are used as arguments)
"""Who reads a meeting's topic (meetings/topics.py): a viewer x confidentiality x purpose
matrix, and a source check that no other module decides on the confidential flag and no
template prints a topic the rule did not return."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import fusionforum
from fusionforum.meetings import topics
from fusionforum.meetings.topics import Purpose, topic_text, visible_topic, with_visible_topics

from .test_views import asked, world  # noqa: F401  (fixtures: two requests, one confidential)

REQUESTING_ORG, OTHER_ORG, EXPERT, OTHER_EXPERT = 11, 12, 21, 22
TOPIC = "Quench detection in HTS cables"

VIEWERS = {
    "requesting organisation": {"viewer_organisation": REQUESTING_ORG},
    "another organisation": {"viewer_organisation": OTHER_ORG},
    "the expert": {"viewer_expert": EXPERT},
    "another expert": {"viewer_expert": OTHER_EXPERT},
    "an expert of another organisation's meeting who is a delegate here":
        {"viewer_organisation": REQUESTING_ORG, "viewer_expert": OTHER_EXPERT},
    "organiser": {"organiser": True},
    "public": {},
}
READS_CONFIDENTIAL_ON_PAGES = {"requesting organisation", "the expert", "organiser",
                               "an expert of another organisation's meeting who is a "
                               "delegate here"}


def _meeting(confidential: bool) -> dict:
    return {"request": 1, "topic": TOPIC, "confidential": confidential, "expert": EXPERT,
            "organisation": REQUESTING_ORG}


def _request(confidential: bool):
    return SimpleNamespace(topic=TOPIC, confidential=confidential, expert_id=EXPERT,
                           organisation_id=REQUESTING_ORG)


@pytest.mark.parametrize("make", [_meeting, _request], ids=["published", "request"])
@pytest.mark.parametrize("purpose", list(Purpose), ids=lambda p: p.value)
@pytest.mark.parametrize("confidential", [False, True], ids=["open", "confidential"])
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_matrix(viewer, confidential, purpose, make):
    readable = (not confidential
                or (purpose is Purpose.PAGE and viewer in READS_CONFIDENTIAL_ON_PAGES))
    meeting = make(confidential)
    shown = visible_topic(meeting, purpose=purpose, **VIEWERS[viewer])
    assert shown == (TOPIC if readable else None)
    assert topic_text(meeting, purpose=purpose, **VIEWERS[viewer]) == (
        TOPIC if readable else topics.HIDDEN[purpose])


def test_pages_get_the_topic_for_their_viewer():
    meetings = with_visible_topics([_meeting(True), _meeting(False)],
                                   viewer_organisation=OTHER_ORG)
    assert [m["visible_topic"] for m in meetings] == [None, TOPIC]
    requests = with_visible_topics([_request(True)], organiser=True)
    assert requests[0].visible_topic == TOPIC


def test_feeds_and_emails_never_carry_a_confidential_topic(event):
    from fusionforum.meetings import agenda, publishing

    meeting = {**_meeting(True), "start": "2027-05-28T09:00:00+02:00",
               "end": "2027-05-28T09:30:00+02:00", "organisation_name": "Org",
               "expert_name": "Expert", "attendee_names": ["A"], "location": ""}
    feed = agenda.calendar(event, [meeting], site_url="https://ff.test.invalid", name="x")
    assert TOPIC.encode() not in feed
    assert b"Confidential topic: see the meetings page." in feed
    line = publishing._line(meeting, event.tz, for_expert=True)
    assert TOPIC not in line and "confidential topic (see the meetings page)" in line


@pytest.mark.django_db
def test_a_published_confidential_topic_stays_on_the_site(client, event, world, people, experts):
    """End to end: after publication, no e-mail and no calendar feed (the requester's or the
    expert's) carries the confidential topic; the other organisation's page does not show it;
    the requester's and the expert's pages do."""
    from django.urls import reverse

    from fusionforum.meetings import agenda
    from fusionforum.notifications.models import OutboundEmail

    secret = "Alpha secret quench plan"
    assert OutboundEmail.objects.exists()
    for email in OutboundEmail.objects.all():
        assert secret not in f"{email.subject}\n{email.body}", email.to
    for user in (people["alice"], experts["mara"].user):
        token = agenda.feed_for(user, event).token
        feed = client.get(reverse("meetings:feed", args=[event.slug, token]))
        assert feed.status_code == 200 and b"Confidential topic" in feed.content
        assert secret.encode() not in feed.content
    home = reverse("meetings:home", args=[event.slug])
    client.force_login(people["bea"])
    assert secret not in client.get(home).content.decode()
    client.force_login(people["alice"])
    assert secret in client.get(home).content.decode()
    client.force_login(experts["mara"].user)
    expert_home = reverse("meetings_expert:home", args=[event.slug])
    assert secret in client.get(expert_home).content.decode()


# Source ------------------------------------------------------------------------------------

ROOT = Path(fusionforum.__file__).parent
PYTHON_RULE = re.compile(r"\.confidential\b|(?<!cleaned_data)\[[\"']confidential[\"']\]"
                         r"|\.get\([\"']confidential[\"']")
ALLOWED = {
    "meetings/topics.py": "the rule itself",
    "meetings/models.py": "the field",
    "meetings/services.py": "stores the flag the delegation chose",
    "meetings/forms.py": "the delegation's choice",
    "meetings/publishing.py": "freezes the flag into a published version",
    "meetings/personal_data.py": "the person's own requests in their data download",
    "cfp/visibility.py": "the call's answer levels (one of them is named confidential)",
}
TOPIC_IN_TEMPLATE = re.compile(r"(?<!form)\.topic\b")
CONFIDENTIAL_IN_TEMPLATE = re.compile(r"\.confidential\b")
BADGE = re.compile(r"\{% if [\w.]+\.confidential %\} <span class=\"badge\">"
                   r"(?:confidential|\{% translate \"confidential\" %\})</span>"
                   r"\{% endif %\}|form\.confidential\b")


def test_no_module_decides_on_the_confidential_flag():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PYTHON_RULE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "Ask fusionforum.meetings.topics instead:\n" + "\n".join(found)


def test_templates_print_only_the_topic_the_rule_returns():
    found = []
    for path in sorted((ROOT / "templates" / "meetings").rglob("*.html")):
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TOPIC_IN_TEMPLATE.search(line):
                found.append(f"{relative}:{number}: prints a topic: {line.strip()}")
            if len(CONFIDENTIAL_IN_TEMPLATE.findall(line)) > len(BADGE.findall(line)):
                found.append(f"{relative}:{number}: decides on the flag: {line.strip()}")
    assert not found, "Print visible_topic (topics.with_visible_topics):\n" + "\n".join(found)


def test_the_source_rules_catch_what_they_are_for():
    assert PYTHON_RULE.search('topic = ("x" if meeting["confidential"] else meeting["topic"])')
    assert PYTHON_RULE.search('if not meeting.get("confidential"):')
    assert TOPIC_IN_TEMPLATE.search("<td>{{ m.topic|linebreaksbr }}</td>")
    assert not TOPIC_IN_TEMPLATE.search("{{ m.visible_topic }} {{ form.topic }}")
