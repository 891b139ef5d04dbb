"""Organisers' content in several languages: the fallback rule, the data migration."""

from django.db import connection
from django.utils import translation

from fusionforum.core.translated_fields import TRANSLATED, content_default_language
from fusionforum.events.models import Day, Event


def test_visitor_language_else_event_default_language(make_event):
    event = make_event(default_language="fr", with_days=False)
    Event.objects.filter(pk=event.pk).update(title_en=None, title_fr="Atelier fusion 2027")
    event = Event.objects.get(pk=event.pk)
    with translation.override("en"):
        assert event.title == "Atelier fusion 2027"
    with translation.override("fr"):
        assert event.title == "Atelier fusion 2027"

    Event.objects.filter(pk=event.pk).update(title_en="Fusion workshop 2027")
    event = Event.objects.get(pk=event.pk)
    with translation.override("en"):
        assert event.title == "Fusion workshop 2027"
    with translation.override("fr"):
        assert event.title == "Atelier fusion 2027"


def test_fallback_follows_each_event_not_the_site(make_event, settings):
    # A third language shows that the fallback is the object's event's default language,
    # not the site's first language.
    settings.LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
    event = make_event(default_language="fr")
    day = Day.objects.filter(event=event).first()
    Day.objects.filter(pk=day.pk).update(label_en="Day one", label_fr="Premier jour")
    day = Day.objects.get(pk=day.pk)
    with translation.override("de"):
        assert day.label == "Premier jour"
        assert content_default_language(day) == "fr"


def test_never_an_empty_string_when_some_language_has_a_value(make_event):
    event = make_event(default_language="fr", with_days=False)
    Event.objects.filter(pk=event.pk).update(tagline_fr="", tagline_en="Only in English")
    event = Event.objects.get(pk=event.pk)
    with translation.override("fr"):
        assert event.tagline == "Only in English"


def test_the_event_is_looked_up_only_when_a_translation_is_missing(make_event,
                                                                   django_assert_num_queries):
    event = make_event()
    day = Day.objects.filter(event=event).first()
    Day.objects.filter(pk=day.pk).update(label_fr="Premier jour")
    day = Day.objects.get(pk=day.pk)
    with translation.override("fr"), django_assert_num_queries(0):
        assert day.label == "Premier jour"
    Day.objects.filter(pk=day.pk).update(label_fr=None)
    day = Day.objects.get(pk=day.pk)
    with translation.override("fr"), django_assert_num_queries(1):
        assert day.label == day.label_en
        assert day.label == day.label_en  # remembered on the object


def test_a_value_set_in_french_goes_into_the_french_column(event):
    with translation.override("fr"):
        event.title = "Atelier"
    assert event.title_fr == "Atelier"
    assert event.title_en == "Test Fusion Workshop 2027"


def test_registered_fields():
    names = {model.__name__: fields for model, fields in TRANSLATED.items()}
    assert names == {
        "Event": ("title", "tagline", "description", "venue_name"),
        "EventSeries": ("name",),
        "Day": ("label", "summary"),
        "StreamLink": ("label",),
        "Notice": ("body",),
        "Question": ("label", "help_text", "choices"),
        "Category": ("name",),
        "ProgrammeSession": ("title", "description"),
        "TourType": ("name", "description"),
        "MeetingSettings": ("disciplines",),
        "OutcomesReport": ("title", "narrative"),
        "Theme": ("label",),
        "Announcement": ("subject", "body"),
    }


def test_migration_copies_each_value_into_its_event_default_language(make_event):
    """The data migration's function (events 0006 runs it), on rows as they were before it:
    text in the original column only, the per-language columns empty. Run on today's schema
    rather than by migrating back, which would rebuild every later table."""
    from django.db.migrations.loader import MigrationLoader

    from fusionforum.core.translated_fields import copy_into_default_language

    # The models as the migration sees them (no modeltranslation rewriting "title").
    historical = MigrationLoader(connection, replace_migrations=False).project_state(
        ("events", "0006_translated_content")).apps

    fr = make_event(slug="fr", default_language="fr")
    en = make_event(slug="en", default_language="en")
    fr_day = fr.days.first()
    with connection.cursor() as cursor:
        for event, title in ((fr, "Atelier"), (en, "Workshop")):
            cursor.execute("UPDATE events_event SET title = %s, title_en = NULL, title_fr = NULL,"
                           " venue_name = 'Campus', venue_name_en = NULL, venue_name_fr = NULL"
                           " WHERE id = %s", [title, event.pk])
        cursor.execute("UPDATE events_day SET label = 'Premier jour', label_en = NULL,"
                       " label_fr = NULL WHERE id = %s", [fr_day.pk])
    copy_into_default_language("events", "Event", ("title", "venue_name"))(historical, None)
    copy_into_default_language("events", "Day", ("label",))(historical, None)
    assert Event.objects.values_list("slug", "title_en", "title_fr", "venue_name_fr") \
        .get(slug="fr") == ("fr", None, "Atelier", "Campus")
    assert Event.objects.values_list("title_en", "title_fr").get(slug="en") == ("Workshop", None)
    assert type(fr_day).objects.values_list("label_fr", "label_en").get(pk=fr_day.pk) \
        == ("Premier jour", None)


def test_a_cloned_edition_has_its_new_title_in_every_language(make_event):
    import datetime as dt

    from fusionforum.outcomes.editions import clone_edition

    event = make_event(default_language="fr")
    Event.objects.filter(pk=event.pk).update(title_fr="Atelier 2027", title_en="Workshop 2027")
    event = Event.objects.get(pk=event.pk)
    new = clone_edition(event, new_slug="workshop-2028", new_title="Workshop 2028",
                        new_start_date=dt.date(2028, 5, 24), by=None)
    new = Event.objects.get(pk=new.pk)
    assert (new.title_en or "", new.title_fr) == ("", "Workshop 2028")
    with translation.override("en"):
        assert new.title == "Workshop 2028"  # not the old edition's English title
    assert new.days.count() == 3


def test_default_categories_come_in_every_language(make_event):
    from fusionforum.cfp.categories import install_defaults

    event = make_event()
    with translation.override("fr"):  # whoever opens the call first
        first = install_defaults(event)[0]
    assert (first.name_en, first.name_fr, first.slug) == (
        "Magnets and superconductors", "Aimants et supraconducteurs",
        "magnets-and-superconductors")
