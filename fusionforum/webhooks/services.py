"""Webhooks: the organisers' endpoints, the messages the platform sends them, and delivery.

Endpoints (``create_endpoint``, ``update_endpoint``, ``set_enabled``, ``delete_endpoint``,
``rotate_secret``, ``send_ping``, ``redeliver``): each checks ``webhooks.manage_webhooks``,
writes in one transaction and records an audit entry.

Messages (``emit``): after the transaction that made a change commits (``emitting`` listens
to ``core.lifecycle.moved`` and ``core.happenings.happened``), one message per enabled
endpoint of the event that chose the type: the payload ``{"type", "timestamp", "data"}``, its
``data`` the object's representation (the REST API's serializers) at that moment, stored as the
exact body that is signed and sent. The delivery job is queued with the messages.

Delivery (``deliver_due``, the job; ``run_due``, the command the scheduler runs): a worker
claims the oldest due message of an endpoint whose object has no earlier message still
pending (so a later event of one object never overtakes an earlier one that is still being
retried), posts it (``net.post``: public addresses only, 5 s, no redirects), logs the attempt,
and either marks it delivered or schedules the next attempt (``RETRY_DELAYS``, about a day in
all), after which it is given up. An endpoint whose messages keep being given up
(``DISABLE_AFTER_MESSAGES`` in a row, failing for ``DISABLE_AFTER`` at least) is disabled and
its event's organisers get an e-mail through the outbox.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import uuid

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from fusionforum.core import audit, clock
from fusionforum.core.languages import speaking_to
from fusionforum.core.text import validate_single_line
from fusionforum.events.models import Event, TeamMembership
from fusionforum.notifications.services import queue_email

from . import net, registry
from .models import Attempt, Endpoint, Message

logger = logging.getLogger(__name__)

PERMISSION = "webhooks.manage_webhooks"
# After the 1st, 2nd... failed attempt, the next one comes this much later: 7 attempts over
# about 18 hours, then the message is given up.
RETRY_DELAYS = (dt.timedelta(seconds=5), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
                dt.timedelta(hours=2), dt.timedelta(hours=5), dt.timedelta(hours=10))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER_MESSAGES = 3
DISABLE_AFTER = dt.timedelta(days=1)
# After a rotation, the previous secret still signs for this long.
SECRET_GRACE = dt.timedelta(hours=24)
LEASE = dt.timedelta(seconds=60)
BATCH = 50  # messages one job sends at most before it hands over to a new job
MAX_ENDPOINTS = 20  # per event
RETENTION_DAYS = 30  # finished messages are kept this long in the delivery log


# Secrets and signatures -----------------------------------------------------------------------

def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signing_secrets(endpoint: Endpoint, now: dt.datetime | None = None) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its grace."""
    now = now or clock.now()
    found = [endpoint.secret]
    if (endpoint.previous_secret and endpoint.previous_secret_expires_at
            and endpoint.previous_secret_expires_at > now):
        found.append(endpoint.previous_secret)
    return found


def signed_headers(endpoint: Endpoint, message: Message) -> dict[str, str]:
    """The Standard Webhooks headers: id, timestamp (the real time of the attempt: the
    receiver compares it with its own clock) and one ``v1,`` signature per valid secret,
    separated by spaces."""
    sent_at = timezone.now().astimezone(dt.UTC)
    signatures = " ".join(Webhook(secret).sign(message.webhook_id, sent_at, message.body)
                          for secret in signing_secrets(endpoint))
    return {"webhook-id": message.webhook_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signatures}


# Endpoints ------------------------------------------------------------------------------------

def _allowed(by, event: Event) -> None:
    if not rules.has_perm(PERMISSION, by, event):
        raise PermissionDenied(_("Only the event's organisers manage its webhooks."))


def validate_endpoint(url: str, description: str, event_types) -> list[str]:
    """Check what an organiser typed; ValidationError by field. Returns the event types in
    the registry's order."""
    errors: dict[str, list[str]] = {}
    try:
        net.check_url(url or "")
    except net.Refused as refused:
        errors["url"] = [str(refused)]
    if len(url or "") > 500:
        errors["url"] = [_("The address is limited to 500 characters.")]
    try:
        validate_single_line(description or "")
    except ValidationError as error:
        errors["description"] = error.messages
    if len(description or "") > 200:
        errors["description"] = [_("The description is limited to 200 characters.")]
    chosen = set(event_types or [])
    unknown = chosen - set(registry.EVENT_TYPES)
    if unknown:
        errors["event_types"] = [_("Unknown event type: %(names)s.")
                                 % {"names": ", ".join(sorted(unknown))}]
    elif not chosen:
        errors["event_types"] = [_("Choose at least one event type.")]
    if errors:
        raise ValidationError(errors)
    return [name for name in registry.EVENT_TYPES if name in chosen]


