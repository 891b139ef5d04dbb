"""Sent inside the decision's transaction when the security office approves or refuses.

``clearance_decided(sender=AccessRecord, event=, user=, status=, by=)``: the site-visits app
listens and frees the person's seats on refusal.
"""

from django.dispatch import Signal

clearance_decided = Signal()
