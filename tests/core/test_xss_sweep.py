# ruff: noqa: F811  (fixtures imported from tests/cfp and tests/browser are used as arguments)
"""XSS payloads in every submitted text render inert on every page, export and e-mail they
reach; a browser test asserts no script runs.

One submission carries hostile text in every field a person types (title, abstract, the three
answers, key figure label and unit, a category name, the speaker's bio and full name, the
organisation's name, the session's title and description, the room's name, release comments,
both review comments, internal notes). It goes through submit, review, accept, confirm,
place and two releases with the services; then every page, export and queued e-mail it reaches
is checked."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
import zoneinfo

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.core import mail
from django.test import Client
from icalendar import Calendar

from fusionforum.cfp import review
from fusionforum.cfp import services as cfp_services
from fusionforum.cfp.models import SpeakerProfile
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme import agenda, public, releases
from fusionforum.programme import services as programme_services
from tests.browser.conftest import browser, open_page, screenshot  # noqa: F401
from tests.cfp.conftest import (  # noqa: F401  (fixtures)
    call,
    make_cfp_organisation,
    make_participant,
    make_reviewer,
)
from tests.conftest import login_verified

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def hostile(tag: str, *, markdown: bool = False) -> str:
    """Distinctive payloads: a script element, an image and an SVG with event handlers (and
    for Markdown fields a javascript: link and a placeholder of the e-mail templates)."""
    text = (f'{tag} <script>alert("{tag}-1")</script> <img src=x onerror=alert("{tag}-2")> '
            f'"><svg onload=alert("{tag}-3")>')
    if markdown:
        text += f' [open {tag}](javascript:alert("{tag}-4")) {{{{ confirm_url }}}}'
    return text


SHORT = {  # fields of at most 40 characters
    "UNIT": '"><svg onload=alert("UNIT-3")>',
}
TEXTS = {
    "TITLE": hostile("TITLE") + " {{ confirm_url }}",
    "ABSTRACT": hostile("ABSTRACT", markdown=True),
    "BREAK": hostile("BREAK", markdown=True),
    "CHALL": hostile("CHALL", markdown=True),
    "HELP": hostile("HELP", markdown=True),
    "LABEL": '<img src=x onerror=alert("LABEL-2")>',
    "CAT": 'CAT <script>alert("CAT-1")</script> <svg onload=alert("CAT-3")>',
    "BIO": hostile("BIO", markdown=True),
    "NAME": hostile("NAME"),
    "ORG": hostile("ORG"),
    "SESS": hostile("SESS"),
    "SDESC": hostile("SDESC", markdown=True),
    "ROOM": 'ROOM <script>alert("ROOM-1")</script> <img src=x onerror=alert("ROOM-2")>',
    "REL1": hostile("REL1", markdown=True),
    "REL2": hostile("REL2", markdown=True),
    "CSPK": hostile("CSPK", markdown=True),
    "CORG": hostile("CORG", markdown=True),
    "NOTES": hostile("NOTES", markdown=True),
    **SHORT,
}

LIVE_TAG = re.compile(r"<\s*(script|img|svg|iframe|object|embed)\b[^>]*?"
                      r"(alert|onerror|onload)", re.IGNORECASE)
LIVE_LINK = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""",
                       re.IGNORECASE)


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