def create_endpoint(event: Event, *, url: str, description: str, event_types,
                    by) -> tuple[Endpoint, str]:
    """A new enabled endpoint; returns it with its secret (shown once to the organiser)."""
    _allowed(by, event)
    event_types = validate_endpoint(url, description, event_types)
    with transaction.atomic(durable=True):
        Event.objects.select_for_update().filter(pk=event.pk).first()
        if Endpoint.objects.filter(event=event).count() >= MAX_ENDPOINTS:
            raise ValidationError(_("An event has at most %(count)s webhook endpoints.")
                                  % {"count": MAX_ENDPOINTS})
        secret = new_secret()
        endpoint = Endpoint.objects.create(
            event=event, url=url, description=description.strip(), event_types=event_types,
            secret=secret, created_at=clock.now(),
            created_by=by if getattr(by, "is_authenticated", False) else None)
        audit.record("webhooks.endpoint_created", endpoint, actor=by,
                     summary=f"Webhook endpoint {url}", event_types=event_types)
    return endpoint, secret


def _locked(endpoint: Endpoint) -> Endpoint:
    found = Endpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if found is None:
        raise ValidationError(_("This endpoint was deleted meanwhile."))
    return found


def update_endpoint(endpoint: Endpoint, *, url: str, description: str, event_types,
                    by) -> Endpoint:
    _allowed(by, endpoint.event)
    event_types = validate_endpoint(url, description, event_types)
    with transaction.atomic(durable=True):
        endpoint = _locked(endpoint)
        changed = [name for name, value in (("url", url), ("description", description.strip()),
                                            ("event_types", event_types))
                   if getattr(endpoint, name) != value]
        endpoint.url, endpoint.description = url, description.strip()
        endpoint.event_types = event_types
        endpoint.save(update_fields=["url", "description", "event_types"])
        audit.record("webhooks.endpoint_changed", endpoint, actor=by,
                     summary=f"Webhook endpoint {url} changed", changed=changed)
    return endpoint


def set_enabled(endpoint: Endpoint, enabled: bool, *, by) -> Endpoint:
    """Disable (nothing more is sent; pending messages wait) or enable again (they are sent
    at once, and the failure counters start again)."""
    _allowed(by, endpoint.event)
    with transaction.atomic(durable=True):
        endpoint = _locked(endpoint)
        if endpoint.enabled == enabled:
            return endpoint
        now = clock.now()
        endpoint.enabled = enabled
        if enabled:
            endpoint.disabled_at, endpoint.disabled_reason = None, ""
            endpoint.failing_since, endpoint.messages_given_up = None, 0
            endpoint.messages.filter(outcome=Message.Outcome.PENDING).update(
                next_attempt_at=now, leased_until=None)
            _after_commit_deliver(endpoint.pk)
        else:
            endpoint.disabled_at = now
            endpoint.disabled_reason = "Disabled by an organiser"
        endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason",
                                     "failing_since", "messages_given_up"])
        audit.record("webhooks.endpoint_enabled" if enabled else "webhooks.endpoint_disabled",
                     endpoint, actor=by,
                     summary=f"Webhook endpoint {endpoint.url} "
                             f"{'enabled' if enabled else 'disabled'}")
    return endpoint


def delete_endpoint(endpoint: Endpoint, *, by) -> None:
    _allowed(by, endpoint.event)
    with transaction.atomic(durable=True):
        endpoint = _locked(endpoint)
        audit.record("webhooks.endpoint_deleted", endpoint, actor=by,
                     summary=f"Webhook endpoint {endpoint.url} deleted")
        endpoint.delete()


def rotate_secret(endpoint: Endpoint, *, by) -> str:
    """A new secret (returned, shown once); the previous one keeps signing beside it for
    ``SECRET_GRACE`` so receivers can switch without losing a message."""
    _allowed(by, endpoint.event)
    with transaction.atomic(durable=True):
        endpoint = _locked(endpoint)
        secret = new_secret()
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = clock.now() + SECRET_GRACE
        endpoint.secret = secret
        endpoint.save(update_fields=["secret", "previous_secret",
                                     "previous_secret_expires_at"])
        audit.record("webhooks.secret_rotated", endpoint, actor=by,
                     summary=f"Signing secret of {endpoint.url} rotated")
    return secret


