"""Site-access vault operations: the only code that seals, opens, decides, exports and purges.

Views, commands, jobs and the site-visits app call these functions. Every opening of a record
by the security office writes an ``AccessLogEntry`` (who, when, whose, which fields), never a
value. Identity values never reach a log, an exception message, an e-mail, a cache or a URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.core import audit, clock
from fusionforum.core.languages import speaking_to
from fusionforum.core.readonly import archived_writes_allowed
from fusionforum.events.models import Event
from fusionforum.notifications.services import queue_email
from fusionforum.registration.exports import to_csv, to_xlsx

from . import crypto, registry
from .fields import CATALOGUE, OPTIONAL_FIELDS, shown_value
from .models import AccessLogEntry, AccessRecord, ClearanceStatus, ExportToken, VaultSettings
from .signals import clearance_decided
from .states import LIFE_CYCLE
from .tasks import purge_event
from .tasks import reclaim_space as reclaim_task

logger = logging.getLogger(__name__)

NOT_REQUIRED = "not_required"
MISSING = "missing"
STATUS_LABELS = {  # lazily translated
    NOT_REQUIRED: _("Not required (no tour seat)"),
    MISSING: _("Missing"),
    ClearanceStatus.SUBMITTED: _("Submitted"),
    ClearanceStatus.APPROVED: _("Approved"),
    ClearanceStatus.REFUSED: _("Refused"),
}
EXPORT_LIFETIME = dt.timedelta(minutes=5)


class VaultError(Exception):
    """A refused vault operation; its message is for the person and names no value."""

    status_code = 400


class NotRequired(VaultError):
    status_code = 403


class DeadlinePassed(VaultError):
    status_code = 403


class AlreadyDecided(VaultError):
    status_code = 409


class ExportGone(VaultError):
    status_code = 410


# Settings ---------------------------------------------------------------------------------------

def settings_for(event) -> VaultSettings:
    vault_settings, _ = VaultSettings.objects.get_or_create(event=event)
    return vault_settings


def asked_fields(event) -> list[str]:
    return [key for key in settings_for(event).fields if key in CATALOGUE]


def required_fields(event) -> list[str]:
    return [key for key in asked_fields(event) if key not in OPTIONAL_FIELDS]


@transaction.atomic
def update_settings(event, *, by, fields: list[str], purge_after_days: int,
                    instructions: str = "") -> VaultSettings:
    unknown = [key for key in fields if key not in CATALOGUE]
    if unknown or not fields:
        raise VaultError(gettext("Choose at least one field from the list."))
    vault_settings = settings_for(event)
    vault_settings.fields = [key for key in CATALOGUE if key in fields]
    vault_settings.purge_after_days = purge_after_days
    vault_settings.instructions = instructions
    vault_settings.save()
    _log(event, by, AccessLogEntry.Action.SETTINGS, fields=vault_settings.fields,
         detail=f"purge after {purge_after_days} days")
    return vault_settings


# Status -----------------------------------------------------------------------------------------

def clearance_status(event, user) -> str:
    """One of not_required, missing, submitted, approved, refused.

    A record's decision counts whether or not the person still holds a seat (a refused person
    whose seat was freed stays refused, so the waiting list never promotes them). Without a
    record: missing for a seat holder, otherwise not_required."""
    record = AccessRecord.objects.filter(event=event, user=user).only("status").first()
    if record is not None:
        return record.status
    return MISSING if registry.seat_holder(event, user) is not None else NOT_REQUIRED


def statuses(event) -> dict[int, str]:
    """Status of every seat holder and every person with a record, by user id (no values)."""
    result = dict.fromkeys(registry.seat_holders(event), MISSING)
    for user_id, status in AccessRecord.objects.filter(event=event).values_list("user_id",
                                                                                "status"):
        result[user_id] = status
    return result


def overview(event) -> list[dict]:
    """The security office's list: one row per seat holder or record, without values."""
    from django.contrib.auth import get_user_model

    holders = registry.seat_holders(event)
    records = {r.user_id: r for r in AccessRecord.objects.filter(event=event)}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={*holders, *records})}
    rows = []
    for user_id, user in users.items():
        holder, record = holders.get(user_id), records.get(user_id)
        rows.append({
            "user": user, "holder": holder, "record": record,
            "status": record.status if record else MISSING,
            "status_label": STATUS_LABELS[record.status if record else MISSING],
        })
    rows.sort(key=lambda row: (row["holder"].clearance_due if row["holder"] else
                               dt.datetime.max.replace(tzinfo=dt.UTC), row["user"].full_name))
    return rows


# The participant ----------------------------------------------------------------------------------

