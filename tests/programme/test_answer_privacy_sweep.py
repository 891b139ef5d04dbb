"""End to end: an answer that is not public never leaves the site. A released talk whose
answers are confidential (one with key figures) and aggregate only, and a published outcomes
report built from the same call; then every URL of the site's public and participant part
(generated from the URL map, not a hand-kept list) is fetched as an anonymous visitor and as a
participant who starred the talk, and no response, PDF text included, holds any of the
answers' marker words. The release snapshot and the report's frozen data hold none either."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import URLResolver, get_resolver, reverse
from pypdf import PdfReader

from fusionforum.outcomes import services as outcomes
from fusionforum.programme import agenda, public, releases
from tests.outcomes.conftest import ANSWERS, name_themes

pytestmark = pytest.mark.django_db

CONFIDENTIAL_BREAKTHROUGH = "Xylocryptic breakthrough quokkatron"
CONFIDENTIAL_FIGURE = "Cryptofigure Labelzorp"
AGGREGATE_CHALLENGE = "Aggregatum Phrasewomble"
CONFIDENTIAL_HELP = "Hypersecret Iterhelp Flumbus"
MARKERS = [CONFIDENTIAL_BREAKTHROUGH, CONFIDENTIAL_FIGURE, AGGREGATE_CHALLENGE,
           CONFIDENTIAL_HELP, "Zeta-confidential-lithium-blanket-7731"]

# Staff areas (their own authorization tests); the public and participant part is the rest.
STAFF_PREFIXES = ("admin/", "manage/", "review/", "security/")
# Addresses that must have answered 200 at least once, so the sweep cannot pass by reaching
# nothing.
MUST_REACH = {
    "programme:programme", "programme:programme_day", "programme:talk", "programme:speaker",
    "programme:speakers", "programme:changes", "programme:agenda", "programme:agenda_ics",
    "programme_exports:ics", "programme_exports:room_ics", "programme_exports:speaker_ics",
    "programme_exports:schedule_xml", "programme_exports:schedule_json",
    "programme_exports:programme_json", "outcomes:report", "outcomes:pdf", "outcomes:json",
    "outcomes:csv", "outcomes:version", "outcomes:version_pdf", "outcomes:version_json",
    "outcomes:version_csv", "cfp:call", "events:home",
}


@pytest.fixture(autouse=True)
def _fresh_programme_cache():
    # Parsed releases are kept per process by (release id, version); ids repeat across tests.
    public.clear_cache()
    yield
    public.clear_cache()


def _patterns(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern),
                                 pattern.namespace or namespace)
        elif pattern.name:
            yield (prefix + str(pattern.pattern),
                   f"{namespace}:{pattern.name}" if namespace else pattern.name,
                   list(pattern.pattern.regex.groupindex))


@pytest.fixture
def world(event, organiser, clock, make_submission, make_participant, make_cfp_organisation,
          placed_talks, sessions, place, outsider):
    speaker = make_participant(make_cfp_organisation("Fictional Secretive Fusion"),
                               email="secretive@test.invalid", full_name="Sam Secretive")
    talk = make_submission(
        author=speaker, state="confirmed", title="A talk with private answers",
        breakthroughs=f"{CONFIDENTIAL_BREAKTHROUGH} at prototype scale.",
        breakthroughs_visibility="confidential",
        key_figures=[(CONFIDENTIAL_FIGURE, "4.2", "T")],
        challenges=f"{AGGREGATE_CHALLENGE} limits tritium breeding.",
        challenges_visibility="aggregate", challenge_categories=["tritium-and-fuel-cycle"],
        iter_help=f"{CONFIDENTIAL_HELP}: magnet test data.", iter_help_visibility="confidential")
    place(talk, sessions["suppliers"], "09:00", 20)
    # Public answers of other organisations, so the outcomes have themes to build.
    for name, kind, approach, challenges, iter_help in ANSWERS[:5]:
        author = make_participant(make_cfp_organisation(name, approach=approach or "tokamak",
                                                        kind=kind))
        make_submission(author=author, state="submitted", challenges=challenges,
                        iter_help=iter_help)
    release = releases.release(event, by=organiser, comment="Programme.")
    outcomes.build_themes(event, by=organiser)
    name_themes(event, organiser)
    version = outcomes.publish(event, by=organiser)
    agenda.star(outsider, event, talk.code)
    profile = talk.speaker_links.get().user.speaker_profiles.get(event=event)
    return {"talk": talk, "release": release, "version": version, "speaker_code": profile.code,
            "feed_token": agenda.feed_for(outsider, event).token}


def _values(event, world) -> dict[str, list[str]]:
    from fusionforum.programme.models import Room

    return {
        "slug": [event.slug],
        "code": [world["talk"].code, world["speaker_code"]],
        "number": [str(world["version"].version)],
        "day": [event.start_date.isoformat(), (event.start_date.replace(
            day=event.start_date.day + 1)).isoformat()],
        "room_id": [str(pk) for pk in Room.objects.filter(event=event).values_list("pk",
                                                                                  flat=True)],
        "token": [world["feed_token"]],
    }


def _urls(event, world):
    values = _values(event, world)
    for route, name, params in _patterns(get_resolver().url_patterns):
        if route.lstrip("^").startswith(STAFF_PREFIXES) or "logout" in name:
            continue
        if any(p not in values for p in params):
            continue  # a person's or an object's address the sweep has no value for
        combinations = [{}]
        for param in params:
            combinations = [{**c, param: v} for c in combinations for v in values[param]]
        for kwargs in combinations:
            yield name, reverse(name, kwargs=kwargs)


def _text(response) -> str:
    body = (b"".join(response.streaming_content) if response.streaming
            else response.content)
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if kind.startswith("image/"):
        return ""
    return body.decode("utf-8", errors="replace")


def _sweep(client, event, world) -> set[str]:
    reached = set()
    for name, url in _urls(event, world):
        response = client.get(url)
        if response.status_code == 200:
            reached.add(name)
        text = _text(response)
        leaked = [marker for marker in MARKERS if marker.casefold() in text.casefold()]
        assert not leaked, f"{url} ({response.status_code}) shows {leaked}"
    return reached


def test_no_answer_that_is_not_public_leaves_the_site(client, event, world, outsider):
    reached = _sweep(client, event, world)
    client.force_login(outsider)
    reached |= _sweep(client, event, world)
    assert not MUST_REACH - reached, f"not reached: {sorted(MUST_REACH - reached)}"
    frozen = json.dumps([world["release"].snapshot, world["version"].data]).casefold()
    assert not [m for m in MARKERS if m.casefold() in frozen]


def test_the_talk_still_shows_what_is_public(client, event, world):
    """The sweep is not passing by hiding everything: the talk page has its public parts."""
    page = client.get(reverse("programme:talk", args=[event.slug, world["talk"].code]))
    assert page.status_code == 200
    assert "A talk with private answers" in page.content.decode()
    # The placed talk's public answer from the programme fixtures is shown.
    placed = client.get(reverse("programme:programme", args=[event.slug])).content.decode()
    assert "Compact torus results" in placed
