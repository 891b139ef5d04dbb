"""The vault's pages: the participant's form and its bad input, the security office's pages,
single-use exports, and the authorization matrix."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fusionforum.events.models import TeamMembership
from fusionforum.vault import services
from fusionforum.vault.models import AccessLogEntry, AccessRecord, ExportToken
from tests.conftest import login_verified

from .conftest import identity, paris

pytestmark = pytest.mark.django_db


def _page(event):
    return reverse("vault:status", args=[event.slug])


def _sec(name, event, *args):
    return reverse(f"vault_security:{name}", args=[event.slug, *args])


def test_participant_fills_sees_and_corrects_until_the_decision(
        client, clock, event, alice, officer):
    client.force_login(alice)
    response = client.get(_page(event))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"Missing" in response.content
    response = client.post(_page(event), identity())
    assert response.status_code == 302
    response = client.get(_page(event))
    assert b"P1234567" in response.content and b"Submitted" in response.content
    assert response["Cache-Control"] == "private, no-store"
    client.post(_page(event), identity(document_number="P0000001"))
    assert services.owner_values(services.record_for(event, alice))["document_number"] \
        == "P0000001"
    services.decide(event, officer, alice, approve=True)
    response = client.get(_page(event))
    assert b"Approved" in response.content and b'class="form"' not in response.content
    assert b"P1234567" not in response.content
    response = client.post(_page(event), identity(document_number="P0000002"))
    assert response.status_code == 403


@pytest.mark.parametrize("change, message", [
    ({"date_of_birth": "2027-02-30"}, b"Enter a valid date"),
    ({"date_of_birth": "31/12/1980"}, b"Enter a valid date"),
    ({"date_of_birth": "2030-01-01"}, b"Enter your real date of birth"),
    ({"document_expiry": "2027-05-01"}, b"This document has expired"),
    ({"document_expiry": "2027-05-27"}, b"valid on the day of your last tour"),
    ({"surname": "Ex\x00ample"}, b"Null characters are not allowed"),
    ({"surname": "Example\u202egnp.exe"}, b"text-direction controls"),
    ({"given_names": "A" * 101}, b"at most 100 characters"),
    ({"document_number": "X" * 41}, b"at most 40 characters"),
    ({"nationality": "XX"}, b"Select a valid choice"),
    ({"document_type": "library_card"}, b"Select a valid choice"),
    ({"surname": ""}, b"This field is required"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
        client, clock, event, alice, change, message):
    client.force_login(alice)
    response = client.post(_page(event), identity(**change))
    assert response.status_code == 400
    assert message in response.content
    assert not AccessRecord.objects.exists()


def test_a_correction_with_bad_input_keeps_the_earlier_values(client, clock, event, submitted,
                                                              alice):
    client.force_login(alice)
    assert client.post(_page(event), identity(document_number="N\x00")).status_code == 400
    assert services.owner_values(services.record_for(event, alice))["document_number"] \
        == "P1234567"


def test_after_the_deadline_nothing_is_stored(client, clock, event, alice):
    clock.set(paris(2027, 5, 25, 10, 0))
    client.force_login(alice)
    response = client.post(_page(event), identity())
    assert response.status_code == 403
    assert b"deadline" in response.content
    assert not AccessRecord.objects.exists()


def test_no_seat_no_form(client, clock, event, seats, make_user):
    person = make_user()
    client.force_login(person)
    response = client.get(_page(event))
    assert b"Not required" in response.content and b'class="form"' not in response.content
    assert client.post(_page(event), identity()).status_code == 403
    assert not AccessRecord.objects.exists()


def test_officer_views_decides_and_everything_is_logged(
        officer_client, clock, event, submitted, alice, officer):
    response = officer_client.get(_sec("overview", event))
    assert response.status_code == 200 and b"Alice Example" in response.content
    assert b"P1234567" not in response.content
    response = officer_client.get(_sec("person", event, alice.pk))
    assert response.status_code == 200
    assert b"P1234567" in response.content
    assert response["Cache-Control"] == "private, no-store"
    entry = AccessLogEntry.objects.get(action="view")
    assert (entry.actor, entry.subject) == (officer, alice)
    assert entry.fields == list(identity())
    response = officer_client.post(_sec("person", event, alice.pk),
                                   {"decision": "refuse", "reason": ""})
    assert response.status_code == 400 and b"Give a reason" in response.content
    response = officer_client.post(_sec("person", event, alice.pk), {"decision": "approve"})
    assert response.status_code == 302
    assert services.clearance_status(event, alice) == "approved"
    response = officer_client.get(_sec("log", event))
    assert b"Viewed" in response.content and b"Approved" in response.content
    assert b"P1234567" not in response.content


def test_settings_choose_fields_and_retention(officer_client, clock, event, alice, client):
    response = officer_client.post(_sec("settings", event), {
        "fields_asked": ["surname", "document_number", "vehicle_registration"],
        "purge_after_days": "2", "instructions": "Bring the document."})
    assert response.status_code == 302
    assert services.asked_fields(event) == ["surname", "document_number",
                                            "vehicle_registration"]
    assert services.settings_for(event).purge_after_days == 2
    bad = officer_client.post(_sec("settings", event), {"fields_asked": [],
                                                        "purge_after_days": "-1"})
    assert bad.status_code == 400
    client.force_login(alice)
    page = client.get(_page(event)).content
    assert b"Vehicle registration" in page and b"Date of birth" not in page
    # Optional fields may stay empty.
    assert client.post(_page(event), {"surname": "Example",
                                      "document_number": "P1"}).status_code == 302


def test_export_is_single_use_bound_short_lived_and_formula_safe(
        officer_client, clock, event, alice, bob, make_user, client):
    services.submit(event, alice, identity(surname="=HYPERLINK(\"http://evil\")"))
    response = officer_client.post(_sec("export_create", event), {"fmt": "csv"})
    assert response.status_code == 302
    url = response["Location"]
    assert "P1234567" not in url
    # Another officer of the same event cannot use it.
    other = make_user()
    TeamMembership.objects.create(event=event, user=other,
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    other_client = login_verified(type(client)(), other)
    assert other_client.get(url).status_code == 410
    download = officer_client.get(url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith("attachment;")
    text = download.content.decode("utf-8-sig")
    assert "P1234567" in text and "'=HYPERLINK" in text and "Bob Example" in text
    # Codes are written as an access office reads them: labels, the country's name with its code.
    assert "Passport" in text and "France (FR)" in text and ",passport," not in text
    assert officer_client.get(url).status_code == 410  # once only
    # XLSX: the dangerous cell is inert text.
    url = officer_client.post(_sec("export_create", event), {"fmt": "xlsx"})["Location"]
    sheet = load_workbook(io.BytesIO(officer_client.get(url).content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    # Expired after five minutes.
    url = officer_client.post(_sec("export_create", event), {"fmt": "csv"})["Location"]
    clock.advance(minutes=6)
    assert officer_client.get(url).status_code == 410
    assert officer_client.post(_sec("export_create", event), {"fmt": "pdf"}).status_code == 400
    assert ExportToken.objects.filter(used_at__isnull=False).count() == 2
    downloads = AccessLogEntry.objects.filter(action="download")
    assert downloads.count() == 2
    assert set(downloads.first().subject_ids) == {alice.pk, bob.pk}


def test_authorization_matrix(client, clock, event, make_event, submitted, alice, bob,
                              organiser, officer, make_user):
    """Nobody but the event's verified security officer reaches any value."""
    token = services.create_export(event, officer, "csv")
    urls = [_sec("overview", event), _sec("person", event, alice.pk), _sec("settings", event),
            _sec("log", event), _sec("export_download", event, token)]
    other_event = make_event(slug="other-2027")
    other_officer = make_user()
    TeamMembership.objects.create(event=other_event, user=other_officer,
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    platform_admin = make_user(is_superuser=True, is_staff=True)
    for person in (bob, organiser, other_officer, platform_admin):
        login_verified(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (person, url)
            assert b"P1234567" not in response.content
        assert client.post(_sec("export_create", event), {"fmt": "csv"}).status_code == 404
        assert client.post(_sec("person", event, alice.pk),
                           {"decision": "approve"}).status_code == 404
        # Their own site-access page shows only their own data.
        page = client.get(_page(event))
        assert b"P1234567" not in page.content
        client.logout()
    # Another event's officer with the other event's pages: still nothing of this event.
    login_verified(client, other_officer)
    assert client.get(reverse("vault_security:person",
                              args=[other_event.slug, alice.pk])).status_code == 404
    client.logout()
    # Anonymous: to the login page; unverified officer: to the second factor.
    assert client.get(urls[1])["Location"].startswith("/accounts/login/")
    assert client.get(_page(event))["Location"].startswith("/accounts/login/")
    client.force_login(officer)
    response = client.get(urls[1])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not AccessLogEntry.objects.filter(action__in=["view", "download"]).exists()
    assert services.clearance_status(event, alice) == "submitted"


def test_staff_home_lists_the_security_office(client, event, officer):
    login_verified(client, officer)
    response = client.get(reverse("staff_home") if _has("staff_home") else "/manage/")
    assert _sec("overview", event).encode() in response.content


def _has(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_a_signed_out_officer_opening_an_export_link_keeps_the_token_out_of_the_login_address(
        client, clock, event, submitted, officer, make_user):
    token = services.create_export(event, officer, "csv")
    link = _sec("export_download", event, token)
    response = client.get(link)
    assert response.status_code == 302
    continue_url = _sec("export_continue", event)
    assert response["Location"] == continue_url
    login = client.get(continue_url)
    assert login.status_code == 302 and login["Location"].startswith("/accounts/login/")
    assert token not in login["Location"]
    # Signing in (password, then the second factor) keeps the session's data: the download
    # continues from it, once.
    client.force_login(officer)
    step = client.get(continue_url)
    assert step["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert token not in step["Location"]
    login_verified(client, officer)
    download = client.get(continue_url)
    assert download.status_code == 200, download.content
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    assert "P1234567" in download.content.decode("utf-8-sig")
    assert client.get(continue_url).status_code == 410  # nothing waits any more
    assert client.get(link).status_code == 410  # and the link itself was used
    assert AccessLogEntry.objects.filter(action="download").count() == 1


def test_a_token_carried_in_the_session_stays_bound_and_short_lived(
        client, clock, event, submitted, officer, make_user):
    other = make_user()
    TeamMembership.objects.create(event=event, user=other,
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    token = services.create_export(event, officer, "csv")
    client.get(_sec("export_download", event, token))
    login_verified(client, other)  # another officer signs in on that browser
    response = client.get(_sec("export_continue", event))
    assert response.status_code == 410 and b"P1234567" not in response.content
    # Expired: five minutes.
    token = services.create_export(event, officer, "csv")
    anonymous = type(client)()
    anonymous.get(_sec("export_download", event, token))
    clock.advance(minutes=6)
    login_verified(anonymous, officer)
    assert anonymous.get(_sec("export_continue", event)).status_code == 410
    # Neither someone who is no officer of the event nor another event's page gets anything.
    outsider = type(client)()
    outsider.get(_sec("export_download", event, services.create_export(event, officer, "csv")))
    login_verified(outsider, make_user())
    assert outsider.get(_sec("export_continue", event)).status_code == 404
    assert not AccessLogEntry.objects.filter(action="download").exists()
