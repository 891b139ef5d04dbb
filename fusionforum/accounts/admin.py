from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from fusionforum.admin import site

from .forms import UserCreationForm, UserEditForm
from .models import Organisation, User


@admin.register(User, site=site)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "email_verified_at", "is_active",
                    "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "anonymised_at"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "organisation", "email_verified_at"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "anonymised_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "email_verified_at", "anonymised_at"]
    filter_horizontal = ["groups"]


@admin.register(Organisation, site=site)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisers may look organisations up (rules: accounts.view_organisation); only platform
    administrators change them."""

    list_display = ["name", "kind", "country", "fusion_approach", "website", "member_count"]
    list_filter = ["kind", "country", "fusion_approach"]
    search_fields = ["name", "website"]
    ordering = ["name"]
    fields = ["name", "kind", "country", "website", "fusion_approach", "created_at"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="people", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    def has_module_permission(self, request):
        return request.user.has_perm("accounts.view_organisation")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("accounts.view_organisation")


class DeviceAdmin(admin.ModelAdmin):
    """Platform administrators see who has a second factor and can remove a lost one (the
    person then sets up a new one at the next login). Secrets are never shown."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


site.register(TOTPDevice, DeviceAdmin)
site.register(StaticDevice, DeviceAdmin)
