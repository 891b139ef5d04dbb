"""Which language a page is in: preference, cookie, Accept-Language, event default, site default
(core.languages.request_language, applied by core.middleware.LanguageMiddleware), and the
switcher that sets the cookie and the preference."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from fusionforum.accounts.models import User
from fusionforum.core import languages

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def rf():
    return RequestFactory()


class Anonymous:
    is_authenticated = False


class Person:
    is_authenticated = True

    def __init__(self, preferred_language):
        self.preferred_language = preferred_language


def request(rf, *, user=None, cookie=None, accept=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    req = rf.get("/", **headers)
    if cookie:
        req.COOKIES[COOKIE] = cookie
    req.user = user or Anonymous()
    return req


def test_the_saved_preference_comes_first(rf):
    req = request(rf, user=Person("fr"), cookie="en", accept="en")
    assert languages.request_language(req, "en") == "fr"


def test_a_blank_preference_lets_the_cookie_speak(rf):
    req = request(rf, user=Person(""), cookie="fr", accept="en")
    assert languages.request_language(req) == "fr"


def test_the_cookie_comes_before_the_browser(rf):
    assert languages.request_language(request(rf, cookie="fr", accept="en")) == "fr"


def test_an_unknown_cookie_is_ignored(rf):
    assert languages.request_language(request(rf, cookie="de", accept="fr")) == "fr"


def test_accept_language_picks_the_first_language_the_site_speaks(rf):
    assert languages.request_language(request(rf, accept="de-DE,fr-CA;q=0.8,en;q=0.5")) == "fr"
    assert languages.request_language(request(rf, accept="de, *")) == "en"


def test_without_any_choice_the_event_default_language_applies(rf):
    assert languages.request_language(request(rf), "fr") == "fr"
    assert languages.request_language(request(rf, accept="de"), "fr") == "fr"


def test_without_anything_the_site_default(rf):
    assert languages.request_language(request(rf)) == settings.LANGUAGE_CODE == "en"
    assert languages.request_language(request(rf), "xx") == "en"


# Through the middleware ---------------------------------------------------------------------


def test_pages_follow_the_browser_and_vary_on_it(client, event):
    response = client.get(f"/{event.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


def test_an_event_page_without_a_choice_is_in_the_event_language(client, make_event):
    event = make_event(default_language="fr")
    assert client.get(f"/{event.slug}/")["Content-Language"] == "fr"
    assert client.get(f"/{event.slug}/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    assert client.get("/accounts/login/")["Content-Language"] == "en"


def test_a_changed_event_default_language_is_seen_at_once(client, make_event):
    event = make_event(default_language="fr")
    assert client.get(f"/{event.slug}/")["Content-Language"] == "fr"
    event.default_language = "en"
    event.save()
    assert client.get(f"/{event.slug}/")["Content-Language"] == "en"


def test_a_signed_in_person_reads_their_language(client, event, make_user):
    user = make_user(preferred_language="fr")
    client.force_login(user)
    client.cookies[COOKIE] = "en"
    response = client.get(f"/{event.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "fr"


# The switcher ---------------------------------------------------------------------------------


def test_every_page_has_the_switcher(client, event):
    page = client.get(f"/{event.slug}/").content.decode()
    assert 'action="/language/"' in page
    assert 'name="language" value="fr" lang="fr"' in page
    assert 'name="language" value="en"' not in page  # the current language is not offered
    french = client.get(f"/{event.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'name="language" value="en" lang="en"' in french


def test_the_switcher_sets_the_cookie_and_goes_back(client, event):
    response = client.post("/language/", {"language": "fr", "next": f"/{event.slug}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/{event.slug}/"
    assert response.cookies[COOKIE].value == "fr"
    assert client.get(f"/{event.slug}/")["Content-Language"] == "fr"


def test_the_switcher_never_sends_anyone_elsewhere(client):
    response = client.post("/language/", {"language": "fr", "next": "https://evil.test/"})
    assert response["Location"] == "/"
    response = client.post("/language/", {"language": "xx", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert COOKIE not in response.cookies


def test_the_switcher_saves_a_signed_in_persons_preference(event, make_user):
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(f"/{event.slug}/").content.decode()
    assert "csrfmiddlewaretoken" in page
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post("/language/", {"language": "fr", "next": "/",
                                          "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).preferred_language == "fr"


def test_a_forged_switch_does_not_change_a_preference(make_user):
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/language/", {"language": "fr", "next": "/"})
    assert response.status_code == 403
    assert User.objects.get(pk=user.pk).preferred_language == ""


def test_an_anonymous_switch_needs_no_token_and_keeps_public_pages_cacheable(event):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/{event.slug}/")
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert client.post("/language/", {"language": "fr", "next": "/"}).status_code == 302


# Formats ----------------------------------------------------------------------------------------


def test_dates_and_times_in_each_language():
    import datetime as dt

    from django.utils import formats, translation

    moment = dt.datetime(2026, 12, 5, 9, 0)
    with translation.override("fr"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "5 décembre 2026, 09:00"
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "5 December 2026, 09:00"


def test_the_javascript_catalogue_is_a_script_per_language(client):
    response = client.get("/jsi18n/fr.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in response.content.decode() or "gettext" in response.content.decode()
    assert client.get("/jsi18n/xx.js").status_code == 404
