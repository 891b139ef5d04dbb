"""The participant's site-access page after its deadline (no form: the deadline, whom to
contact, what else to do) and sentences joined around the security office's own words."""

import pytest
from django.urls import reverse

from fusionforum.core.sentences import as_sentence
from fusionforum.vault import services
from fusionforum.vault.models import AccessRecord

from .conftest import identity, paris

pytestmark = pytest.mark.django_db


def _page(event):
    return reverse("vault:status", args=[event.slug])


def test_after_the_deadline_the_page_says_so_and_whom_to_contact(client, clock, event, alice):
    clock.set(paris(2027, 5, 25, 10, 0))  # an hour after the deadline
    client.force_login(alice)
    response = client.get(_page(event))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="deadline-passed"' in body
    assert "The deadline for your site-access data passed on 25 May 2027, 09:00" in body
    assert reverse("events:contact", args=[event.slug]) in body
    assert f"mailto:{event.public_email}" in body
    assert reverse("visits:home", args=[event.slug]) in body  # give the seat up instead
    assert "<form" not in body.split('id="main"', 1)[-1].split("</main>")[0]
    # A stale form sent anyway: refused with a message, nothing stored.
    response = client.post(_page(event), identity())
    assert response.status_code == 403
    assert b"deadline" in response.content
    assert not AccessRecord.objects.exists()


def test_before_the_deadline_the_form_has_a_styled_button(client, clock, event, alice):
    client.force_login(alice)
    body = client.get(_page(event)).content.decode()
    assert 'class="form"' in body and '<button type="submit" class="button">' in body
    assert 'id="deadline-passed"' not in body


def test_submitted_then_deadline_passed_explains_corrections(client, clock, event, alice):
    services.submit(event, alice, identity())
    clock.set(paris(2027, 5, 26, 10, 0))
    client.force_login(alice)
    body = client.get(_page(event)).content.decode()
    assert "can no longer be changed here" in body and 'class="form"' not in body


@pytest.mark.parametrize("reason, shown", [
    ("The document number could not be verified (demo).",
     "could not be verified (demo). Your tour seats"),
    ("The document number could not be verified (demo)",
     "could not be verified (demo). Your tour seats"),
    ("Expired document!", "Expired document! Your tour seats"),
    ("Ask the site: “too late.”", "Ask the site: “too late.” Your tour seats"),
])
def test_refusal_reason_ends_with_one_full_stop(client, clock, event, alice, officer, reason,
                                                 shown):
    services.submit(event, alice, identity())
    services.decide(event, officer, alice, approve=False, reason=reason)
    client.force_login(alice)
    body = client.get(_page(event)).content.decode()
    assert shown.replace("“", "&ldquo;").replace("”", "&rdquo;") in body or shown in body
    assert ".." not in body.split('id="main"', 1)[-1]


def test_as_sentence():
    assert as_sentence("Refused (demo).") == "Refused (demo)."
    assert as_sentence("Refused (demo)") == "Refused (demo)."
    assert as_sentence("Really?  ") == "Really?"
    assert as_sentence("He said “stop.”") == "He said “stop.”"
    assert as_sentence("Wait…") == "Wait…"
    assert as_sentence("") == "" and as_sentence(None) == ""
