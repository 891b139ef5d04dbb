"""The organisers' registration desk under /manage/<event>/: the list of registrations with bulk
decisions, one registration in full, the waiting list, organisations, exports and the import of
organisations.

Every view goes through the gate (``registration.manage_registrations``): anonymous visitors are
sent to log in, anyone who may not manage the event's registrations gets a plain 404 (the page
does not say whether the event or its people exist), and organisers must have confirmed their
second factor in this session. Views are thin: they read input, call
``desk_services``/``services``, render.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.accounts.merge import MergeRefused
from fusionforum.accounts.models import Organisation
from fusionforum.core import clock
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.events.access import gate

from .. import desk_services as desk
from .. import exports, imports
from ..models import Registration, RegistrationSettings
from ..states import ACTIVE, Status

MAX_BULK = 500


def _settings(event) -> RegistrationSettings | None:
    return RegistrationSettings.objects.filter(event=event).first()


def _render(request, event, template, context, *, status=200, section=""):
    context = {"event": event, "desk_section": section, **context}
    with timezone.override(event.tz):
        return render(request, f"registration/desk/{template}", context, status=status)


def _list_url(event, query: str = "") -> str:
    url = reverse("registration:desk_registrations", kwargs={"slug": event.slug})
    return f"{url}?{query}" if query else url


def _safe_next(request, event, fallback: str) -> str:
    """Where to go back to after an action: a page of this event's desk, else ``fallback``."""
    target = request.POST.get("next", "")
    prefix = reverse("events_manage:dashboard", kwargs={"slug": event.slug})
    if (target and target.startswith(prefix)
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return target
    return fallback


def _clean_query(raw: str) -> str:
    """A list's query string, re-encoded (so nothing but parameters survives), without page."""
    query = QueryDict(raw or "", mutable=True)
    query.pop("page", None)
    return query.urlencode()


# Registrations list --------------------------------------------------------------------------

SORTABLE = {"submitted": gettext_lazy("Submitted"), "name": gettext_lazy("Name"),
            "organisation": gettext_lazy("Organisation")}


def _sort_links(request, current: str) -> dict:
    links = {}
    for key in SORTABLE:
        query = request.GET.copy()
        query.pop("page", None)
        if current == key:
            query["sort"], state = f"-{key}", "ascending"
        elif current == f"-{key}":
            query["sort"], state = key, "descending"
        else:
            query["sort"], state = key, None
        links[key] = {"url": "?" + query.urlencode(), "aria_sort": state}
    return links


@gate("registration.manage_registrations", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def registrations(request, event):
    if request.method == "POST":
        return _bulk_action(request, event)
    reg_settings = _settings(event)
    form = desk.RegistrationFilterForm(request.GET or None, event=event)
    filters = form.cleaned()
    queryset = desk.filtered_registrations(event, filters)
    page = Paginator(queryset, desk.PAGE_SIZE).get_page(request.GET.get("page"))
    positions = desk.waitlist_positions(event)
    query = _clean_query(request.GET.urlencode())
    context = {
        "reg_settings": reg_settings,
        "overview": desk.capacity_overview(event, reg_settings),
        "form": form,
        "page": page,
        "rows": [(r, positions.get(r.pk), desk.pool_label(r.seat_pool) if r.seat_pool else "")
                 for r in page.object_list],
        "query": query,
        "sort_links": _sort_links(request, filters.get("sort") or "submitted"),
        "filtered": any(k != "sort" for k in filters),
        "bulk_actions": desk.BULK_ACTIONS,
        "export_query": query,
    }
    status = 400 if form.is_bound and form.errors else 200
    return _render(request, event, "registrations.html", context, status=status,
                   section="registrations")


def _bulk_action(request, event):
    back = _list_url(event, _clean_query(request.POST.get("query", "")))
    action = request.POST.get("action", "")
    ids = []
    for raw in request.POST.getlist("ids")[:MAX_BULK]:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    if action not in desk.BULK_ACTIONS:
        messages.error(request, _("Choose what to do with the selected registrations."))
        return redirect(back)
    if not ids:
        messages.error(request, _("Select at least one registration."))
        return redirect(back)
    note_form = desk.NoteForm(request.POST)
    if not note_form.is_valid():
        messages.error(request, _("The note: %(problem)s") % {
            "problem": " ".join(note_form.errors.get("note", []))})
        return redirect(back)
    result = desk.bulk_decide(event, ids, action, by=request.user,
                              note=note_form.cleaned_data["note"])
    if result.done:
        names = ", ".join(f"{o.who} ({o.message})" for o in result.done)
        done = len(result.done)
        if action == "approve":
            text = ngettext("%(count)s registration approved: %(names)s.",
                            "%(count)s registrations approved: %(names)s.", done)
        else:
            text = ngettext("%(count)s registration rejected: %(names)s.",
                            "%(count)s registrations rejected: %(names)s.", done)
        messages.success(request, text % {"count": done, "names": names})
    for outcome in result.failed:
        who = outcome.who or _("Not changed")
        if action == "approve":
            text = _("%(who)s: not approved. %(reason)s")
        else:
            text = _("%(who)s: not rejected. %(reason)s")
        messages.error(request, text % {"who": who, "reason": outcome.message})
    return redirect(back)


# One registration ----------------------------------------------------------------------------

def _event_registration(event, pk) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "user", "organisation", "checked_in_by"),
        event=event, pk=pk)


