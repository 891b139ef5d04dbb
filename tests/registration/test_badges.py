import io

import pytest
from django.conf import settings
from django.core import signing
from django.shortcuts import resolve_url
from django.urls import reverse
from pypdf import PdfReader

from fusionforum.events.models import TeamMembership
from fusionforum.registration import badges
from fusionforum.registration.models import Registration

pytestmark = pytest.mark.django_db


def badge_url(event):
    return reverse("registration:badge", kwargs={"slug": event.slug})


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def confirmed(open_registration, make_person, make_organisation, register):
    open_registration()
    person = make_person(make_organisation("Helios Confinement (fictional)"),
                         full_name="Ada Plasma")
    return register(person)


# Download and who may have it -----------------------------------------------------------------


def test_confirmed_person_downloads_their_badge(client, event, confirmed):
    client.force_login(confirmed.user)
    response = client.get(badge_url(event))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="badge-{event.slug}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Ada Plasma" in text
    assert "Helios Confinement (fictional)" in text
    assert event.title in text
    assert "PARTICIPANT" in text
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_pending_registration_has_no_badge(client, event, open_registration, make_person,
                                           register):
    open_registration(requires_approval=True)
    person = make_person(full_name="Pat Pending")
    assert register(person).status == "pending"
    client.force_login(person)
    response = client.get(badge_url(event))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    assert b"Pat Pending" not in response.content


def test_other_participant_gets_404_not_someone_elses_badge(client, event, confirmed,
                                                            make_person):
    stranger = make_person(full_name="Sam Stranger")
    client.force_login(stranger)
    response = client.get(badge_url(event))
    assert response.status_code == 404
    assert b"Ada Plasma" not in response.content


def test_cancelled_registration_has_no_badge(client, event, confirmed):
    from fusionforum.registration import services

    services.cancel(confirmed, by=confirmed.user)
    client.force_login(confirmed.user)
    assert client.get(badge_url(event)).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, event, confirmed):
    response = client.get(badge_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert "next=" in response["Location"]


def test_badge_of_another_event_is_not_served(client, event, confirmed, make_event):
    other = make_event(slug="other-2027", title="Other Workshop", with_days=False)
    client.force_login(confirmed.user)
    assert client.get(badge_url(other)).status_code == 404


def test_organiser_badge_says_organiser(client, event, confirmed):
    TeamMembership.objects.create(event=event, user=confirmed.user,
                                  role=TeamMembership.Role.ORGANISER)
    client.force_login(confirmed.user)
    text = pdf_text(client.get(badge_url(event)).content)
    assert "ORGANISER" in text
    assert "PARTICIPANT" not in text


def test_name_falls_back_to_email_local_part(client, event, open_registration, make_person,
                                              register):
    open_registration()
    person = make_person(full_name="", email="noname.person@test.invalid")
    register(person)
    client.force_login(person)
    assert "noname.person" in pdf_text(client.get(badge_url(event)).content)


@pytest.mark.parametrize("name", ["Zoë Łukasiewicz-Ångström", "王小明", "Ἀριστοτέλης",
                                  "محمد عبد الله", "Nguyễn Thị Minh Khai", "🙂 Emoji Person",
                                  "A" * 200])
def test_names_in_any_script_do_not_break_the_pdf(client, event, open_registration,
                                                  make_person, register, name):
    open_registration(delegates_per_organisation=None, capacity=50)
    person = make_person(full_name=name)
    register(person)
    client.force_login(person)
    response = client.get(badge_url(event))
    assert response.status_code == 200
    assert pdf_text(response.content)


@pytest.mark.parametrize("name", ["Zoë Łukasiewicz", "王小明", "🙂 Emoji Person"])
def test_names_without_dejavu_fall_back_to_helvetica(monkeypatch, event, open_registration,
                                                     make_person, register, name):
    monkeypatch.setattr(badges, "fonts", lambda: badges.Fonts("Helvetica", "Helvetica-Bold",
                                                               False))
    open_registration()
    person = make_person(full_name=name, email="wang.xm@test.invalid")
    registration = register(person)
    content = badges.render_badges([registration], title="t")
    text = pdf_text(content)
    if name.startswith("Zoë"):
        assert "Zoë Lukasiewicz" in text
    elif name == "王小明":
        assert "wang.xm" in text
    else:
        assert "? Emoji Person" in text


def test_drawable_replaces_only_what_the_font_cannot_draw():
    assert badges.drawable("Łódź", "Helvetica") == ("Lódz", 0)
    assert badges.drawable("Zoë\u202eX", "Helvetica") == ("Zoë X", 0)
    assert badges.drawable("王 Li", "Helvetica") == ("? Li", 1)


# Token ----------------------------------------------------------------------------------------


def test_token_round_trips(confirmed):
    token = badges.badge_token(confirmed)
    assert str(confirmed.pk) in token and confirmed.badge_nonce in token
    assert badges.registration_for_token(token) == confirmed
    # Whitespace around a scanned code (the scanner's Enter) does not matter.
    assert badges.registration_for_token(f"  {token}\r\n") == confirmed


def test_forged_signature_is_refused(confirmed):
    token = badges.badge_token(confirmed)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(badges.ForgedBadge):
        badges.registration_for_token(forged)


def test_token_signed_with_another_salt_or_key_is_refused(confirmed):
    value = f"{confirmed.pk}:{confirmed.badge_nonce}"
    with pytest.raises(badges.ForgedBadge):
        badges.registration_for_token(signing.Signer(salt="something.else").sign(value))
    with pytest.raises(badges.ForgedBadge):
        badges.registration_for_token(
            signing.Signer(key="another-secret-key-0123456789", salt=badges.SALT).sign(value))


@pytest.mark.parametrize("garbage", ["", "   ", "hello", "1:abc", "::", "x" * 5000,
                                     "12:nonce:" + "A" * 43, "\x00\x01"])
def test_garbled_codes_are_refused(garbage):
    with pytest.raises(badges.ForgedBadge):
        badges.registration_for_token(garbage)


def test_token_is_compact_and_holds_no_personal_data(confirmed):
    token = badges.badge_token(confirmed)
    assert len(token) < 80
    assert confirmed.user.email.split("@")[0] not in token
    assert "Ada" not in token


def test_revoked_nonce_is_refused(confirmed):
    token = badges.badge_token(confirmed)
    Registration.objects.filter(pk=confirmed.pk).update(badge_nonce="replaced-nonce")
    with pytest.raises(badges.RevokedBadge):
        badges.registration_for_token(token)


def test_unknown_registration_is_refused(confirmed):
    token = signing.Signer(salt=badges.SALT).sign("999999:whatever")
    with pytest.raises(badges.UnknownBadge):
        badges.registration_for_token(token)


def test_all_badge_errors_share_one_base(confirmed):
    for error in (badges.ForgedBadge, badges.UnknownBadge, badges.RevokedBadge):
        assert issubclass(error, badges.BadgeError)
        assert str(error())
