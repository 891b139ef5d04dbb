"""The webhooks' part of the event's dashboard (``events.dashboard``), for its organisers
(``webhooks.manage_webhooks``): a to-do for each endpoint that is failing, gave messages up
or was switched off after failing. No figures."""

from __future__ import annotations

import datetime as dt

import rules
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.events import dashboard

from .models import Endpoint

SHOWN = 5  # endpoints listed at most; the list page has the others


def figures(event, user, now: dt.datetime) -> None:
    return None


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    if not rules.has_perm("webhooks.manage_webhooks", user, event):
        return []
    failing = list(Endpoint.objects.filter(event=event).filter(
        Q(failing_since__isnull=False) | Q(messages_given_up__gt=0)
        | (Q(enabled=False) & ~Q(disabled_reason=""))).order_by("created_at", "id")[:SHOWN + 1])
    items = []
    for endpoint in failing[:SHOWN]:
        url = reverse("webhooks:endpoint", kwargs={"slug": event.slug, "pk": endpoint.pk})
        if not endpoint.enabled:
            text = _("The webhook to %(url)s was switched off after failing.") % {
                "url": endpoint.url}
        elif endpoint.messages_given_up:
            text = ngettext("The webhook to %(url)s gave %(count)s message up.",
                            "The webhook to %(url)s gave %(count)s messages up.",
                            endpoint.messages_given_up) % {
                "url": endpoint.url, "count": endpoint.messages_given_up}
        else:
            text = _("The webhook to %(url)s has been failing since %(when)s.") % {
                "url": endpoint.url,
                "when": dashboard.deadline_text(event, endpoint.failing_since)}
        items.append(dashboard.Todo(text, url, urgency=0, key=f"webhook-{endpoint.pk}"))
    if len(failing) > SHOWN:
        items.append(dashboard.Todo(_("Other webhooks are failing too."),
                                    reverse("webhooks:list", kwargs={"slug": event.slug}),
                                    urgency=0, key="webhook-more"))
    return items
