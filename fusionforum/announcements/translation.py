"""What organisers write in announcements, in each language (see core/translated_fields.py)."""

from fusionforum.core.translated_fields import register

from .models import Announcement

register(Announcement, ("subject", "body"))
