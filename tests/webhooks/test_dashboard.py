"""The webhooks' to-dos on the event's dashboard: a failing or switched-off endpoint."""

import pytest
from django.urls import reverse

from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard
from fusionforum.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def _todos(event, user):
    return [t for t in dashboard.build(event, user, business_clock.now()).todos
            if t.key.startswith("webhook")]


def test_a_failing_endpoint_is_a_todo_until_it_recovers(event, organiser, endpoint, make_user):
    endpoint, _secret = endpoint if isinstance(endpoint, tuple) else (endpoint, None)
    assert _todos(event, organiser) == []
    Endpoint.objects.filter(pk=endpoint.pk).update(messages_given_up=2,
                                                   failing_since=business_clock.now())
    [todo] = _todos(event, organiser)
    assert "gave 2 messages up" in todo.text
    assert todo.url == reverse("webhooks:endpoint", args=[event.slug, endpoint.pk])
    reviewer = make_user("reviewer@test.invalid")
    from fusionforum.events.models import TeamMembership

    TeamMembership.objects.create(event=event, user=reviewer, role=TeamMembership.Role.REVIEWER)
    assert _todos(event, reviewer) == []
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason="Failing")
    assert "switched off" in _todos(event, organiser)[0].text
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=True, disabled_reason="", messages_given_up=0, failing_since=None)
    assert _todos(event, organiser) == []
