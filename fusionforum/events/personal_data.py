"""The events app's part of a person's data: messages they sent through the contact form."""

from .models import ContactMessage


def provide(user) -> dict:
    messages = ContactMessage.objects.filter(email__iexact=user.email).select_related("event")
    return {"contact_messages": [
        {"event": m.event.title, "received_at": m.received_at.isoformat(), "topic": m.topic,
         "name": m.name, "organisation": m.organisation, "message": m.message}
        for m in messages
    ]}


def anonymise(user) -> None:
    ContactMessage.objects.filter(email__iexact=user.email).update(
        name="(deleted)", email="deleted@anonymised.invalid", organisation="", message="",
        internal_note="")
