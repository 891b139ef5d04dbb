"""The registration API: the desk's list with its filters, one registration, the decisions
through the desk's service, the front desk's check-in with the page's answers, and a person's
own registrations."""

from __future__ import annotations

import pytest
from django.test import Client

from fusionforum.accounts.models import Organisation
from fusionforum.core.models import AuditEntry
from fusionforum.registration import badges
from fusionforum.registration.models import Registration
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db


def url(event, part=""):
    return f"/api/v1/events/{event.slug}/{part}"


@pytest.fixture
def people(open_registration, make_person, make_organisation, register):
    """Ada confirmed (private developer), Ben confirmed (public lab), Cy on the waiting list
    (3 seats, 2 per organisation: Ada's colleague Dee fills the third)."""
    open_registration()
    helios = make_organisation("Helios Confinement (fictional)")
    lab = make_organisation("Plasma Lab (fictional)", kind=Organisation.Kind.PUBLIC_LAB,
                            fusion_approach="")
    ada = register(make_person(helios, full_name="Ada Plasma", email="ada@test.invalid"))
    ben = register(make_person(lab, full_name="Ben Beam", email="ben@test.invalid"))
    dee = register(make_person(helios, full_name="Dee Divertor"))
    cy = register(make_person(lab, full_name="Cy Cryostat"))
    return {"ada": ada, "ben": ben, "dee": dee, "cy": cy}


@pytest.fixture
def desk(organiser, clock):
    # Made on the business clock's day, as the tokens' expiry counts from it.
    return token_client(organiser)


def test_the_desk_list_and_its_filters(desk, event, people):
    body = desk.get(url(event, "registrations/")).json()
    assert [r["person"]["name"] for r in body["results"]] == [
        "Ada Plasma", "Ben Beam", "Dee Divertor", "Cy Cryostat"]
    first = body["results"][0]
    assert first["status"] == "confirmed" and first["event"] == event.slug
    assert first["organisation"]["name"] == "Helios Confinement (fictional)"
    assert "answers" not in first

    def names(query):
        response = desk.get(url(event, f"registrations/?{query}"))
        assert response.status_code == 200, response.content
        return [r["person"]["name"] for r in response.json()["results"]]

    assert names("status=waitlisted") == ["Cy Cryostat"]
    assert names("kind=public_lab") == ["Ben Beam", "Cy Cryostat"]
    assert names("q=divertor") == ["Dee Divertor"]
    assert names("q=ben@test") == ["Ben Beam"]
    assert names(f"organisation={people['ada'].organisation_id}") == ["Ada Plasma",
                                                                      "Dee Divertor"]
    assert names("pool=general") == ["Ada Plasma", "Ben Beam", "Dee Divertor"]
    assert names("checked_in=no&status=confirmed") == ["Ada Plasma", "Ben Beam",
                                                       "Dee Divertor"]
    assert names("checked_in=yes") == []
    assert names("page_size=2") == ["Ada Plasma", "Ben Beam"]
    for bad in ("status=lost", "kind=martian", "checked_in=maybe", "organisation=x",
                "pool=balcony"):
        response = desk.get(url(event, f"registrations/?{bad}"))
        assert response.status_code == 400, bad
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == bad.split("=")[0]


def test_the_cursor_walks_every_registration_once(desk, event, people):
    seen, next_url = [], url(event, "registrations/?page_size=1")
    while next_url:
        body = desk.get(next_url).json()
        seen += [r["id"] for r in body["results"]]
        next_url = body["next"]
    assert sorted(seen) == sorted(r.pk for r in people.values())


def test_one_registration_and_none_of_another_event(desk, event, make_event, people):
    response = desk.get(url(event, f"registrations/{people['ben'].pk}/"))
    assert response.json()["person"]["email"] == "ben@test.invalid"
    assert response.json()["waitlist_position"] is None
    assert [(h["from_status"], h["to_status"]) for h in response.json()["history"]] == [
        ("", "confirmed")]
    waiting = desk.get(url(event, f"registrations/{people['cy'].pk}/")).json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    other = make_event(slug="another-2027")
    assert desk.get(url(other, f"registrations/{people['ben'].pk}/")).status_code == 404
    assert desk.get(url(event, "registrations/999999/")).status_code == 404


