"""What the organisers' registration desk reads and does, on top of the registration services.

Decisions always go through ``services`` (approve, reject, promote, cancel, set_priority), one
registration at a time, so the seat lock, the state machine, the transition log and the
participant's e-mail work exactly as everywhere else. This module only selects, counts and
reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fusionforum.accounts import merge
from fusionforum.accounts.models import Organisation
from fusionforum.core import audit
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import validate_single_line
from fusionforum.events.models import TeamMembership

from . import services
from .capacity import GENERAL, RegistrationClosed, find_seat, summary
from .forms import answers_for_display, format_answer  # noqa: F401 (desk and exports use them from here)
from .models import Registration, RegistrationSettings
from .states import HOLDS_SEAT, IllegalTransition, Status

PAGE_SIZE = 50

# The errors a decision may end in that are the organiser's to read, not a server fault.
EXPECTED_ERRORS = (
    services.RegistrationError, IllegalTransition, PermissionDenied, RegistrationClosed,
    RegistrationSettings.DoesNotExist,
)

SORTS = {
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
    "name": ("user__full_name", "user__email", "id"),
    "-name": ("-user__full_name", "-user__email", "-id"),
    "organisation": ("organisation__name", "user__full_name", "id"),
    "-organisation": ("-organisation__name", "user__full_name", "id"),
}


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, RegistrationSettings.DoesNotExist):
        return _("Registration is not set up for this event.")
    return str(exc) or exc.__class__.__name__


# Filters -------------------------------------------------------------------------------------

class RegistrationFilterForm(AccessibleFormMixin, forms.Form):
    """The list's filters, read from the query string (also used by the exports)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100,
                        validators=[validate_single_line],
                        help_text=gettext_lazy("Name, e-mail address or organisation."))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any status")), *Status.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Organisation kind"), required=False,
                             choices=[("", gettext_lazy("Any kind")),
                                      *Organisation.Kind.choices])
    organisation = forms.ModelChoiceField(label=gettext_lazy("Organisation"), required=False,
                                          queryset=Organisation.objects.none(),
                                          empty_label=gettext_lazy("Any organisation"))
    checked_in = forms.ChoiceField(label=gettext_lazy("Checked in"), required=False,
                                   choices=[("", gettext_lazy("Either")),
                                            ("yes", gettext_lazy("Yes")),
                                            ("no", gettext_lazy("No"))])
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=[
        ("submitted", gettext_lazy("Submitted, oldest first")),
        ("-submitted", gettext_lazy("Submitted, newest first")),
        ("name", gettext_lazy("Name, A–Z")), ("-name", gettext_lazy("Name, Z–A")),
        ("organisation", gettext_lazy("Organisation, A–Z")),
        ("-organisation", gettext_lazy("Organisation, Z–A")),
    ])

    def __init__(self, data, *, event, **kwargs):
        self.event = event
        super().__init__(data, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            registrations__event=event).distinct().order_by("name")

    def cleaned(self) -> dict:
        """The valid filters; an invalid value counts as no filter (the form shows why)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}

    def describe(self) -> dict:
        """The filters without personal values, for the audit log: the search term is
        reduced to whether there was one."""
        values = self.cleaned()
        described = {k: v for k, v in values.items() if k in ("status", "kind", "checked_in")}
        if values.get("organisation"):
            described["organisation_id"] = values["organisation"].pk
        if values.get("q"):
            described["search"] = True
        return described


def filtered_registrations(event, filters: dict) -> QuerySet[Registration]:
    qs = (Registration.objects.filter(event=event)
          .select_related("user", "organisation", "checked_in_by"))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(organisation__kind=filters["kind"])
    if filters.get("organisation"):
        qs = qs.filter(organisation=filters["organisation"])
    if filters.get("checked_in") == "yes":
        qs = qs.filter(checked_in_at__isnull=False)
    elif filters.get("checked_in") == "no":
        qs = qs.filter(checked_in_at__isnull=True)
    term = (filters.get("q") or "").strip()
    if term:
        qs = qs.filter(Q(user__full_name__icontains=term) | Q(user__email__icontains=term)
                       | Q(organisation__name__icontains=term))
    return qs.order_by(*SORTS.get(filters.get("sort") or "submitted", SORTS["submitted"]))


# Overview ------------------------------------------------------------------------------------

def pool_label(pool: str) -> str:
    if pool == GENERAL:
        return _("General")
    if pool in Organisation.Kind.values:
        return _("Reserved: %(kind)s") % {"kind": Organisation.Kind(pool).label}
    return pool or "—"


def capacity_overview(event, reg_settings: RegistrationSettings | None) -> dict:
    """Seats per pool (from ``capacity.summary``) and how many registrations are in each
    state."""
    counts = dict(Registration.objects.filter(event=event).order_by().values("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    pools = []
    if reg_settings is not None:
        for pool, numbers in summary(reg_settings).items():
            pools.append({"pool": pool, "label": pool_label(pool), **numbers})
        # Reserved pools first, the general pool last.
        pools.sort(key=lambda p: (p["pool"] == GENERAL, p["label"]))
    totals = {
        key: sum(p[key] for p in pools) for key in ("seats", "taken", "free")
    } if pools else None
    return {
        "pools": pools,
        "totals": totals,
        "statuses": [{"status": value, "label": label, "count": counts.get(value, 0)}
                     for value, label in Status.choices],
        "total": sum(counts.values()),
    }


def waitlist_positions(event) -> dict[int, int]:
    """Registration id -> place on the waiting list (1..n), from the service's order."""
    ids = services.waiting_list(event).values_list("id", flat=True)
    return {pk: place for place, pk in enumerate(ids, start=1)}


