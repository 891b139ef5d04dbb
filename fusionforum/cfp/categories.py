"""The configurable list of categories that classify challenges (question 2) and requests for
help (question 3). An event starts with the default list; organisers edit it on the desk."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_noop
from modeltranslation.utils import build_localized_fieldname

from fusionforum.core.languages import language_codes

from .models import Category

# Marked for the catalogue; each new event gets them in every site language.
DEFAULT_CATEGORIES = (
    gettext_noop("Magnets and superconductors"),
    gettext_noop("Materials and first wall"),
    gettext_noop("Tritium and fuel cycle"),
    gettext_noop("Remote handling and maintenance"),
    gettext_noop("Heating and current drive"),
    gettext_noop("Diagnostics and control"),
    gettext_noop("Neutronics and shielding"),
    gettext_noop("Licensing and nuclear safety"),
    gettext_noop("Supply chain and manufacturing"),
    gettext_noop("Cryogenics and vacuum"),
    gettext_noop("Power systems"),
    gettext_noop("Codes and standards"),
    gettext_noop("Staff and skills"),
    gettext_noop("Financing"),
)


def _in_every_language(name: str) -> dict:
    """``{"name_en": …, "name_fr": …}``: the catalogue's version in each language."""
    values = {}
    for code in language_codes():
        with translation.override(code):
            values[build_localized_fieldname("name", code)] = translation.gettext(name)
    return values


def install_defaults(event) -> list[Category]:
    """Give ``event`` the default categories if it has none yet; return its categories.

    Idempotent: an event that already has a list (even one edited by its organisers) keeps it.
    """
    with transaction.atomic():
        if not Category.objects.filter(event=event).exists():
            Category.objects.bulk_create([
                Category(event=event, slug=slugify(name)[:80], position=index * 10,
                         **_in_every_language(name))
                for index, name in enumerate(DEFAULT_CATEGORIES, start=1)
            ])
    return list(Category.objects.filter(event=event))


def categories_for(event) -> list[Category]:
    """The event's categories, installing the defaults the first time they are needed."""
    categories = list(Category.objects.filter(event=event))
    return categories or install_defaults(event)
