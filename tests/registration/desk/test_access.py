"""Who may use the registration desk: every desk URL, GET and POST, for every kind of visitor.
Only the event's organisers (and platform administrators) in a two-factor verified session get
through; others learn nothing, not even who registered."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from fusionforum.accounts.models import Organisation
from fusionforum.registration.models import Registration

from .conftest import verified_client

pytestmark = pytest.mark.django_db

SECRETS = ["Alice Registrant", "alice.registrant@test.invalid", "Olga Organiser",
           "organiser@test.invalid", "Vegetarian", "Helios Plasma Works"]

IMPORT_CSV = b"name,kind,country,website,fusion_approach\nNova Torus Ltd,supplier,GB,,\n"


def _url(name, world, **kwargs):
    return reverse(f"registration:{name}", kwargs={"slug": world["event"].slug, **kwargs})


def _action_endpoint(action):
    def url(world):
        return _url("desk_registration_action", world, pk=world["registration_a"].pk,
                    action=action)

    def data(world):
        return {"priority": "5"} if action == "priority" else {}

    return ("post", url, data, 302)


# (key, method, URL builder, POST data builder, status for the organiser)
ENDPOINTS = {
    # /manage/<event>/ is the event's dashboard (it was a redirect to the desk's list).
    "dashboard": ("get", lambda w: reverse("events_manage:dashboard", args=[w["event"].slug]),
                  None, 200),
    "list": ("get", lambda w: _url("desk_registrations", w), None, 200),
    "list_filtered": ("get", lambda w: _url("desk_registrations", w) + "?status=pending&q=Ali",
                      None, 200),
    "detail": ("get", lambda w: _url("desk_registration", w, pk=w["registration_a"].pk), None,
               200),
    "waiting_list": ("get", lambda w: _url("desk_waiting_list", w), None, 200),
    "organisations": ("get", lambda w: _url("desk_organisations", w), None, 200),
    "import_form": ("get", lambda w: _url("desk_organisations_import", w), None, 200),
    "merge_form": ("get", lambda w: _url("desk_organisations_merge", w), None, 200),
    "merge_preview": ("get", lambda w: _url("desk_organisations_merge", w)
                      + f"?duplicate={w['bruno'].organisation_id}&keep={w['helios'].pk}",
                      None, 200),
    "merge_confirm": ("post", lambda w: _url("desk_organisations_merge", w),
                      lambda w: {"duplicate": w["helios"].pk, "keep": w["helios"].pk,
                                 "confirm": "1"}, 400),
    "export_csv": ("get", lambda w: _url("desk_export_csv", w), None, 200),
    "export_xlsx": ("get", lambda w: _url("desk_export_xlsx", w), None, 200),
    "bulk_approve": ("post", lambda w: _url("desk_registrations", w),
                     lambda w: {"action": "approve", "ids": [w["registration_a"].pk]}, 302),
    "bulk_reject": ("post", lambda w: _url("desk_registrations", w),
                    lambda w: {"action": "reject", "ids": [w["registration_a"].pk],
                               "note": "No"}, 302),
    **{f"action_{action}": _action_endpoint(action)
       for action in ("approve", "reject", "promote", "cancel", "priority")},
    "import": ("post", lambda w: _url("desk_organisations_import", w),
               lambda w: {"file": SimpleUploadedFile("orgs.csv", IMPORT_CSV, "text/csv")}, 302),
}

ROLES = ["anonymous", "participant_a", "participant_b", "organiser_other", "organiser",
         "superuser", "organiser_unverified"]


def _client(world, role):
    if role == "anonymous":
        return Client()
    user = {"participant_a": world["alice"], "participant_b": world["bruno"],
            "organiser_other": world["organiser_other"], "organiser": world["organiser"],
            "superuser": world["superuser"], "organiser_unverified": world["organiser"]}[role]
    if role == "organiser_unverified":
        client = Client()
        client.force_login(user)
        return client
    # Everyone else is even two-factor verified: being verified alone must open nothing.
    return verified_client(user)


def _snapshot(world):
    registration = Registration.objects.get(pk=world["registration_a"].pk)
    return (registration.status, registration.priority, Organisation.objects.count())


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_desk_access_matrix(desk_world, role, endpoint):
    method, url_for, data_for, organiser_status = ENDPOINTS[endpoint]
    url = url_for(desk_world)
    client = _client(desk_world, role)
    before = _snapshot(desk_world)
    response = client.get(url) if method == "get" else client.post(url, data_for(desk_world))
    body = response.content.decode("utf-8", "replace") if response.get(
        "Content-Type", "").startswith("text/") else ""

    if role in ("organiser", "superuser"):
        assert response.status_code == organiser_status, body[:500]
        if method == "get" and organiser_status == 200:
            assert "no-store" in response["Cache-Control"]
        return

    # Nobody else changed anything.
    assert _snapshot(desk_world) == before
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    elif role == "organiser_unverified":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
        for secret in SECRETS[:2]:
            assert secret not in body
    else:
        assert response.status_code == 404
        for secret in SECRETS:
            assert secret not in body


@pytest.mark.parametrize("role", ["participant_b", "organiser_other"])
def test_desk_of_an_unknown_event_looks_the_same(desk_world, role):
    client = _client(desk_world, role)
    real = client.get(_url("desk_registrations", desk_world))
    missing = client.get(reverse("registration:desk_registrations",
                                 kwargs={"slug": "no-such-event"}))
    assert real.status_code == missing.status_code == 404
    # Identical but for the CSRF token of the header's logout form, masked anew on each page,
    # and the language switcher's way back to the address the visitor asked for.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|name="next" value="[^"]+"')
    assert token.sub(b"", real.content) == token.sub(b"", missing.content)


def test_other_organiser_can_use_their_own_desk(desk_world):
    client = _client(desk_world, "organiser_other")
    url = reverse("registration:desk_registrations", kwargs={"slug": desk_world["other"].slug})
    response = client.get(url)
    assert response.status_code == 200
    assert "Bruno Bystander" in response.content.decode()
    assert "Alice Registrant" not in response.content.decode()


def test_registration_of_another_event_is_404(desk_world, desk_client):
    other_id = desk_world["registration_b"].pk
    for url in (_url("desk_registration", desk_world, pk=other_id),):
        response = desk_client.get(url)
        assert response.status_code == 404
        assert "Bruno Bystander" not in response.content.decode()
    response = desk_client.post(_url("desk_registration_action", desk_world, pk=other_id,
                                     action="reject"))
    assert response.status_code == 404
    assert Registration.objects.get(pk=other_id).status == "pending"


def test_unknown_action_is_404_and_get_on_action_is_refused(desk_world, desk_client):
    pk = desk_world["registration_a"].pk
    assert desk_client.post(_url("desk_registration_action", desk_world, pk=pk,
                                 action="delete")).status_code == 404
    assert desk_client.get(_url("desk_registration_action", desk_world, pk=pk,
                                action="approve")).status_code == 405


def test_posts_need_the_csrf_token(desk_world):
    client = Client(enforce_csrf_checks=True)
    verified_client(desk_world["organiser"], client)
    response = client.post(_url("desk_registrations", desk_world),
                           {"action": "approve", "ids": [desk_world["registration_a"].pk]})
    assert response.status_code == 403
    assert Registration.objects.get(pk=desk_world["registration_a"].pk).status == "pending"


def test_device_of_someone_else_does_not_verify(desk_world):
    import django_otp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    foreign = TOTPDevice.objects.create(user=desk_world["alice"], name="default",
                                        confirmed=True)
    client = Client()
    client.force_login(desk_world["organiser"])
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = foreign.persistent_id
    session.save()
    response = client.get(_url("desk_registrations", desk_world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert "Alice Registrant" not in response.content.decode()
