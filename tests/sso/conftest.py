"""A real OpenID Connect provider (tests/sso/provider, django-oauth-toolkit) in its own
process on a free port of 127.0.0.1, and the platform configured to use it."""

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.browser.conftest import browser  # noqa: F401 (the shared Chromium fixture)
from tests.sso.provider.people import CLIENT_ID, CLIENT_SECRET, DOMAIN, PASSWORD

REPO = Path(__file__).resolve().parents[2]
CALLBACK = "/accounts/sso/oidc/callback/"
SECRET_ENV = "SSO_TEST_INSTITUTE_SECRET"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Provider:
    url: str

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def session_for(self, username: str) -> requests.Session:
        """A browser-like session signed in at the provider as ``username``."""
        session = requests.Session()
        page = session.get(f"{self.url}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = session.post(f"{self.url}/login/", timeout=10, allow_redirects=False,
                              data={"username": username, "password": PASSWORD,
                                    "csrfmiddlewaretoken": token, "next": "/o/userinfo/"},
                              headers={"Referer": f"{self.url}/login/"})
        assert answer.status_code == 302, answer.text
        return session

    def authorize(self, username: str, authorize_url: str) -> str:
        """Sign in at the provider and follow the authorization request; the address the
        provider sends the browser back to (the platform's callback with code and state)."""
        answer = self.session_for(username).get(authorize_url, timeout=10,
                                                allow_redirects=False)
        assert answer.status_code == 302, answer.text[:2000]
        return answer.headers["Location"]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory, live_server):
    """The provider, started once per test run (per xdist worker). Its client accepts the
    callback on the test client's host and on the live server's."""
    data = tmp_path_factory.mktemp("identity-provider")
    port = _free_port()
    redirects = [f"http://testserver{CALLBACK}", f"{live_server.url}{CALLBACK}"]
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_URL"))}
    log = (data / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.provider.serve", str(data), str(port), *redirects],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/o/.well-known/openid-configuration", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the identity provider did not start: "
                                + (data / "provider.log").read_text()[-4000:])
                time.sleep(0.2)
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def site_url(settings):
    """The platform's public address (links and the redirect URI are built from it): the test
    client's host. Browser tests set it to the live server's."""
    settings.SITE_URL = "http://testserver"
    return settings


@pytest.fixture
def institute(db, oidc_provider, monkeypatch, site_url):
    """The platform's configuration of the provider (as an administrator would save it)."""
    from fusionforum.sso.models import IdentityProvider

    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    provider = IdentityProvider.objects.create(
        key="institute", label="Demo Institute", issuer=oidc_provider.issuer,
        client_id=CLIENT_ID, client_secret_env=SECRET_ENV, email_domains=DOMAIN,
        creator_groups="fusion-event-leads", enforces_second_factor=True,
        accepted_acr="urn:institute:mfa", accepted_amr="mfa hwk")
    return provider


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


# SAML 2.0 ----------------------------------------------------------------------------------------

SAML_PASSWORD = "saml-institute-password"


def _saml_person(name, *, groups=(), acr="", spoil="", subject=""):
    return {"name": name, "groups": list(groups), "acr": acr, "spoil": spoil,
            "password": SAML_PASSWORD, **({"subject": subject} if subject else {})}


SAML_MFA = "https://refeds.org/profile/mfa"
SAML_PEOPLE = {
    f"newcomer@{DOMAIN}": _saml_person("Nadia Newcomer"),
    f"existing@{DOMAIN}": _saml_person("Esther Existing"),
    f"lead@{DOMAIN}": _saml_person("Leo Lead", groups=["fusion-event-leads", "staff"]),
    # The same person (same NameID) after leaving the group.
    f"former-lead@{DOMAIN}": _saml_person("Leo Lead", groups=["staff"],
                                          subject=f"lead@{DOMAIN}"),
    f"organiser@{DOMAIN}": _saml_person("Olga Organiser", acr=SAML_MFA),
    f"organiser2@{DOMAIN}": _saml_person("Oscar Organiser"),
    f"expert@{DOMAIN}": _saml_person("Erik Expert"),
    "otto@elsewhere.example": _saml_person("Otto Outsider"),
    f"unsigned@{DOMAIN}": _saml_person("Uwe Unsigned", spoil="unsigned"),
    f"otherkey@{DOMAIN}": _saml_person("Kim Otherkey", spoil="other_key"),
    f"expired@{DOMAIN}": _saml_person("Eve Expired", spoil="expired"),
    f"audience@{DOMAIN}": _saml_person("Aude Audience", spoil="audience"),
    f"destination@{DOMAIN}": _saml_person("Dina Destination", spoil="destination"),
}


@dataclass
class SamlProvider:
    url: str

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    def answer(self, email: str, authn_request_url: str, password: str = SAML_PASSWORD):
        """Play the person at the provider: open the AuthnRequest, sign in; the ACS address and
        the form the provider's page posts there (SAMLResponse, RelayState)."""
        import html

        session = requests.Session()
        page = session.get(authn_request_url, timeout=10)
        assert page.status_code == 200, page.text[:2000]
        ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
        answer = session.post(f"{self.url}/login", timeout=10,
                              data={"ticket": ticket, "email": email, "password": password})
        assert answer.status_code == 200, answer.text[:2000]
        action = html.unescape(re.search(r'<form method="post" action="([^"]+)"',
                                         answer.text).group(1))
        fields = {name: html.unescape(value) for name, value in re.findall(
            r'name="(SAMLResponse|RelayState)" value="([^"]*)"', answer.text)}
        return action, fields


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    """The pysaml2 identity provider (fusionforum/demo_idp/saml_idp.py) in its own process."""
    import json

    data = tmp_path_factory.mktemp("saml-identity-provider")
    people = data / "people.json"
    people.write_text(json.dumps(SAML_PEOPLE))
    port = _free_port()
    log = (data / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "fusionforum.demo_idp.saml_idp", str(data), str(port),
         str(people)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/metadata", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the SAML identity provider did not start: "
                                + (data / "provider.log").read_text()[-4000:])
                time.sleep(0.2)
        yield SamlProvider(url)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def saml_institute(db, saml_idp, site_url):
    """The platform's configuration of the SAML provider (metadata read from its address)."""
    from fusionforum.sso.models import IdentityProvider

    return IdentityProvider.objects.create(
        key="saml-institute", protocol="saml", label="SAML Institute",
        entity_id=saml_idp.entity_id, metadata_url=f"{saml_idp.url}/metadata",
        email_domains=DOMAIN, groups_claim="eduPersonEntitlement",
        creator_groups="fusion-event-leads", enforces_second_factor=True,
        accepted_acr=SAML_MFA)


@pytest.fixture
def meetings_day(event):
    """A meetings day on the event's last day, so that an invited expert has an agenda."""
    from fusionforum.meetings.models import MeetingSettings

    return MeetingSettings.objects.create(
        event=event, date=event.end_date, start_time=dt.time(9), end_time=dt.time(12),
        slot_minutes=30, breaks=[],
        requests_open_at=dt.datetime(2027, 5, 1, 9, tzinfo=dt.UTC),
        requests_close_at=dt.datetime(2027, 5, 25, 18, tzinfo=dt.UTC))
