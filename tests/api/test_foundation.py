"""The API's common behaviour: problem+json errors for every refusal, cursor pagination,
ETag / If-None-Match, rate limits with Retry-After, CSRF for sessions, the schema and the
self-hosted documentation under the site's CSP."""

from __future__ import annotations

import json

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client

from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def problem_of(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert {"type", "title", "status", "detail", "instance", "code"} <= set(body)
    assert body["status"] == status and body["type"] == "about:blank" and body["detail"]
    return body


def test_400_has_field_errors_with_pointers(client, event):
    body = problem_of(client.get("/api/v1/events/?status=lost&ends_after=soon"), 400)
    fields = {error["field"]: error for error in body["errors"]}
    assert set(fields) == {"status"} or set(fields) == {"ends_after"} or \
        set(fields) == {"status", "ends_after"}
    assert all(error["pointer"] == f"#/{name}" for name, error in fields.items())


def test_404_for_an_unknown_event_and_for_an_address_without_a_route(client):
    problem_of(client.get("/api/v1/events/no-such-event/"), 404)
    body = problem_of(client.get("/api/v1/no/such/thing/"), 404)
    assert body["instance"] == "/api/v1/no/such/thing/"


def test_a_draft_is_seen_by_its_team_only(client, make_event, make_user):
    from fusionforum.events.models import TeamMembership

    draft = make_event(slug="draft-2028", status="draft", with_days=False)
    problem_of(client.get("/api/v1/events/draft-2028/"), 404)
    assert "draft-2028" not in client.get("/api/v1/events/").content.decode()
    reviewer = make_user()
    TeamMembership.objects.create(event=draft, user=reviewer, role="reviewer")
    client.force_login(reviewer)
    assert client.get("/api/v1/events/draft-2028/").status_code == 200
    assert [e["slug"] for e in client.get("/api/v1/events/?status=draft").json()["results"]] \
        == ["draft-2028"]


def test_405_406_and_415(event, organiser, make_token, bearer):
    login_verified(Client(), organiser)
    _token, raw = make_token(organiser, scope="write")
    client = bearer(raw)
    body = problem_of(client.delete(f"/api/v1/events/{event.slug}/"), 405)
    assert body["code"] == "method_not_allowed"
    problem_of(client.get("/api/v1/events/", HTTP_ACCEPT="text/html"), 406)
    problem_of(client.post(f"/api/v1/events/{event.slug}/programme/releases/", "comment=x",
                           content_type="text/plain"), 415)


def test_403_for_a_read_token_on_a_write(event, organiser, make_token, bearer):
    login_verified(Client(), organiser)
    _token, raw = make_token(organiser, scope="read")
    body = problem_of(bearer(raw).post(f"/api/v1/events/{event.slug}/programme/releases/", {},
                                       content_type="application/json"), 403)
    assert body["code"] == "read_only_token"


def test_409_when_there_is_nothing_to_release(event, organiser, make_token, bearer):
    login_verified(Client(), organiser)
    _token, raw = make_token(organiser, scope="write")
    body = problem_of(bearer(raw).post(f"/api/v1/events/{event.slug}/programme/releases/",
                                       {"comment": ""}, content_type="application/json"), 409)
    assert "empty" in body["detail"]


def test_a_session_post_needs_the_csrf_token(event, organiser):
    client = Client(enforce_csrf_checks=True)
    login_verified(client, organiser)
    path = f"/api/v1/events/{event.slug}/programme/releases/"
    body = problem_of(client.post(path, {}, content_type="application/json"), 403)
    assert "CSRF" in body["detail"]
    client.get("/accounts/profile/")  # the page sets the CSRF cookie, as for a script
    csrf = client.cookies["csrftoken"].value
    # With the header the request reaches the action (here: an empty programme, 409).
    assert client.post(path, {}, content_type="application/json",
                       HTTP_X_CSRFTOKEN=csrf).status_code == 409


def test_a_session_without_the_second_factor_may_not_release(event, organiser):
    client = Client()
    client.force_login(organiser)
    body = problem_of(client.post(f"/api/v1/events/{event.slug}/programme/releases/", {},
                                  content_type="application/json"), 403)
    assert body["code"] == "second_factor_required"


def test_cursor_pagination_walks_forward_and_back(client, make_event):
    for n in range(5):
        make_event(slug=f"event-{n}", with_days=False)
    seen, url = [], "/api/v1/events/?page_size=2"
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [event["slug"] for event in body["results"]]
        url = body["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5
    assert pages[0]["previous"] is None and len(pages) == 3
    back = client.get(pages[2]["previous"]).json()
    assert [e["slug"] for e in back["results"]] == [e["slug"] for e in pages[1]["results"]]
    problem_of(client.get("/api/v1/events/?cursor=not-a-cursor"), 404)
    problem_of(client.get("/api/v1/events/?page_size=0"), 400)
    problem_of(client.get("/api/v1/events/?page_size=1000"), 400)


def test_etag_and_304(client, event):
    first = client.get(f"/api/v1/events/{event.slug}/")
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first["Vary"]
    again = client.get(f"/api/v1/events/{event.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    event.title = "A new title"
    event.save()
    changed = client.get(f"/api/v1/events/{event.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_rate_limits_answer_429_with_retry_after(event, participant, make_token, bearer,
                                                settings):
    # A client address and a token of this test only: the counters live in the cache.
    client = Client(REMOTE_ADDR="192.0.2.77")
    settings.API_RATE_LIMITS = {"anonymous": (3, 60), "token": (2, 60)}
    answers = [client.get("/api/v1/events/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer["RateLimit-Remaining"] for answer in answers[:3]] == ["2", "1", "0"]
    assert answers[0]["RateLimit-Limit"] == "3" and 1 <= int(answers[0]["RateLimit-Reset"]) <= 60
    refused = client.get("/api/v1/events/")
    body = problem_of(refused, 429)
    assert 1 <= int(refused["Retry-After"]) <= 60 and body["code"] == "throttled"
    _token, raw = make_token(participant)  # a token has its own count
    token_client = bearer(raw)
    assert [token_client.get("/api/v1/events/").status_code for _ in range(3)] == \
        [200, 200, 429]


def test_the_schema_in_json_and_yaml(client):
    as_json = client.get("/api/v1/schema/?format=json")
    assert as_json.status_code == 200
    schema = json.loads(as_json.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/events/{slug}/programme/talks/{code}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert "Problem" in schema["components"]["schemas"]
    by_accept = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert json.loads(by_accept.content)["paths"] == schema["paths"]
    as_yaml = yaml.safe_load(client.get("/api/v1/schema/?format=yaml").content)
    assert as_yaml["paths"].keys() == schema["paths"].keys()


def test_the_docs_page_is_served_by_the_site_under_its_csp(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in html and "<style" not in html and "http" not in html.split(
        "<body>")[0].replace('http-equiv', '')
    for asset in ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui.css",
                  "swagger-ui-dist/swagger-ui-standalone-preset.js"):
        assert f"/static/drf_spectacular_sidecar/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/{asset}")
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
