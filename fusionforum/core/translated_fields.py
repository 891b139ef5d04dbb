"""What organisers write, in every language of the site (django-modeltranslation).

Each app's ``translation.py`` registers its fields with :func:`register`; modeltranslation
adds one column per language (``title_en``, ``title_fr``…) and ``event.title`` reads the
active language's value.

The fallback rule is one rule, here: a translated field shows the **active language**, else
the **default language of the event the object belongs to**, else any language that has a
value, in the order of ``settings.LANGUAGES``, so never an empty string when some language has
one. The event is found on the object itself (``default_language`` on an Event, else the
``event`` it points to); it is only looked up when the active language's value is empty, and
once per object, so a page whose content is translated costs no query.

Organisers' forms use :func:`add_translated_fields`: one input per language, labelled
"Title (English)", "Title (Français)", the event's default language required, the others
optional.
"""

import copy

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.fields import NONE, TranslationFieldDescriptor
from modeltranslation.translator import TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname

from .languages import language_choices, language_codes

_EVENT_LANGUAGE = "_content_default_language"


def content_default_language(instance) -> str | None:
    """The default language of the event ``instance`` belongs to (None if it has none)."""
    cached = instance.__dict__.get(_EVENT_LANGUAGE)
    if cached is not None:
        return cached or None
    language = ""
    own = instance.__dict__.get("default_language")
    if own:  # the event itself
        language = own
    elif getattr(instance, "event_id", None) is not None:
        event = instance._state.fields_cache.get("event")
        if event is None:
            event = type(instance)._meta.get_field("event").related_model._base_manager \
                .filter(pk=instance.event_id).only("default_language").first()
        language = getattr(event, "default_language", "") or ""
    if language:  # an object not yet given its event may be given one later
        instance.__dict__[_EVENT_LANGUAGE] = language
    return language or None


def resolution_order(instance, active: str | None = None):
    """Languages to try, in order: active, the event's default, then every site language.
    A generator: the event's default is only looked up if the active language has no value."""
    active = active or get_language() or ""
    yield active
    default = content_default_language(instance)
    if default and default != active:
        yield default
    for code in language_codes():
        if code not in (active, default):
            yield code


class EventFallbackDescriptor(TranslationFieldDescriptor):
    """modeltranslation's descriptor with the event's default language as first fallback."""

    def __get__(self, instance, owner):
        if instance is None:
            return self
        undefined = self.fallback_undefined
        if undefined is NONE:
            undefined = self.field.get_default()
        for lang in resolution_order(instance):
            val = getattr(instance, build_localized_fieldname(self.field.name, lang), None)
            if self.meaningful_value(val, undefined):
                return val
        return self.field.get_default()


# model -> names of its translated fields (filled by ``register``)
TRANSLATED: dict[type, tuple[str, ...]] = {}


def register(model, fields: tuple[str, ...]) -> None:
    """Translate ``fields`` of ``model`` (which is an Event or has an ``event``)."""
    options = type(f"{model.__name__}TranslationOptions", (TranslationOptions,),
                   {"fields": tuple(fields)})
    translator.register(model, options)
    for name in fields:
        current = model.__dict__[name]
        setattr(model, name, EventFallbackDescriptor(
            current.field, fallback_languages=current.fallback_languages,
            fallback_value=current.fallback_value, fallback_undefined=current.fallback_undefined))
    TRANSLATED[model] = tuple(fields)


def localized_names(name: str) -> list[str]:
    """``title`` -> ``["title_en", "title_fr"]`` (settings.LANGUAGES order)."""
    return [build_localized_fieldname(name, code) for code in language_codes()]


def translated_field_names(model) -> list[str]:
    """Every per-language column of ``model``'s translated fields, for a form's Meta.fields."""
    return [loc for name in TRANSLATED.get(model, ()) for loc in localized_names(name)]


LABEL = _("%(field)s (%(language)s)")


def add_translated_fields(form, *, names: tuple[str, ...] | None = None, model=None,
                          instance=None, default_language: str | None = None) -> None:
    """The one way an organisers' form edits translated content. Call it at the end of the
    form's ``__init__``.

    A ModelForm lists the per-language columns in ``Meta.fields``
    (``[*localized_names("title"), ...]``); a plain form declares the field once (``title``)
    and gets one copy per language (``title_en``, ``title_fr``) in its place, with initial
    values from ``instance``. Either way each input is labelled "Title (English)", "Title
    (Français)", the event's default language is required (when the field itself is), the
    others are optional, and each input carries its ``lang``."""
    model = model or form._meta.model
    instance = instance if instance is not None else getattr(form, "instance", None)
    names = names if names is not None else TRANSLATED.get(model, ())
    if default_language is None and instance is not None:
        default_language = content_default_language(instance)
    default_language = default_language or language_codes()[0]
    own_labels = {name: form.fields[name].label for name in names
                  if name in form.fields and form.fields[name].label}
    for name in names:
        _split(form, name, instance)
    label_translated_inputs(form.fields, model, default_language, names, labels=own_labels)


def label_translated_inputs(fields: dict, model, default_language: str | None,
                            names: tuple[str, ...] | None = None,
                            labels: dict | None = None) -> None:
    """Label, require and mark with ``lang`` the per-language inputs among ``fields`` (a
    form's ``fields`` or a form class's ``base_fields``, as the back office builds them)."""
    names = names if names is not None else TRANSLATED.get(model, ())
    default_language = default_language or language_codes()[0]
    languages = dict(language_choices())
    for name in names:
        try:
            model_field = model._meta.get_field(name)
            label, required = model_field.verbose_name, not model_field.blank
        except FieldDoesNotExist:  # a form's own input standing for a translated field
            label = required = None
        if labels and name in labels:  # the form's own wording
            label = labels[name]
        for code in language_codes():
            field = fields.get(build_localized_fieldname(name, code))
            if field is None:
                continue
            if label is None:
                label = field.label or name
            if required is None:
                required = field.required
            field.label = LABEL % {"field": _capitalised(label), "language": languages[code]}
            field.required = code == default_language and required
            if code != default_language:
                field.help_text = ""
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, (forms.TextInput, forms.Textarea)):
                widget.attrs["lang"] = code


def _split(form, name: str, instance) -> None:
    """A plain form's ``name`` field becomes one field per language, in the same place."""
    if name not in form.fields:
        return
    rebuilt = {}
    for key, field in form.fields.items():
        if key != name:
            rebuilt[key] = field
            continue
        for code in language_codes():
            loc = build_localized_fieldname(name, code)
            rebuilt[loc] = copy.deepcopy(field)
            if instance is not None and hasattr(instance, loc) and loc not in form.initial:
                form.initial[loc] = getattr(instance, loc) or ""
    form.fields = rebuilt


def translated_values(form, name: str) -> dict:
    """``{"title_en": …, "title_fr": …}`` from a valid form, for a service."""
    return {loc: form.cleaned_data.get(loc) or "" for loc in localized_names(name)
            if loc in form.cleaned_data}


def _capitalised(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def copy_into_default_language(app_label: str, model_name: str, fields: tuple[str, ...]):
    """A data migration's function: copy each existing value of ``fields`` into the column of
    its event's default language (``title`` -> ``title_fr`` for an event in French)."""
    from django.db.models import F

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        lookup = "default_language" if model_name.lower() == "event" \
            else "event__default_language"
        for code in language_codes():
            model._base_manager.filter(**{lookup: code}).update(
                **{build_localized_fieldname(name, code): F(name) for name in fields})

    return forwards
