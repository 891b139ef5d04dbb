# ruff: noqa: F811  (the matrix's module fixtures, imported here, are used as arguments)
"""Schemathesis against the generated OpenAPI description: every operation, as anonymous, a
participant and an organiser (personal tokens; the organiser's may write), with a bounded
number of generated requests each. No answer may be a 5xx, and every answer must conform to
the schema (status code, content type, body, headers).

The requests go to the Django application in this process (WSGI), against the demo world of
the authorization matrix; half the generated requests name the demo's real event and items,
so the checks reach real representations, not only 404s. Each request is rolled back.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.authorization.conftest import ACCOUNTS, SLUG, clients, world  # noqa: F401
from tests.authorization.demo_objects import demo_objects
from tests.rolled_back import rolled_back

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]
RUNS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def tokens(world, django_db_blocker):
    from fusionforum.accounts.models import User
    from fusionforum.api import services

    with django_db_blocker.unblock():
        participant = User.objects.get(email=ACCOUNTS["participant"][0])
        organiser = User.objects.get(email=ACCOUNTS["organiser"][0])
        return {
            "anonymous": None,
            "participant": services.create_token(participant, name="Schemathesis",
                                                 scope="read", expires_in_days=7,
                                                 all_events=True, verified=True)[1],
            "organiser": services.create_token(organiser, name="Schemathesis", scope="write",
                                               expires_in_days=7, all_events=True,
                                               verified=True)[1],
        }


@pytest.fixture
def wsgi_app():
    """The site's WSGI application, called in this thread inside the test's transaction: as
    Django's test client does, the connection is not closed at the end of each request (it
    would end the transaction the demo world lives in, on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_values():
    objects = demo_objects()
    return {"slug": SLUG, "version": objects["release"], "code": objects["talk"],
            "id": objects["room"], "registration_id": objects["registration"],
            "run_id": objects["tour_run"], "seat_id": objects["seat"],
            "request_id": objects["meeting_request"]}


@pytest.mark.parametrize("role", ["anonymous", "participant", "organiser"])
def test_every_operation_conforms_to_the_schema(world, tokens, wsgi_app, role):
    app = wsgi_app
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    real = _real_values()
    headers = {"Authorization": f"Bearer {tokens[role]}"} if tokens[role] else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    calls = {"requests": 0, "statuses": {}}
    started = time.monotonic()

    for operation in operations:
        def fill(pair):
            case, use_real = pair
            if use_real:
                for name in list(case.path_parameters or {}):
                    if name in real:
                        case.path_parameters[name] = real[name]
            return case

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.tuples(operation.as_strategy(), st.booleans()).map(fill))
        def run(case):
            with rolled_back():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
            calls["requests"] += 1
            calls["statuses"][response.status_code] = \
                calls["statuses"].get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        run()
    RUNS[role] = {"operations": len(operations), **calls,
                  "seconds": round(time.monotonic() - started, 1)}
    print(f"\nschemathesis as {role}: {RUNS[role]}")
    assert 200 in calls["statuses"]
