from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fusionforum.core import pagecache

from .models import Day, Event, StreamLink


@receiver([post_save, post_delete], sender=Event)
@receiver([post_save, post_delete], sender=Day)
@receiver([post_save, post_delete], sender=StreamLink)
def public_content_changed(sender, **kwargs):
    pagecache.invalidate()
    # Again after commit: a page rendered from the old rows while the transaction was open
    # could otherwise have been cached under the new token.
    transaction.on_commit(pagecache.invalidate)
