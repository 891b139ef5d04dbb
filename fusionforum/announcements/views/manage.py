"""The organisers' pages: announcements (list, write with a preview, send, the record of who got
what) and the reminders (switches, lead times, texts per language). Every write goes through
``announcements.services``."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate
from fusionforum.notifications import placeholders

from .. import reminders, services
from ..forms import AnnouncementForm, ReminderSettingsForm
from ..models import Announcement, ReminderSent, ReminderTemplate

PERMISSION = services.PERMISSION


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for text in errors:
                form.add_error(name if name in form.fields else None, text)
    else:
        for text in error.messages:
            form.add_error(None, text)


@gate(PERMISSION, second_factor=True, event_time=True)
@require_safe
def announcement_list(request, event):
    return render(request, "announcements/list.html", {
        "event": event,
        "announcements": Announcement.objects.filter(event=event),
    })


@gate(PERMISSION, second_factor=True, event_time=True)
@require_http_methods(["GET", "HEAD", "POST"])
def announcement_new(request, event):
    """GET: the form. POST ``action=preview``: the count and a sample, the form kept (with
    its token). POST ``action=send``: sent once per token, then the record page."""
    data = posted_data(request)
    form = AnnouncementForm(data, event=event, initial={"token": str(uuid.uuid4())})
    shown = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cleaned = form.cleaned_data
            draft = services.Draft(audience=cleaned["audience"],
                                   organisation_kind=cleaned.get("organisation_kind") or "",
                                   texts=form.texts())
            try:
                if request.POST.get("action") == "send":
                    announcement, new = services.send(event, draft, by=request.user,
                                                      token=cleaned["token"])
                    if new:
                        messages.success(request, _("Announcement sent to %(count)s "
                                                    "recipient(s).")
                                         % {"count": announcement.recipient_count})
                    else:
                        messages.info(request, _("This announcement was already sent; it was "
                                                 "not sent again."))
                    return redirect(reverse("announcements:detail",
                                            args=[event.slug, announcement.pk]))
                shown = services.preview(event, draft, by=request.user)
            except ValidationError as error:
                _add_errors(form, error)
                status = 400
        else:
            status = 400
    return render(request, "announcements/new.html", {
        "event": event, "form": form, "preview": shown,
        "languages": {code: placeholders.language_name(code)
                      for code in (shown.by_language if shown else {})},
    }, status=status)


@gate(PERMISSION, second_factor=True, event_time=True)
@require_safe
def announcement_detail(request, event, pk):
    announcement = get_object_or_404(Announcement, event=event, pk=pk)
    return render(request, "announcements/detail.html", {
        "event": event, "announcement": announcement,
        "body_html": services.body_html(announcement.body),
        "deliveries": services.deliveries(announcement),
    })


@gate(PERMISSION, second_factor=True, event_time=True)
@require_http_methods(["GET", "HEAD", "POST"])
def reminder_settings(request, event):
    current = services.settings_for(event)
    form = ReminderSettingsForm(posted_data(request), instance=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_settings(event, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Reminder settings saved."))
                return redirect(reverse("announcements:reminders", args=[event.slug]))
        else:
            status = 400
    rows = placeholders.rows(reminders.KINDS, ReminderTemplate.objects.filter(event=event))
    for row in rows:
        row["essential"] = row["kind"].key in reminders.ESSENTIAL
    return render(request, "announcements/reminders.html", {
        "event": event, "form": form, "rows": rows,
        "recent": ReminderSent.objects.filter(event=event).select_related("email")[:50],
    }, status=status)


def _edit_url(event, key: str, language: str) -> str:
    url = reverse("announcements:reminder_template", kwargs={"slug": event.slug, "key": key})
    return f"{url}?language={language}"


@gate(PERMISSION, second_factor=True)
@require_http_methods(["GET", "POST"])
def reminder_template(request, event, key):
    kind = placeholders.kind_or_404(reminders.KINDS, key)
    language = placeholders.requested_language(request, event)
    tabs = placeholders.language_tabs(
        event, kind, ReminderTemplate.objects.filter(event=event, key=key), language,
        reverse("announcements:reminder_template", kwargs={"slug": event.slug, "key": key}))
    editing = placeholders.edit(
        request, kind, language=language,
        current=lambda: reminders.template_for(event, key, language),
        sample=lambda: reminders.sample_values(event, key),
        save=lambda subject, body: services.save_template(event, key, subject=subject,
                                                          body=body, language=language,
                                                          by=request.user))
    if editing.saved:
        return redirect(_edit_url(event, key, language))
    return render(request, "announcements/reminder_template.html", {
        "event": event, "kind": kind, **editing.context(), **tabs,
    }, status=editing.status)


@gate(PERMISSION, second_factor=True)
@require_POST
def reminder_template_reset(request, event, key):
    kind = placeholders.kind_or_404(reminders.KINDS, key)
    language = placeholders.requested_language(request, event)
    placeholders.announce_reset(request, kind, services.reset_template(
        event, key, by=request.user, language=language))
    return redirect(_edit_url(event, key, language))
