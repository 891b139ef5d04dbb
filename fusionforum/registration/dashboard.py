"""The registration desk's part of the event's dashboard (``events.dashboard``): registrations
by state and by organisation kind, seats left, the waiting list, check-ins today, registrations
per day, and the to-dos (approvals pending, offers expiring, e-mails to participants that could
not be delivered). Organisers only (``registration.manage_registrations``; check-ins
``registration.check_in``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

import rules
from django.db.models import CharField, Count
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.accounts.models import Organisation
from fusionforum.events import dashboard
from fusionforum.notifications.models import OutboundEmail

from .desk_services import capacity_overview
from .models import Registration, RegistrationSettings
from .states import ACTIVE, Status

# An offer expiring within this much time is a to-do (the person may need a nudge).
OFFER_WARNING = dt.timedelta(hours=48)
TREND_DAYS = 14


def _may(user, event, permission="registration.manage_registrations") -> bool:
    return event.uses_registration and rules.has_perm(permission, user, event)


def _desk(event, **filters) -> str:
    url = reverse("registration:desk_registrations", kwargs={"slug": event.slug})
    return f"{url}?{urlencode(filters)}" if filters else url


def figures(event, user, now: dt.datetime) -> dashboard.Panel | None:
    if not _may(user, event):
        return None
    reg_settings = RegistrationSettings.objects.filter(event=event).first()
    overview = capacity_overview(event, reg_settings)
    counts = {row["status"]: row["count"] for row in overview["statuses"]}
    panel = dashboard.Panel(key="registration", title=_("Registration"), order=10,
                            url=_desk(event))
    if overview["totals"] is not None:
        panel.figures.append(dashboard.Figure(
            _("Seats left"), overview["totals"]["free"], out_of=overview["totals"]["seats"],
            url=_desk(event)))
    panel.figures.append(dashboard.Figure(
        _("Confirmed"), counts.get(Status.CONFIRMED, 0), url=_desk(event, status="confirmed")))
    panel.figures.append(dashboard.Figure(
        _("Waiting list"), counts.get(Status.WAITLISTED, 0) + counts.get(Status.OFFERED, 0),
        url=reverse("registration:desk_waiting_list", kwargs={"slug": event.slug})))
    if rules.has_perm("registration.check_in", user, event):
        today = dashboard.local_day(event, now)
        start = dashboard.day_start(event, today)
        checked_in = Registration.objects.filter(
            event=event, checked_in_at__gte=start,
            checked_in_at__lt=start + dt.timedelta(days=1)).count()
        panel.figures.append(dashboard.Figure(
            _("Check-ins today"), checked_in, out_of=counts.get(Status.CONFIRMED, 0),
            url=reverse("registration:checkin", kwargs={"slug": event.slug})))
    panel.breakdowns.append(dashboard.Breakdown(
        _("Registrations by state"),
        [(str(row["label"]), row["count"]) for row in overview["statuses"] if row["count"]]))
    by_kind = dict(Registration.objects.filter(event=event, status__in=sorted(ACTIVE))
                   .order_by().values("organisation__kind").annotate(n=Count("id"))
                   .values_list("organisation__kind", "n"))
    panel.breakdowns.append(dashboard.Breakdown(
        _("Active registrations by organisation kind"),
        [(str(label), by_kind[kind]) for kind, label in Organisation.Kind.choices
         if by_kind.get(kind)]))
    today = dashboard.local_day(event, now)
    first = dashboard.day_start(event, today - dt.timedelta(days=TREND_DAYS - 1))
    per_day = Counter(dashboard.local_day(event, moment) for moment in
                      Registration.objects.filter(event=event, submitted_at__gte=first,
                                                  submitted_at__lte=now)
                      .values_list("submitted_at", flat=True))
    panel.trends.append(dashboard.Trend(
        _("Registrations per day, last %(days)s days") % {"days": TREND_DAYS},
        dashboard.last_days(today, per_day, TREND_DAYS)))
    return panel


def failed_emails(event):
    """E-mails about this event's registrations that the outbox gave up on."""
    ids = (Registration.objects.filter(event=event)
           .annotate(key=Cast("pk", CharField())).values("key"))
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED,
                                        related_type=Registration._meta.label_lower,
                                        related_id__in=ids)


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    if not _may(user, event):
        return []
    items = []
    pending = Registration.objects.filter(event=event, status=Status.PENDING).count()
    if pending:
        items.append(dashboard.Todo(
            ngettext("%(count)s registration waits for your approval.",
                     "%(count)s registrations wait for your approval.", pending)
            % {"count": pending}, _desk(event, status="pending"), urgency=1, count=pending,
            key="registration-pending"))
    expiring = list(Registration.objects.filter(
        event=event, status=Status.OFFERED, offer_expires_at__lte=now + OFFER_WARNING)
        .order_by("offer_expires_at").values_list("offer_expires_at", flat=True))
    if expiring:
        items.append(dashboard.Todo(
            ngettext("%(count)s seat offer expires soon (first: %(when)s).",
                     "%(count)s seat offers expire soon (first: %(when)s).", len(expiring))
            % {"count": len(expiring), "when": dashboard.deadline_text(event, expiring[0])},
            reverse("registration:desk_waiting_list", kwargs={"slug": event.slug}),
            urgency=0, count=len(expiring), key="registration-offers"))
    failed = list(failed_emails(event).order_by("-created_at").values_list("related_id",
                                                                           flat=True)[:51])
    if failed:
        if user.is_superuser:
            url = (reverse("admin:notifications_outboundemail_changelist")
                   + "?" + urlencode({"status__exact": OutboundEmail.Status.FAILED}))
        else:
            url = reverse("registration:desk_registration",
                          kwargs={"slug": event.slug, "pk": int(failed[0])})
        count = len(failed)
        items.append(dashboard.Todo(
            ngettext("%(count)s e-mail to a participant could not be delivered.",
                     "%(count)s e-mails to participants could not be delivered.", count)
            % {"count": count if count <= 50 else "50+"}, url, urgency=0, count=count,
            key="registration-failed-emails"))
    return items