def record_for(event, user) -> AccessRecord | None:
    return AccessRecord.objects.filter(event=event, user=user).first()


def owner_values(record: AccessRecord | None) -> dict:
    """The values for their owner (their own page, their data download)."""
    if record is None or not record.sealed:
        return {}
    return crypto.open_sealed(record.sealed, event_id=record.event_id, user_id=record.user_id)


def may_edit(record: AccessRecord | None) -> bool:
    return record is None or (record.status == ClearanceStatus.SUBMITTED
                              and not record.purged_at)


def submit(event, user, values: dict) -> AccessRecord:
    """Store (or correct) a seat holder's values, sealed, before the deadline and before the
    security office decides. ``values`` are the cleaned form values (strings)."""
    holder = registry.seat_holder(event, user)
    if holder is None:
        raise NotRequired(gettext("Site-access data is only asked from people holding a tour "
                                  "seat."))
    now = clock.now()
    if now > holder.clearance_due:
        raise DeadlinePassed(gettext("The deadline for site-access data has passed: please "
                                     "contact the security office through the organisers."))
    asked = asked_fields(event)
    clean = {key: str(values.get(key) or "") for key in asked}
    with transaction.atomic():
        record = (AccessRecord.objects.select_for_update()
                  .filter(event=event, user=user).first())
        if not may_edit(record):
            raise AlreadyDecided(gettext("The security office has already decided; your data "
                                         "can no longer be changed here."))
        if record is None:
            record = AccessRecord(event=event, user=user, submitted_at=now)
        record.sealed = crypto.seal(clean, event_id=event.pk, user_id=user.pk)
        record.filled_fields = [key for key in asked if clean[key]]
        record.updated_at = now
        record.last_tour_end = holder.last_end
        record.save()
        audit.record("vault.submitted", record, actor=user, summary="Site-access data submitted",
                     fields=record.filled_fields)
    schedule_purge(event, purge_due_at(event, record, holder))
    return record


# The security office ------------------------------------------------------------------------------

def _log(event, actor, action, *, subject=None, subject_ids=(), fields=(), detail=""):
    return AccessLogEntry.objects.create(
        event=event, at=clock.now(), actor=actor if getattr(actor, "pk", None) else None,
        action=action, subject=subject, subject_ids=list(subject_ids), fields=list(fields),
        detail=detail[:200])


def open_for_officer(event, officer, subject) -> tuple[AccessRecord | None, dict]:
    """The record and its values for the security office; the opening is logged."""
    record = record_for(event, subject)
    if record is None:
        return None, {}
    values = owner_values(record)
    _log(event, officer, AccessLogEntry.Action.VIEW, subject=subject,
         subject_ids=[subject.pk], fields=[k for k, v in values.items() if v])
    return record, values


def decide(event, officer, subject, *, approve: bool, reason: str = "") -> AccessRecord:
    """Approve or refuse a person's clearance; tells them (no values) and sends
    ``clearance_decided`` inside the transaction (refusal frees their seats)."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise VaultError(gettext("Give a reason for the refusal."))
    now = clock.now()
    with transaction.atomic():
        record = (AccessRecord.objects.select_for_update()
                  .filter(event=event, user=subject).first())
        if record is None:
            raise VaultError(gettext("This person has not submitted site-access data."))
        if record.status != ClearanceStatus.SUBMITTED:
            raise AlreadyDecided(gettext("This clearance has already been decided."))
        if record.purged_at:
            raise VaultError(gettext("The values were deleted; nothing can be decided."))
        LIFE_CYCLE.move(record, ClearanceStatus.APPROVED if approve else ClearanceStatus.REFUSED,
                        actor=officer, at=now,
                        changes={"decided_at": now, "decided_by": officer, "reason": reason})
        _log(event, officer,
             AccessLogEntry.Action.APPROVE if approve else AccessLogEntry.Action.REFUSE,
             subject=subject, subject_ids=[subject.pk])
        audit.record(f"vault.{record.status}", record, actor=officer,
                     summary=f"Site-access clearance {record.status}")
        _tell_decision(event, record)
        clearance_decided.send(sender=AccessRecord, event=event, user=subject,
                               status=record.status, by=officer)
    schedule_purge(event, purge_due_at(event, record))
    return record


def _tell_decision(event, record: AccessRecord) -> None:
    """The decision e-mail, in the person's language (no value, no reason: the page has it)."""
    link = settings.SITE_URL.rstrip("/") + reverse("vault:status", args=[event.slug])
    with speaking_to(record.user, event):
        if record.status == ClearanceStatus.APPROVED:
            outcome = gettext("The security office has approved your site access for the "
                              "tours.")
        else:
            outcome = gettext("The security office could not approve your site access, so "
                              "your tour seats have been released. The reason is on the page "
                              "below.")
        body = "\n\n".join([
            gettext("Hello,"), outcome,
            gettext("Your site-access page: %(link)s") % {"link": link},
            gettext("For your protection this e-mail contains none of your identity data."),
            f"{event.title}\n"])
        subject = gettext("Site access: %(status)s · %(event)s") % {
            "status": record.get_status_display(), "event": event.title}
    queue_email(to=[record.user.email], subject=subject, body=body, purpose="vault.decision",
                related=record)