def test_decisions_go_through_the_desk_service(desk, event, people):
    ada, cy = people["ada"], people["cy"]
    cancelled = desk.post(url(event, f"registrations/{ada.pk}/cancel/"),
                          {"note": "Cannot travel"}, content_type="application/json")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["registration"]["status"] == "cancelled"
    assert cancelled.json()["outcome"] == "Cancelled."
    # The freed seat went to the waiting list, as on the desk (an offer or a seat).
    cy.refresh_from_db()
    assert cy.status in ("offered", "confirmed")
    assert ada.transitions.last().note == "Cannot travel"
    # The state refuses: 409 with the desk's words, nothing written.
    again = desk.post(url(event, f"registrations/{ada.pk}/approve/"), {},
                      content_type="application/json")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    promote = desk.post(url(event, f"registrations/{people['ben'].pk}/promote/"), {},
                        content_type="application/json")
    assert promote.status_code == 409
    assert "waiting list" in promote.json()["detail"]
    rejected = desk.post(url(event, f"registrations/{people['ben'].pk}/reject/"),
                         {"note": "x" * 301}, content_type="application/json")
    assert rejected.status_code == 400 and rejected.json()["errors"][0]["field"] == "note"


def test_a_read_token_and_a_participant_may_not_decide(event, organiser, people):
    ada = people["ada"]
    read = token_client(organiser, scope="read")
    assert read.post(url(event, f"registrations/{ada.pk}/cancel/"), {},
                     content_type="application/json").status_code == 403
    own = token_client(ada.user)
    assert own.get(url(event, "registrations/")).status_code == 404
    assert own.post(url(event, f"registrations/{ada.pk}/cancel/"), {},
                    content_type="application/json").status_code == 404
    ada.refresh_from_db()
    assert ada.status == "confirmed"