@pytest.fixture
def hostile_programme(event, call, organiser, make_cfp_organisation, make_participant,  # noqa: F811
                      make_reviewer, clock):
    """Submitted, reviewed, accepted, confirmed, placed, released twice (the talk moved)."""
    organisation = make_cfp_organisation(name=TEXTS["ORG"])
    author = make_participant(organisation, email="hostile.speaker@test.invalid",
                              full_name=TEXTS["NAME"])
    category = cfp_services.add_category(event, organiser, TEXTS["CAT"])
    content = cfp_services.SubmissionContent(
        title=TEXTS["TITLE"], abstract=TEXTS["ABSTRACT"], breakthroughs=TEXTS["BREAK"],
        breakthrough_scale="prototype_device", challenges=TEXTS["CHALL"],
        iter_help=TEXTS["HELP"], challenge_categories=[category], help_categories=[category],
        speakers=[author],
        key_figures=[cfp_services.KeyFigureData(label=TEXTS["LABEL"],
                                                value=decimal.Decimal("480"),
                                                unit=TEXTS["UNIT"])])
    submission = cfp_services.create_submission(event, author, content, submit=True)
    cfp_services.save_profile(event, author, bio=TEXTS["BIO"])
    cfp_services.set_internal_notes(submission, organiser, TEXTS["NOTES"])

    reviewer = make_reviewer(full_name="Rhea Reviewer", email="rhea@test.invalid")
    review.assign(submission, reviewer, by=organiser)
    review.save_review(submission, reviewer,
                       scores={c.pk: c.max_score for c in review.score_categories(event)},
                       comment_to_organisers=TEXTS["CORG"], comment_to_speaker=TEXTS["CSPK"],
                       submit=True)
    review.decide(submission, "accepted", by=organiser, include_reviewer_comments=True)
    cfp_services.confirm(submission, author)

    room = programme_services.create_room(event, by=organiser, name=TEXTS["ROOM"])
    session = programme_services.create_session(
        event, by=organiser, kind="talks", title=TEXTS["SESS"], description=TEXTS["SDESC"],
        room=room, start=dt.datetime(2027, 5, 26, 9, 30, tzinfo=PARIS),
        end=dt.datetime(2027, 5, 26, 11, 0, tzinfo=PARIS))
    programme_services.place_talk(event, submission, session, by=organiser, start="09:40",
                                  duration_minutes=20)
    releases.release(event, by=organiser, comment=TEXTS["REL1"])
    programme_services.place_talk(event, submission, session, by=organiser, start="10:10",
                                  duration_minutes=20)
    releases.release(event, by=organiser, comment=TEXTS["REL2"])
    agenda.star(author, event, submission.code)
    submission.refresh_from_db()
    return {
        "submission": submission, "author": author, "reviewer": reviewer, "room": room,
        "session": session, "category": category,
        "speaker_code": SpeakerProfile.objects.get(event=event, user=author).code,
        "feed": agenda.feed_for(author, event),
    }


def _clients(organiser, data):
    anonymous = Client()
    author = Client()
    author.force_login(data["author"])
    return {
        "anonymous": anonymous, "author": author,
        "reviewer": login_verified(Client(), data["reviewer"]),
        "organiser": login_verified(Client(), organiser),
    }


def html_pages(event, data):
    """(who, path, tags that page must show) for every HTML page the hostile text reaches."""
    slug, code = event.slug, data["submission"].code
    room, session = data["room"], data["session"]
    everything_public = ["TITLE", "ABSTRACT", "BREAK", "CHALL", "HELP", "LABEL", "UNIT",
                         "CAT", "NAME", "ORG"]
    return [
        # The author's call pages.
        ("author", f"/{slug}/call/", ["TITLE"]),
        ("author", f"/{slug}/call/{code}/edit/", ["TITLE", "ABSTRACT", "BREAK", "CHALL",
                                                  "HELP", "LABEL", "UNIT", "CAT", "NAME"]),
        ("author", f"/{slug}/call/{code}/confirm/", ["TITLE"]),
        ("author", f"/{slug}/call/{code}/withdraw/", ["TITLE"]),
        ("author", f"/{slug}/call/profile/", ["BIO"]),
        # The reviewer's pages.
        ("reviewer", f"/review/{slug}/", ["TITLE"]),
        ("reviewer", f"/review/{slug}/{code}/", ["TITLE", "ABSTRACT", "BREAK", "CHALL", "HELP",
                                                 "LABEL", "UNIT", "CAT", "CSPK", "CORG"]),
        ("reviewer", f"/review/{slug}/conflicts/", []),
        # The organisers' desk, review, editor and release pages.
        ("organiser", f"/manage/{slug}/call/", ["TITLE", "ORG"]),
        ("organiser", f"/manage/{slug}/call/submissions/{code}/",
         everything_public + ["NOTES"]),
        ("organiser", f"/manage/{slug}/call/categories/", ["CAT"]),
        ("organiser", f"/manage/{slug}/call/review/", ["TITLE", "ORG"]),
        ("organiser", f"/manage/{slug}/call/review/s/{code}/", ["TITLE", "CSPK", "CORG"]),
        ("organiser", f"/manage/{slug}/call/review/reviewers/", []),
        ("organiser", f"/manage/{slug}/call/review/reviewers/{data['reviewer'].pk}/",
         ["TITLE"]),
        ("organiser", f"/manage/{slug}/programme/?day=2027-05-26", ["TITLE", "SESS", "ROOM"]),
        ("organiser", f"/manage/{slug}/programme/rooms/", ["ROOM"]),
        ("organiser", f"/manage/{slug}/programme/rooms/{room.pk}/", ["ROOM"]),
        ("organiser", f"/manage/{slug}/programme/sessions/{session.pk}/", ["SESS", "SDESC"]),
        ("organiser", f"/manage/{slug}/programme/releases/", ["REL1", "REL2"]),
        ("organiser", f"/manage/{slug}/programme/releases/1/", ["REL1", "TITLE"]),
        ("organiser", f"/manage/{slug}/programme/releases/2/", ["REL2", "TITLE"]),
        # Public pages.
        ("anonymous", f"/{slug}/programme/", ["TITLE", "SESS", "ROOM", "NAME"]),
        ("anonymous", f"/{slug}/programme/2027-05-26/", ["TITLE", "SESS", "ROOM"]),
        ("anonymous", f"/{slug}/programme/changes/", ["TITLE", "REL2"]),
        ("anonymous", f"/{slug}/talks/{code}/", everything_public + ["SESS", "ROOM"]),
        ("anonymous", f"/{slug}/speakers/", ["NAME"]),
        ("anonymous", f"/{slug}/speakers/{data['speaker_code']}/", ["NAME", "BIO", "TITLE"]),
        ("anonymous", f"/{slug}/agenda/", []),
        ("author", f"/{slug}/agenda/", ["TITLE", "ROOM"]),
        ("author", f"/{slug}/programme/", ["TITLE", "SESS", "ROOM"]),
    ]