def access_log(event):
    return (AccessLogEntry.objects.filter(event=event)
            .select_related("actor", "subject"))


# Exports ------------------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_export(event, officer, fmt: str) -> str:
    """A one-time export token for this officer; returns the token (for a redirect)."""
    if fmt not in ("csv", "xlsx"):
        raise VaultError(gettext("Unknown export format."))
    token = secrets.token_urlsafe(32)
    now = clock.now()
    ExportToken.objects.create(event=event, user=officer, token_hash=_hash(token), fmt=fmt,
                               created_at=now, expires_at=now + EXPORT_LIFETIME)
    _log(event, officer, AccessLogEntry.Action.EXPORT, fields=asked_fields(event),
         detail=f"{fmt.upper()} export prepared")
    return token


def export_table(event) -> tuple[list[str], list[list], list[int], list[str]]:
    asked = asked_fields(event)
    header = [gettext("Person"), gettext("Account e-mail"), gettext("Status"),
              gettext("Deadline"), gettext("First tour"), gettext("Last tour"),
              *[str(CATALOGUE[k].label) for k in asked]]
    rows, ids = [], []
    for row in overview(event):
        record, holder, user = row["record"], row["holder"], row["user"]
        values = owner_values(record)
        rows.append([
            user.full_name, user.email, str(row["status_label"]),
            _when(holder.clearance_due if holder else None, event),
            _when(holder.first_start if holder else None, event),
            _when(holder.last_end if holder else record.last_tour_end, event),
            *[shown_value(k, values.get(k, "")) for k in asked],
        ])
        ids.append(user.pk)
    return header, rows, ids, asked


def _when(moment, event) -> str:
    if moment is None:
        return ""
    from django.utils import timezone

    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M")


def consume_export(event, user, token: str) -> tuple[str, bytes]:
    """The export's file, once: the token must be this user's, unused and unexpired."""
    now = clock.now()
    with transaction.atomic():
        row = (ExportToken.objects.select_for_update()
               .filter(event=event, user=user, token_hash=_hash(token)).first())
        if row is None:
            raise ExportGone(gettext("No such export."))
        if row.used_at is not None or now > row.expires_at:
            raise ExportGone(gettext("This export link has been used or has expired; prepare "
                                     "a new export."))
        row.used_at = now
        row.save(update_fields=["used_at"])
        header, rows, ids, asked = export_table(event)
        _log(event, user, AccessLogEntry.Action.DOWNLOAD, subject_ids=ids, fields=asked,
             detail=f"{row.fmt.upper()}, {len(ids)} people")
    if row.fmt == "csv":
        return "csv", to_csv(header, rows)
    return "xlsx", to_xlsx(header, rows, title=gettext("Site access"))


# Purge --------------------------------------------------------------------------------------------

def purge_due_at(event, record: AccessRecord, holder=None) -> dt.datetime | None:
    holder = holder or registry.seat_holder(event, record.user)
    end = holder.last_end if holder else record.last_tour_end
    if end is None:
        end = record.updated_at
    return end + dt.timedelta(days=settings_for(event).purge_after_days)


def _wipe(record: AccessRecord, *, by=None, detail: str) -> None:
    fields = list(record.filled_fields)
    # On PostgreSQL this UPDATE writes a new row version; the old one, with the sealed value,
    # stays in the table's pages until reclaim_space (queued after the commit) rewrites it.
    record.sealed = ""
    record.filled_fields = []
    record.purged_at = clock.now()
    record.save(update_fields=["sealed", "filled_fields", "purged_at"])
    _log(record.event, by, AccessLogEntry.Action.PURGE, subject=record.user,
         subject_ids=[record.user_id], fields=fields, detail=detail)


