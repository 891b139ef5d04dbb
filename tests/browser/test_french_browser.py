# ruff: noqa: F811  (fixtures imported from tests/cfp and tests/browser are used as arguments)
"""French and English as people click through them in Chromium (issue 13).

A French-speaking participant (browser in fr-FR) signs up, confirms the e-mail address,
registers and submits the three answers of the call for presentations, in French pages and
French e-mails; an organiser switches the site to French with the switcher, works in French
and gives a session a French title next to the English one, which visitors then read in their
own language; a visitor whose browser asks for French reads the French programme and the
French outcomes report of the demo workshop."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from fusionforum.accounts.models import Organisation, User
from fusionforum.cfp.models import Submission
from fusionforum.core import clock as business_clock
from fusionforum.programme import public
from fusionforum.programme.models import ProgrammeSession, Room
from fusionforum.registration.models import Registration, RegistrationSettings
from tests.browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from tests.cfp.conftest import call  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NBSP = "\u00a0"


def _fits(page):
    """The page fits the window: nothing wider than the screen (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def _french(page):
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def _describe(violations):
    return "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations)


def _typed(page, locator, text):
    """Types ``text`` with the keyboard into a field, as a person does; lines of a text area
    are separated with Enter."""
    locator.click()
    for n, line in enumerate(text.split("\n")):
        if n:
            page.keyboard.press("Enter")
        page.keyboard.type(line)


def _last_mail(to):
    found = [m for m in mail.outbox if to in m.to]
    assert found, [(m.to, m.subject) for m in mail.outbox]
    return found[-1]


def _link_in(message, live_server):
    link = re.search(rf"{re.escape(settings.SITE_URL)}\S+", message.body).group(0)
    return link.replace(settings.SITE_URL, live_server.url)


@pytest.fixture
def company(db):
    return Organisation.objects.create(name="Laboratoire fictif des plasmas", kind="public_lab",
                                       country="FR")


@pytest.fixture
def registration_open(event, clock):
    now = business_clock.now()
    return RegistrationSettings.objects.create(
        event=event, opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(days=4),
        capacity=50, delegates_per_organisation=5, requires_approval=False)


def test_french_participant_signs_up_registers_and_submits(
    browser, live_server, event, registration_open, call, company
):
    email = "camille@labo.test.invalid"
    page = open_page(browser, locale="fr-FR", viewport=PHONE)

    # Sign-up: the form is French and offers French, already chosen from the browser.
    page.goto(f"{live_server.url}/{event.slug}/registration/")
    _french(page)
    page.get_by_role("link", name="Créer un compte").click()
    _french(page)
    expect(page.get_by_role("button", name="Créer mon compte")).to_be_visible()
    language = page.locator("select[name=preferred_language]")
    expect(language).to_have_value("fr")
    assert _fits(page)
    _typed(page, page.get_by_label("Nom complet"), "Camille Fictive")
    _typed(page, page.get_by_label("Adresse e-mail"), email)
    _typed(page, page.get_by_label("Mot de passe"), PASSWORD)
    page.get_by_label("Il figure dans la liste").check()
    page.get_by_label("Organisme", exact=True).select_option(label=company.name)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("Confirmez d’abord votre adresse e-mail")).to_be_visible()
    _french(page)
    assert _fits(page)
    assert User.objects.get(email=email).preferred_language == "fr"

    # The verification e-mail is French; its link confirms the address on a French page.
    verification = _last_mail(email)
    assert verification.subject == "Confirmez votre adresse e-mail pour Fusion Forum"
    assert verification.body.startswith("Bonjour Camille Fictive,")
    page.goto(_link_in(verification, live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre adresse e-mail est confirmée")
    page.get_by_role("link", name="Reprendre là où vous en étiez").click()

    # Registration: a French form, a French confirmation and a French e-mail.
    _french(page)
    page.get_by_label("Afficher mon nom et mon organisme").check()
    page.get_by_role("button", name="S’inscrire").click()
    expect(page.locator(".status-badge")).to_have_text("Confirmée")
    _french(page)
    assert _fits(page)
    screenshot(page, "french-registration-confirmed")
    violations = axe_violations(page)
    assert violations == [], _describe(violations)
    assert Registration.objects.get(user__email=email).status == "confirmed"
    registered = _last_mail(email)
    assert registered.subject == f"{event.title}{NBSP}: votre place est confirmée"
    assert registered.body.startswith("Bonjour Camille,"), registered.body
    assert "28 mai 2027" in registered.body, registered.body

    # The call for presentations: the three questions in French, the confirmation too.
    page.goto(f"{live_server.url}/{event.slug}/call/")
    _french(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Appel à présentations")
    page.get_by_role("link", name="Commencer une proposition").click()
    _french(page)
    _typed(page, page.get_by_label(re.compile(r"^Titre")), "Impulsions longues sur un tokamak")
    _typed(page, page.get_by_label("Résumé court"), "Impulsions longues et divertor.")
    breakthroughs = page.get_by_label(
        "1. Quelles avancées avez-vous réalisées en fusion, comment, et à quelle échelle")
    _typed(page, breakthroughs, "Des impulsions de douze secondes,\nà quarante millions de degrés.")
    page.get_by_label("À quelle échelle ces résultats").select_option(index=1)
    _typed(page, page.get_by_label("2. Quels défis restent à relever"),
           "Le divertor en tungstène.")
    _typed(page, page.get_by_label("3. Comment ITER peut-il aider"),
           "Partager ses fournisseurs.")
    assert _fits(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Votre brouillon est enregistré")).to_be_visible()
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text("Votre présentation est envoyée")).to_be_visible()
    _french(page)
    assert _fits(page)
    screenshot(page, "french-submission-sent")
    assert page.console_problems == []
    submission = Submission.objects.get(title="Impulsions longues sur un tokamak")
    assert submission.state == "submitted"
    assert submission.breakthroughs == (
        "Des impulsions de douze secondes,\nà quarante millions de degrés.")
    submitted = _last_mail(email)
    assert submitted.subject == (
        f"{event.title}{NBSP}: proposition reçue{NBSP}: Impulsions longues sur un tokamak")
    assert submitted.body.startswith("Bonjour,"), submitted.body
    assert f"La présentation «{NBSP}Impulsions longues sur un tokamak{NBSP}»" in submitted.body
    assert "appel à présentations" in submitted.body
    for message in (verification, registered, submitted):
        assert not re.search(r"\b(Hello|Dear|Your)\b", message.subject + message.body), (
            message.subject, message.body)
    page.context.close()


def _backup_code(user, code):
    from django_otp.plugins.otp_static.models import StaticDevice

    user.set_password(PASSWORD)
    user.save()
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    device.token_set.create(token=code)
    return user


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


def test_organiser_switches_to_french_and_gives_a_session_a_french_title(
    browser, live_server, event, organiser, clock
):
    room = Room.objects.create(event=event, name="Main auditorium", position=0, capacity=300)
    session = ProgrammeSession.objects.create(
        event=event, kind="talks", title="Spherical tokamaks", room=room,
        start=dt.datetime(2027, 5, 26, 9, 30, tzinfo=PARIS),
        end=dt.datetime(2027, 5, 26, 11, 0, tzinfo=PARIS))
    _backup_code(organiser, "olga0001")

    # Logged in with the second factor, in an English browser: English pages.
    desk = open_page(browser, viewport=DESKTOP)
    desk.goto(f"{live_server.url}/accounts/login/?next=/manage/")
    desk.get_by_label("E-mail address").fill(organiser.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.get_by_label("Code").fill("olga0001")
    desk.get_by_role("button", name="Continue").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(desk.locator("html")).to_have_attribute("lang", "en")

    # The switcher names French in French; one click and the page comes back in French.
    desk.get_by_role("button", name="Français").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Votre travail")
    _french(desk)
    assert desk.url.endswith("/manage/")
    expect(desk.get_by_role("button", name="English")).to_be_visible()
    organiser.refresh_from_db()
    assert organiser.preferred_language == "fr"

    desk.get_by_role("link", name="Éditeur du programme et publications").first.click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Éditeur de programme")
    _french(desk)
    assert _fits(desk)
    desk.locator(f"#session-{session.pk}").get_by_role(
        "link", name="Spherical tokamaks").click()
    _french(desk)
    expect(desk.get_by_role("heading", level=1)).to_have_text(
        "Session «\u00a0Spherical tokamaks\u00a0»")
    english = desk.locator("#id_title_en")
    french = desk.locator("#id_title_fr")
    expect(desk.locator("label[for=id_title_en]")).to_contain_text("Titre")
    expect(desk.locator("label[for=id_title_fr]")).to_contain_text("Titre")
    expect(english).to_have_value("Spherical tokamaks")
    expect(french).to_have_value("")
    english.press("End")
    english.type(" and stellarators")
    _typed(desk, french, "Tokamaks sphériques et stellarators")
    screenshot(desk, "french-session-bilingual")
    desk.get_by_role("button", name="Enregistrer la session").click()
    session.refresh_from_db()
    assert (session.title_en, session.title_fr) == (
        "Spherical tokamaks and stellarators", "Tokamaks sphériques et stellarators")

    # Released in French, the programme carries both titles.
    desk.get_by_role("link", name="Publications").first.click()
    _french(desk)
    desk.get_by_role("button", name="Publier la version 1").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Version 1 du programme")
    assert _fits(desk)
    assert desk.console_problems == []
    desk.context.close()

    # Visitors read the title in their browser's language.
    for locale, title, other in (
        ("fr-FR", "Tokamaks sphériques et stellarators", "Spherical tokamaks"),
        ("en-GB", "Spherical tokamaks and stellarators", "Tokamaks sphériques"),
    ):
        visitor = open_page(browser, locale=locale, viewport=PHONE)
        visitor.goto(f"{live_server.url}/{event.slug}/programme/")
        expect(visitor.locator("html")).to_have_attribute("lang", locale[:2])
        expect(visitor.locator("main")).to_contain_text(title)
        assert other not in visitor.locator("main").inner_text()
        assert _fits(visitor)
        visitor.context.close()


@pytest.fixture
def demo(transactional_db):
    from tests.demo_snapshot import load_full_demo

    today = dt.date(2027, 5, 26)
    business_clock.set_now(dt.datetime.combine(today, dt.time(10, 0), tzinfo=PARIS))
    yield load_full_demo(today)
    business_clock.set_now(None)


def test_french_visitor_reads_the_programme_and_the_outcomes_report(
    browser, live_server, demo
):
    from pypdf import PdfReader

    slug = demo.slug
    visitor = open_page(browser, locale="fr-FR", viewport=PHONE)

    # The programme: French interface, French session titles and French dates.
    visitor.goto(f"{live_server.url}/{slug}/programme/")
    _french(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Programme")
    main = visitor.locator("main")
    expect(main).to_contain_text("Table ronde tokamak")
    expect(main).to_contain_text("Pause café")
    expect(main).to_contain_text(re.compile(r"Version \d+, publiée le"))
    text = main.inner_text()
    for english in ("Tokamak panel", "Coffee break", "Version 1, released", "May", "Wednesday"):
        assert english not in text, english
    assert re.search(r"\bmai\b", text), text[:500]
    assert _fits(visitor)
    screenshot(visitor, "french-programme-phone")
    violations = axe_violations(visitor)
    assert violations == [], _describe(violations)

    # The outcomes report: the French version, its narrative, and a French PDF.
    visitor.goto(f"{live_server.url}/{slug}/outcomes/")
    _french(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Rapport de résultats (démonstration, données fictives)")
    main = visitor.locator("main")
    expect(main.get_by_role("heading", name="Ce que nous avons entendu")).to_be_visible()
    text = main.inner_text()
    for english in ("What we heard", "Outcomes report (synthetic demo)", "Versions"):
        assert english not in text, english
    assert _fits(visitor)
    screenshot(visitor, "french-outcomes-phone")
    violations = axe_violations(visitor)
    assert violations == [], _describe(violations)
    # The PDF link (it opens in the browser's viewer): fetched as the browser would.
    href = visitor.get_by_role("link", name="PDF (Français)").get_attribute("href")
    answer = visitor.context.request.get(f"{live_server.url}{href}")
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
    assert "Rapport de résultats" in pdf_text
    assert "What we heard" not in pdf_text
    assert visitor.console_problems == []
    visitor.context.close()

    # The same pages for an English browser stay English.
    visitor = open_page(browser, locale="en-GB", viewport=DESKTOP)
    visitor.goto(f"{live_server.url}/{slug}/programme/")
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.locator("main")).to_contain_text("Tokamak panel")
    assert "Table ronde tokamak" not in visitor.locator("main").inner_text()
    visitor.goto(f"{live_server.url}/{slug}/outcomes/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Outcomes report (synthetic demo)")
    assert _fits(visitor)
    visitor.context.close()
