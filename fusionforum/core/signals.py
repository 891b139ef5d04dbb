"""Stored text has LF line ends, whatever path it came by (a web form, a service called by an
import or a management command, the back office): one ``pre_save`` receiver for every model of
the project turns CR LF, lone CR and U+2028/U+2029 into LF in its text columns."""

from django.db import models
from django.db.models.signals import pre_save

from fusionforum.core.text import normalise_newlines

_TEXT_FIELDS: dict[type, list[str]] = {}


def _text_fields(model) -> list[str]:
    names = _TEXT_FIELDS.get(model)
    if names is None:
        names = [f.attname for f in model._meta.concrete_fields
                 if isinstance(f, (models.CharField, models.TextField))]
        _TEXT_FIELDS[model] = names
    return names


def store_lf(sender, instance, raw=False, **kwargs):
    if raw or not sender.__module__.startswith("fusionforum."):
        return
    for name in _text_fields(sender):
        value = getattr(instance, name)
        if isinstance(value, str) and ("\r" in value or "\u2028" in value or "\u2029" in value):
            setattr(instance, name, normalise_newlines(value))


def connect():
    pre_save.connect(store_lf, dispatch_uid="fusionforum.core.store_lf")
