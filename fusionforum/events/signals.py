from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fusionforum.core import pagecache

from .models import Day, Event, StreamLink


@receiver([post_save, post_delete], sender=Event)
@receiver([post_save, post_delete], sender=Day)
@receiver([post_save, post_delete], sender=StreamLink)
def public_content_changed(sender, **kwargs):
    # After commit: a page re-rendered before the commit would otherwise be cached stale.
    transaction.on_commit(pagecache.invalidate)
