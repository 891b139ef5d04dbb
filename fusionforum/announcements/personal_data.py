"""What announcements and reminders hold about a person: which announcements and reminders
were sent to their address, and whether they stopped the optional reminders. Deleting the
account removes the opt-outs and the address from the records (the outbox forgets its
e-mails itself)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import Delivery, OptOut, ReminderSent

describe(Category(
    "announcements", _("Announcements and reminders"),
    _("Which announcements and automatic reminders were sent to your address, in which "
      "language and when, and whether you stopped the optional reminders."),
    _("To send each reminder once, to honour your choice, and to show organisers who was "
      "told what."),
    _("With the event's records; deleting your account removes your address from them."),
    sections=("announcements",), order=47))


def provide(user) -> dict:
    address = (user.email or "").strip().lower()
    if not address:
        return {}
    return {"announcements": {
        "announcements_received": [
            {"event": d.announcement.event.slug, "subject": d.announcement.subject,
             "sent_at": d.announcement.sent_at.isoformat(), "language": d.language}
            for d in Delivery.objects.filter(address=address)
            .select_related("announcement__event")],
        "reminders_received": [
            {"event": r.event.slug, "kind": r.kind, "sent_at": r.sent_at.isoformat()}
            for r in ReminderSent.objects.filter(address=address).select_related("event")],
        "optional_reminders_stopped": [o.event.slug for o in OptOut.objects.filter(
            address=address).select_related("event")],
    }}


def anonymise(user) -> None:
    address = (user.email or "").strip().lower()
    if not address:
        return
    OptOut.objects.filter(address=address).delete()
    Delivery.objects.filter(address=address).update(address=f"deleted-{user.pk}@invalid",
                                                     user=None)
    ReminderSent.objects.filter(address=address).update(address=f"deleted-{user.pk}@invalid",
                                                        user=None)
