"""Back office for the programme. The editor (/manage/<event>/programme/) is the main tool and
checks every conflict rule as it goes; changes made here skip those checks, but a release
still refuses a working copy with conflicts. Releases are frozen: read only."""

from django.contrib import admin

from fusionforum.admin import site
from fusionforum.events.admin import EventScopedAdmin, TranslatedAdmin
from fusionforum.events.models import Event, StreamLink

from .models import ProgrammeSession, Release, Room, TalkSlot


@admin.register(Room, site=site)
class RoomAdmin(EventScopedAdmin):
    list_display = ["name", "event", "position", "capacity"]
    list_filter = ["event"]
    search_fields = ["name"]


@admin.register(ProgrammeSession, site=site)
class ProgrammeSessionAdmin(TranslatedAdmin, EventScopedAdmin):
    list_display = ["title", "kind", "room", "start", "end", "event"]
    list_filter = ["event", "kind", "room"]
    search_fields = ["title"]
    raw_id_fields = ["chairs"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        events = Event.objects.organised_by(request.user)
        if db_field.related_model is Room:
            kwargs["queryset"] = Room.objects.filter(event__in=events)
        elif db_field.related_model is StreamLink:
            kwargs["queryset"] = StreamLink.objects.filter(event__in=events)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TalkSlot, site=site)
class TalkSlotAdmin(EventScopedAdmin):
    event_path = "session__event"
    list_display = ["submission", "session", "start", "duration_minutes"]
    list_filter = ["session__event"]
    search_fields = ["submission__title", "submission__code"]
    readonly_fields = ["submission", "session", "start", "duration_minutes"]

    def _event_of(self, obj):
        return obj.session.event if obj is not None else None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Release, site=site)
class ReleaseAdmin(EventScopedAdmin):
    list_display = ["event", "version", "released_at", "released_by"]
    list_filter = ["event"]
    readonly_fields = ["event", "version", "released_at", "released_by", "comment", "snapshot",
                       "changes"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