def purge_due(*, event=None, now: dt.datetime | None = None) -> int:
    """Delete the values of every record past its event's retention; the record's status,
    decision and the access log remain. Returns how many records were purged."""
    now = now or clock.now()
    events = [event] if event is not None else Event.objects.filter(
        pk__in=AccessRecord.objects.filter(purged_at__isnull=True).values("event_id"))
    count = 0
    for current in events:
        holders = registry.seat_holders(current)
        days = dt.timedelta(days=settings_for(current).purge_after_days)
        candidates = (AccessRecord.objects.filter(event=current, purged_at__isnull=True)
                      .exclude(sealed="").select_related("user", "event"))
        for record in candidates:
            holder = holders.get(record.user_id)
            end = holder.last_end if holder else (record.last_tour_end or record.updated_at)
            if end + days <= now:
                # Retention is owed even when the event is archived (read-only).
                with transaction.atomic(), archived_writes_allowed():
                    _wipe(record, detail=f"{days.days} days after the last tour")
                count += 1
    if count:
        logger.info("Site-access vault: purged the values of %d record(s).", count)
        after_purge()
    return count


RECLAIM_AGAIN_AFTER = dt.timedelta(minutes=15)


def after_purge() -> None:
    """After the commit: rewrite the table now, and again later (a transaction that was open at
    the purge keeps the old versions until it ends); the daily purge_vault rewrites too."""

    def now_and_later():
        reclaim_space()

        if reclaim_task.get_backend().supports_defer:
            reclaim_task.using(run_after=clock.now() + RECLAIM_AGAIN_AFTER).enqueue()

    transaction.on_commit(now_and_later)


RECLAIM_LOCK_TIMEOUT_MS = 2000


def reclaim_space() -> bool:
    """After values were deleted: rewrite the vault's table so no old row version keeps them.

    On PostgreSQL an UPDATE leaves the previous row version (with its sealed value) in the
    table's pages until VACUUM reclaims it, and even a plain VACUUM only marks that space free:
    the bytes stay until something overwrites them. ``VACUUM FULL`` writes the live rows into a
    new file (and TOAST table) and drops the old ones, so the values are gone from the database
    files. The table holds one small row per tour seat holder, so this takes milliseconds; it
    briefly locks the table. A version that a still-open transaction may see (one that began
    before the purge, anywhere on the server: a pg_dump, a long report) is copied, not
    dropped, so ``after_purge`` runs this again later, and ``purge_vault`` daily.

    VACUUM cannot run inside a transaction: callers queue this with ``transaction.on_commit``;
    inside a transaction (tests) it does nothing. Other databases (the demo's SQLite) are left
    alone. Returns whether the rewrite ran; what it guarantees and what backups and WAL
    archives must do is in docs/deploy.md."""
    if connection.in_atomic_block:
        return False
    if connection.vendor != "postgresql":
        return False
    table = connection.ops.quote_name(AccessRecord._meta.db_table)
    try:
        with connection.cursor() as cursor:
            # A transaction that read the table (a pg_dump, a long report) holds a lock that
            # VACUUM FULL must wait for, and every later query on the table would queue behind
            # that wait. Give up quickly instead: the follow-up job and the daily purge_vault
            # rewrite again once that transaction has ended.
            cursor.execute(f"SET lock_timeout = '{RECLAIM_LOCK_TIMEOUT_MS}ms'")
            try:
                cursor.execute(f"VACUUM (FULL) {table}")
            finally:
                cursor.execute("RESET lock_timeout")
    except DatabaseError:
        logger.warning("Site-access vault: could not rewrite the vault table after a purge "
                       "now (another transaction holds it); the follow-up job and the daily "
                       "purge_vault try again.", exc_info=True)
        return False
    return True


def schedule_purge(event, due: dt.datetime | None) -> None:
    """Queue the purge job for ``due`` after the commit (database job backend: the db_worker
    runs it then); backends that cannot defer rely on ``purge_vault`` from cron."""
    if due is None:
        return

    def enqueue():
        if purge_event.get_backend().supports_defer:
            purge_event.using(run_after=due).enqueue(event.pk)

    transaction.on_commit(enqueue)


def forget(user) -> None:
    """Account deletion: the values go at once; status and decision stay (with the scrubbed
    account), as does the access log."""
    wiped = False
    for record in AccessRecord.objects.filter(user=user, purged_at__isnull=True).exclude(
            sealed="").select_related("event", "user"):
        _wipe(record, by=user, detail="account deleted")
        wiped = True
    if wiped:
        after_purge()


def rotate_keys() -> int:
    """Re-encrypt every sealed record with the first key of VAULT_KEYS."""
    count = 0
    with transaction.atomic():
        for record in AccessRecord.objects.select_for_update().exclude(sealed=""):
            record.sealed = crypto.rotate(record.sealed)
            record.save(update_fields=["sealed"])
            count += 1
    if count:
        transaction.on_commit(reclaim_space)  # the versions sealed with the old key
    return count