@gate("registration.manage_registrations", second_factor=True)
@require_safe
def registration_detail(request, event, pk):
    registration = _event_registration(event, pk)
    questions = list(event.questions.all())
    status = registration.status
    context = {
        "registration": registration,
        "answers": desk.answers_for_display(questions, registration),
        "transitions": [
            (t, Status(t.from_status).label if t.from_status else _("New"))
            for t in registration.transitions.select_related("by")
        ],
        "position": desk.waitlist_positions(event).get(registration.pk),
        "pool_label": desk.pool_label(registration.seat_pool) if registration.seat_pool else "",
        "can": {
            "approve": status == Status.PENDING,
            "reject": status in (Status.PENDING, Status.WAITLISTED),
            "promote": status == Status.WAITLISTED,
            "cancel": status in ACTIVE,
            "priority": status in (Status.PENDING, Status.WAITLISTED),
        },
        "list_url": _list_url(event),
    }
    return _render(request, event, "registration.html", context, section="registrations")


ACTIONS = {"approve", "reject", "promote", "cancel", "priority"}


@gate("registration.manage_registrations", second_factor=True)
@require_POST
def registration_action(request, event, pk, action):
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    registration = _event_registration(event, pk)
    back = _safe_next(request, event, reverse(
        "registration:desk_registration", kwargs={"slug": event.slug, "pk": registration.pk}))
    note, priority = "", None
    if action in ("reject", "cancel"):
        note_form = desk.NoteForm(request.POST)
        if not note_form.is_valid():
            messages.error(request, _("The note: %(problem)s") % {
                "problem": " ".join(note_form.errors.get("note", []))})
            return redirect(back)
        note = note_form.cleaned_data["note"]
    if action == "priority":
        priority_form = desk.PriorityForm(request.POST)
        if not priority_form.is_valid():
            messages.error(request, _("Priority: %(problem)s") % {"problem": " ".join(
                priority_form.errors.get("priority", [_("Give a whole number.")]))})
            return redirect(back)
        priority = priority_form.cleaned_data["priority"]
    who = registration.user.full_name or registration.user.email
    try:
        outcome = desk.decide(registration, action, by=request.user, note=note,
                              priority=priority)
    except desk.EXPECTED_ERRORS as exc:
        messages.error(request, _("%(who)s: %(outcome)s") % {
            "who": who, "outcome": desk.error_text(exc)})
    else:
        messages.success(request, _("%(who)s: %(outcome)s") % {"who": who, "outcome": outcome})
    return redirect(back)


# Waiting list --------------------------------------------------------------------------------

@gate("registration.manage_registrations", second_factor=True)
@require_safe
def waiting_list(request, event):
    reg_settings = _settings(event)
    entries = desk.waiting_list_entries(event, reg_settings)
    offered = (Registration.objects.filter(event=event, status=Status.OFFERED)
               .select_related("user", "organisation").order_by("offer_expires_at", "id"))
    context = {
        "reg_settings": reg_settings,
        "entries": entries,
        "eligible_count": sum(1 for e in entries if e.pool),
        "offered": offered,
        "here": request.get_full_path(),
    }
    return _render(request, event, "waiting_list.html", context, section="waiting_list")


