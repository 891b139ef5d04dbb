"""Programme sessions in each language (see core/translated_fields.py). Talk titles are the
speakers' own words and are shown as written."""

from fusionforum.core.translated_fields import register

from .models import ProgrammeSession

register(ProgrammeSession, ("title", "description"))
