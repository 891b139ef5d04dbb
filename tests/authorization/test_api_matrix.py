"""The authorization matrix over the REST API: roles x every API route x methods.

The sibling of ``test_url_matrix.py`` for ``/api/v1/`` (whose routes that matrix leaves to
this one): every route of the namespace ``api`` (the URL map walked, so an endpoint added later
without an entry fails ``test_every_api_route_has_an_entry``) has an entry in ``API_MATRIX``
saying which methods it serves and who may use each. The roles are the web matrix's people
through their sessions (staff verified or not) and through personal API tokens: an
organiser's read token and write token, a token of the organiser limited to the other event,
a participant's token, an expired and a revoked token.

Outcomes: OK (the action was reached: 2xx, or 400/409 for a body the action refuses), 401,
403, 404, 405, each with a problem+json body. A refused request writes nothing. Each request
runs in a savepoint rolled back after it, against the demo loaded once (``world``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.rolled_back import rolled_back

from .conftest import ACCOUNTS, OTHER_SLUG, SLUG
from .demo_objects import demo_objects

pytestmark = pytest.mark.django_db

OK, UNAUTHORISED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "ok", "401", "403", "404", "405"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Sessions (the web matrix's accounts) ...
ANONYMOUS = "anonymous"
PARTICIPANT = "participant"
OTHER_PARTICIPANT = "other participant"
REVIEWER = "reviewer"
ORGANISER = "organiser"
OTHER_ORGANISER = "other organiser"
PLATFORM_ADMIN = "platform admin"
UNVERIFIED_ORGANISER = "unverified organiser"
SESSIONS = (ANONYMOUS, PARTICIPANT, OTHER_PARTICIPANT, REVIEWER, ORGANISER, OTHER_ORGANISER,
            PLATFORM_ADMIN, UNVERIFIED_ORGANISER)
# ... and personal API tokens.
ORGANISER_READ_TOKEN = "organiser's read token"
ORGANISER_WRITE_TOKEN = "organiser's write token"
OTHER_EVENT_TOKEN = "organiser's token limited to the other event"
PARTICIPANT_TOKEN = "participant's read token"
EXPIRED_TOKEN = "organiser's expired write token"
REVOKED_TOKEN = "organiser's revoked write token"
TOKENS = (ORGANISER_READ_TOKEN, ORGANISER_WRITE_TOKEN, OTHER_EVENT_TOKEN, PARTICIPANT_TOKEN,
          EXPIRED_TOKEN, REVOKED_TOKEN)
ROLES = SESSIONS + TOKENS
READ_TOKENS = {ORGANISER_READ_TOKEN, PARTICIPANT_TOKEN}
DEAD_TOKENS = {EXPIRED_TOKEN, REVOKED_TOKEN}


def who(default, **cells):
    table = dict.fromkeys(ROLES, default)
    table.update({role: cells[key] for key, role in _KEYS.items() if key in cells})
    return table


_KEYS = {"anonymous": ANONYMOUS, "participant": PARTICIPANT,
         "other_participant": OTHER_PARTICIPANT, "reviewer": REVIEWER, "organiser": ORGANISER,
         "other_organiser": OTHER_ORGANISER, "admin": PLATFORM_ADMIN,
         "unverified": UNVERIFIED_ORGANISER, "read_token": ORGANISER_READ_TOKEN,
         "write_token": ORGANISER_WRITE_TOKEN, "other_event_token": OTHER_EVENT_TOKEN,
         "participant_token": PARTICIPANT_TOKEN}

# Who may read a published event's resources: everyone; a token limited to the other event
# sees nothing of this one.
EVENT_READERS = who(OK, other_event_token=NOT_FOUND)
EVERYONE = who(OK)
# Releasing the programme (programme.manage_programme, with the second factor): the event's
# organisers and the platform administrators; anyone else signed in gets 404 telling nothing,
# anonymous 401, a read token 403, a session without the second factor 403.
RELEASERS = who(NOT_FOUND, anonymous=UNAUTHORISED, organiser=OK, admin=OK, write_token=OK,
                unverified=FORBIDDEN, read_token=FORBIDDEN, participant_token=FORBIDDEN)
# The organisers' desks (registrations, front desk, the call's decisions; with the second
# factor): their organisers and the platform administrators; reviewers read the submissions
# assigned to them too.
DESK = who(NOT_FOUND, anonymous=UNAUTHORISED, organiser=OK, admin=OK, write_token=OK,
           read_token=OK, unverified=FORBIDDEN)
DESK_WRITERS = RELEASERS
SUBMISSION_READERS = {**DESK, REVIEWER: OK}
# A reviewer's own review: reviewers only (organisers are not reviewers).
REVIEWERS = who(NOT_FOUND, anonymous=UNAUTHORISED, reviewer=OK)
# What is the signed-in person's own: anyone signed in.
SIGNED_IN = who(OK, anonymous=UNAUTHORISED)
# One's own registration for the event (registration.register, then the person's active
# registration): its participant; anyone else signed in has none (404).
REGISTERED = who(NOT_FOUND, anonymous=UNAUTHORISED, participant=OK, other_event_token=NOT_FOUND)
# The meetings pages (meetings.take_part): the event's delegates, experts and organisers.
MEETINGS = who(NOT_FOUND, anonymous=UNAUTHORISED, participant=OK, organiser=OK, admin=OK,
               unverified=OK, read_token=OK, write_token=OK, participant_token=OK)
# Asking for a meeting: confirmed delegates only (others who take part are told why, 403).
MEETING_ASKERS = {**MEETINGS, ORGANISER: FORBIDDEN, PLATFORM_ADMIN: FORBIDDEN,
                  UNVERIFIED_ORGANISER: FORBIDDEN, ORGANISER_WRITE_TOKEN: FORBIDDEN}
# Withdrawing, freeing a seat: what is the participant's own.
OWNER = who(NOT_FOUND, anonymous=UNAUTHORISED, participant=OK)
# The visits page (visits.see_tours): anyone signed in, on an event the token reaches.
TOURS = who(OK, anonymous=UNAUTHORISED, other_event_token=NOT_FOUND)


class ApiUrl:
    """``serves``: method -> who may use it; a method not served is 405 once the token's own
    limits passed (a read token on an unsafe method: 403) when ``rules`` (the permission
    bridge guards the view), else 405 for everyone. A dead token is 401 everywhere."""

    def __init__(self, serves: dict, *, rules: bool = True, **args):
        self.serves, self.rules, self.args = serves, rules, args
        if "GET" in serves:
            self.serves.setdefault("HEAD", serves["GET"])

    def expected(self, role, method):
        if role in DEAD_TOKENS:
            return UNAUTHORISED
        if self.rules and role in READ_TOKENS and method in UNSAFE:
            return FORBIDDEN
        if method in self.serves:
            return self.serves[method][role]
        return NOT_ALLOWED


API_MATRIX = {
    "api:schema": ApiUrl({"GET": EVERYONE}, rules=False),
    "api:docs": ApiUrl({"GET": EVERYONE}, rules=False),
    "api:event-list": ApiUrl({"GET": EVERYONE}),
    "api:event-detail": ApiUrl({"GET": EVENT_READERS}),
    "api:day-list": ApiUrl({"GET": EVENT_READERS}),
    "api:livestream-list": ApiUrl({"GET": EVENT_READERS}),
    "api:release-list": ApiUrl({"GET": EVENT_READERS, "POST": RELEASERS}),
    "api:release-detail": ApiUrl({"GET": EVENT_READERS}, version="release"),
    "api:room-list": ApiUrl({"GET": EVENT_READERS}),
    "api:room-detail": ApiUrl({"GET": EVENT_READERS}, id="room"),
    "api:session-list": ApiUrl({"GET": EVENT_READERS}),
    "api:session-detail": ApiUrl({"GET": EVENT_READERS}, id="session"),
    "api:talk-list": ApiUrl({"GET": EVENT_READERS}),
    "api:talk-detail": ApiUrl({"GET": EVENT_READERS}, code="talk"),
    "api:speaker-list": ApiUrl({"GET": EVENT_READERS}),
    "api:speaker-detail": ApiUrl({"GET": EVENT_READERS}, code="speaker_code"),
    "api:registration-list": ApiUrl({"GET": DESK}),
    "api:registration-detail": ApiUrl({"GET": DESK}, registration_id="registration"),
    "api:registration-approve": ApiUrl({"POST": DESK_WRITERS}, registration_id="registration"),
    "api:registration-reject": ApiUrl({"POST": DESK_WRITERS}, registration_id="registration"),
    "api:registration-promote": ApiUrl({"POST": DESK_WRITERS}, registration_id="registration"),
    "api:registration-cancel": ApiUrl({"POST": DESK_WRITERS}, registration_id="registration"),
    "api:check-in": ApiUrl({"POST": DESK_WRITERS}),
    "api:my-registration-list": ApiUrl({"GET": SIGNED_IN}),
    "api:my-registration-cancel": ApiUrl({"POST": REGISTERED}),
    "api:my-registration-accept": ApiUrl({"POST": REGISTERED}),
    "api:submission-list": ApiUrl({"GET": SUBMISSION_READERS}),
    "api:submission-detail": ApiUrl({"GET": SUBMISSION_READERS}, code="review_submission"),
    "api:review-list": ApiUrl({"GET": SUBMISSION_READERS}, code="review_submission"),
    "api:submission-decision": ApiUrl({"POST": DESK_WRITERS}, code="review_submission"),
    "api:my-review": ApiUrl({"GET": REVIEWERS, "PUT": REVIEWERS}, code="review_submission"),
    "api:my-submission-list": ApiUrl({"GET": SIGNED_IN}),
    "api:expert-list": ApiUrl({"GET": MEETINGS}),
    "api:meeting-request-list": ApiUrl({"GET": MEETINGS, "POST": MEETING_ASKERS}),
    "api:meeting-request-detail": ApiUrl({"PUT": OWNER}, request_id="meeting_request"),
    "api:meeting-request-withdraw": ApiUrl({"POST": OWNER}, request_id="meeting_request"),
    "api:meetings-day": ApiUrl({"GET": MEETINGS}),
    "api:tour-list": ApiUrl({"GET": TOURS}),
    "api:my-seat-list": ApiUrl({"GET": TOURS}),
    "api:tour-seat-take": ApiUrl({"POST": TOURS}, run_id="tour_run"),
    "api:tour-seat-free": ApiUrl({"POST": OWNER}, seat_id="seat"),
    "api:outcomes-report-list": ApiUrl({"GET": EVENT_READERS}),
    "api:outcomes-report-detail": ApiUrl({"GET": EVENT_READERS}, version="outcomes_version"),
}


def api_routes() -> dict[str, set[str]]:
    """{name: URL kwargs} of every route in the namespace ``api``."""
    found = {}

    def walk(patterns, namespace, inside):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, ns, inside or pattern.namespace == "api")
            elif isinstance(pattern, URLPattern) and inside:
                yield f"api:{pattern.name}", set(pattern.pattern.regex.groupindex)

    for name, kwargs in walk(get_resolver().url_patterns, None, False):
        found[name] = kwargs
    return found


def api_path(name, kwargs, objects) -> str:
    entry = API_MATRIX[name]
    values = {}
    for kwarg in kwargs:
        if kwarg == "slug":
            values[kwarg] = SLUG
        else:
            values[kwarg] = objects[entry.args[kwarg]]
    return reverse(name, kwargs=values)


def test_every_api_route_has_an_entry():
    routes = api_routes()
    assert len(routes) >= 16
    missing = sorted(set(routes) - set(API_MATRIX))
    assert not missing, ("API routes without an entry in API_MATRIX of "
                         f"tests/authorization/test_api_matrix.py: {missing}")
    stale = sorted(set(API_MATRIX) - set(routes))
    assert not stale, f"entries for API routes that no longer exist: {stale}"


def test_a_new_route_would_be_named(monkeypatch):
    monkeypatch.setitem(API_MATRIX, "api:no-such-route", ApiUrl({"GET": EVERYONE}))
    with pytest.raises(AssertionError, match="no longer exist"):
        test_every_api_route_has_an_entry()


@pytest.fixture(scope="module")
def api_clients(world, clients, django_db_blocker):
    """The web matrix's session clients, and one client per token (no session)."""
    from fusionforum.accounts.models import User
    from fusionforum.api import services
    from fusionforum.core import clock
    from fusionforum.events.models import Event

    made = {role: clients[role] for role in SESSIONS}
    with django_db_blocker.unblock():
        organiser = User.objects.get(email=ACCOUNTS["organiser"][0])
        participant = User.objects.get(email=ACCOUNTS["participant"][0])
        other = Event.objects.get(slug=OTHER_SLUG)

        def token(user, scope="write", **extra):
            values = {"name": "Matrix", "scope": scope, "expires_in_days": 30,
                      "all_events": True, "verified": True, **extra}
            return services.create_token(user, **values)

        raws = {
            ORGANISER_READ_TOKEN: token(organiser, "read")[1],
            ORGANISER_WRITE_TOKEN: token(organiser)[1],
            PARTICIPANT_TOKEN: token(participant, "read")[1],
        }
        # The organiser of the demo may limit a token to the other (published) event.
        raws[OTHER_EVENT_TOKEN] = token(organiser, all_events=False, events=[other])[1]
        expired, raws[EXPIRED_TOKEN] = token(organiser)
        type(expired).objects.filter(pk=expired.pk).update(
            expires_at=clock.now() - dt.timedelta(seconds=1))
        revoked, raws[REVOKED_TOKEN] = token(organiser)
        services.revoke_token(revoked, by=organiser)
    for role, raw in raws.items():
        made[role] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return made


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def outcome(response) -> str:
    status = response.status_code
    if status in (401, 403, 404, 405):
        return str(status)
    if 200 <= status < 300 or status in (304, 400, 409):
        return OK
    return f"HTTP {status}"


