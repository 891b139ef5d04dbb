"""Personal API tokens: created through the service (staff need a second factor), stored
hashed and shown once, limited by scope, events and expiry, revoked; the account page."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from fusionforum.api import services
from fusionforum.api.models import ApiToken
from fusionforum.core.models import AuditEntry
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash_and_named_by_its_prefix(participant, make_token):
    token, raw = make_token(participant)
    assert raw.startswith(f"ff_{token.prefix}_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert services.find_token(raw) == stored
    assert services.find_token(raw + "x") is None
    entry = AuditEntry.objects.get(action="api.token_created")
    assert entry.actor == participant and raw not in json.dumps(entry.data)


def test_staff_need_a_second_factor_set_up_and_a_verified_session(organiser, make_token):
    with pytest.raises(PermissionDenied):
        make_token(organiser, verified=False)
    with pytest.raises(PermissionDenied):  # verified is claimed, but no device is set up
        make_token(organiser, verified=True)
    login_verified(Client(), organiser)  # sets up a confirmed device
    with pytest.raises(PermissionDenied):
        make_token(organiser, verified=False)
    token, _raw = make_token(organiser, verified=True)
    assert token.user == organiser


def test_a_participant_needs_no_second_factor(participant, make_token):
    assert make_token(participant, verified=False)[0].pk


@pytest.mark.parametrize("values, field", [
    ({"name": ""}, "name"),
    ({"name": "two\nlines"}, "name"),
    ({"scope": "admin"}, "scope"),
    ({"expires_in_days": 10000}, "expires_in_days"),
    ({"all_events": False}, "events"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_written(participant, values, field):
    arguments = {"name": "Printer", "scope": "read", "expires_in_days": 30, "all_events": True,
                 "verified": True, **values}
    with pytest.raises(ValidationError) as refused:
        services.create_token(participant, **arguments)
    assert field in refused.value.message_dict
    assert not ApiToken.objects.exists() and not AuditEntry.objects.exists()


def test_a_token_may_only_be_limited_to_events_its_owner_can_see(participant, make_event):
    draft = make_event(slug="secret-draft", status="draft", with_days=False)
    with pytest.raises(ValidationError) as refused:
        services.create_token(participant, name="x", scope="read", expires_in_days=30,
                              all_events=False, events=[draft], verified=True)
    assert "events" in refused.value.message_dict


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_bearer_and_token_headers_authenticate(event, participant, make_token, bearer, keyword):
    token, raw = make_token(participant)
    response = bearer(raw, keyword).get(f"/api/v1/events/{event.slug}/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked", "inactive account",
                                   "malformed"])
def test_a_dead_token_is_refused_with_401_problem(event, participant, make_token, bearer, clock,
                                                  state):
    token, raw = make_token(participant)
    header = None
    if state == "unknown":
        raw = raw[:-4] + "abcd"
    elif state == "expired":
        clock.set(token.expires_at + dt.timedelta(seconds=1))
    elif state == "revoked":
        services.revoke_token(token, by=participant)
    elif state == "inactive account":
        type(participant).objects.filter(pk=participant.pk).update(is_active=False)
    else:
        header = f"Bearer {raw} extra"
    client = Client(HTTP_AUTHORIZATION=header) if header else bearer(raw)
    response = client.get("/api/v1/events/")  # a public list: the token is still refused
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    problem = response.json()
    assert problem["status"] == 401 and problem["title"] == "Unauthorized"
    assert problem["instance"] == "/api/v1/events/"


def test_revoking_is_for_the_owner_only_and_audited(participant, make_user, make_token):
    token, _raw = make_token(participant)
    with pytest.raises(PermissionDenied):
        services.revoke_token(token, by=make_user())
    services.revoke_token(token, by=participant)
    services.revoke_token(token, by=participant)  # twice: nothing more
    assert AuditEntry.objects.filter(action="api.token_revoked").count() == 1


def test_last_used_is_written_at_most_once_a_minute(event, participant, make_token, bearer,
                                                    clock, django_assert_num_queries):
    token, raw = make_token(participant)
    client = bearer(raw)
    client.get(f"/api/v1/events/{event.slug}/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    clock.set(first + dt.timedelta(seconds=30))
    client.get(f"/api/v1/events/{event.slug}/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    clock.set(first + dt.timedelta(minutes=2))
    client.get(f"/api/v1/events/{event.slug}/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first + dt.timedelta(minutes=2)


def test_tokens_are_personal_data(participant, make_token):
    from fusionforum.accounts import personal_data

    make_token(participant, name="Printer")
    section = personal_data.export(participant)["api_tokens"]
    assert section[0]["name"] == "Printer" and "token_hash" not in section[0]
    for anonymiser in personal_data.anonymisers():
        anonymiser(participant)
    assert not ApiToken.objects.filter(user=participant).exists()


# The account page ----------------------------------------------------------------------------

def test_the_page_creates_a_token_shows_it_once_and_revokes_it(client, participant, event):
    client.force_login(participant)
    page = client.get("/accounts/api-tokens/")
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    created = client.post("/accounts/api-tokens/", {
        "name": "Our website", "scope": "read", "expires_in_days": "90", "reach": "chosen",
        "events": [str(event.pk)]})
    assert created.status_code == 302 and created["Location"] == "/accounts/api-tokens/"
    token = ApiToken.objects.get(user=participant)
    shown = client.get("/accounts/api-tokens/")
    raw = shown.context["raw_token"]
    assert raw.startswith(f"ff_{token.prefix}_") and raw in shown.content.decode()
    assert not token.all_events and list(token.events.all()) == [event]
    again = client.get("/accounts/api-tokens/")
    assert raw not in again.content.decode() and f"ff_{token.prefix}_" in again.content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/events/").status_code == 200
    revoked = client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/events/").status_code == 401


def test_the_page_refuses_an_empty_name_with_a_form_error(client, participant):
    client.force_login(participant)
    response = client.post("/accounts/api-tokens/", {"name": "", "scope": "read",
                                                     "expires_in_days": "30", "reach": "all"})
    assert response.status_code == 400 and response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_staff_without_a_verified_session_are_sent_to_the_second_factor(client, organiser):
    client.force_login(organiser)
    page = client.get("/accounts/api-tokens/")
    assert not page.context["may_create"]
    assert "/accounts/two-factor/" in page.content.decode()
    refused = client.post("/accounts/api-tokens/", {"name": "x", "scope": "read",
                                                    "expires_in_days": "30", "reach": "all"})
    assert refused.status_code == 403 and not ApiToken.objects.exists()
    login_verified(client, organiser)
    assert client.post("/accounts/api-tokens/", {
        "name": "x", "scope": "write", "expires_in_days": "30",
        "reach": "all"}).status_code == 302
    assert ApiToken.objects.get(user=organiser).can_write


def test_nobody_revokes_another_persons_token(client, participant, make_user, make_token):
    token, _raw = make_token(participant)
    client.force_login(make_user())
    assert client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
