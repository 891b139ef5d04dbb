"""One registration in full with its decisions; the waiting list; organisations."""

import re

import pytest
from django.urls import reverse

from fusionforum.accounts.models import Organisation
from fusionforum.registration.models import Question, Registration, RegistrationSettings

pytestmark = pytest.mark.django_db


def detail_url(registration):
    return reverse("registration:desk_registration",
                   kwargs={"slug": registration.event.slug, "pk": registration.pk})


def action_url(registration, action):
    return reverse("registration:desk_registration_action",
                   kwargs={"slug": registration.event.slug, "pk": registration.pk,
                           "action": action})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_detail_shows_fields_answers_and_log(desk_world, desk_client, event, diet_question):
    Question.objects.create(event=event, label="Will you join the site visit?",
                            kind=Question.Kind.YES_NO, position=2)
    registration = desk_world["registration_a"]
    response = desk_client.get(detail_url(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Registrant" in html and "alice.registrant@test.invalid" in html
    assert "Helios Plasma Works" in html and "Private fusion developer" in html
    # Answers under the questions' labels, unanswered ones shown as such.
    assert response.context["answers"] == [("Dietary needs", "Vegetarian"),
                                           ("Will you join the site visit?", "")]
    # The log: the submission by Alice herself.
    transitions = response.context["transitions"]
    assert [(t.to_status, label, t.by) for t, label in transitions] == [
        ("pending", "New", desk_world["alice"])]
    # Buttons that fit a pending registration.
    for action in ("approve", "reject", "cancel", "priority"):
        assert action_url(registration, action) in html
    assert action_url(registration, "promote") not in html


def test_approve_then_log_names_the_organiser(desk_world, desk_client, status_of):
    registration = desk_world["registration_a"]
    response = desk_client.post(action_url(registration, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(registration)
    assert messages_of(response) == ["Alice Registrant: Approved: the seat is confirmed."]
    assert status_of(registration) == "confirmed"
    log = response.context["transitions"]
    assert [(t.from_status, t.to_status, t.by) for t, _ in log][-1] == (
        "pending", "confirmed", desk_world["organiser"])
    assert "Olga Organiser" in response.content.decode()


def test_illegal_actions_are_messages_not_errors(desk_world, desk_client, status_of):
    registration = desk_world["registration_a"]
    desk_client.post(action_url(registration, "reject"), {"note": "Not this year"}, follow=True)
    assert status_of(registration) == "rejected"
    for action in ("approve", "reject", "promote", "cancel"):
        response = desk_client.post(action_url(registration, action), follow=True)
        assert response.status_code == 200
        [message] = messages_of(response)
        assert message.startswith("Alice Registrant: ")
        assert "cannot become" in message or "Only someone on the waiting list" in message
    assert status_of(registration) == "rejected"
    page = desk_client.get(detail_url(registration)).content.decode()
    assert "Not this year" in page
    assert "nothing left to decide" in page


def test_promote_needs_a_free_seat(desk_world, desk_client, make_person, register, status_of):
    event = desk_world["event"]
    RegistrationSettings.objects.filter(event=event).update(capacity=1)
    desk_client.post(action_url(desk_world["registration_a"], "approve"), follow=True)
    waiting = register(make_person(full_name="Wanda Waiting"))
    desk_client.post(action_url(waiting, "approve"), follow=True)
    assert status_of(waiting) == "waitlisted"
    response = desk_client.post(action_url(waiting, "promote"), follow=True)
    assert "No seat is free for this person" in messages_of(response)[0]
    assert status_of(waiting) == "waitlisted"
    # A seat frees up and is offered automatically; raising capacity lets the organiser
    # promote directly.
    RegistrationSettings.objects.filter(event=event).update(capacity=2)
    response = desk_client.post(action_url(waiting, "promote"), follow=True)
    assert messages_of(response) == ["Wanda Waiting: Promoted: the seat is confirmed."]
    assert status_of(waiting) == "confirmed"


def test_pending_cannot_be_promoted_around_the_approval(desk_world, desk_client, status_of):
    registration = desk_world["registration_a"]
    response = desk_client.post(action_url(registration, "promote"), follow=True)
    assert "Only someone on the waiting list" in messages_of(response)[0]
    assert status_of(registration) == "pending"


def test_cancel_with_note_and_priority(desk_world, desk_client, status_of):
    registration = desk_world["registration_a"]
    response = desk_client.post(action_url(registration, "priority"), {"priority": "7"},
                                follow=True)
    assert messages_of(response) == ["Alice Registrant: Priority set to 7."]
    assert Registration.objects.get(pk=registration.pk).priority == 7
    for bad in ("", "abc", "99999", "1.5"):
        response = desk_client.post(action_url(registration, "priority"), {"priority": bad},
                                    follow=True)
        assert response.status_code == 200
        assert messages_of(response)[0].startswith("Priority: ")
    assert Registration.objects.get(pk=registration.pk).priority == 7
    response = desk_client.post(action_url(registration, "cancel"),
                                {"note": "Asked by phone"}, follow=True)
    assert status_of(registration) == "cancelled"
    assert registration.transitions.last().note == "Asked by phone"


def test_next_only_leads_back_into_this_desk(desk_world, desk_client):
    registration = desk_world["registration_a"]
    waiting = reverse("registration:desk_waiting_list", kwargs={"slug": "workshop-2027"})
    response = desk_client.post(action_url(registration, "priority"),
                                {"priority": "1", "next": waiting})
    assert response["Location"] == waiting
    for evil in ("https://evil.test/manage/workshop-2027/", "//evil.test/",
                 "/manage/other-workshop/registrations/"):
        response = desk_client.post(action_url(registration, "priority"),
                                    {"priority": "1", "next": evil})
        assert response["Location"] == detail_url(registration)


@pytest.fixture
def waiting_world(desk_world, desk_client, make_person, make_organisation, register):
    """Capacity 2, cap 1 per organisation. Alice confirmed; Helios colleague waits (blocked by
    the cap); two people of another company wait, the later one with a higher priority."""
    event = desk_world["event"]
    RegistrationSettings.objects.filter(event=event).update(capacity=2,
                                                            delegates_per_organisation=1)
    desk_client.post(action_url(desk_world["registration_a"], "approve"), follow=True)
    colleague = register(make_person(desk_world["helios"], full_name="Hugo Helios"))
    company = make_organisation("Stellar Coils", kind=Organisation.Kind.SUPPLIER)
    first = register(make_person(company, full_name="Sam Supplier"))
    second = register(make_person(company, full_name="Sue Supplier"))
    bobby = make_organisation("Beta Beams", kind=Organisation.Kind.ACADEMIA)
    third = register(make_person(bobby, full_name="Bea Beams"))
    # Fill the second seat so that everyone else waits, then free it again by raising capacity
    # below.
    RegistrationSettings.objects.filter(event=event).update(capacity=1)
    for registration in (colleague, first, second, third):
        desk_client.post(action_url(registration, "approve"), follow=True)
    desk_client.post(action_url(second, "priority"), {"priority": "5"}, follow=True)
    RegistrationSettings.objects.filter(event=event).update(capacity=2)
    return {"colleague": colleague, "first": first, "second": second, "third": third}


def test_waiting_list_order_and_eligibility(desk_world, desk_client, waiting_world, status_of):
    event = desk_world["event"]
    url = reverse("registration:desk_waiting_list", kwargs={"slug": event.slug})
    response = desk_client.get(url)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(e.position, e.registration.user.full_name, bool(e.pool)) for e in entries] == [
        (1, "Sue Supplier", True),   # priority 5 goes first
        (2, "Hugo Helios", False),   # Helios has reached its cap of 1
        (3, "Sam Supplier", True),
        (4, "Bea Beams", True),
    ]
    html = response.content.decode()
    assert 'Priority of Sue Supplier' in html
    # Promote from the waiting list, back to the waiting list.
    response = desk_client.post(action_url(waiting_world["second"], "promote"),
                                {"next": url}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert status_of(waiting_world["second"]) == "confirmed"
    assert [(e.position, e.registration.user.full_name)
            for e in response.context["entries"]] == [
        (1, "Hugo Helios"), (2, "Sam Supplier"), (3, "Bea Beams")]
    # Now full: nobody is eligible, and a promote is refused with a message.
    assert not any(e.pool for e in response.context["entries"])
    response = desk_client.post(action_url(waiting_world["third"], "promote"), {"next": url},
                                follow=True)
    assert "No seat is free" in messages_of(response)[0]


def test_organisations_overview_counts_and_cap(desk_world, desk_client, waiting_world):
    event = desk_world["event"]
    response = desk_client.get(reverse("registration:desk_organisations",
                                       kwargs={"slug": event.slug}))
    assert response.status_code == 200
    rows = {r["organisation"].name: r for r in response.context["rows"]}
    helios = rows["Helios Plasma Works"]
    assert helios["total"] == 2 and helios["holding"] == 1 and helios["at_cap"]
    assert dict(zip(["pending", "confirmed", "waitlisted", "offered", "cancelled", "rejected",
                     "expired"], helios["counts"], strict=True)) == {
        "pending": 0, "confirmed": 1, "waitlisted": 1, "offered": 0, "cancelled": 0,
        "rejected": 0, "expired": 0}
    assert rows["Stellar Coils"]["counts"][2] == 2 and not rows["Stellar Coils"]["at_cap"]
    # The other event's registrations do not count here.
    bruno_org = desk_world["bruno"].organisation.name
    assert rows[bruno_org]["total"] == 0
    html = response.content.decode()
    assert f"?organisation={desk_world['helios'].pk}" in html
    assert "(cap reached)" in html
    only = desk_client.get(reverse("registration:desk_organisations",
                                   kwargs={"slug": event.slug}) + "?registered=1")
    assert bruno_org not in {r["organisation"].name for r in only.context["rows"]}


def test_desk_pages_render_in_event_time_without_errors(desk_world, desk_client,
                                                        waiting_world):
    event = desk_world["event"]
    for name in ("desk_registrations", "desk_waiting_list", "desk_organisations",
                 "desk_organisations_import"):
        response = desk_client.get(reverse(f"registration:{name}", kwargs={"slug": event.slug}))
        assert response.status_code == 200
        html = response.content.decode()
        assert re.search(r'<nav class="desk-nav" aria-label="Registration desk">', html)
        assert "<script>" not in html
