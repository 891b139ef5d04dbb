"""The expert disciplines in each language (see core/translated_fields.py): one list per
language with the same keys; requests keep the key."""

from fusionforum.core.translated_fields import register

from .models import MeetingSettings

register(MeetingSettings, ("disciplines",))