def test_check_in_answers_as_the_front_desk(desk, event, people):
    ada, cy = people["ada"], people["cy"]
    code = badges.badge_token(ada)
    response = desk.post(url(event, "check-ins/"), {"code": code},
                         content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration"]["id"] == ada.pk and body["checked_in_at"]
    assert body["checked_in_by"] == "Olga Organiser"
    assert AuditEntry.objects.filter(action="registration.checked_in").count() == 1

    def refused(payload):
        answer = desk.post(url(event, "check-ins/"), payload, content_type="application/json")
        assert answer["Content-Type"] == "application/problem+json"
        return answer.status_code, answer.json()["code"]

    assert refused({"code": code}) == (409, "already_checked_in")
    assert refused({"code": badges.badge_token(cy)}) == (400, "not_confirmed")
    assert refused({"code": "not-a-badge"}) == (400, "forged")
    ghost = Registration(pk=999999, event=event, badge_nonce=ada.badge_nonce)
    assert refused({"code": badges.badge_token(ghost)}) == (404, "unknown")
    assert refused({"registration": 999999}) == (404, "unknown")
    assert refused({}) == (400, "invalid")
    assert refused({"code": code, "registration": ada.pk}) == (400, "invalid")
    # Found by name: the registration's number.
    found = desk.post(url(event, "check-ins/"), {"registration": people["ben"].pk},
                      content_type="application/json")
    assert found.status_code == 201
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 2


def test_a_badge_of_another_event_is_refused(desk, event, make_event, organiser, people):
    from fusionforum.events.models import TeamMembership

    other = make_event(slug="another-2027")
    TeamMembership.objects.create(event=other, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    response = desk.post(url(other, "check-ins/"), {"code": badges.badge_token(people["ada"])},
                         content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "other_event")
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 0


def test_only_the_front_desk_checks_in(event, organiser, people, client):
    code = badges.badge_token(people["ada"])
    ada_token = token_client(people["ada"].user)
    assert ada_token.post(url(event, "check-ins/"), {"code": code},
                          content_type="application/json").status_code == 404
    assert client.post(url(event, "check-ins/"), {"code": code},
                       content_type="application/json").status_code == 401
    # A session must have passed the second factor, as the front desk page asks.
    client.force_login(organiser)
    response = client.post(url(event, "check-ins/"), {"code": code},
                           content_type="application/json")
    assert response.status_code == 403
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 0


def test_a_person_reads_their_own_registrations(event, make_event, people):
    ada = people["ada"]
    mine = token_client(ada.user, scope="read")
    body = mine.get("/api/v1/me/registrations/").json()
    assert [r["id"] for r in body["results"]] == [ada.pk]
    assert mine.get(f"/api/v1/me/registrations/?event={event.slug}").json()["results"]
    assert mine.get("/api/v1/me/registrations/?event=nothing").json()["results"] == []
    other = make_event(slug="another-2027")
    limited = token_client(ada.user, scope="read", all_events=False, events=[other])
    assert limited.get("/api/v1/me/registrations/").json()["results"] == []
    assert Client().get("/api/v1/me/registrations/").status_code == 401


def test_refusals_in_the_readers_language(desk, event, people):
    promote = desk.post(url(event, f"registrations/{people['ben'].pk}/promote/"), {},
                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert promote.status_code == 409
    assert "Seule une personne sur la liste d’attente" in promote.json()["detail"]
    empty = desk.post(url(event, "check-ins/"), {}, content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE="fr")
    assert "Donnez soit le code d’un badge" in empty.json()["errors"][0]["detail"]


def test_a_person_cancels_their_own_registration_and_accepts_a_seat(event, people, clock):
    ada, cy, dee = people["ada"], people["cy"], people["dee"]
    ada_client = token_client(ada.user)
    cancelled = ada_client.post(url(event, "my-registration/cancel/"))
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert body["outcome"] == "Your registration is cancelled."
    assert body["registration"]["id"] == ada.pk and body["registration"]["status"] == "cancelled"
    ada.refresh_from_db()
    assert ada.transitions.last().by == ada.user
    # Twice: no active registration left (as the page: 404).
    again = ada_client.post(url(event, "my-registration/cancel/"))
    assert again.status_code == 404 and again["Content-Type"] == "application/problem+json"
    # The freed seat went to Cy on the waiting list, as after the page's button.
    cy.refresh_from_db()
    assert cy.status == "offered"
    cy_client = token_client(cy.user)
    # Dee's seat is confirmed: there is no offer to accept (409, the page's words).
    refused = token_client(dee.user).post(url(event, "my-registration/accept/"))
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "conflict"
    dee.refresh_from_db()
    assert dee.status == "confirmed"
    accepted = cy_client.post(url(event, "my-registration/accept/"))
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["outcome"] == "Your seat is confirmed."
    assert accepted.json()["registration"]["status"] == "confirmed"


def test_a_person_declines_the_seat_offered(event, people):
    ada, cy = people["ada"], people["cy"]
    token_client(ada.user).post(url(event, "my-registration/cancel/"))
    cy.refresh_from_db()
    assert cy.status == "offered"
    declined = token_client(cy.user).post(url(event, "my-registration/cancel/"),
                                          HTTP_ACCEPT_LANGUAGE="fr")
    assert declined.status_code == 200, declined.content
    assert declined.json()["registration"]["status"] == "cancelled"
    assert declined.json()["outcome"] == "Votre inscription est annulée."


def test_an_offer_accepted_too_late_is_refused(event, people, clock):
    import datetime as dt

    ada, cy = people["ada"], people["cy"]
    token_client(ada.user).post(url(event, "my-registration/cancel/"))
    cy.refresh_from_db()
    cy_client = token_client(cy.user)
    clock.set(cy.offer_expires_at + dt.timedelta(minutes=1))
    late = cy_client.post(url(event, "my-registration/accept/"))
    assert late.status_code == 409
    assert late.json()["detail"] == "The offer expired before you accepted it."
    cy.refresh_from_db()
    assert cy.status == "expired"


def test_own_registration_actions_need_an_account_and_a_write_token(event, people):
    ada = people["ada"]
    assert Client().post(url(event, "my-registration/cancel/")).status_code == 401
    read = token_client(ada.user, scope="read")
    assert read.post(url(event, "my-registration/cancel/")).status_code == 403
    ada.refresh_from_db()
    assert ada.status == "confirmed"