@dataclass
class WaitingEntry:
    position: int
    registration: Registration
    pool: str | None  # where a seat would come from now; None: not eligible now

    @property
    def pool_label(self) -> str:
        return pool_label(self.pool) if self.pool else ""


def waiting_list_entries(event, reg_settings: RegistrationSettings | None) -> list[WaitingEntry]:
    """The waiting list in order, each with whether a seat is free for them right now.

    Read without the seat lock: the answer is advice for the organiser. Promoting goes through
    ``services.promote``, which decides again under the lock.
    """
    entries = []
    by_organisation: dict[int, str | None] = {}
    registrations = services.waiting_list(event).select_related("user", "organisation")
    for position, registration in enumerate(registrations, start=1):
        pool = None
        if reg_settings is not None:
            org_id = registration.organisation_id
            if org_id not in by_organisation:
                by_organisation[org_id] = find_seat(reg_settings, registration.organisation)
            pool = by_organisation[org_id]
        entries.append(WaitingEntry(position, registration, pool))
    return entries


def organisation_overview(event, reg_settings: RegistrationSettings | None, *,
                          only_registered: bool = False) -> list[dict]:
    """Every organisation with its registrations for this event counted per state, and its
    seats against the delegate cap."""
    annotations = {
        value: Count("registrations", filter=Q(registrations__event=event,
                                              registrations__status=value))
        for value in Status.values
    }
    annotations["total"] = Count("registrations", filter=Q(registrations__event=event))
    qs = Organisation.objects.annotate(**annotations).order_by("name")
    if only_registered:
        qs = qs.filter(total__gt=0)
    cap = reg_settings.delegates_per_organisation if reg_settings else None
    rows = []
    for organisation in qs:
        holding = sum(getattr(organisation, s) for s in HOLDS_SEAT)
        rows.append({
            "organisation": organisation,
            "counts": [getattr(organisation, value) for value in Status.values],
            "total": organisation.total,
            "holding": holding,
            "cap": cap,
            "at_cap": cap is not None and holding >= cap,
        })
    return rows


# Decisions -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    registration: Registration | None
    ok: bool
    message: str

    @property
    def who(self) -> str:
        if self.registration is None:
            return ""
        user = self.registration.user
        return f"{user.full_name} <{user.email}>" if user.full_name else user.email


@dataclass
class BulkResult:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


BULK_ACTIONS = {"approve": "approved", "reject": "rejected"}


