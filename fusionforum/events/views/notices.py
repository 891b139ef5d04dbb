"""The notices every page's footer links to: the privacy notice (made from the personal-data
registry: what the product stores, why, how long), the legal notice and the accessibility
statement, for the platform (``/about/<kind>/``) and per event (``/<event>/about/<kind>/``,
the operator's text, then the event organisers' own part and their contact); and their
editors (platform administrators for the operator's part, organisers for their event's)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.accounts import personal_data
from fusionforum.core.forms import posted_data
from fusionforum.core.translated_fields import translated_values

from .. import services
from ..access import gate
from ..forms import NoticeForm
from ..models import Notice


def _categories(event=None) -> list[dict]:
    """Every registered category of personal data (an event's page: those of the modules it
    uses), with the retention the event set where it sets one."""
    rows = []
    for category in personal_data.categories():
        if (event is not None and category.module
                and not getattr(event, f"uses_{category.module}", True)):
            continue
        rows.append({"key": category.key, "title": category.title, "held": category.held,
                     "purpose": category.purpose,
                     "retention": category.retention_at(event)})
    return rows


def _notice_page(request, kind, event=None):
    kind = services.notice_kind(kind)
    context = {
        "kind": kind, "kind_label": Notice.Kind(kind).label, "event": event,
        "operator": services.notice(kind), "organisers": services.notice(kind, event)
        if event is not None else None,
        "nav": f"notice_{kind}",
    }
    if kind == Notice.Kind.PRIVACY:
        context["categories"] = _categories(event)
    return render(request, "events/notice.html", context)


@require_safe
def platform_notice(request, kind):
    return _notice_page(request, kind)


@require_safe
def event_notice(request, slug, kind):
    return _notice_page(request, kind, services.public_event(slug, request.user))


def _edit(request, kind, event, done):
    kind = services.notice_kind(kind)
    current = services.notice(kind, event)
    default = event.default_language if event is not None else None
    form = NoticeForm(instance=current, default_language=default)
    status = 200
    if request.method == "POST":
        form = NoticeForm(posted_data(request), instance=current, default_language=default)
        if form.is_valid():
            texts = {name.removeprefix("body_"): value
                     for name, value in translated_values(form, "body").items()}
            try:
                services.save_notice(kind, by=request.user, texts=texts, event=event)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The notice is saved."))
                return done
        status = 400
    return render(request, "events/manage/notice.html", {
        "form": form, "kind": kind, "kind_label": Notice.Kind(kind).label, "event": event,
        "current": current, "kinds": Notice.Kind.choices,
    }, status=status)


@gate("events.edit_platform_notices", load=None, second_factor=True)
@require_http_methods(["GET", "POST"])
def edit_platform_notice(request, kind):
    return _edit(request, kind, None, redirect("events_notices:edit_platform", kind=kind))


@gate("events.edit_event_notices", second_factor=True)
@require_http_methods(["GET", "POST"])
def edit_event_notice(request, event, kind):
    return _edit(request, kind, event,
                 redirect("events_notices:edit_event", slug=event.slug, kind=kind))
