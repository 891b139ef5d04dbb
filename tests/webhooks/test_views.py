"""The organisers' webhook pages: add an endpoint (the secret shown once), its page with the
delivery log, edit, disable and enable, send a test, rotate the secret, redeliver, delete;
refused to anyone else with the same 404 as a page that does not exist."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from fusionforum.events.models import TeamMembership
from fusionforum.webhooks.models import Endpoint, Message
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client, organiser):
    return login_verified(client, organiser)


def test_the_whole_path_of_an_endpoint(organiser_client, event, receiver,
                                       django_capture_on_commit_callbacks):
    base = f"/manage/{event.slug}/webhooks/"
    page = organiser_client.get(base)
    assert page.status_code == 200 and "No endpoint yet" in page.content.decode()
    assert "registration.created" in page.content.decode()
    assert organiser_client.get(base + "new/").status_code == 200
    created = organiser_client.post(base + "new/", {
        "url": receiver.url, "description": "Our CRM",
        "event_types": ["registration.created", "checkin.created"]})
    assert created.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in created.content.decode()
    assert created["Cache-Control"] == "private, no-store"
    detail = organiser_client.get(f"{base}{endpoint.pk}/")
    assert endpoint.secret not in detail.content.decode()  # shown once only
    assert "Our CRM" in detail.content.decode()
    listing = organiser_client.get(base).content.decode()
    assert receiver.url in listing and "A participant is checked in" in listing

    edited = organiser_client.post(f"{base}{endpoint.pk}/edit/", {
        "url": receiver.url, "description": "Badge printer", "event_types": ["checkin.created"]})
    assert edited.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.event_types) == ("Badge printer", ["checkin.created"])

    with django_capture_on_commit_callbacks(execute=True):
        assert organiser_client.post(f"{base}{endpoint.pk}/ping/").status_code == 302
    Webhook(endpoint.secret).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    message = Message.objects.get()
    detail = organiser_client.get(f"{base}{endpoint.pk}/").content.decode()
    assert "webhook.ping" in detail and "HTTP 200" in detail and message.webhook_id in detail

    with django_capture_on_commit_callbacks(execute=True):
        assert organiser_client.post(
            f"{base}{endpoint.pk}/messages/{message.pk}/redeliver/").status_code == 302
    assert len(receiver.requests) == 2
    assert "(redelivered)" in organiser_client.get(f"{base}{endpoint.pk}/").content.decode()

    rotated = organiser_client.post(f"{base}{endpoint.pk}/secret/")
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret in rotated.content.decode()
    assert endpoint.previous_secret and endpoint.previous_secret not in rotated.content.decode()

    assert organiser_client.post(f"{base}{endpoint.pk}/enabled/",
                                 {"enabled": "0"}).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    refused = organiser_client.post(f"{base}{endpoint.pk}/ping/", follow=True)
    assert "Enable the endpoint" in refused.content.decode()
    organiser_client.post(f"{base}{endpoint.pk}/enabled/", {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.enabled

    assert organiser_client.post(f"{base}{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists()


def test_bad_input_is_a_clear_400_and_nothing_is_written(organiser_client, event):
    base = f"/manage/{event.slug}/webhooks/new/"
    for data, expected in (
            ({"url": "not a url", "event_types": ["checkin.created"]}, "valid URL"),
            ({"url": "https://93.184.215.14/x", "event_types": []}, "required"),
            ({"url": "https://93.184.215.14/x", "event_types": ["nope"]}, "valid choice"),
            ({"url": "https://93.184.215.14/x", "description": "two\nlines",
              "event_types": ["checkin.created"]}, "line"),
    ):
        response = organiser_client.post(base, data)
        assert response.status_code == 400, data
        assert expected in response.content.decode(), (data, expected)
    assert not Endpoint.objects.exists()


def test_other_people_get_a_404(client, event, make_user, make_event, receiver):
    from fusionforum.webhooks import registry, services

    organiser = make_user("real.organiser@test.invalid")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    endpoint, _ = services.create_endpoint(event, url=receiver.url, description="",
                                           event_types=list(registry.EVENT_TYPES),
                                           by=organiser)
    other = make_event(slug="other-workshop", title="Another Test Workshop", with_days=False)
    stranger = make_user("other.organiser@test.invalid")
    TeamMembership.objects.create(event=other, user=stranger,
                                  role=TeamMembership.Role.ORGANISER)
    login_verified(client, stranger)
    base = f"/manage/{event.slug}/webhooks/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}{endpoint.pk}/").status_code == 404
    assert client.post(f"{base}{endpoint.pk}/delete/").status_code == 404
    # Their own event's address with this event's endpoint: no such endpoint there.
    assert client.get(f"/manage/{other.slug}/webhooks/{endpoint.pk}/").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_staff_home_links_to_the_webhooks(organiser_client, event):
    page = organiser_client.get("/manage/").content.decode()
    assert f"/manage/{event.slug}/webhooks/" in page