def ask(client, method, path):
    connection.queries_log.clear()
    with rolled_back():
        with CaptureQueriesContext(connection) as queries:
            kwargs = {"content_type": "application/json", "data": json.dumps({})} \
                if method in UNSAFE else {}
            response = getattr(client, method.lower())(path, **kwargs)
        transaction.set_rollback(True)
    writes = [q["sql"][:90] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(WRITES)]
    return response, writes


@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_answers_the_role_as_the_matrix_says(world, api_clients, role):
    objects = demo_objects()
    failures = []
    for name, kwargs in sorted(api_routes().items()):
        path = api_path(name, kwargs, objects)
        entry = API_MATRIX[name]
        for method in METHODS:
            response, writes = ask(api_clients[role], method, path)
            got, expected = outcome(response), entry.expected(role, method)
            where = f"{method} {path} [{name}]"
            if got != expected:
                failures.append(f"{where}: {got} (HTTP {response.status_code} "
                                f"{response.content[:160]!r}), expected {expected}")
                continue
            if got != OK:
                if writes:
                    failures.append(f"{where}: refused but wrote {writes}")
                if method != "HEAD" and response["Content-Type"] != "application/problem+json":
                    failures.append(f"{where}: refused with {response['Content-Type']}, not "
                                    "problem+json")
                elif method != "HEAD" and json.loads(response.content)["status"] != \
                        response.status_code:
                    failures.append(f"{where}: the problem's status differs from the answer's")
            if got == UNAUTHORISED and not response.has_header("WWW-Authenticate"):
                failures.append(f"{where}: 401 without WWW-Authenticate")
    assert not failures, f"{role}: {len(failures)} cells differ:\n" + "\n".join(failures)


def test_the_other_event_token_lists_only_the_other_event(world, api_clients):
    body = api_clients[OTHER_EVENT_TOKEN].get("/api/v1/events/").json()
    assert [event["slug"] for event in body["results"]] == [OTHER_SLUG]
