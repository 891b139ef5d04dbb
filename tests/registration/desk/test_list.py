"""The registrations list: capacity summary, filters, search, sorting, paging, bulk decisions."""

import re

import pytest
from django.urls import reverse

from fusionforum.accounts.models import Organisation
from fusionforum.core import clock
from fusionforum.registration.models import Registration

pytestmark = pytest.mark.django_db


def list_url(event, query=""):
    url = reverse("registration:desk_registrations", kwargs={"slug": event.slug})
    return f"{url}?{query}" if query else url


def names_in(response):
    """The people's names in the table, in order."""
    html = response.content.decode()
    return re.findall(r'<th scope="row"><a href="/manage/[^"]+/registrations/\d+/">([^<]+)</a>',
                      html)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def people(desk_world, make_organisation, make_person, register):
    """Alice (pending, private developer), Lena (pending, public lab), Paul (unverified,
    pending)."""
    lab = make_organisation("Zeta National Lab", kind=Organisation.Kind.PUBLIC_LAB)
    lena = make_person(lab, full_name="Lena Lab", email="lena@test.invalid")
    reg_lena = register(lena)
    paul = make_person(full_name="Paul Unverified", email="paul@test.invalid")
    reg_paul = register(paul)
    paul.email_verified_at = None
    paul.save()
    return {**desk_world, "lab": lab, "reg_lena": reg_lena, "reg_paul": reg_paul}