def assert_inert_html(html: str, where: str, tags) -> None:
    found = LIVE_TAG.search(html)
    assert found is None, f"{where}: live markup {html[found.start():found.start() + 80]!r}"
    found = LIVE_LINK.search(html)
    assert found is None, f"{where}: javascript: link {html[found.start():found.start() + 80]!r}"
    for tag in tags:
        assert tag in html, f"{where}: the {tag} text is missing"
        shown = re.findall(rf"[^\s>]{{0,24}}script[^\s]{{0,8}}alert\(\S{{0,8}}{tag}-1", html)
        for fragment in shown:  # shown as text, or removed: never a live element
            assert "&lt;script&gt;" in fragment, f"{where}: {fragment!r}"


@pytest.mark.django_db(transaction=True)
def test_hostile_text_is_inert_on_every_page_export_and_email(event, organiser,
                                                               hostile_programme):
    data = hostile_programme
    clients = _clients(organiser, data)
    for who, path, tags in html_pages(event, data):
        response = clients[who].get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        assert response["Content-Type"].startswith("text/html"), path
        assert_inert_html(response.content.decode(), f"{who} {path}", tags)

    slug, code = event.slug, data["submission"].code
    anonymous = clients["anonymous"]
    wanted = {TEXTS[key] for key in ("TITLE", "ABSTRACT", "NAME", "ROOM", "SESS")}

    def strings(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        elif isinstance(value, str):
            yield value

    for path in ("programme.json", "schedule.json"):
        response = anonymous.get(f"/{slug}/programme/{path}")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json"), path
        parsed = json.loads(response.content)
        values = set(strings(parsed))
        assert wanted <= values, (path, wanted - values)
        # Raw "<" is valid inside a JSON string: data, never sniffed as a page.
        assert response["X-Content-Type-Options"] == "nosniff", path
    programme = json.loads(anonymous.get(f"/{slug}/programme/programme.json").content)
    talk = next(t for t in programme["talks"] if t["code"] == code)
    assert talk["title"] == TEXTS["TITLE"] and talk["abstract"] == TEXTS["ABSTRACT"]
    assert talk["answers"]["breakthroughs"]["text"] == TEXTS["BREAK"]
    assert talk["answers"]["breakthroughs"]["key_figures"][0]["label"] == TEXTS["LABEL"]
    assert talk["answers"]["breakthroughs"]["key_figures"][0]["unit"] == TEXTS["UNIT"]
    assert talk["answers"]["iter_help"]["categories"] == [TEXTS["CAT"]]
    assert talk["organisation"]["name"] == TEXTS["ORG"]

    response = anonymous.get(f"/{slug}/programme/schedule.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    texts = {element.text for element in root.iter() if element.text}
    texts |= {value for element in root.iter() for value in element.attrib.values()}
    assert {TEXTS["TITLE"], TEXTS["ABSTRACT"], TEXTS["ROOM"], TEXTS["NAME"]} <= texts
    assert not root.findall(".//script") and not root.findall(".//img")

    calendars = {
        "programme": f"/{slug}/programme/programme.ics",
        "room": f"/{slug}/programme/rooms/{data['room'].pk}.ics",
        "speaker": f"/{slug}/speakers/{data['speaker_code']}.ics",
        "agenda": f"/{slug}/agenda/{data['feed'].token}.ics",
    }
    for name, path in calendars.items():
        response = anonymous.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/calendar"), path
        events = [e for e in Calendar.from_ical(response.content).walk("VEVENT")
                  if str(e["SUMMARY"]) == TEXTS["TITLE"]]
        assert len(events) == 1, name
        assert TEXTS["ROOM"] in str(events[0]["LOCATION"]), name
        assert events[0]["DTSTART"].dt == dt.datetime(2027, 5, 26, 10, 10, tzinfo=PARIS)

    # The organisers' spreadsheet export keeps the text as it was typed.
    response = clients["organiser"].get(f"/manage/{slug}/call/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if code in r)
    assert TEXTS["TITLE"] in row and TEXTS["ORG"] in row and TEXTS["ABSTRACT"] in row

    # E-mails: plain text, hostile text verbatim (neither escaped nor expanded).
    emails = list(OutboundEmail.objects.order_by("pk"))
    purposes = {e.purpose for e in emails}
    assert "cfp-accepted" in purposes, purposes
    confirm_path = f"/{slug}/call/{code}/confirm/"
    for email in emails:
        where = f"{email.purpose} to {email.to}"
        assert "\n" not in email.subject and "&lt;" not in email.subject, where
        assert "&lt;" not in email.body and "&quot;" not in email.body, where
        assert "<html" not in email.body.lower(), where
        if "TITLE <script>" in email.body:
            assert TEXTS["TITLE"] in email.body, f"{where}: the title was altered"
    accepted = next(e for e in emails if e.purpose == "cfp-accepted")
    assert TEXTS["TITLE"] in accepted.body
    assert TEXTS["CSPK"] in accepted.body  # the reviewer's {{ confirm_url }} stays literal
    assert TEXTS["CORG"] not in accepted.body and TEXTS["NOTES"] not in accepted.body
    assert accepted.body.count(confirm_path) == 1, accepted.body
    for message in mail.outbox:  # delivered ones (if delivery ran) carry no HTML part
        assert not getattr(message, "alternatives", None)
        assert message.content_subtype == "plain"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_script_runs_in_chromium(browser, live_server, event, organiser,  # noqa: F811
                                    hostile_programme):
    data = hostile_programme
    clients = _clients(organiser, data)
    contexts = {}
    violations = []
    for who, client in clients.items():
        page = open_page(browser)
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is not None:
            page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                       "value": cookie.value, "url": live_server.url}])
        dialogs = []

        def on_dialog(dialog, dialogs=dialogs):
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', "
            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + "
            "(e.sample || '')));")
        page.dialogs = dialogs
        contexts[who] = page

    for who, path, tags in html_pages(event, data):
        page = contexts[who]
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (who, path)
        page.wait_for_load_state("load")
        if tags:
            assert page.locator("body").inner_text().find(tags[0]) >= 0, (who, path)
        csp = page.evaluate("window.__csp")
        assert csp == [], (who, path, csp)
        assert page.dialogs == [], (who, path, page.dialogs)
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0, path
        assert page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some("
            "a => a.name.startsWith('on'))).length") == 0, path
        if path.endswith("/talks/" + data["submission"].code + "/"):
            screenshot(page, "xss-talk-page")
        if "/manage/" in path and path.endswith("?day=2027-05-26"):
            screenshot(page, "xss-editor")
    assert violations == []
    for page in contexts.values():
        assert [p for p in page.console_problems if "favicon" not in p] == []
        page.context.close()
