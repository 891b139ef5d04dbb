import pytest
from django.urls import reverse

from fusionforum.registration.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


def url(event, name="mine"):
    return reverse(f"registration:{name}", args=[event.slug])


@pytest.fixture
def questions(event):
    job = event.questions.create(label="Job title", kind="text", required=True,
                                 visibility="participant_list", position=0)
    diet = event.questions.create(label="Diet", kind="single_choice", required=True,
                                  choices=["None", "Vegan"], position=1)
    visa = event.questions.create(label="Visa letter?", kind="yes_no", required=False,
                                  position=2)
    return job, diet, visa


def test_anonymous_visitor_is_invited_to_sign_up(client, event, open_registration):
    open_registration()
    response = client.get(url(event))
    assert response.status_code == 200
    assert reverse("accounts:signup") in response.content.decode()


def test_register_through_the_form(client, event, open_registration, make_person, questions):
    open_registration(requires_approval=True)
    job, diet, visa = questions
    person = make_person()
    client.force_login(person)
    page = client.get(url(event)).content.decode()
    assert "Job title" in page and "Show my name and organisation" in page
    response = client.post(url(event), {f"q_{job.pk}": "Plasma physicist",
                                        f"q_{diet.pk}": "Vegan", f"q_{visa.pk}": "yes",
                                        "consent_public_list": "on"})
    assert response.status_code == 302
    registration = Registration.objects.get(user=person)
    assert registration.status == "pending"
    assert registration.answers == {str(job.pk): "Plasma physicist", str(diet.pk): "Vegan",
                                    str(visa.pk): True}
    status_page = client.get(url(event))
    assert "Pending approval" in status_page.content.decode()
    assert status_page["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"job": "", "diet": "None"}, "This field is required."),
        ({"job": "x" * 301, "diet": "None"}, "at most 300 characters"),
        ({"job": "Eng\u202eineer", "diet": "None"}, "U+202E"),
        ({"job": "Eng\u200bineer", "diet": "None"}, "U+200B"),
        ({"job": "Eng\x00ineer", "diet": "None"}, "Null characters are not allowed"),
        ({"job": "Engineer", "diet": "Carnivore"}, "Select a valid choice"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(client, event, open_registration,
                                                       make_person, questions, answers, error):
    open_registration()
    job, diet, _ = questions
    client.force_login(make_person())
    response = client.post(url(event), {f"q_{job.pk}": answers["job"],
                                        f"q_{diet.pk}": answers["diet"]})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Registration.objects.count() == 0


def test_unverified_person_is_asked_to_verify_first(client, event, open_registration,
                                                    make_person):
    open_registration()
    client.force_login(make_person(verified=False))
    page = client.get(url(event)).content.decode()
    assert "confirm your e-mail address first" in page
    response = client.post(url(event), {})
    assert response.status_code == 400
    assert Registration.objects.count() == 0


def test_closed_registration_is_refused(client, event, open_registration, make_person, clock):
    from ..conftest import paris

    open_registration()
    clock.set(paris(2027, 5, 25, 12))
    client.force_login(make_person())
    response = client.post(url(event), {})
    assert response.status_code == 400
    assert "Registration has closed." in response.content.decode()


def test_cancel_and_accept_an_offer(client, event, open_registration, make_person, register):
    open_registration(capacity=1, delegates_per_organisation=None)
    first, second = make_person(), make_person()
    register(first)
    register(second)
    client.force_login(first)
    assert client.post(url(event, "cancel")).status_code == 302
    client.force_login(second)
    page = client.get(url(event)).content.decode()
    assert "Seat offered" in page and "Accept the seat" in page
    client.post(url(event, "accept"))
    assert Registration.objects.get(user=second, status="confirmed")


def test_actions_without_a_registration_are_404(client, event, open_registration, make_person):
    open_registration()
    client.force_login(make_person())
    assert client.post(url(event, "cancel")).status_code == 404
    assert client.post(url(event, "accept")).status_code == 404
    assert client.get(url(event, "cancel")).status_code == 405


def test_a_participant_only_ever_sees_their_own_registration(client, event, open_registration,
                                                             make_person, register):
    open_registration()
    alice, bob = make_person(full_name="Alice Example"), make_person(full_name="Bob Example")
    register(alice)
    client.force_login(bob)
    page = client.get(url(event)).content.decode()
    assert "Alice Example" not in page
    assert "Register for" in page


def test_participant_list_shows_consenting_confirmed_people_only(
    client, event, open_registration, make_person, register, make_organisation, questions
):
    open_registration(capacity=2, delegates_per_organisation=None)
    job, diet, _ = questions
    org = make_organisation(name="Listed Fusion (fictional)")
    shown = make_person(org, full_name="Shown Person")
    hidden = make_person(org, full_name="Hidden Person")
    waiting = make_person(org, full_name="Waiting Person")
    for person, consent in ((shown, True), (hidden, False), (waiting, True)):
        register(person, consent=consent,
                 answers={str(job.pk): f"{person.full_name} title", str(diet.pk): "Vegan"})
    page = client.get(url(event, "participants")).content.decode()
    assert "Listed Fusion (fictional)" in page
    assert "Shown Person" in page and "Shown Person title" in page
    assert "Hidden Person" not in page
    assert "Waiting Person" not in page
    assert "Vegan" not in page  # organisers-only answers stay private
    assert "@test.invalid" not in page


def test_participant_list_can_be_switched_off(client, event, open_registration):
    open_registration(public_list_enabled=False)
    assert client.get(url(event, "participants")).status_code == 404


def test_event_without_registration_has_no_registration_pages(client, event):
    assert client.get(url(event)).status_code == 404
    assert client.get(url(event, "participants")).status_code == 404