def send_ping(endpoint: Endpoint, *, by) -> Message:
    """A test message (type ``webhook.ping``), delivered by the worker like any other."""
    _allowed(by, endpoint.event)
    with transaction.atomic(durable=True):
        endpoint = _locked(endpoint)
        if not endpoint.enabled:
            raise ValidationError(_("Enable the endpoint before sending it a test."))
        now = clock.now()
        message = _new_message(endpoint, registry.PING, f"ping:{endpoint.pk}",
                               {"event": endpoint.event.slug, "endpoint": endpoint.pk}, now)
        audit.record("webhooks.ping", endpoint, actor=by,
                     summary=f"Test message sent to {endpoint.url}")
        _after_commit_deliver(endpoint.pk)
    return message


def redeliver(message: Message, *, by) -> Message:
    """Send a message again (one more attempt by the worker, logged as manual). A message
    still being retried is simply tried now."""
    _allowed(by, message.endpoint.event)
    with transaction.atomic(durable=True):
        message = Message.objects.select_for_update().select_related("endpoint").get(
            pk=message.pk)
        if not message.endpoint.enabled:
            raise ValidationError(_("Enable the endpoint before redelivering."))
        audit.record("webhooks.redelivered", message.endpoint, actor=by,
                     summary=f"{message.event_type} {message.webhook_id} redelivered",
                     webhook_id=message.webhook_id)
        if message.outcome == Message.Outcome.PENDING:
            message.next_attempt_at = clock.now()
            message.save(update_fields=["next_attempt_at"])
            _after_commit_deliver(message.endpoint_id)
        else:
            _after_commit(lambda: _enqueue_redelivery(message.pk))
    return message


# Messages -------------------------------------------------------------------------------------

def _body(event_type: str, at: dt.datetime, data: dict) -> str:
    payload = {"type": event_type, "timestamp": at.astimezone(dt.UTC).isoformat(),
               "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False,
                      separators=(",", ":"))


def _new_message(endpoint: Endpoint, event_type: str, object_key: str, data: dict,
                 at: dt.datetime, *, body: str | None = None) -> Message:
    return Message.objects.create(
        endpoint=endpoint, webhook_id=f"msg_{uuid.uuid4().hex}", event_type=event_type,
        object_key=object_key[:100], body=body if body is not None else _body(
            event_type, at, data),
        created_at=clock.now(), next_attempt_at=clock.now())


def subscribed(event: Event, event_type: str) -> list[Endpoint]:
    return [endpoint for endpoint in Endpoint.objects.filter(event=event, enabled=True)
            if event_type in endpoint.event_types]


def emit(event_type: str, subject, *, event: Event, at: dt.datetime | None = None) -> int:
    """One message per enabled endpoint of ``event`` that chose ``event_type``, about
    ``subject``; delivery queued after commit. Returns how many messages. Called after the
    change committed (``emitting``), never inside the request's own transaction."""
    kind = registry.EVENT_TYPES[event_type]
    endpoints = subscribed(event, event_type)
    if not endpoints:
        return 0
    at = at or clock.now()
    # The committed row, not the caller's instance (whose cached relations may be older).
    subject = type(subject)._base_manager.filter(pk=subject.pk).first() or subject
    body = _body(event_type, at, kind.data(subject))
    key = registry.object_key(kind, subject, event)
    with transaction.atomic():
        for endpoint in endpoints:
            _new_message(endpoint, event_type, key, {}, at, body=body)
            _after_commit_deliver(endpoint.pk)
    return len(endpoints)


# Jobs -----------------------------------------------------------------------------------------

def _jobs_live_in_the_database() -> bool:
    from django_tasks_db import DatabaseBackend

    from .tasks import deliver_webhooks

    return isinstance(deliver_webhooks.get_backend(), DatabaseBackend)


def _after_commit(function) -> None:
    if _jobs_live_in_the_database():
        function()  # the job row commits (or rolls back) with the messages
    else:
        transaction.on_commit(function)


def _after_commit_deliver(endpoint_id: int) -> None:
    _after_commit(lambda: enqueue_delivery(endpoint_id))


