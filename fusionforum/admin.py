"""The back office. Organisers reach it through their role on an event, not through is_staff."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm


def may_enter_back_office(user) -> bool:
    if not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    from fusionforum.events.rules import is_any_organiser

    return is_any_organiser(user)


class BackOfficeLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        if not may_enter_back_office(user):
            raise forms.ValidationError(
                "This account has no organiser role. Ask the workshop's organisers for access.",
                code="no_role",
            )


class FusionForumAdminSite(admin.AdminSite):
    site_header = "Fusion Forum back office"
    site_title = "Fusion Forum"
    index_title = "Organise your workshop"
    login_form = BackOfficeLoginForm

    def has_permission(self, request):
        return may_enter_back_office(request.user)


site = FusionForumAdminSite(name="admin")
