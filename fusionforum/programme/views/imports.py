"""Importing a programme from frab, pretalx or Indico: upload → preview → confirm
(/manage/<event>/programme/import/). Organisers of the event with a verified second factor
only (the gate, ``programme.manage_programme``). The work is in imports/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from fusionforum.core.forms import AccessibleFormMixin, posted_data
from fusionforum.events.access import gate

from ..imports import preview as previews
from ..imports.apply import ImportRefused, apply_preview
from ..imports.base import MAX_UPLOAD_BYTES, FileRejected


class UploadForm(AccessibleFormMixin, forms.Form):
    schedule = forms.FileField(
        label=_("Programme file"),
        help_text=format_lazy(
            _("A frab or pretalx schedule.xml or schedule.json, an Indico event or timetable "
              "export, or an iCalendar file; at most {size} MB. Nothing is imported before "
              "you confirm the preview."),
            size=MAX_UPLOAD_BYTES // (1024 * 1024)),
    )


def _editor_url(event) -> str | None:
    try:
        return reverse("programme_manage:editor", kwargs={"slug": event.slug})
    except NoReverseMatch:
        return None


def _upload_page(request, event, form, *, rejected: str = "", status: int = 200):
    return render(request, "programme/import/upload.html", {
        "event": event, "form": form, "rejected": rejected, "manage_section": "import",
        "editor_url": _editor_url(event),
    }, status=status)


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def upload(request, event):
    form = UploadForm(posted_data(request), request.FILES or None)
    if request.method != "POST":
        return _upload_page(request, event, form)
    if not form.is_valid():
        return _upload_page(request, event, form, status=400)
    upload_file = form.cleaned_data["schedule"]
    try:
        if upload_file.size > MAX_UPLOAD_BYTES:
            raise FileRejected(gettext("The file is larger than %(size)s MB; a programme export "
                                       "is far smaller.")
                               % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)})
        parsed = previews.read_upload(upload_file.read(MAX_UPLOAD_BYTES + 1),
                                      zone=event.time_zone)
    except FileRejected as error:
        return _upload_page(request, event, form, rejected=str(error), status=400)
    preview = previews.prepare(event, parsed, filename=upload_file.name or "")
    token = previews.store(preview, user=request.user, event=event)
    return redirect("programme_import:preview", slug=event.slug, token=token)


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def preview(request, event, token):
    found = previews.load(token, user=request.user, event=event)
    if found is None:
        return _upload_page(request, event, UploadForm(), status=410, rejected=(
            gettext("This preview has expired or belongs to someone else; upload the file "
                    "again.")))
    refused = ""
    if request.method == "POST":
        try:
            counts = apply_preview(event, found, by=request.user,
                                   extend_dates=request.POST.get("extend_dates") == "on")
        except ImportRefused as error:
            refused = str(error)
        except PermissionDenied:
            refused = gettext("Only the event's organisers can import a programme.")
        else:
            previews.discard(token)
            rooms = ngettext("%(count)s new room", "%(count)s new rooms",
                             counts["rooms"]) % {"count": counts["rooms"]}
            messages.success(request, ngettext(
                "Imported %(count)s session and %(rooms)s. The public sees them after the next "
                "release.",
                "Imported %(count)s sessions and %(rooms)s. The public sees them after the next "
                "release.", counts["sessions"]) % {"count": counts["sessions"], "rooms": rooms})
            if counts["updated"]:
                messages.info(request, ngettext(
                    "%(count)s session imported before was updated.",
                    "%(count)s sessions imported before were updated.", counts["updated"])
                    % {"count": counts["updated"]})
            if counts["to_place"]:
                messages.info(request, ngettext(
                    "%(count)s entry without a time is listed as to place in the editor.",
                    "%(count)s entries without a time are listed as to place in the editor.",
                    counts["to_place"]) % {"count": counts["to_place"]})
            return redirect(_editor_url(event) or reverse("programme_import:upload",
                                                          kwargs={"slug": event.slug}))
    return render(request, "programme/import/preview.html", {
        "event": event, "preview": found, "token": token, "refused": refused,
        "manage_section": "import",
    }, status=409 if refused else 200)
