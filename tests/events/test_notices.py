"""The privacy notice (made from the personal-data registry), the legal notice and the
accessibility statement: pages, footer links, editing by the right people only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from fusionforum.accounts import personal_data
from fusionforum.core.models import AuditEntry
from fusionforum.events import services
from fusionforum.events.models import Module, Notice

from ..conftest import login_verified

pytestmark = pytest.mark.django_db

KINDS = [k.value for k in Notice.Kind]


@pytest.fixture
def admin(make_user):
    return make_user("admin@test.invalid", is_superuser=True, is_staff=True)


def platform_url(kind):
    return reverse("events_notices:platform", args=[kind])


def event_url(event, kind):
    return reverse("events_notices:event", args=[event.slug, kind])


# The privacy notice is the registry --------------------------------------------------------


def test_privacy_notice_shows_every_registered_category(client):
    """Fails the day a category is registered and the notice does not show it."""
    body = client.get(platform_url("privacy")).content.decode()
    categories = personal_data.categories()
    assert len(categories) >= 12
    for category in categories:
        assert f'id="data-{category.key}"' in body, category.key
        for text in (category.title, category.held, category.purpose, category.retention):
            assert str(text).replace("'", "&#x27;") in body, (category.key, text)


def test_privacy_notice_in_french(client):
    body = client.get(platform_url("privacy"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        for category in personal_data.categories():
            assert str(category.title).replace("'", "&#x27;") in body


def test_every_section_of_the_data_download_is_explained(make_user):
    """Each section a provider returns is named by a category of the notice."""
    from fusionforum.api import services as api_services

    user = make_user(full_name="Sam Sections")
    api_services.create_token(user, name="Laptop", scope="read", expires_in_days=30,
                              all_events=True, verified=True)
    sections = set(personal_data.export(user))
    explained = {s for c in personal_data.categories() for s in c.sections}
    assert sections - explained == set()
    assert {"account", "registrations", "site_access", "api_tokens"} <= explained


def test_event_notice_leaves_out_modules_the_event_does_not_use(client, make_event):
    event = make_event(modules=[Module.REGISTRATION])
    body = client.get(event_url(event, "privacy")).content.decode()
    assert 'id="data-registrations"' in body and 'id="data-account"' in body
    assert 'id="data-site_access"' not in body and 'id="data-call"' not in body


def test_event_notice_shows_the_events_own_retention(client, event):
    from fusionforum.vault.models import VaultSettings

    VaultSettings.objects.create(event=event, purge_after_days=12)
    body = client.get(event_url(event, "privacy")).content.decode()
    assert "deleted 12 days after your last tour" in body


# Pages and footer ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_pages_answer_for_the_platform_and_an_event(client, event, kind):
    assert client.get(platform_url(kind)).status_code == 200
    response = client.get(event_url(event, kind))
    assert response.status_code == 200
    assert "workshop@test.invalid" in response.content.decode()


def test_unknown_kind_and_unknown_event_are_404(client, event):
    assert client.get(platform_url("cookies")).status_code == 404
    assert client.get(event_url(event, "cookies")).status_code == 404
    assert client.get(reverse("events_notices:event", args=["nope", "privacy"])).status_code \
        == 404


def test_draft_event_notice_is_not_public(client, make_event):
    draft = make_event(slug="draft-2027", status="draft")
    assert client.get(event_url(draft, "privacy")).status_code == 404


def test_footer_links_to_the_three_notices(client, event):
    front = client.get("/").content.decode()
    for kind in KINDS:
        assert f'href="{platform_url(kind)}"' in front
    home = client.get(reverse("events:home", args=[event.slug])).content.decode()
    for kind in KINDS:
        assert f'href="{event_url(event, kind)}"' in home


# Editing -------------------------------------------------------------------------------------


def test_platform_admin_writes_the_operators_part(client, admin, event):
    login_verified(client, admin)
    url = reverse("events_notices:edit_platform", args=["legal"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"body_en": "## Operator\n\nFictional Operator SAS, "
                                             "<script>alert(1)</script> [site](javascript:x)",
                                 "body_fr": "## Opérateur\n\nOpérateur fictif SAS"})
    assert response.status_code == 302
    body = client.get(platform_url("legal")).content.decode()
    assert "Fictional Operator SAS" in body and "<h2>Operator</h2>" in body
    assert "<script>alert" not in body and 'href="javascript' not in body
    assert "Fictional Operator SAS" in client.get(event_url(event, "legal")).content.decode()
    fr = client.get(platform_url("legal"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Opérateur fictif SAS" in fr
    assert AuditEntry.objects.filter(action="events.notice_saved", actor=admin).exists()


def test_organiser_writes_their_events_part_only(client, organiser, event, make_event):
    login_verified(client, organiser)
    url = reverse("events_notices:edit_event", args=[event.slug, "privacy"])
    assert client.post(url, {"body_en": "Controller: Test Workshop Association (fictional)."}
                       ).status_code == 302
    assert "Test Workshop Association" in client.get(event_url(event, "privacy")).content.decode()
    assert "Test Workshop Association" not in client.get(platform_url("privacy")).content.decode()
    # Not the operator's part, not another event's part.
    other = make_event(slug="other-2027")
    assert client.get(reverse("events_notices:edit_platform", args=["privacy"])).status_code \
        == 404
    assert client.get(reverse("events_notices:edit_event", args=[other.slug, "privacy"])
                      ).status_code == 404
    with pytest.raises(PermissionDenied):
        services.save_notice("privacy", by=organiser, texts={"en": "x"})
    with pytest.raises(PermissionDenied):
        services.save_notice("privacy", by=organiser, texts={"en": "x"}, event=other)


def test_participant_cannot_edit(client, make_user, event):
    someone = make_user()
    login_verified(client, someone)
    for url in (reverse("events_notices:edit_platform", args=["legal"]),
                reverse("events_notices:edit_event", args=[event.slug, "legal"])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"body_en": "x"}).status_code == 404
    assert not Notice.objects.exists()


def test_bad_text_is_refused_whole(client, admin):
    login_verified(client, admin)
    url = reverse("events_notices:edit_platform", args=["accessibility"])
    response = client.post(url, {"body_en": "fine", "body_fr": "bad \u202e text"})
    assert response.status_code == 400
    assert not Notice.objects.exists()
    with pytest.raises(ValidationError):
        services.save_notice("accessibility", by=admin, texts={"en": "x" * 20001})
    assert not Notice.objects.exists()
