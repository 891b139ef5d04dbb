"""Visa invitation letters: who gets one and when, numbering (also under concurrency), the PDF,
the public check, the organisers' settings and the audit log."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from fusionforum.core.models import AuditEntry
from fusionforum.registration import visa_letters
from fusionforum.registration.models import Question, Registration, VisaLetter

from ..conftest import login_verified

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def visa_question(event):
    return Question.objects.create(event=event, label="Do you need a visa invitation letter?",
                                   kind=Question.Kind.YES_NO)


@pytest.fixture
def configured(event, organiser, visa_question):
    return visa_letters.save_settings(
        event, by=organiser, question=visa_question, signatory_name="Selma Signatory",
        signatory_title="Chair of the organising committee (fictional)", texts={})


@pytest.fixture
def asker(open_registration, make_person, make_organisation, register, visa_question,
          configured):
    open_registration(capacity=10, delegates_per_organisation=None)

    def factory(*, needs_visa=True, approval=False, **person):
        human = make_person(make_organisation(), **person)
        return register(human, answers={str(visa_question.pk): "yes" if needs_visa else "no"})

    return factory


def letter_url(event, name="registration:visa_letter"):
    return reverse(name, kwargs={"slug": event.slug})


# Who and when --------------------------------------------------------------------------------


def test_confirmed_person_who_asked_gets_a_numbered_letter(client, event, asker):
    registration = asker(full_name="Ada Plasma")
    assert registration.status == "confirmed"
    client.force_login(registration.user)
    page = client.get(letter_url(event))
    assert page.status_code == 200
    assert 'value="Ada Plasma"' in page.content.decode()
    response = client.post(letter_url(event), {"passport_name": "PLASMA Ada Maria"})
    assert response.status_code == 302
    assert response["Location"] == letter_url(event, "registration:visa_letter_pdf")
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"
    text = pdf_text(pdf.content)
    assert "PLASMA Ada Maria" in text
    assert "26 May 2027" in text and "28 May 2027" in text
    assert event.title in text
    assert "Selma Signatory" in text
    letter = VisaLetter.objects.get()
    assert letter.number == 1 and letter.code in text
    assert f"no. {letter.number}" in text
    assert Registration.objects.get(pk=registration.pk).passport_name == "PLASMA Ada Maria"


def test_french_letter_uses_the_french_default_text(client, event, asker):
    registration = asker()
    client.force_login(registration.user)
    client.post(letter_url(event), {"passport_name": "Ada Plasma"})
    pdf = client.get(letter_url(event, "registration:visa_letter_pdf"),
                     HTTP_ACCEPT_LANGUAGE="fr")
    text = pdf_text(pdf.content)
    assert "26 mai 2027" in text and "Ada Plasma" in text


def assert_no_letter_issued(client, event, registration):
    """Neither the page, the PDF nor the service gives ``registration`` a letter."""
    assert client.post(letter_url(event), {"passport_name": "X"}).status_code == 403
    assert client.get(letter_url(event, "registration:visa_letter_pdf")).status_code == 404
    with pytest.raises(visa_letters.VisaLetterError):
        visa_letters.issue(registration, by=registration.user, passport_name="X")
    assert not VisaLetter.objects.exists()


@pytest.mark.parametrize("needs_visa", [False])
def test_no_letter_for_someone_who_did_not_ask(client, event, asker, needs_visa):
    registration = asker(needs_visa=needs_visa)
    client.force_login(registration.user)
    assert "did not ask" in client.get(letter_url(event)).content.decode()
    assert_no_letter_issued(client, event, registration)


def test_no_letter_before_the_registration_is_confirmed(client, event, asker, configured):
    from fusionforum.registration.models import RegistrationSettings

    RegistrationSettings.objects.filter(event=event).update(requires_approval=True)
    registration = asker()
    assert registration.status == "pending"
    client.force_login(registration.user)
    assert "once your registration is confirmed" in client.get(letter_url(event)).content.decode()
    assert_no_letter_issued(client, event, registration)


def test_nobody_gets_someone_elses_letter(client, event, asker, organiser, make_person):
    owner = asker()
    visa_letters.issue(owner, by=owner.user, passport_name="Owner Name")
    with pytest.raises(PermissionDenied):
        visa_letters.issue(owner, by=organiser, passport_name="Owner Name")
    stranger = make_person()
    client.force_login(stranger)
    assert client.get(letter_url(event, "registration:visa_letter_pdf")).status_code == 404
    # The organiser of the event is not confirmed for it: no letter through the page either.
    client.force_login(organiser)
    assert client.get(letter_url(event, "registration:visa_letter_pdf")).status_code == 404


def test_signed_out_visitor_is_sent_to_log_in(client, event, configured):
    response = client.get(letter_url(event))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_passport_name_is_a_400_and_writes_nothing(client, event, asker):
    registration = asker()
    client.force_login(registration.user)
    for bad in ["", "Evil\u202egnp", "x" * 201]:
        assert client.post(letter_url(event), {"passport_name": bad}).status_code == 400
    assert not VisaLetter.objects.exists()


# Numbers -------------------------------------------------------------------------------------


def test_same_facts_same_number_changed_facts_new_number(event, asker):
    registration = asker()
    first, new = visa_letters.issue(registration, by=registration.user, passport_name="A B")
    assert new and first.number == 1
    again, new = visa_letters.issue(registration, by=registration.user, passport_name="A B")
    assert not new and again.pk == first.pk
    assert visa_letters.download(registration, by=registration.user).pk == first.pk
    # The name changes: a new number, the old letter is superseded by it.
    second, new = visa_letters.issue(registration, by=registration.user, passport_name="A C")
    assert new and second.number == 2
    first.refresh_from_db()
    assert first.superseded_at is not None and first.superseded_by_id == second.pk
    # The event's dates change: the next download is a new letter with the new dates.
    event.end_date = dt.date(2027, 5, 29)
    event.save()
    registration.refresh_from_db()
    third = visa_letters.download(registration, by=registration.user)
    assert third.number == 3 and third.last_day == dt.date(2027, 5, 29)
    assert VisaLetter.objects.filter(superseded_at__isnull=True).count() == 1


def test_numbers_are_per_event_and_logged(event, asker, organiser):
    people = [asker() for _ in range(3)]
    numbers = [visa_letters.issue(r, by=r.user, passport_name=f"Person {i}")[0].number
               for i, r in enumerate(people)]
    assert numbers == [1, 2, 3]
    issued = AuditEntry.objects.filter(action="registration.visa_letter_issued")
    assert sorted(e.data["number"] for e in issued) == [1, 2, 3]
    assert {e.actor_id for e in issued} == {r.user_id for r in people}
    assert {e.data["registration"] for e in issued} == {r.pk for r in people}
    visa_letters.download(people[0], by=people[0].user)
    assert AuditEntry.objects.filter(action="registration.visa_letter_downloaded",
                                     data__number=1).exists()


def _race(people, count):
    barrier = threading.Barrier(count)
    outcomes = []

    def take(registration):
        try:
            barrier.wait()
            outcomes.append(visa_letters.issue(registration, by=registration.user,
                                               passport_name="Racing Person")[0].number)
        except Exception as exc:  # noqa: BLE001 - the control counts them
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(r,)) for r in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]
RACERS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(ON_SQLITE, reason="threads on the in-memory SQLite test database share "
                                      "one connection")
def test_numbers_have_no_gaps_under_concurrency(event, asker):
    people = [asker() for _ in range(RACERS)]
    outcomes = _race(people, RACERS)
    assert sorted(outcomes) == list(range(1, RACERS + 1))
    assert sorted(VisaLetter.objects.values_list("number", flat=True)) == list(
        range(1, RACERS + 1))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(ON_SQLITE, reason="threads on the in-memory SQLite test database share "
                                      "one connection")
def test_negative_control_without_the_lock_numbers_collide(event, asker, monkeypatch):
    """Proof that the test above can fail: the same race without the lock loses letters to
    the unique number (or would hand out one number twice without the constraint)."""
    monkeypatch.setattr(visa_letters, "_LOCK_NUMBERS", False)
    collided = False
    for _attempt in range(5):
        people = [asker() for _ in range(RACERS)]
        outcomes = _race(people, RACERS)
        if any(isinstance(o, Exception) for o in outcomes):
            collided = True
            break
    assert collided


# The public check ----------------------------------------------------------------------------


def test_check_page_shows_name_event_dates_and_validity_only(client, event, asker):
    registration = asker(email="private.person@test.invalid")
    letter, _new = visa_letters.issue(registration, by=registration.user,
                                      passport_name="Checked Person")
    url = letter_url(event, "registration:visa_check")
    response = client.get(url, {"number": letter.number, "code": letter.code.lower()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Checked Person" in body and "Valid" in body and "26 May 2027" in body
    assert "private.person" not in body
    assert registration.organisation.name not in body
    # Superseded after a correction.
    visa_letters.issue(registration, by=registration.user, passport_name="Checked Persons")
    body = client.get(url, {"number": letter.number, "code": letter.code}).content.decode()
    assert "Superseded" in body
    # A wrong code, a wrong number, garbage: the same 404 answer.
    for number, code in [(letter.number, "AAAA-AAAA-AAAA"), (99, letter.code), ("x", "y"),
                         ("-1", ""), ("9" * 12, letter.code)]:
        wrong = client.get(url, {"number": number, "code": code})
        assert wrong.status_code == 404
        assert "Checked Person" not in wrong.content.decode()
    assert client.get(url).status_code == 200


def test_check_is_rate_limited(client, event, configured, monkeypatch):
    monkeypatch.setattr(visa_letters, "CHECKS_PER_HOUR", 2)
    url = letter_url(event, "registration:visa_check")
    statuses = [client.get(url, {"number": 1, "code": "x"}).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


# Organisers ----------------------------------------------------------------------------------


def test_organiser_configures_text_and_signatory(client, event, organiser, visa_question):
    login_verified(client, organiser)
    url = letter_url(event, "registration:visa_letters")
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "question": visa_question.pk, "signatory_name": "Nadia Chair",
        "signatory_title": "Director", "text_en": "Dear consul,\n\nPlease admit "
        "{passport_name} to {event} from {first_day} to {last_day}.", "text_fr": ""})
    assert response.status_code == 302
    saved = visa_letters.letter_settings(event)
    assert saved.signatory_name == "Nadia Chair" and list(saved.texts) == ["en"]
    # The page shows each language's text as the letter reads; sent back unchanged, the
    # default stays the default (no copy is stored).
    page = client.get(url).content.decode()
    assert "Aux services consulaires concernés" in page
    client.post(url, {"question": visa_question.pk, "signatory_name": "Nadia Chair",
                      "text_en": visa_letters.default_text("en"),
                      "text_fr": visa_letters.default_text("fr")})
    assert visa_letters.letter_settings(event).texts == {}
    assert AuditEntry.objects.filter(action="registration.visa_letters_configured",
                                     actor=organiser).exists()


@pytest.mark.parametrize("text", ["Hello {unknown} {passport_name}", "No name at all",
                                  "Broken {passport_name"])
def test_bad_letter_text_is_refused(client, event, organiser, visa_question, text):
    login_verified(client, organiser)
    url = letter_url(event, "registration:visa_letters")
    response = client.post(url, {"question": visa_question.pk, "signatory_name": "N",
                                 "text_en": text})
    assert response.status_code == 400
    assert visa_letters.letter_settings(event) is None


def test_only_organisers_configure(client, event, make_user, visa_question):
    someone = make_user()
    with pytest.raises(PermissionDenied):
        visa_letters.save_settings(event, by=someone, question=visa_question,
                                   signatory_name="X", texts={})
    login_verified(client, someone)
    assert client.get(letter_url(event, "registration:visa_letters")).status_code == 404


def test_question_of_another_kind_is_refused(event, organiser):
    text_question = Question.objects.create(event=event, label="Why?", kind=Question.Kind.TEXT)
    with pytest.raises(ValidationError):
        visa_letters.save_settings(event, by=organiser, question=text_question,
                                   signatory_name="X", texts={})


def test_personal_data_lists_and_forgets_the_passport_name(event, asker):
    from fusionforum.accounts import personal_data

    registration = asker()
    letter, _new = visa_letters.issue(registration, by=registration.user,
                                      passport_name="Forget Me")
    exported = personal_data.export(registration.user)["registrations"][0]
    assert exported["passport_name"] == "Forget Me"
    assert exported["visa_letters"][0]["number"] == letter.number
    personal_data.anonymise(registration.user)
    letter.refresh_from_db()
    registration.refresh_from_db()
    assert registration.passport_name == "" and letter.passport_name == "—"
    assert letter.superseded_at is not None
