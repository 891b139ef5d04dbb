"""Identity providers as administrators configure them (back office, environment), the data
a person can download about their links, and a provider that cannot be reached."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from fusionforum.accounts import personal_data
from fusionforum.core.models import AuditEntry
from fusionforum.sso import providers
from fusionforum.sso.models import IdentityProvider, Link
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

DECLARED = {"key": "institute", "label": "Institute", "issuer": "https://id.example.org",
            "client_id": "fusionforum", "client_secret_env": "SSO_INSTITUTE_SECRET",
            "email_domains": "example.org"}


def test_providers_declared_in_the_environment_are_listed(settings):
    settings.SSO_PROVIDERS = json.dumps([DECLARED])
    found = providers.enabled()
    assert [provider.key for provider in found] == ["institute"]
    assert found[0].from_settings and found[0].pk is None
    # A back-office provider with the same key wins.
    IdentityProvider.objects.create(**{**DECLARED, "label": "Institute (back office)"})
    assert [provider.label for provider in providers.enabled()] == ["Institute (back office)"]


@pytest.mark.parametrize("entry, words", [
    ({**DECLARED, "colour": "red"}, "unknown fields"),
    ({**DECLARED, "email_domains": "not a domain!"}, "email_domains"),
    ({**DECLARED, "client_secret_env": "lower-case"}, "client_secret_env"),
    ({**DECLARED, "scopes": "email profile"}, "openid"),
])
def test_a_wrong_declaration_stops_with_a_message(settings, entry, words):
    settings.SSO_PROVIDERS = [entry]
    with pytest.raises(ImproperlyConfigured, match=words):
        providers.declared()


def test_the_client_secret_comes_from_the_named_variable(monkeypatch):
    provider = IdentityProvider(**DECLARED)
    monkeypatch.delenv("SSO_INSTITUTE_SECRET", raising=False)
    assert provider.client_secret == ""
    monkeypatch.setenv("SSO_INSTITUTE_SECRET", "from-the-environment")
    assert provider.client_secret == "from-the-environment"
    field_names = {field.name for field in IdentityProvider._meta.fields}
    assert "client_secret" not in field_names


def test_platform_administrators_configure_providers_in_the_back_office(client, make_user):
    admin = make_user("root@test.invalid", is_superuser=True, is_staff=True)
    login_verified(client, admin)
    answer = client.post(reverse("admin:sso_identityprovider_add"), {
        "key": "institute", "protocol": "oidc", "label": "Institute", "position": 0,
        "enabled": "on", "issuer": "https://id.example.org", "client_id": "fusionforum",
        "client_secret_env": "SSO_INSTITUTE_SECRET", "scopes": "openid email profile",
        "email_domains": "Example.org, lab.example.org", "required_for_staff": "on",
        "groups_claim": "groups", "creator_groups": "event-leads", "accepted_acr": "",
        "accepted_amr": "mfa"})
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    provider = IdentityProvider.objects.get()
    assert provider.domains == ["example.org", "lab.example.org"]
    assert AuditEntry.objects.filter(action="sso.provider_added", actor=admin).exists()
    # The login page now offers it.
    client.logout()
    assert b"Sign in with Institute" in client.get(reverse("accounts:login")).content


def test_required_for_staff_needs_domains(client, make_user):
    admin = make_user("root@test.invalid", is_superuser=True, is_staff=True)
    login_verified(client, admin)
    answer = client.post(reverse("admin:sso_identityprovider_add"), {
        "key": "institute", "protocol": "oidc", "label": "Institute", "position": 0,
        "issuer": "https://id.example.org", "client_id": "fusionforum",
        "scopes": "openid email", "required_for_staff": "on", "accepted_amr": "mfa"})
    assert answer.status_code == 200
    assert b"Say which e-mail domains" in answer.content
    assert not IdentityProvider.objects.exists()


def test_organisers_do_not_see_providers(client, organiser):
    login_verified(client, organiser)
    assert client.get(reverse("admin:sso_identityprovider_changelist")).status_code in (302, 403)


def test_links_are_in_the_data_download_and_go_with_the_account(make_user):
    user = make_user("person@example.org")
    Link.objects.create(provider_key="institute", subject="abc-123", user=user)
    exported = personal_data.export(user)
    assert exported["sso_links"][0]["provider"] == "institute"
    assert exported["sso_links"][0]["subject"] == "abc-123"
    personal_data.anonymise(user)
    assert not Link.objects.exists()


def test_a_provider_that_cannot_be_reached_is_a_page_in_words(client, settings):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    IdentityProvider.objects.create(**{**DECLARED, "issuer": f"http://127.0.0.1:{port}/o"})
    answer = client.get(reverse("sso:start", args=["institute"]))
    assert answer.status_code == 502
    assert b"cannot be reached right now" in answer.content
    assert AuditEntry.objects.filter(action="sso.refused", data__reason="unreachable").exists()
