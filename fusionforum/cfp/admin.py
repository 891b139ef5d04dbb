"""The call in the admin: read and correct data of the organiser's own events. States are not
editable here: a change of state goes through the life cycle (the desk or the services)."""

from django.contrib import admin

from fusionforum.admin import site
from fusionforum.events.admin import EventScopedAdmin, TranslatedAdmin

from .models import CallSettings, Category, KeyFigure, Speaker, SpeakerProfile, Submission


@admin.register(CallSettings, site=site)
class CallSettingsAdmin(EventScopedAdmin):
    list_display = ["event", "opens_at", "closes_at", "default_duration_minutes",
                    "max_slides_mb", "reviews_per_submission"]


@admin.register(Category, site=site)
class CategoryAdmin(TranslatedAdmin, EventScopedAdmin):
    list_display = ["name", "event", "position"]
    list_filter = ["event"]
    list_editable = ["position"]


class KeyFigureInline(admin.TabularInline):
    model = KeyFigure
    extra = 0


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Submission, site=site)
class SubmissionAdmin(EventScopedAdmin):
    list_display = ["title", "code", "event", "organisation", "state", "submitted_at"]
    list_filter = ["event", "state", "organisation__kind", "organisation__fusion_approach"]
    search_fields = ["title", "code", "organisation__name"]
    readonly_fields = ["code", "guid", "state", "created_by", "created_at", "submitted_at",
                       "slides", "slides_uploaded_at"]
    raw_id_fields = ["organisation"]
    filter_horizontal = ["challenge_categories", "help_categories"]
    inlines = [SpeakerInline, KeyFigureInline]


@admin.register(SpeakerProfile, site=site)
class SpeakerProfileAdmin(EventScopedAdmin):
    list_display = ["user", "event", "code", "updated_at"]
    list_filter = ["event"]
    readonly_fields = ["code", "photo"]
    raw_id_fields = ["user"]
