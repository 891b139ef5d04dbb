"""Organisers manage their events here. Every queryset is limited to the events the user
organises; the permission names come from rules.py."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from fusionforum.admin import site
from fusionforum.core import clock
from fusionforum.core.translated_fields import content_default_language, label_translated_inputs

from . import services
from .models import (
    TIME_ZONE_CHOICES,
    ContactMessage,
    Day,
    Event,
    EventCreator,
    EventSeries,
    StreamLink,
    StreamState,
    TeamMembership,
)

STREAM_STATE_LABELS = {
    StreamState.UPCOMING: pgettext_lazy("livestream state", "upcoming"),
    StreamState.LIVE: pgettext_lazy("livestream state", "live"),
    StreamState.ENDED: pgettext_lazy("livestream state", "ended"),
}


class EventScopedAdmin(admin.ModelAdmin):
    """For models that hang off an event: show and offer only the user's own events."""

    event_path = "event"

    def get_queryset(self, request):
        events = Event.objects.organised_by(request.user)
        return super().get_queryset(request).filter(**{f"{self.event_path}__in": events})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = Event.objects.organised_by(request.user)
        elif db_field.related_model is Day:
            kwargs["queryset"] = Day.objects.filter(
                event__in=Event.objects.organised_by(request.user)
            ).select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _event_of(self, obj):
        return obj if isinstance(obj, Event) else getattr(obj, "event", None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self._perm("view"), self._event_of(obj) if obj else None)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(self._perm("change"), self._event_of(obj) if obj else None)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(self._perm("delete"), self._event_of(obj) if obj else None)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(self._perm("add"), self._event_of(obj) if obj else None)

    def has_module_permission(self, request):
        return request.user.has_perm(self._perm("view"))

    def _perm(self, action):
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"


class TranslatedAdmin(TranslationAdmin):
    """modeltranslation's back office (one input per language for the translated fields),
    with the object's event's default language the required one and the house labels."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        label_translated_inputs(form.base_fields, self.model,
                                content_default_language(obj) if obj is not None else None)
        return form


class TranslatedInline(TranslationTabularInline):
    """The same for a tabular inline: the parent (an event or one of its objects) gives the
    default language."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        label_translated_inputs(formset.form.base_fields, self.model,
                                content_default_language(obj) if obj is not None else None)
        return formset


class DayInline(TranslatedInline):
    model = Day
    extra = 0
    fields = ["date", "label", "summary"]


class StreamLinkInline(TranslatedInline):
    model = StreamLink
    extra = 0
    fields = ["label", "day", "url", "visible_from", "visible_until", "replay_url"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "day":
            event_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Day.objects.filter(event_id=event_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Event, site=site)
class EventAdmin(TranslatedAdmin, EventScopedAdmin):
    event_path = "pk"
    list_display = ["title", "start_date", "end_date", "venue_name", "status", "is_demo",
                    "public_link"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title", "slug", "venue_name"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [DayInline, StreamLinkInline, TeamMembershipInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "tagline", "status", "series", "is_demo"]}),
        (_("When"), {"fields": ["start_date", "end_date", "time_zone"]}),
        (_("Languages and modules"), {"fields": ["default_language", "languages", "modules"]}),
        (_("Where"), {"fields": ["venue_name", "venue_address", "map_url", "latitude",
                                 "longitude"]}),
        (pgettext_lazy("event fieldset", "About"), {"fields": ["description"]}),
        (_("Contact"), {"fields": ["contact_emails", "public_email"]}),
    ]

    def get_queryset(self, request):
        return Event.objects.organised_by(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The status moves through the life cycle (the event's page: publish, archive,
        # reopen); the dates of an existing event change through the preview that warns about
        # what no longer fits (/manage/<event>/event/dates/); the modules and languages
        # through the event's page, which checks what each module needs.
        fixed = ["status", "languages", "modules"]
        if obj is not None:
            fixed += ["start_date", "end_date"]
        return fixed

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.ChoiceField(
                choices=TIME_ZONE_CHOICES, initial="Europe/Paris", label=_("Time zone"),
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("public page"))
    def public_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())


@admin.register(StreamLink, site=site)
class StreamLinkAdmin(TranslatedAdmin, EventScopedAdmin):
    list_display = ["label", "event", "day", "visible_from", "visible_until", "state_now"]
    list_filter = ["event"]
    search_fields = ["label"]
    date_hierarchy = "visible_from"

    @admin.display(description=_("state now"))
    def state_now(self, obj):
        return STREAM_STATE_LABELS[obj.state_at(clock.now())]


@admin.register(ContactMessage, site=site)
class ContactMessageAdmin(EventScopedAdmin):
    list_display = ["received_at", "name", "email", "organisation", "topic", "status", "event"]
    list_filter = ["status", "topic", "event"]
    search_fields = ["name", "email", "organisation", "message"]
    date_hierarchy = "received_at"
    readonly_fields = ["event", "name", "email", "organisation", "topic", "message",
                       "received_at", "handled_by", "handled_at"]
    fields = readonly_fields[:7] + ["status", "internal_note", "handled_by", "handled_at"]
    actions = ["mark_answered", "mark_closed"]

    def has_add_permission(self, request, obj=None):
        return False  # messages come from the public form

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            status = obj.status
            original = ContactMessage.objects.get(pk=obj.pk)
            obj.status = original.status
            obj.save(update_fields=["internal_note"])
            services.mark_contact_message(obj, status, by=request.user)
        else:
            super().save_model(request, obj, form, change)

    def _mark(self, request, queryset, status):
        for contact in queryset.select_related("event"):
            services.mark_contact_message(contact, status, by=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d message updated.", "%(count)d messages updated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as answered"))
    def mark_answered(self, request, queryset):
        self._mark(request, queryset, ContactMessage.Status.ANSWERED)

    @admin.action(description=_("Mark as closed without answer"))
    def mark_closed(self, request, queryset):
        self._mark(request, queryset, ContactMessage.Status.CLOSED)


@admin.register(EventCreator, site=site)
class EventCreatorAdmin(admin.ModelAdmin):
    """Platform administrators name the people who may start events (the same service as
    /manage/creators/, so every change is in the audit log)."""

    list_display = ["user", "granted_at", "granted_by"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    fields = ["user"]

    def has_module_permission(self, request):
        return request.user.has_perm("events.manage_creators")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.manage_creators")

    def has_add_permission(self, request):
        return request.user.has_perm("events.manage_creators")

    def has_change_permission(self, request, obj=None):
        return False  # name or remove; nothing to edit

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("events.manage_creators")

    def save_model(self, request, obj, form, change):
        created = services.name_creator(obj.user.email, by=request.user)
        obj.pk = created.pk

    def delete_model(self, request, obj):
        services.remove_creator(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for creator in queryset:
            services.remove_creator(creator, by=request.user)


@admin.register(EventSeries, site=site)
class EventSeriesAdmin(TranslatedAdmin):
    """The series that group editions on the site's root (platform administrators)."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