def test_list_shows_people_summary_and_positions(people, desk_client):
    response = desk_client.get(list_url(people["event"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert names_in(response) == ["Alice Registrant", "Lena Lab", "Paul Unverified"]
    assert "alice.registrant@test.invalid" in html
    assert "Helios Plasma Works" in html and "Public laboratory or agency" in html
    # Capacity summary: 3 general seats, nothing taken; counts per status.
    overview = response.context["overview"]
    assert overview["pools"] == [{"pool": "general", "label": "General", "seats": 3,
                                  "taken": 0, "free": 3}]
    assert {s["status"]: s["count"] for s in overview["statuses"]}["pending"] == 3
    # Accessible: captioned table, column headers with scope, named checkboxes, no inline JS.
    assert "<caption" in html and 'scope="col"' in html
    assert re.search(r'<label for="select-\d+"><span class="visually-hidden">Select Alice '
                     r'Registrant</span></label>', html)
    assert "<script>" not in html and "onclick" not in html
    assert 'src="/static/fusionforum/desk.js"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", ["Alice Registrant", "Lena Lab", "Paul Unverified"]),
        ("status=confirmed", []),
        ("kind=public_lab", ["Lena Lab"]),
        ("q=lena%40test", ["Lena Lab"]),
        ("q=HELIOS", ["Alice Registrant"]),
        ("q=unverif", ["Paul Unverified"]),
        ("checked_in=yes", []),
        ("checked_in=no", ["Alice Registrant", "Lena Lab", "Paul Unverified"]),
        ("sort=-name", ["Paul Unverified", "Lena Lab", "Alice Registrant"]),
        # Paul's organisation is "Fictional Fusion N": before Helios and Zeta.
        ("sort=organisation", ["Paul Unverified", "Alice Registrant", "Lena Lab"]),
        ("sort=-submitted", ["Paul Unverified", "Lena Lab", "Alice Registrant"]),
    ],
)
def test_filters_search_and_sort(people, desk_client, query, expected):
    response = desk_client.get(list_url(people["event"], query))
    assert response.status_code == 200
    assert names_in(response) == expected


def test_filter_by_organisation_and_checked_in(people, desk_client):
    Registration.objects.filter(pk=people["reg_lena"].pk).update(checked_in_at=clock.now())
    response = desk_client.get(list_url(people["event"], f"organisation={people['lab'].pk}"))
    assert names_in(response) == ["Lena Lab"]
    response = desk_client.get(list_url(people["event"], "checked_in=yes"))
    assert names_in(response) == ["Lena Lab"]


def test_invalid_filter_is_explained_not_a_crash(people, desk_client):
    response = desk_client.get(list_url(people["event"], "status=bogus&organisation=abc"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    # The other filters (none here) still apply: everyone is listed.
    assert len(names_in(response)) == 3


def test_pagination_50_per_page(desk_world, desk_client, make_organisation):
    from fusionforum.accounts.models import User

    event = desk_world["event"]
    organisation = make_organisation("Bulk Fusion")
    for n in range(60):
        user = User.objects.create_user(f"bulk{n:02d}@test.invalid", full_name=f"Bulk {n:02d}",
                                        organisation=organisation)
        Registration.objects.create(event=event, user=user, organisation=organisation,
                                    status="pending", submitted_at=clock.now())
    first = desk_client.get(list_url(event, "q=Bulk&sort=name"))
    assert len(names_in(first)) == 50
    assert "page 1 of 2" in first.content.decode()
    second = desk_client.get(list_url(event, "q=Bulk&sort=name&page=2"))
    assert names_in(second) == [f"Bulk {n}" for n in range(50, 60)]
    # Page links keep the filters.
    assert "q=Bulk&amp;sort=name&amp;page=2" in first.content.decode()
    # A page beyond the end shows the last page rather than failing.
    assert desk_client.get(list_url(event, "q=Bulk&page=99")).status_code == 200


def test_bulk_approve_with_mixed_results(people, desk_client, make_person, register,
                                         status_of):
    event = people["event"]
    confirmed_already = register(make_person(full_name="Carl Confirmed"))
    desk_client.post(reverse("registration:desk_registration_action",
                             kwargs={"slug": event.slug, "pk": confirmed_already.pk,
                                     "action": "approve"}), follow=True)
    assert status_of(confirmed_already) == "confirmed"
    ids = [people["registration_a"].pk, people["reg_paul"].pk, confirmed_already.pk,
           people["registration_b"].pk, people["reg_lena"].pk]
    response = desk_client.post(list_url(event), {"action": "approve", "ids": ids,
                                                  "query": "status=pending&page=3"},
                                follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == list_url(event, "status=pending")
    messages = messages_of(response)
    # Two approved, each failure reported with its reason, the others went ahead.
    assert messages[0].startswith("2 registrations approved: Alice Registrant")
    assert any(m.startswith("Paul Unverified <paul@test.invalid>: not approved.")
               and "has not confirmed their e-mail address" in m for m in messages)
    assert any(m.startswith("Carl Confirmed") and "cannot become" in m for m in messages)
    assert any("is not one of this event's registrations" in m for m in messages)
    assert status_of(people["registration_a"]) == "confirmed"
    assert status_of(people["reg_lena"]) == "confirmed"
    assert status_of(people["reg_paul"]) == "pending"
    assert status_of(people["registration_b"]) == "pending"  # the other event's: untouched


def test_bulk_approve_when_full_goes_to_waiting_list(people, desk_client, status_of):
    from fusionforum.registration.models import RegistrationSettings

    RegistrationSettings.objects.filter(event=people["event"]).update(capacity=1)
    ids = [people["registration_a"].pk, people["reg_lena"].pk]
    response = desk_client.post(list_url(people["event"]), {"action": "approve", "ids": ids},
                                follow=True)
    assert [status_of(people["registration_a"]), status_of(people["reg_lena"])] == [
        "confirmed", "waitlisted"]
    assert "on the waiting list" in messages_of(response)[0]


def test_bulk_reject_with_note(people, desk_client, status_of):
    response = desk_client.post(
        list_url(people["event"]),
        {"action": "reject", "ids": [people["reg_lena"].pk], "note": "Outside the scope"},
        follow=True)
    assert status_of(people["reg_lena"]) == "rejected"
    assert "1 registration rejected" in messages_of(response)[0]
    transition = Registration.objects.get(pk=people["reg_lena"].pk).transitions.last()
    assert transition.note == "Outside the scope"
    assert transition.by == people["organiser"]


@pytest.mark.parametrize(
    ("data", "message"),
    [({"ids": ["1"]}, "Choose what to do"),
     ({"action": "approve"}, "Select at least one"),
     ({"action": "approve", "ids": ["x", ""]}, "Select at least one"),
     ({"action": "reject", "ids": ["1"], "note": "bad\u202enote"}, "U+202E"),
     ({"action": "delete", "ids": ["1"]}, "Choose what to do")],
)
def test_bulk_refuses_unclear_requests(people, desk_client, data, message, status_of):
    data = {**data, "ids": [str(people["reg_lena"].pk) if i == "1" else i
                            for i in data.get("ids", [])]}
    response = desk_client.post(list_url(people["event"]), data, follow=True)
    assert response.status_code == 200
    assert any(message in m for m in messages_of(response))
    assert status_of(people["reg_lena"]) == "pending"
