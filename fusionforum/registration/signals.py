from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fusionforum.core import pagecache

from .models import RegistrationSettings


@receiver([post_save, post_delete], sender=RegistrationSettings)
def registration_settings_changed(sender, **kwargs):
    # Public pages show whether registration is open.
    pagecache.invalidate()
    transaction.on_commit(pagecache.invalidate)
