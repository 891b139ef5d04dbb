"""The public page cache keeps only what every anonymous visitor may see.

A page that carries a one-time message ("You are logged out."), sets a cookie, writes to the
session or uses the CSRF token belongs to one visitor: it is rendered fresh and never stored.
These tests run on the in-process cache and, with REDIS_URL set (CI's second pass), on Redis.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from fusionforum.core import pagecache

LOGGED_OUT = "You are logged out."


def _anonymous_request(path="/some-public-page/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _public(body="page"):
    response = HttpResponse(body)
    response["Cache-Control"] = "public, max-age=60"
    response.public_cacheable = True
    return response


def _stored(request) -> bool:
    return cache.get(pagecache._page_key(request)) is not None


def test_logging_out_shows_the_message_once_and_never_to_the_next_visitor(client, event,
                                                                          make_user, clock):
    url = "/"  # logging out lands on the site's root (the list of events)
    client.force_login(make_user())
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert LOGGED_OUT in html
    assert response["X-Page-Cache"] == "pass"
    assert response["Cache-Control"] == "private, no-cache"
    # The next anonymous visitor (and the same one, reloading) never sees the message.
    for visitor in (Client(), Client(), client):
        again = visitor.get(url)
        assert LOGGED_OUT not in again.content.decode()
    first, second = Client().get(url), Client().get(url)
    assert second["X-Page-Cache"] == "hit"
    assert LOGGED_OUT not in first.content.decode() + second.content.decode()
    assert first["Cache-Control"] == "public, max-age=60"


def test_a_visitor_with_a_waiting_message_is_not_served_the_stored_copy(client, event,
                                                                        make_user, clock):
    url = event.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    client.force_login(make_user())
    client.post("/accounts/logout/")  # the message waits for the next page
    response = client.get(url)
    assert LOGGED_OUT in response.content.decode()
    assert response["X-Page-Cache"] == "pass"
    assert Client().get(url)["X-Page-Cache"] == "hit"


def test_a_page_that_displays_a_waiting_message_is_never_stored():
    request = _anonymous_request()
    messages.info(request, LOGGED_OUT)
    shown = []

    def render():
        shown.extend(str(m) for m in messages.get_messages(request))
        return _public(" ".join(shown)), None

    response = pagecache.serve(request, render)
    assert shown == [LOGGED_OUT]
    assert response["X-Page-Cache"] == "pass"
    assert response["Cache-Control"] == "private, no-cache"
    assert not _stored(request)


def test_a_message_added_while_rendering_prevents_storing():
    request = _anonymous_request()

    def render():
        messages.warning(request, "Something for this visitor only.")
        return _public(), None

    response = pagecache.serve(request, render)
    assert response["X-Page-Cache"] == "pass" and not _stored(request)


def test_pages_that_touch_cookies_session_or_csrf_are_never_stored():
    def with_cookie(request):
        response = _public()
        response.set_cookie("choice", "1")
        return response

    def writing_session(request):
        request.session["seen"] = True
        return _public()

    def with_form(request):
        return _public(f"<input name=csrfmiddlewaretoken value={get_token(request)}>")

    for build in (with_cookie, writing_session, with_form):
        request = _anonymous_request(f"/{build.__name__}/")
        response = pagecache.serve(request, lambda r=request, b=build: (b(r), None))
        assert response["X-Page-Cache"] == "pass", build.__name__
        assert response["Cache-Control"] == "private, no-cache", build.__name__
        assert not _stored(request), build.__name__


def test_a_signed_in_person_is_never_served_or_stored():
    request = _anonymous_request("/signed-in/")

    class Someone:
        is_authenticated = True

    request.user = Someone()
    response = pagecache.serve(request, lambda: (_public("Hello Ada"), None))
    assert response["X-Page-Cache"] == "pass" and not _stored(request)


def test_a_plain_public_page_is_still_stored_and_served():
    request = _anonymous_request("/plain/")
    assert pagecache.serve(request, lambda: (_public(), None))["X-Page-Cache"] == "miss"
    assert _stored(request)
    again = _anonymous_request("/plain/")
    assert pagecache.serve(again, lambda: (_public("other"), None)).content == b"page"
