"""Organisers' forms ask translated content once per language: labelled "Title (English)",
"Title (Français)", the event's default language required, the others optional; each form
sent back with its own initial values is valid and changes nothing."""

import datetime as dt

import pytest
from django.utils import translation

from fusionforum.cfp.forms import CategoryForm
from fusionforum.cfp.models import Category
from fusionforum.core.translated_fields import add_translated_fields
from fusionforum.meetings.forms import SettingsForm
from fusionforum.meetings.models import MeetingSettings
from fusionforum.outcomes.forms import ReportForm
from fusionforum.outcomes.models import OutcomesReport
from fusionforum.programme.forms import SessionForm
from fusionforum.programme.models import ProgrammeSession, Room
from fusionforum.visits.forms import TourForm
from fusionforum.visits.models import TourType
from tests.conftest import login_verified, paris


def initial_data(form) -> dict:
    """What a browser sends back for an unbound form, as Django's test client would post it."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, dt.datetime):
            data[name] = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, dt.time):
            data[name] = value.strftime("%H:%M")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


def labels(form, name):
    return {code: (str(form.fields[f"{name}_{code}"].label),
                   form.fields[f"{name}_{code}"].required) for code in ("en", "fr")}


@pytest.fixture
def french_event(make_event):
    return make_event(slug="atelier", default_language="fr")


@pytest.fixture
def session(french_event):
    room = Room.objects.create(event=french_event, name="Amphithéâtre")
    return ProgrammeSession.objects.create(
        event=french_event, kind="talks", room=room, title_fr="Ouverture",
        title_en="Opening", description_fr="Mot d’accueil", description_en=None,
        start=paris(2027, 5, 26, 9), end=paris(2027, 5, 26, 10))


def test_session_form_per_language(session, french_event):
    form = SessionForm(event=french_event, initial=SessionForm.initial_for(session))
    assert labels(form, "title") == {"en": ("Title (English)", False),
                                     "fr": ("Title (Français)", True)}
    assert "title" not in form.fields
    assert form.fields["title_fr"].widget.attrs["lang"] == "fr"
    with translation.override("fr"):
        french = SessionForm(event=french_event)
    assert str(french.fields["title_en"].label).endswith("(English)")
    data = initial_data(form)
    assert data["title_fr"] == "Ouverture" and data["description_en"] == ""
    bound = SessionForm(data, event=french_event)
    assert bound.is_valid(), bound.errors
    assert bound.service_values()["title_en"] == "Opening"


def test_session_form_requires_the_default_language(session, french_event):
    data = initial_data(SessionForm(event=french_event, initial=SessionForm.initial_for(session)))
    data["title_fr"] = ""
    form = SessionForm(data, event=french_event)
    assert not form.is_valid() and "title_fr" in form.errors
    data.update(title_fr="Ouverture", title_en="")
    assert SessionForm(data, event=french_event).is_valid()


def test_organiser_edits_a_bilingual_session_title(client, session, french_event, make_user):
    from fusionforum.events.models import TeamMembership

    organiser = make_user("orga@test.invalid")
    TeamMembership.objects.create(event=french_event, user=organiser, role="organiser")
    login_verified(client, organiser)
    url = f"/manage/{french_event.slug}/programme/sessions/{session.pk}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title_en"' in html and 'name="title_fr"' in html
    data = initial_data(SessionForm(event=french_event, initial=SessionForm.initial_for(session)))
    data.update(title_fr="Séance d’ouverture", title_en="Opening session")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr")
    translation.activate("en")  # the test client leaves the request's language active
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert (session.title_fr, session.title_en) == ("Séance d’ouverture", "Opening session")
    assert session.description_fr == "Mot d’accueil"
    with translation.override("en"):
        assert session.title == "Opening session"
        assert session.description == "Mot d’accueil"  # only in French: the event's default


def test_tour_form_round_trip(french_event):
    tour = TourType.objects.create(event=french_event, name_fr="Visite du chantier",
                                   description_fr="Le hall d’assemblage", name_en=None)
    form = TourForm(instance=tour, event=french_event)
    assert labels(form, "name") == {"en": ("Name (English)", False),
                                    "fr": ("Name (Français)", True)}
    bound = TourForm(initial_data(form), instance=tour, event=french_event)
    assert bound.is_valid(), bound.errors
    bound.save()
    tour.refresh_from_db()
    assert (tour.name_fr, tour.name_en or "") == ("Visite du chantier", "")


def test_report_form_round_trip(french_event):
    report = OutcomesReport.objects.create(event=french_event, title_fr="Rapport de résultats",
                                           narrative_fr="Nous avons entendu…",
                                           narrative_en="We heard…")
    form = ReportForm(instance=report)
    assert labels(form, "narrative") == {"en": ("Narrative (English)", False),
                                         "fr": ("Narrative (Français)", False)}
    assert labels(form, "title")["fr"] == ("Title (Français)", True)
    bound = ReportForm(initial_data(form), instance=report)
    assert bound.is_valid(), bound.errors


def test_category_form(french_event):
    form = CategoryForm(event=french_event)
    assert labels(form, "name") == {"en": ("Category name (English)", False),
                                    "fr": ("Category name (Français)", True)}


def test_category_added_in_both_languages(french_event, make_user):
    from fusionforum.cfp import services
    from fusionforum.events.models import TeamMembership

    organiser = make_user("orga@test.invalid")
    TeamMembership.objects.create(event=french_event, user=organiser, role="organiser")
    form = CategoryForm({"name_fr": "Aimants", "name_en": "Magnets"}, event=french_event)
    assert form.is_valid()
    from fusionforum.core.translated_fields import translated_values

    category = services.add_category(french_event, organiser,
                                     **translated_values(form, "name"))
    assert (category.name_fr, category.name_en, category.slug) == ("Aimants", "Magnets",
                                                                    "aimants")
    with translation.override("en"):
        assert Category.objects.get(pk=category.pk).name == "Magnets"


def test_disciplines_per_language_with_the_same_keys(french_event):
    settings_ = MeetingSettings.objects.create(
        event=french_event, date=dt.date(2027, 5, 28), requests_open_at=paris(2027, 5, 1),
        requests_close_at=paris(2027, 5, 20),
        disciplines_fr=[{"key": "magnets", "label": "Aimants"},
                        {"key": "vacuum", "label": "Vide"}],
        disciplines_en=None)
    form = SettingsForm(instance=settings_)
    assert labels(form, "disciplines_text")["fr"] == ("Disciplines (Français)", True)
    data = initial_data(form)
    assert data["disciplines_text_fr"] == "magnets: Aimants\nvacuum: Vide"
    assert SettingsForm(data, instance=settings_).is_valid()
    data["disciplines_text_en"] = "magnets: Magnets\nplasma: Plasma"
    bound = SettingsForm(data, instance=settings_)
    assert not bound.is_valid() and "same keys" in str(bound.errors["disciplines_text_en"])
    data["disciplines_text_en"] = "magnets: Magnets\nvacuum: Vacuum"
    bound = SettingsForm(data, instance=settings_)
    assert bound.is_valid(), bound.errors
    bound.save()
    settings_.refresh_from_db()
    with translation.override("en"):
        assert settings_.discipline_label("vacuum") == "Vacuum"
    with translation.override("fr"):
        assert settings_.discipline_label("vacuum") == "Vide"


def test_question_options_in_the_reader_language_answers_in_the_default(french_event):
    from fusionforum.registration.forms import field_for, validate_answers
    from fusionforum.registration.models import Question

    question = Question.objects.create(
        event=french_event, kind="single_choice", label_fr="Repas", label_en="Meal",
        choices_fr=["Végétarien", "Standard"], choices_en=["Vegetarian", "Standard"])
    with translation.override("en"):
        field = field_for(question)
        assert list(field.choices)[1:] == [("Végétarien", "Vegetarian"),
                                           ("Standard", "Standard")]
        assert field.label == "Meal"
        assert validate_answers(french_event, {question.pk: "Végétarien"}) \
            == {str(question.pk): "Végétarien"}


def test_the_helper_keeps_a_plain_form_field_order():
    from django import forms

    class Plain(forms.Form):
        before = forms.CharField()
        label = forms.CharField(max_length=10)
        after = forms.CharField()

    from fusionforum.events.models import Day

    form = Plain()
    add_translated_fields(form, model=Day, names=("label",), default_language="en")
    assert list(form.fields) == ["before", "label_en", "label_fr", "after"]
    assert form.fields["label_en"].max_length == 10


def test_answers_shown_in_the_reader_language(french_event, make_user):
    from fusionforum.registration.forms import answers_for_display
    from fusionforum.registration.models import Question, Registration

    question = Question.objects.create(
        event=french_event, kind="multiple_choice", label_fr="Visites", label_en="Tours",
        choices_fr=["Chantier", "Usine"], choices_en=["Worksite", "Plant"])
    registration = Registration(event=french_event, user=make_user(),
                                answers={str(question.pk): ["Usine"]})
    with translation.override("en"):
        assert answers_for_display([question], registration) == [("Tours", "Plant")]
    with translation.override("fr"):
        assert answers_for_display([question], registration) == [("Visites", "Usine")]
