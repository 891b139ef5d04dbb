"""The events app's part of a person's data: messages they sent through the contact form."""

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import ContactMessage

describe(Category(
    "contact_messages", _("Messages to the organisers"),
    _("What you send through an event's contact form: your name, e-mail address, "
      "organisation, topic and message, and the organisers' internal note on it."),
    _("To answer you."),
    _("As long as the event's records are kept; deleting your account blanks them."),
    sections=("contact_messages",), order=20))


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
