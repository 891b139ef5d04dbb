"""The outcomes report's title, narrative and theme labels in each language (see
core/translated_fields.py)."""

from fusionforum.core.translated_fields import register

from .models import OutcomesReport, Theme

register(OutcomesReport, ("title", "narrative"))
register(Theme, ("label",))
