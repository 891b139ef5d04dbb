"""Webhook messages are copies of what other apps hold (a registration, a seat, a check-in),
sent to the event's own systems. When a person deletes their account, every stored message
that names them has its body replaced by a redacted one, and those not yet sent are not sent
(the deletion's own consequences, a cancelled registration or a freed seat, are sent after
it, built from the anonymised account). The receiving systems keep what they already got:
the organisers' responsibility, as for their exports."""

from __future__ import annotations

import json

from .models import Message

REDACTED = {"redacted": "The person's account was deleted."}


def anonymise(user) -> int:
    """Redact the messages about ``user`` (their e-mail address as a person's ``email`` in the
    body: registrations, check-ins, seats); returns how many."""
    if not user.email:
        return 0
    needle = '"email":' + json.dumps(user.email, ensure_ascii=False)
    count = 0
    for message in (Message.objects.filter(body__contains=needle)
                    .only("pk", "event_type", "body", "outcome")):
        try:
            timestamp = json.loads(message.body).get("timestamp", "")
        except ValueError:
            timestamp = ""
        body = json.dumps({"type": message.event_type, "timestamp": timestamp,
                           "data": REDACTED}, separators=(",", ":"))
        fields = {"body": body}
        if message.outcome == Message.Outcome.PENDING:
            fields.update(outcome=Message.Outcome.GIVEN_UP, next_attempt_at=None)
        Message.objects.filter(pk=message.pk).update(**fields)
        count += 1
    return count


def provide(user) -> dict:
    """Nothing of its own: the messages copy data the other apps' sections already give."""
    return {}
