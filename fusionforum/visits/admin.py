from django.contrib import admin

from fusionforum.events.admin import TranslatedAdmin

from .models import Seat, SeatTransition, TourRun, TourType, VisitSettings


class RunInline(admin.TabularInline):
    model = TourRun
    extra = 0


@admin.register(TourType)
class TourTypeAdmin(TranslatedAdmin):
    list_display = ["name", "event", "clearance_lead_days", "position"]
    list_filter = ["event"]
    inlines = [RunInline]


@admin.register(VisitSettings)
class VisitSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "signup_opens_at", "signup_closes_at", "allocated_at"]
    readonly_fields = ["allocated_at", "allocated_by"]


class TransitionInline(admin.TabularInline):
    model = SeatTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Read-only: seats change only through the organisers' pages (capacity and waiting-list
    rules live in services)."""

    list_display = ["user", "run", "status", "source", "created_at"]
    list_filter = ["status", "run__tour__event"]
    search_fields = ["user__email", "user__full_name"]
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