# Organisations -------------------------------------------------------------------------------

@gate("registration.manage_registrations", second_factor=True)
@require_safe
def organisations(request, event):
    reg_settings = _settings(event)
    only_registered = request.GET.get("registered") == "1"
    context = {
        "reg_settings": reg_settings,
        "rows": desk.organisation_overview(event, reg_settings, only_registered=only_registered),
        "statuses": Status.choices,
        "only_registered": only_registered,
        "list_url": _list_url(event),
    }
    return _render(request, event, "organisations.html", context, section="organisations")


@gate("registration.manage_registrations", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def organisations_merge(request, event):
    """Pick the duplicate and the organisation to keep, see what would move, confirm."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = desk.MergeForm(data)
    context = {"form": form, "plan": None, "refused": []}
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            duplicate, keep = form.cleaned_data["duplicate"], form.cleaned_data["keep"]
            if request.method == "POST" and request.POST.get("confirm") == "1":
                try:
                    plan = desk.merge_organisations(request.user, duplicate, keep)
                except MergeRefused as refused:
                    context["refused"] = refused.messages
                    status = 409
                else:
                    moved = sum(count for _, count in plan.moves)
                    messages.success(request, ngettext(
                        "“%(duplicate)s” was merged into “%(keep)s”: %(count)s record moved.",
                        "“%(duplicate)s” was merged into “%(keep)s”: %(count)s records moved.",
                        moved) % {"duplicate": duplicate.name, "keep": keep.name,
                                  "count": moved})
                    return redirect("registration:desk_organisations", slug=event.slug)
            context["plan"] = desk.merge_preview(request.user, duplicate, keep)
            if status != 409:
                status = 200
    return _render(request, event, "organisations_merge.html", context, status=status,
                   section="organisations")


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8, at most %(megabytes)s MB, first row: %(header)s."
        ) % {"megabytes": imports.MAX_BYTES // 1_000_000, "header": imports.HEADER_HINT}


@gate("registration.manage_registrations", second_factor=True)
@require_http_methods(["GET", "HEAD", "POST"])
def organisations_import(request, event):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    context = {"form": form, "malformed": None, "errors": [], "checked_rows": 0,
               "kinds": Organisation.Kind.choices,
               "approaches": Organisation.Approach.choices}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                check = imports.check_file(form.cleaned_data["file"])
                if not check.errors:
                    created = imports.import_organisations(check, by=request.user, event=event)
            except imports.MalformedFile as exc:
                context["malformed"] = exc
            else:
                if check.errors:
                    context["errors"] = check.errors
                    context["checked_rows"] = len(check.organisations) + len(
                        {e.row for e in check.errors})
                else:
                    messages.success(request, ngettext(
                        "%(count)s organisation imported.", "%(count)s organisations imported.",
                        len(created)) % {"count": len(created)})
                    return redirect("registration:desk_organisations", slug=event.slug)
    return _render(request, event, "import.html", context, status=status,
                   section="import")


# Exports -------------------------------------------------------------------------------------

def _export(request, event, fmt: str):
    form = desk.RegistrationFilterForm(request.GET or None, event=event)
    queryset = desk.filtered_registrations(event, form.cleaned())
    header, rows = exports.table(event, queryset)
    if fmt == "csv":
        body, content_type = exports.to_csv(header, rows), exports.CSV_CONTENT_TYPE
    else:
        body = exports.to_xlsx(header, rows, title=_("Registrations"))
        content_type = exports.XLSX_CONTENT_TYPE
    desk.record_export(event, by=request.user, fmt=fmt, filters=form.describe(),
                       rows=len(rows))
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime(clock.now(), event.tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-registrations-{stamp}.{fmt}"')
    response["Cache-Control"] = "no-store"
    return response


@gate("registration.manage_registrations", second_factor=True)
@require_safe
def export_csv(request, event):
    return _export(request, event, "csv")


@gate("registration.manage_registrations", second_factor=True)
@require_safe
def export_xlsx(request, event):
    return _export(request, event, "xlsx")
