import hashlib
import io
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import reverse
from pypdf import PdfReader

from fusionforum.core.models import AuditEntry
from fusionforum.events.models import TeamMembership
from fusionforum.registration import badges, frontdesk, services
from fusionforum.registration.models import Registration

from ..browser.conftest import open_page
from ..conftest import login_verified, paris

pytestmark = pytest.mark.django_db


def checkin_url(event):
    return reverse("registration:checkin", kwargs={"slug": event.slug})


@pytest.fixture
def desk(client, organiser):
    return login_verified(client, organiser)


@pytest.fixture
def confirmed(open_registration, make_person, make_organisation, register):
    open_registration()
    person = make_person(make_organisation("Helios Confinement (fictional)"),
                         full_name="Ada Plasma")
    return register(person)


def scan(client, event, code):
    return client.post(checkin_url(event), {"code": code})


# Check-in through the page --------------------------------------------------------------------


def test_page_is_phone_ready(desk, event, confirmed):
    response = desk.get(checkin_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert "autofocus" in html and 'autocomplete="off"' in html and 'inputmode="text"' in html
    assert 'name="viewport"' in html
    assert "<strong>0</strong> of 1 confirmed person checked in" in html
    assert response["Cache-Control"] == "private, no-store"
    assert "<script>" not in html


def test_camera_is_offered_only_with_javascript_and_its_decoder_only_here(desk, event,
                                                                          confirmed):
    html = desk.get(checkin_url(event)).content.decode()
    # The camera section is hidden until checkin-camera.js shows it; typing needs no script.
    assert re.search(r'<section class="camera" data-camera [^>]*hidden>', html)
    assert 'src="/static/fusionforum/checkin-camera.js" defer' in html
    assert 'data-decoder-src="/static/fusionforum/vendor/jsQR.js"' in html
    templates = Path(settings.BASE_DIR) / "templates"
    users = [p.relative_to(templates).as_posix() for p in templates.rglob("*.html")
             if "jsQR" in p.read_text() or "checkin-camera" in p.read_text()]
    assert users == ["registration/frontdesk/checkin.html"]


def test_vendored_decoder_matches_its_note():
    vendor = Path(settings.BASE_DIR) / "static" / "fusionforum" / "vendor"
    note = (vendor / "README.md").read_text()
    digest = hashlib.sha256((vendor / "jsQR.js").read_bytes()).hexdigest()
    assert f"sha256 `{digest}`" in note
    assert "Apache License" in (vendor / "jsQR.LICENSE").read_text()


def test_successful_check_in(desk, event, organiser, confirmed):
    response = scan(desk, event, badges.badge_token(confirmed))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-outcome="checked_in"' in html
    assert "Ada Plasma" in html and "Helios Confinement (fictional)" in html
    assert "Confirmed" in html
    assert "<strong>1</strong> of 1" in html
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is not None
    assert confirmed.checked_in_by == organiser
    entry = AuditEntry.objects.get(action="registration.checked_in")
    assert entry.actor == organiser and entry.object_id == str(confirmed.pk)
    # The input is empty again for the next badge.
    assert badges.badge_token(confirmed) not in html


def test_scanner_whitespace_is_ignored(desk, event, confirmed):
    assert scan(desk, event, f" {badges.badge_token(confirmed)}\r\n").status_code == 200


def test_duplicate_says_when_and_by_whom(desk, event, organiser, confirmed, clock):
    clock.set(paris(2027, 5, 26, 8, 47))
    token = badges.badge_token(confirmed)
    assert scan(desk, event, token).status_code == 200
    clock.set(paris(2027, 5, 26, 9, 5))
    response = scan(desk, event, token)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-outcome="already_checked_in"' in html
    assert "Already checked in on 26 May 2027 at 08:47 by Olga Organiser" in html
    assert "Ada Plasma" in html
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at == paris(2027, 5, 26, 8, 47)


def test_forged_code_is_refused(desk, event, confirmed):
    token = badges.badge_token(confirmed)
    response = scan(desk, event, token[:-3] + "xyz")
    assert response.status_code == 400
    assert 'data-outcome="forged"' in response.content.decode()
    assert b"Ada Plasma" not in response.content
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None
    assert AuditEntry.objects.filter(action="registration.check_in_refused").exists()


@pytest.mark.parametrize("code", ["hello", "1:2:3", "<script>alert(1)</script>", "🙂" * 50,
                                  "' OR 1=1 --", "\x00abc", "%00", "1" * 150])
def test_garbage_is_a_clean_400(desk, event, confirmed, code):
    response = scan(desk, event, code)
    assert response.status_code == 400
    assert b"<script>alert(1)" not in response.content


def test_empty_and_overlong_codes_are_form_errors(desk, event, confirmed):
    assert scan(desk, event, "").status_code == 400
    response = scan(desk, event, "x" * 5000)
    assert response.status_code == 400
    assert b"too long" in response.content


def test_revoked_badge_is_refused(desk, event, confirmed):
    token = badges.badge_token(confirmed)
    Registration.objects.filter(pk=confirmed.pk).update(badge_nonce="a-new-nonce")
    response = scan(desk, event, token)
    assert response.status_code == 400
    assert 'data-outcome="revoked"' in response.content.decode()
    assert b"no longer valid" in response.content
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


def test_unknown_registration_is_404(desk, event, confirmed):
    token = signing.Signer(salt=badges.SALT).sign("987654:nonce")
    assert scan(desk, event, token).status_code == 404
    # Even a genuinely signed id beyond any database integer is a clean refusal.
    token = signing.Signer(salt=badges.SALT).sign("9" * 40 + ":nonce")
    assert scan(desk, event, token).status_code == 400


def test_badge_of_another_event_is_refused_without_details(
        desk, event, make_event, make_person, confirmed):
    from fusionforum.registration.models import RegistrationSettings

    other = make_event(slug="other-2027", title="Other Workshop", with_days=False)
    RegistrationSettings.objects.create(event=other, opens_at=paris(2027, 4, 1),
                                        closes_at=paris(2027, 5, 25), capacity=5,
                                        requires_approval=False)
    person = make_person(full_name="Otto Elsewhere")
    theirs = services.submit(other, person, organisation=person.organisation, answers={},
                             consent_public_list=False)
    response = scan(desk, event, badges.badge_token(theirs))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-outcome="other_event"' in html
    assert "Otto Elsewhere" not in html
    theirs.refresh_from_db()
    assert theirs.checked_in_at is None


def test_cancelled_registration_is_not_admitted(desk, event, confirmed):
    services.cancel(confirmed, by=confirmed.user)
    response = scan(desk, event, badges.badge_token(confirmed))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-outcome="not_confirmed"' in html
    assert "cancelled" in html and "Ada Plasma" in html
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


def test_old_badge_after_registering_again_points_to_the_new_one(desk, event, confirmed,
                                                                  register):
    old_token = badges.badge_token(confirmed)
    services.cancel(confirmed, by=confirmed.user)
    register(confirmed.user)
    response = scan(desk, event, old_token)
    assert response.status_code == 400
    assert b"newer, confirmed registration" in response.content


def test_pending_registration_is_not_admitted(desk, event, open_registration, make_person,
                                              register):
    open_registration(requires_approval=True)
    pending = register(make_person())
    response = scan(desk, event, badges.badge_token(pending))
    assert response.status_code == 400
    assert b"pending approval" in response.content


# Who may use the desk -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, event, confirmed):
    response = client.get(checkin_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_participant_gets_404(client, event, confirmed):
    login_verified(client, confirmed.user)
    assert client.get(checkin_url(event)).status_code == 404
    response = scan(client, event, badges.badge_token(confirmed))
    assert response.status_code == 404
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


def test_organiser_of_another_event_gets_404(client, event, make_event, make_user, confirmed):
    other = make_event(slug="other-2027", title="Other Workshop", with_days=False)
    stranger = make_user("other-organiser@test.invalid")
    TeamMembership.objects.create(event=other, user=stranger, role=TeamMembership.Role.ORGANISER)
    login_verified(client, stranger)
    response = client.get(checkin_url(event))
    assert response.status_code == 404
    assert b"Ada Plasma" not in response.content
    assert scan(client, event, badges.badge_token(confirmed)).status_code == 404
    assert client.get(reverse("registration:checkin_badges",
                              kwargs={"slug": event.slug})).status_code == 404


def test_unknown_event_is_404(desk):
    assert desk.get(checkin_url(type("E", (), {"slug": "no-such-event"}))).status_code == 404


def _verify_page():
    from django.urls import NoReverseMatch

    try:
        return reverse("accounts:two_factor_verify")
    except NoReverseMatch:
        return None


def test_organiser_without_second_factor_is_redirected(client, event, organiser, confirmed):
    client.force_login(organiser)
    verify_page = _verify_page()
    for response in (client.get(checkin_url(event)),
                     scan(client, event, badges.badge_token(confirmed))):
        if verify_page:
            assert response.status_code == 302
            assert response["Location"].startswith(verify_page + "?next=")
        else:
            assert response.status_code == 403
        assert b"Ada Plasma" not in response.content
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


# The service ----------------------------------------------------------------------------------


def test_two_check_ins_of_one_badge_give_one_success(event, organiser, make_user, confirmed):
    second_desk = make_user("second-desk@test.invalid", full_name="Sid Second")
    TeamMembership.objects.create(event=event, user=second_desk,
                                  role=TeamMembership.Role.ORGANISER)
    token = badges.badge_token(confirmed)
    outcomes = []
    for by in (organiser, second_desk):
        try:
            frontdesk.check_in(token, by=by, event=event)
            outcomes.append("ok")
        except frontdesk.AlreadyCheckedIn as refused:
            outcomes.append(str(refused))
    assert outcomes[0] == "ok"
    assert "by Olga Organiser" in outcomes[1]
    confirmed.refresh_from_db()
    assert confirmed.checked_in_by == organiser
    assert AuditEntry.objects.filter(action="registration.checked_in").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("sqlite" in settings.DATABASES["default"]["ENGINE"],
                    reason="threads on the in-memory SQLite test database share one connection")
def test_two_desks_at_the_same_moment_record_one_check_in(event, organiser, make_user,
                                                          confirmed):
    second_desk = make_user("second-desk@test.invalid", full_name="Sid Second")
    TeamMembership.objects.create(event=event, user=second_desk,
                                  role=TeamMembership.Role.ORGANISER)
    token = badges.badge_token(confirmed)
    barrier = threading.Barrier(2)
    results = []

    def desk(by):
        try:
            barrier.wait()
            frontdesk.check_in(token, by=by, event=event)
            results.append("ok")
        except frontdesk.AlreadyCheckedIn:
            results.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(by,)) for by in (organiser, second_desk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["duplicate", "ok"]
    assert AuditEntry.objects.filter(action="registration.checked_in").count() == 1


def test_service_refuses_people_who_do_not_organise_the_event(event, confirmed, make_person):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        frontdesk.check_in(badges.badge_token(confirmed), by=make_person(), event=event)
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


def test_service_without_event_uses_the_badges_event(event, organiser, confirmed):
    registration = frontdesk.check_in(badges.badge_token(confirmed), by=organiser)
    assert registration.checked_in_by == organiser


# Find by name, recent list, all badges --------------------------------------------------------


def test_find_by_name_and_check_in_by_hand(desk, event, organiser, confirmed):
    response = desk.get(checkin_url(event), {"q": "plasma"})
    assert b"Ada Plasma" in response.content
    response = desk.post(checkin_url(event) + "?q=plasma", {"registration": confirmed.pk})
    assert response.status_code == 200
    assert "found by name" in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.checked_in_by == organiser
    assert desk.post(checkin_url(event), {"registration": confirmed.pk}).status_code == 409
    for bad in ("nope", "-1", "9" * 40, "１２"):
        assert desk.post(checkin_url(event), {"registration": bad}).status_code == 404


def test_search_shows_only_confirmed_people_of_this_event(desk, event, confirmed):
    services.cancel(confirmed, by=confirmed.user)
    response = desk.get(checkin_url(event), {"q": "Ada"})
    assert b"No confirmed participant matches" in response.content


def test_recent_check_ins_are_listed(desk, event, confirmed):
    scan(desk, event, badges.badge_token(confirmed))
    html = desk.get(checkin_url(event)).content.decode()
    assert "Last check-ins" in html
    recent = html.split("Last check-ins", 1)[1]
    assert "Ada Plasma" in recent and "Olga Organiser" in recent


def test_organiser_downloads_all_confirmed_badges(desk, event, open_registration, make_person,
                                                  register):
    open_registration(capacity=3, delegates_per_organisation=None)
    people = [make_person(full_name=f"Person {letter}") for letter in "ABCD"]
    for person in people:
        register(person)  # the fourth goes to the waiting list
    response = desk.get(reverse("registration:checkin_badges", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="badges-{event.slug}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Person A" in text and "Person C" in text and "Person D" not in text
    assert AuditEntry.objects.filter(action="registration.badges_downloaded").exists()


def test_all_badges_needs_the_second_factor(client, event, organiser, confirmed):
    client.force_login(organiser)
    response = client.get(reverse("registration:checkin_badges", kwargs={"slug": event.slug}))
    assert response.status_code in (302, 403)
    assert b"%PDF" not in response.content


# In a phone's browser -------------------------------------------------------------------------


@pytest.fixture
def phone(browser):
    """Debian's Chromium at a phone's size (390 x 844)."""
    page = open_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                     has_touch=True, device_scale_factor=2)
    yield page
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_front_desk_on_a_phone(phone, live_server, client, event, organiser, confirmed,
                               make_person, register, clock):
    from playwright.sync_api import expect

    from ..browser.conftest import axe_violations, screenshot

    first = register(make_person(full_name="Ben Early"))
    frontdesk.check_in(badges.badge_token(first), by=organiser, event=event)
    login_verified(client, organiser)
    phone.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                "url": live_server.url}])
    phone.goto(live_server.url + checkin_url(event))
    code = phone.get_by_label("Badge code")
    expect(code).to_be_focused()
    # A hardware scanner types the code and presses Enter.
    code.type(badges.badge_token(confirmed))
    code.press("Enter")
    outcome = phone.locator("[data-outcome]")
    expect(outcome).to_have_attribute("data-outcome", "checked_in")
    expect(outcome).to_contain_text("Ada Plasma")
    expect(phone.locator("#counter")).to_contain_text("2 of 2")
    expect(phone.get_by_label("Badge code")).to_have_value("")
    # No sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "frontdesk-checkin-phone")
    violations = axe_violations(phone)
    assert violations == [], violations
    # The same badge again: the duplicate is clear.
    phone.get_by_label("Badge code").fill(badges.badge_token(confirmed))
    phone.get_by_role("button", name="Check in", exact=True).click()
    expect(phone.locator("[data-outcome]")).to_have_attribute("data-outcome",
                                                              "already_checked_in")
    screenshot(phone, "frontdesk-checkin-phone-duplicate")
    # Only the 409 of the duplicate, which the browser reports as a failed load.
    assert [p for p in phone.console_problems if "409" not in p] == []
