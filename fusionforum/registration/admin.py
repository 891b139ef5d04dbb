from django.contrib import admin, messages

from fusionforum.admin import site
from fusionforum.events.admin import EventScopedAdmin

from . import services
from .models import (
    EmailTemplate,
    Question,
    Registration,
    RegistrationSettings,
    RegistrationTransition,
    ReservedSeats,
)


class ReservedSeatsInline(admin.TabularInline):
    model = ReservedSeats
    extra = 0


@admin.register(RegistrationSettings, site=site)
class RegistrationSettingsAdmin(EventScopedAdmin):
    list_display = ["event", "opens_at", "closes_at", "capacity", "delegates_per_organisation",
                    "requires_approval"]
    inlines = [ReservedSeatsInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.validate_capacity_settings(form.instance)


@admin.register(Question, site=site)
class QuestionAdmin(EventScopedAdmin):
    list_display = ["label", "event", "kind", "required", "visibility", "position"]
    list_filter = ["event", "kind", "visibility"]
    list_editable = ["position"]


@admin.register(EmailTemplate, site=site)
class EmailTemplateAdmin(EventScopedAdmin):
    list_display = ["event", "key", "subject", "updated_at"]
    list_filter = ["event", "key"]


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
            self.message_user(request, f"{done} registration(s) updated.", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description="Approve (seat or waiting list)")
    def approve(self, request, queryset):
        self._act(request, queryset, services.approve)

    @admin.action(description="Reject")
    def reject(self, request, queryset):
        self._act(request, queryset, services.reject)