def enqueue_delivery(endpoint_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_webhooks

    if run_after is not None:
        if not deliver_webhooks.get_backend().supports_defer:
            return  # the scheduler's ``deliver_webhooks`` command picks it up when due
        deliver_webhooks.using(run_after=run_after).enqueue(endpoint_id)
    else:
        deliver_webhooks.enqueue(endpoint_id)


def _enqueue_redelivery(message_id: int) -> None:
    from .tasks import redeliver_webhook

    redeliver_webhook.enqueue(message_id)


# Delivery -------------------------------------------------------------------------------------

def _due(endpoint_id: int, now: dt.datetime):
    earlier_pending = Message.objects.filter(
        endpoint_id=endpoint_id, object_key=OuterRef("object_key"), id__lt=OuterRef("id"),
        outcome=Message.Outcome.PENDING)
    return (Message.objects
            .filter(endpoint_id=endpoint_id, outcome=Message.Outcome.PENDING,
                    next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .exclude(Exists(earlier_pending))
            .order_by("id"))


def _claim(endpoint_id: int) -> Message | None:
    """The oldest due message of the endpoint no earlier message of its object holds back,
    leased to this worker; None when there is none."""
    with transaction.atomic():
        now = clock.now()
        endpoint = Endpoint.objects.filter(pk=endpoint_id, enabled=True).first()
        if endpoint is None:
            return None
        for candidate in _due(endpoint_id, now)[:5].values_list("pk", flat=True):
            message = (_due(endpoint_id, now).select_for_update(skip_locked=True)
                       .filter(pk=candidate).first())
            if message is None:
                continue
            message.leased_until = now + LEASE
            message.save(update_fields=["leased_until"])
            message.endpoint = endpoint
            return message
    return None


def _attempt(message: Message) -> net.Answer:
    headers = signed_headers(message.endpoint, message)
    return net.post(message.endpoint.url, message.body.encode(), headers)


def _log(message: Message, answer: net.Answer, *, manual: bool, number: int) -> Attempt:
    error = answer.error
    if not answer.succeeded and not error and answer.status_code is not None:
        error = f"HTTP {answer.status_code}"
    return Attempt.objects.create(
        message=message, number=number, at=clock.now(), manual=manual,
        succeeded=answer.succeeded, status_code=answer.status_code,
        latency_ms=answer.latency_ms, error=error[:300], response_excerpt=answer.excerpt)


def _send_one(message: Message) -> None:
    answer = _attempt(message)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().filter(pk=message.endpoint_id).first()
        message = Message.objects.select_for_update().filter(pk=message.pk).first()
        if endpoint is None or message is None:
            return  # deleted while the request was under way
        now = clock.now()
        message.attempts += 1
        _log(message, answer, manual=False, number=message.attempts)
        message.leased_until = None
        if answer.succeeded:
            message.outcome, message.finished_at, message.next_attempt_at = (
                Message.Outcome.DELIVERED, now, None)
            endpoint.failing_since, endpoint.messages_given_up = None, 0
        else:
            if endpoint.failing_since is None:
                endpoint.failing_since = now
            if message.attempts >= MAX_ATTEMPTS:
                message.outcome, message.finished_at, message.next_attempt_at = (
                    Message.Outcome.GIVEN_UP, now, None)
                endpoint.messages_given_up += 1
                _maybe_disable(endpoint, now)
            else:
                message.next_attempt_at = now + RETRY_DELAYS[message.attempts - 1]
        message.save(update_fields=["attempts", "leased_until", "outcome", "finished_at",
                                    "next_attempt_at"])
        endpoint.save(update_fields=["failing_since", "messages_given_up", "enabled",
                                     "disabled_at", "disabled_reason"])


def _maybe_disable(endpoint: Endpoint, now: dt.datetime) -> None:
    if (not endpoint.enabled or endpoint.messages_given_up < DISABLE_AFTER_MESSAGES
            or endpoint.failing_since is None or now - endpoint.failing_since < DISABLE_AFTER):
        return
    endpoint.enabled = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (f"Disabled after {endpoint.messages_given_up} messages in a "
                                f"row were given up")
    audit.record("webhooks.endpoint_disabled", endpoint,
                 summary=f"Webhook endpoint {endpoint.url} disabled: it keeps failing",
                 given_up=endpoint.messages_given_up)
    _tell_organisers(endpoint)


def _tell_organisers(endpoint: Endpoint) -> None:
    event = endpoint.event
    to = sorted(set(TeamMembership.objects.filter(
        event=event, role=TeamMembership.Role.ORGANISER, user__is_active=True)
        .values_list("user__email", flat=True))) or list(event.contact_recipients)
    if not to:
        return
    link = settings.SITE_URL + reverse("webhooks:endpoint", args=[event.slug, endpoint.pk])
    with speaking_to(None, event):
        subject = _("[%(event)s] Webhook endpoint disabled: it keeps failing") % {
            "event": event.title}
        body = _("The webhook endpoint %(url)s of %(event)s was disabled: its last "
                 "%(count)s messages could not be delivered, each after %(attempts)s "
                 "attempts over about a day, and no delivery has succeeded since "
                 "%(since)s.\n\nMessages that were not yet sent wait; nothing new is "
                 "queued for it. Once the receiver works again, enable the endpoint on its "
                 "page (the waiting messages are then sent, and you can redeliver the "
                 "others):\n%(link)s\n") % {
            "url": endpoint.url, "event": event.title, "count": endpoint.messages_given_up,
            "attempts": MAX_ATTEMPTS,
            "since": timezone.localtime(endpoint.failing_since, event.tz)
            .strftime("%Y-%m-%d %H:%M %Z"), "link": link}
    queue_email(to=to, subject=subject, body=body, purpose="webhook-disabled",
                related=endpoint)


def deliver_due(endpoint_id: int, *, limit: int = BATCH) -> int:
    """Send the endpoint's due messages, in order within each object; schedule the job again
    for the next retry. Returns how many attempts were made."""
    made = 0
    while made < limit:
        message = _claim(endpoint_id)
        if message is None:
            break
        _send_one(message)
        made += 1
    if made >= limit:
        enqueue_delivery(endpoint_id)
    else:
        _wake_for_next_retry(endpoint_id)
    return made


def _wake_for_next_retry(endpoint_id: int) -> None:
    """Defer the job to the endpoint's next due attempt, unless a job is already deferred to
    that moment or earlier (so retries never multiply into one job per message)."""
    now = clock.now()
    with transaction.atomic():
        endpoint = (Endpoint.objects.select_for_update()
                    .filter(pk=endpoint_id, enabled=True).first())
        if endpoint is None:
            return
        upcoming = (endpoint.messages.filter(outcome=Message.Outcome.PENDING,
                                             next_attempt_at__gt=now)
                    .order_by("next_attempt_at").values_list("next_attempt_at", flat=True)
                    .first())
        if upcoming is None:
            return
        if endpoint.wake_at is not None and now < endpoint.wake_at <= upcoming:
            return  # a deferred job will wake up in time
        endpoint.wake_at = upcoming
        endpoint.save(update_fields=["wake_at"])
        _after_commit(lambda: enqueue_delivery(endpoint_id, run_after=upcoming))


def purge_old_messages(days: int = RETENTION_DAYS) -> int:
    """Delete finished messages (and their attempts) older than ``days``: the delivery log
    keeps a month. Returns how many messages."""
    deleted, _counts = Message.objects.filter(
        created_at__lt=clock.now() - dt.timedelta(days=days),
        outcome__in=[Message.Outcome.DELIVERED, Message.Outcome.GIVEN_UP]).delete()
    return _counts.get(Message._meta.label, 0)


def run_due() -> int:
    """Every enabled endpoint's due messages (the scheduler's command, and a backstop for job
    backends that cannot defer). Returns how many attempts were made."""
    now = clock.now()
    endpoint_ids = (Message.objects.filter(endpoint__enabled=True,
                                           outcome=Message.Outcome.PENDING,
                                           next_attempt_at__lte=now)
                    .values_list("endpoint_id", flat=True).distinct())
    return sum(deliver_due(pk) for pk in list(endpoint_ids))


def redeliver_now(message_id: int) -> Attempt | None:
    """One manual attempt of a delivered or given-up message (the redelivery job). Success
    marks a given-up message delivered; a failure changes nothing else."""
    message = Message.objects.select_related("endpoint").filter(pk=message_id).first()
    if message is None or not message.endpoint.enabled:
        return None
    answer = _attempt(message)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        message.attempts += 1
        attempt = _log(message, answer, manual=True, number=message.attempts)
        fields = ["attempts"]
        if answer.succeeded and message.outcome != Message.Outcome.DELIVERED:
            message.outcome, message.finished_at = Message.Outcome.DELIVERED, clock.now()
            fields += ["outcome", "finished_at"]
        message.save(update_fields=fields)
        if answer.succeeded:  # the receiver works: the failure counters start again
            Endpoint.objects.filter(pk=message.endpoint_id).update(failing_since=None,
                                                                   messages_given_up=0)
    return attempt


# Reading ------------------------------------------------------------------------------------

def endpoints_of(event: Event):
    return Endpoint.objects.filter(event=event).order_by("created_at", "id")


def delivery_log(endpoint: Endpoint, limit: int = 50):
    """The endpoint's latest messages with their attempts (newest first)."""
    return (endpoint.messages.order_by("-id").prefetch_related("attempt_log")[:limit])
