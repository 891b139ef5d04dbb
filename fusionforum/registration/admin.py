from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fusionforum.admin import site
from fusionforum.core import audit
from fusionforum.events.admin import EventScopedAdmin, TranslatedAdmin

from . import services
from .capacity import seat_lock
from .models import (
    EmailTemplate,
    Question,
    Registration,
    RegistrationSettings,
    RegistrationTransition,
    ReservedSeats,
)


class ReservedSeatsFormSet(BaseInlineFormSet):
    """Checks the whole change (capacity and reserved seats together) with the service's rule:
    nobody who holds a seat may lose it. The admin's POST runs under the seat lock (see
    ``RegistrationSettingsAdmin.changeform_view``), so the answer holds until it is saved."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.capacity is None or self.instance.event_id is None:
            return
        reserved: dict[str, int] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("organisation_kind"):
                continue
            reserved[data["organisation_kind"]] = (reserved.get(data["organisation_kind"], 0)
                                                   + (data.get("seats") or 0))
        error = services.seat_change_error(self.instance.event, self.instance.capacity,
                                           reserved)
        if error:
            raise ValidationError(error)


class ReservedSeatsInline(admin.TabularInline):
    model = ReservedSeats
    formset = ReservedSeatsFormSet
    extra = 0


@admin.register(RegistrationSettings, site=site)
class RegistrationSettingsAdmin(EventScopedAdmin):
    list_display = ["event", "opens_at", "closes_at", "capacity", "delegates_per_organisation",
                    "requires_approval"]
    inlines = [ReservedSeatsInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        existing = (RegistrationSettings.objects.filter(pk=object_id).select_related("event")
                    .first() if object_id and request.method == "POST" else None)
        if existing is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        # Check and save under the seat lock, like every other change of seats.
        with seat_lock(existing.event):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Checked by ReservedSeatsFormSet under the lock: re-seat the holders into the new pools.
        moved = services.reseat(form.instance)
        audit.record("registration.seats_changed", form.instance, actor=request.user,
                     summary=f"Seats set to {form.instance.capacity} in the back office",
                     reseated=moved)


@admin.register(Question, site=site)
class QuestionAdmin(TranslatedAdmin, EventScopedAdmin):
    list_display = ["label", "event", "kind", "required", "visibility", "position"]
    list_filter = ["event", "kind", "visibility"]
    list_editable = ["position"]


@admin.register(EmailTemplate, site=site)
class EmailTemplateAdmin(EventScopedAdmin):
    list_display = ["event", "key", "language", "subject", "updated_at"]
    list_filter = ["event", "key", "language"]


class TransitionInline(admin.TabularInline):
    model = RegistrationTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "at", "by", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration, site=site)
class RegistrationAdmin(EventScopedAdmin):
    list_display = ["user", "organisation", "event", "status", "seat_pool", "priority",
                    "submitted_at", "checked_in_at"]
    list_filter = ["event", "status", "organisation__kind"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["event", "user", "organisation", "status", "seat_pool", "submitted_at",
                       "waitlisted_at", "offer_expires_at", "answers", "checked_in_at",
                       "checked_in_by", "badge_nonce"]
    fields = readonly_fields[:7] + ["priority", "consent_public_list"] + readonly_fields[7:]
    inlines = [TransitionInline]
    actions = ["approve", "reject"]

    def has_add_permission(self, request, obj=None):
        return False  # people register themselves

    def _act(self, request, queryset, action):
        done, failed = 0, []
        for registration in queryset.select_related("event", "user", "organisation"):
            try:
                action(registration, by=request.user)
                done += 1
            except (services.RegistrationError, services.IllegalTransition) as exc:
                failed.append(f"{registration.user}: {exc}")
        if done:
            self.message_user(request, ngettext("%(count)s registration updated.",
                                                "%(count)s registrations updated.", done)
                              % {"count": done}, messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description=_("Approve (seat or waiting list)"))
    def approve(self, request, queryset):
        self._act(request, queryset, services.approve)

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        self._act(request, queryset, services.reject)
