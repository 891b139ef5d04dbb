"""Fixtures of the API's own tests: tokens made through the service, clients carrying them."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def make_token(db):
    from fusionforum.api import services

    def factory(user, *, scope="read", all_events=True, events=(), days=30, verified=True,
                name="Test token"):
        return services.create_token(user, name=name, scope=scope, expires_in_days=days,
                                     all_events=all_events, events=list(events),
                                     verified=verified)

    return factory


@pytest.fixture
def bearer():
    def factory(raw, keyword="Bearer", **extra):
        return Client(HTTP_AUTHORIZATION=f"{keyword} {raw}", **extra)

    return factory


@pytest.fixture
def participant(make_user):
    return make_user("pat.participant@test.invalid", full_name="Pat Participant")
