"""The configurable list of categories that classify challenges (question 2) and requests for
help (question 3). An event starts with the default list; organisers edit it on the desk."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from .models import Category

DEFAULT_CATEGORIES = (
    "Magnets and superconductors",
    "Materials and first wall",
    "Tritium and fuel cycle",
    "Remote handling and maintenance",
    "Heating and current drive",
    "Diagnostics and control",
    "Neutronics and shielding",
    "Licensing and nuclear safety",
    "Supply chain and manufacturing",
    "Cryogenics and vacuum",
    "Power systems",
    "Codes and standards",
    "Staff and skills",
    "Financing",
)


def install_defaults(event) -> list[Category]:
    """Give ``event`` the default categories if it has none yet; return its categories.

    Idempotent: an event that already has a list (even one edited by its organisers) keeps it.
    """
    with transaction.atomic():
        if not Category.objects.filter(event=event).exists():
            Category.objects.bulk_create([
                Category(event=event, name=name, slug=slugify(name)[:80], position=index * 10)
                for index, name in enumerate(DEFAULT_CATEGORIES, start=1)
            ])
    return list(Category.objects.filter(event=event))


def categories_for(event) -> list[Category]:
    """The event's categories, installing the defaults the first time they are needed."""
    categories = list(Category.objects.filter(event=event))
    return categories or install_defaults(event)
