"""The outbox: queue now (inside the caller's transaction), deliver after commit."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.core.mail import EmailMessage
from django.db import models, transaction

from fusionforum.core import clock

from .models import OutboundEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def _single_line(text: str) -> str:
    # Non-breaking spaces stay (French typography: « Atelier : votre place »).
    return re.sub(r"[^\S\u00a0\u202f]+", " ", text).strip(" ")[:250]


def queue_email(*, to: list[str], subject: str, body: str, purpose: str,
                reply_to: list[str] | None = None,
                related: models.Model | None = None) -> OutboundEmail:
    """Store an e-mail and schedule its delivery once the surrounding transaction commits.

    If the transaction rolls back, neither the e-mail nor its delivery survives: the database
    job backend stores the job in the same transaction; other backends (which may run the job
    at once) are called after the commit.
    """
    if not to:
        raise ValueError("An e-mail needs at least one recipient.")
    email = OutboundEmail.objects.create(
        to=list(to),
        reply_to=list(reply_to or []),
        subject=_single_line(subject),
        body=body,
        purpose=purpose,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
        created_at=clock.now(),
    )
    if _jobs_live_in_the_database():
        # The job is a row of the same database: written in the caller's transaction, it
        # commits (or rolls back) with the e-mail, and no extra transaction is needed.
        enqueue_delivery(email.pk)
    else:
        transaction.on_commit(lambda: enqueue_delivery(email.pk))
    return email


def _jobs_live_in_the_database() -> bool:
    from django_tasks_db import DatabaseBackend

    from .tasks import deliver_email

    return isinstance(deliver_email.get_backend(), DatabaseBackend)


def enqueue_delivery(email_id: int) -> None:
    from .tasks import deliver_email

    deliver_email.enqueue(email_id)


def deliver(email_id: int) -> OutboundEmail | None:
    """Send one queued e-mail. Idempotent: a sent e-mail is never sent twice."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == OutboundEmail.Status.SENT:
            return email
        email.attempts += 1
        try:
            EmailMessage(
                subject=email.subject, body=email.body, to=email.to, reply_to=email.reply_to
            ).send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any transport error is recorded, not raised
            logger.warning("E-mail %s failed (attempt %s): %s", email.pk, email.attempts,
                           type(exc).__name__)
            email.status = OutboundEmail.Status.FAILED
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = clock.now()
            email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if email.status == OutboundEmail.Status.FAILED and email.attempts < MAX_ATTEMPTS:
        schedule_retry(email)
    return email


def retry_delay(attempts: int) -> dt.timedelta:
    """Back off: 1, 4, 16, 64 minutes after the 1st, 2nd, 3rd, 4th failure."""
    return dt.timedelta(minutes=4 ** (attempts - 1))


def schedule_retry(email: OutboundEmail) -> bool:
    """Try again later as a deferred job, if the job backend can defer (the database backend
    can). Otherwise `retry_failed_emails` (cron) picks it up. Returns whether it was queued."""
    from .tasks import deliver_email

    if not deliver_email.get_backend().supports_defer:
        return False
    deliver_email.using(run_after=clock.now() + retry_delay(email.attempts)).enqueue(email.pk)
    return True


def retry_failed(max_attempts: int = MAX_ATTEMPTS) -> int:
    """Queue every failed e-mail that has attempts left. Returns how many were queued."""
    ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.FAILED, attempts__lt=max_attempts
        ).values_list("pk", flat=True)
    )
    for email_id in ids:
        enqueue_delivery(email_id)
    return len(ids)


def emails_to(address: str) -> list[OutboundEmail]:
    """Every outbox e-mail addressed to ``address`` (case-insensitive)."""
    wanted = address.strip().lower()
    candidates = OutboundEmail.objects.filter(to__icontains=wanted)
    return [email for email in candidates if wanted in {a.lower() for a in email.to}]


def forget_recipient(address: str) -> int:
    """Remove ``address`` from the outbox: e-mails only to them are deleted, others lose the
    address. Returns how many e-mails were touched."""
    wanted = address.strip().lower()
    touched = 0
    for email in emails_to(address):
        remaining = [a for a in email.to if a.lower() != wanted]
        if remaining:
            email.to = remaining
            email.save(update_fields=["to"])
        else:
            email.delete()
        touched += 1
    return touched
