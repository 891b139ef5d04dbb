"""Authorization matrix: roles x objects x actions, through the rules and through the back
office pages themselves."""

import itertools

import pytest
from django.test import Client

from fusionforum.events.models import ContactMessage, TeamMembership
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "organiser_a", "organiser_b", "platform_admin"]


@pytest.fixture
def world(make_event, make_stream, make_user, clock):
    event_a = make_event(slug="event-a", title="Event A")
    event_b = make_event(slug="event-b", title="Event B")
    objects = {"event_a": event_a, "event_b": event_b}
    for key, event in (("a", event_a), ("b", event_b)):
        objects[f"stream_{key}"] = make_stream(event, label=f"Stream {key}")
        objects[f"message_{key}"] = ContactMessage.objects.create(
            event=event, name=f"Sender {key}", email=f"sender-{key}@test.invalid",
            message="A question about the workshop.", received_at=clock.now(),
        )
    users = {"anonymous": None, "participant": make_user("participant@test.invalid")}
    for key, event in (("a", event_a), ("b", event_b)):
        user = make_user(f"organiser-{key}@test.invalid")
        TeamMembership.objects.create(event=event, user=user)
        users[f"organiser_{key}"] = user
    users["platform_admin"] = make_user("root@test.invalid", is_superuser=True, is_staff=True)
    return objects, users


PERMISSION_TABLE = {
    # (model, action): "admin" = platform administrators, "own" = the event's organisers
    ("event", "view"): {"admin", "own"},
    ("event", "change"): {"admin", "own"},
    ("event", "delete"): {"admin"},
    ("streamlink", "view"): {"admin", "own"},
    ("streamlink", "change"): {"admin", "own"},
    ("streamlink", "delete"): {"admin", "own"},
    ("contactmessage", "view"): {"admin", "own"},
    ("contactmessage", "change"): {"admin", "own"},
    ("teammembership", "change"): {"admin"},
}


@pytest.mark.parametrize(
    ("role", "model_action", "owner"),
    list(itertools.product(ROLES, PERMISSION_TABLE, ["a", "b"])),
)
def test_rule_matrix(world, role, model_action, owner):
    objects, users = world
    model, action = model_action
    user = users[role]
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    target = {
        "event": objects[f"event_{owner}"],
        "streamlink": objects[f"stream_{owner}"],
        "contactmessage": objects[f"message_{owner}"],
        "teammembership": objects[f"event_{owner}"],
    }[model]
    event = target if model in ("event", "teammembership") else target.event
    allowed = PERMISSION_TABLE[model_action]
    expected = role == "platform_admin" or ("own" in allowed and role == f"organiser_{owner}")
    assert user.has_perm(f"events.{action}_{model}", event) is expected


def _client(users, role):
    client = Client()
    if role == "participant":
        client.force_login(users[role])
    elif users[role] is not None:
        # Back-office users: the session passed the second factor.
        login_verified(client, users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("owner", ["a", "b"])
@pytest.mark.parametrize("page", ["event_change", "stream_change", "message_change"])
def test_back_office_pages(world, role, owner, page):
    objects, users = world
    url = {
        "event_change": f"/admin/events/event/{objects[f'event_{owner}'].pk}/change/",
        "stream_change": f"/admin/events/streamlink/{objects[f'stream_{owner}'].pk}/change/",
        "message_change": f"/admin/events/contactmessage/{objects[f'message_{owner}'].pk}/change/",
    }[page]
    response = _client(users, role).get(url)
    if role in ("anonymous", "participant"):
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    elif role == "platform_admin" or role == f"organiser_{owner}":
        assert response.status_code == 200
    else:
        # Another event's objects do not exist for this organiser.
        assert response.status_code == 302
        assert response["Location"] == "/admin/"


@pytest.mark.parametrize("role", ["organiser_a", "organiser_b"])
def test_lists_show_only_own_events(world, role):
    objects, users = world
    client = _client(users, role)
    own, other = ("a", "b") if role == "organiser_a" else ("b", "a")
    events_html = client.get("/admin/events/event/").content.decode()
    assert f"/event-{own}/" in events_html
    assert f"/event-{other}/" not in events_html
    messages_html = client.get("/admin/events/contactmessage/").content.decode()
    assert f"Sender {own}" in messages_html
    assert f"Sender {other}" not in messages_html
    streams_html = client.get("/admin/events/streamlink/").content.decode()
    assert f"Stream {own}" in streams_html
    assert f"Stream {other}" not in streams_html


def test_organiser_cannot_move_a_stream_to_another_event(world):
    objects, users = world
    objects["event_b"].days.update(label="Day of event B")
    client = _client(users, "organiser_a")
    response = client.get("/admin/events/streamlink/add/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Event A" in html and "Event B" not in html
    assert "Day of event B" not in html
    # Posting another event's id anyway is refused with a form error; nothing is stored.
    response = client.post("/admin/events/streamlink/add/", {
        "event": objects["event_b"].pk, "label": "Smuggled", "url": "https://x.invalid/s",
        "visible_from_0": "2027-05-26", "visible_from_1": "09:00",
    })
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not objects["event_b"].streams.filter(label="Smuggled").exists()


def test_organiser_cannot_see_users_outbox_or_audit_log(world):
    _, users = world
    client = _client(users, "organiser_a")
    for url in ("/admin/accounts/user/", "/admin/notifications/outboundemail/",
                "/admin/core/auditentry/"):
        assert client.get(url).status_code == 403, url


def test_organiser_cannot_add_or_delete_events(world):
    objects, users = world
    client = _client(users, "organiser_a")
    assert client.get("/admin/events/event/add/").status_code == 403
    event = objects["event_a"]
    assert client.get(f"/admin/events/event/{event.pk}/delete/").status_code == 403


def test_organiser_marks_own_message_answered_and_it_is_audited(world):
    from fusionforum.core.models import AuditEntry

    objects, users = world
    client = _client(users, "organiser_a")
    message = objects["message_a"]
    response = client.post("/admin/events/contactmessage/", {
        "action": "mark_answered", "_selected_action": [message.pk],
    })
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.ANSWERED
    assert message.handled_by == users["organiser_a"]
    entry = AuditEntry.objects.get(action="contact.status")
    assert entry.actor == users["organiser_a"]
    assert entry.summary == "new → answered"


def test_service_refuses_another_events_organiser(world):
    from django.core.exceptions import PermissionDenied

    from fusionforum.events import services

    objects, users = world
    with pytest.raises(PermissionDenied):
        services.mark_contact_message(objects["message_b"], "answered", by=users["organiser_a"])
    assert ContactMessage.objects.get(pk=objects["message_b"].pk).status == "new"
