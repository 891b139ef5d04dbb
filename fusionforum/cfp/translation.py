"""Call categories in each language (see core/translated_fields.py)."""

from fusionforum.core.translated_fields import register

from .models import Category

register(Category, ("name",))
