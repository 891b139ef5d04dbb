"""Registration questions in each language (see core/translated_fields.py). A choice
question's options are one list per language, in the same order: an answer keeps the option
in the event's default language, whatever language the participant saw."""

from fusionforum.core.translated_fields import register

from .models import Question

register(Question, ("label", "help_text", "choices"))