def bulk_decide(event, ids: list[int], action: str, *, by, note: str = "") -> BulkResult:
    """Approve or reject each selected registration through the service, one at a time: one
    that fails (not verified, already decided, no longer this event's) is reported and the
    others proceed."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    result = BulkResult()
    found = {r.pk: r for r in Registration.objects.filter(event=event, pk__in=ids)
             .select_related("event", "user", "organisation")}
    for pk in dict.fromkeys(ids):
        registration = found.get(pk)
        if registration is None:
            result.outcomes.append(Outcome(None, False, _(
                "Registration %(number)s is not one of this event's registrations.")
                % {"number": pk}))
            continue
        try:
            if action == "approve":
                updated = services.approve(registration, by=by)
                message = (_("confirmed") if updated.status == Status.CONFIRMED
                           else _("approved, on the waiting list (no seat free)"))
            else:
                services.reject(registration, by=by, note=note)
                message = _("rejected")
        except EXPECTED_ERRORS as exc:
            result.outcomes.append(Outcome(registration, False, error_text(exc)))
        else:
            result.outcomes.append(Outcome(registration, True, message))
    return result


def decide(registration: Registration, action: str, *, by, note: str = "",
           priority: int | None = None) -> str:
    """One decision on one registration; returns what happened, raises EXPECTED_ERRORS."""
    if action == "approve":
        updated = services.approve(registration, by=by)
        if updated.status == Status.CONFIRMED:
            return _("Approved: the seat is confirmed.")
        return _("Approved, but no seat is free for this person: they are on the waiting "
                 "list.")
    if action == "reject":
        services.reject(registration, by=by, note=note)
        return _("Rejected.")
    if action == "promote":
        # services.promote accepts any state that may become confirmed; from the desk it is
        # the waiting list's button only (a pending registration is approved instead, which
        # also checks the e-mail address).
        if registration.status != Status.WAITLISTED:
            raise services.RegistrationError(
                _("Only someone on the waiting list can be promoted; this registration is "
                  "“%(status)s”.") % {"status": str(registration.get_status_display()).lower()})
        services.promote(registration, by=by)
        return _("Promoted: the seat is confirmed.")
    if action == "cancel":
        services.cancel(registration, by=by, note=note or "Cancelled by an organiser")
        return _("Cancelled.")
    if action == "priority":
        services.set_priority(registration, priority or 0, by=by)
        return _("Priority set to %(priority)s.") % {"priority": priority or 0}
    raise ValueError(f"Unknown action {action!r}")


# Merging duplicate organisations ------------------------------------------------------------


class MergeForm(AccessibleFormMixin, forms.Form):
    duplicate = forms.ModelChoiceField(
        label=gettext_lazy("Duplicate (removed after the merge)"),
        queryset=Organisation.objects.none(),
        empty_label=gettext_lazy("Choose the duplicate"))
    keep = forms.ModelChoiceField(
        label=gettext_lazy("Organisation to keep"), queryset=Organisation.objects.none(),
        empty_label=gettext_lazy("Choose the organisation to keep"),
        help_text=gettext_lazy("Its name, kind, country and approach stay; everything of the "
                               "duplicate moves to it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("duplicate", "keep"):
            self.fields[name].queryset = Organisation.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        duplicate, keep = cleaned.get("duplicate"), cleaned.get("keep")
        if duplicate is not None and keep is not None and duplicate.pk == keep.pk:
            self.add_error("keep", _("Choose an organisation other than the duplicate."))
        return cleaned


def record_export(event, *, by, fmt: str, filters, rows: int) -> None:
    """Log an organiser's download of the registrations (who, which filters, how many)."""
    if not by.has_perm("registration.manage_registrations", event):
        raise PermissionDenied(_("Only the event's organisers export its registrations."))
    audit.record("registration.exported", event, actor=by,
                 summary=f"{fmt.upper()} export of {rows} registrations",
                 format=fmt, filters=filters, rows=rows)


def _may_merge(user, plan) -> bool:
    """Organisations are shared by every event: an organiser may merge two only if every
    event they take part in is one the organiser organises (platform admins: any)."""
    if user.is_superuser:
        return True

    organised = set(TeamMembership.objects.filter(
        user=user, role=TeamMembership.Role.ORGANISER).values_list("event_id", flat=True))
    return plan.event_ids <= organised


NOT_YOURS = gettext_lazy("These organisations also take part in events you do not organise; "
                         "ask a platform administrator to merge them.")


def merge_preview(by, duplicate: Organisation, keep: Organisation):
    plan = merge.preview(duplicate, keep)
    if not _may_merge(by, plan):
        plan.moves, plan.dropped, plan.changes, plan.problems = [], [], [], [str(NOT_YOURS)]
    return plan


def merge_organisations(by, duplicate: Organisation, keep: Organisation):
    """Merge ``duplicate`` into ``keep`` (accounts.merge: one transaction, the seat locks of
    every event concerned, delegate caps checked, seat holders re-seated, audit entry). Raises
    merge.MergeRefused."""
    if not _may_merge(by, merge.preview(duplicate, keep)):
        raise merge.MergeRefused(str(NOT_YOURS))
    return merge.merge(duplicate, keep, by=by)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300,
                           validators=[validate_single_line])


class PriorityForm(forms.Form):
    priority = forms.IntegerField(label=gettext_lazy("Priority"), min_value=-9999,
                                  max_value=9999)


__all__ = [
    "BULK_ACTIONS", "EXPECTED_ERRORS", "PAGE_SIZE", "BulkResult", "MergeForm", "NoteForm",
    "Outcome", "merge_organisations", "merge_preview",
    "PriorityForm", "RegistrationFilterForm", "WaitingEntry", "answers_for_display",
    "bulk_decide", "capacity_overview", "decide", "error_text", "filtered_registrations",
    "format_answer", "organisation_overview", "pool_label", "waiting_list_entries",
    "waitlist_positions",
]
