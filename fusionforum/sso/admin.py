from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fusionforum.admin import site

from . import services
from .models import IdentityProvider, Link


@admin.register(IdentityProvider, site=site)
class IdentityProviderAdmin(admin.ModelAdmin):
    """Identity providers people sign in with (every change goes through the service, so it is
    in the audit log). Providers declared in the environment (SSO_PROVIDERS) are listed on the
    log-in page too but are not edited here."""

    list_display = ["label", "key", "protocol", "email_domains", "enforces_second_factor",
                    "required_for_staff", "enabled", "position"]
    list_filter = ["protocol", "enabled"]
    search_fields = ["label", "key", "email_domains"]
    fieldsets = [
        (None, {"fields": ["key", "protocol", "label", "position", "enabled"]}),
        (_("OpenID Connect"), {"fields": ["issuer", "client_id", "client_secret_env",
                                          "scopes"]}),
        (_("SAML 2.0"), {"fields": ["entity_id", "metadata_url", "metadata_xml",
                                    "email_attribute"]}),
        (_("Who"), {"fields": ["email_domains", "required_for_staff"]}),
        (_("Roles"), {"fields": ["groups_claim", "creator_groups"]}),
        (_("Second factor"), {"fields": ["enforces_second_factor", "accepted_acr",
                                         "accepted_amr"]}),
    ]

    def has_module_permission(self, request):
        return request.user.has_perm("sso.manage_providers")

    def save_model(self, request, obj, form, change):
        services.save_provider(obj, by=request.user, change=change)

    def delete_model(self, request, obj):
        services.delete_provider(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for provider in queryset:
            services.delete_provider(provider, by=request.user)


@admin.register(Link, site=site)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["user", "provider_key", "subject", "linked_at", "last_sign_in_at"]
    list_filter = ["provider_key"]
    search_fields = ["user__email", "subject"]
    readonly_fields = ["user", "provider_key", "subject", "linked_at", "last_sign_in_at"]

    def has_module_permission(self, request):
        return request.user.has_perm("sso.manage_providers")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.unlink(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            services.unlink(link, by=request.user)
