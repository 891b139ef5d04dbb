"""Tour types in each language (see core/translated_fields.py)."""

from fusionforum.core.translated_fields import register

from .models import TourType

register(TourType, ("name", "description"))
