"""The back office. Organisers reach it through their role on an event, not through is_staff.

Everyone who may enter needs a second factor (django-otp): the site lets a session in only once
it is verified. The back office has no login form of its own: its login address sends people to
the participants' login (which then asks for the second factor), to the second-factor step, or
explains that the account has no role.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from fusionforum.accounts.roles import may_enter_back_office
from fusionforum.accounts.twofactor import is_verified
from fusionforum.accounts.views.public import two_factor_step
from fusionforum.core.forms import TextPolicyMixin, TextPolicyModelForm


def _has_policy(form_class) -> bool:
    return issubclass(form_class, TextPolicyMixin)


def _with_policy(form_class):
    if form_class is forms.ModelForm:
        return TextPolicyModelForm
    return type(form_class.__name__, (TextPolicyMixin, form_class), {
        "__module__": form_class.__module__})


class FusionForumAdminSite(admin.AdminSite):
    site_header = "Fusion Forum back office"
    site_title = "Fusion Forum"
    index_title = "Organise your workshop"

    def has_permission(self, request):
        return may_enter_back_office(request.user) and is_verified(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin and inline gets a form under the product's input policy
        (``core.forms.TextPolicyMixin``: line breaks, control and invisible characters), so the
        back office's text inputs follow the same rules as the product's own pages, present
        and future."""
        admin_class = admin_class or admin.ModelAdmin
        attrs = {"__module__": admin_class.__module__}
        if not _has_policy(admin_class.form):
            attrs["form"] = _with_policy(admin_class.form)
        inlines = [inline if _has_policy(inline.form) else type(
            inline.__name__, (inline,), {"form": _with_policy(inline.form),
                                         "__module__": inline.__module__})
            for inline in getattr(admin_class, "inlines", ())]
        if inlines:
            attrs["inlines"] = inlines
        if len(attrs) > 1:
            admin_class = type(admin_class.__name__, (admin_class,), attrs)
        return super().register(model_or_iterable, admin_class, **options)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next") or request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        next_url = next_url or index
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
        if not may_enter_back_office(user):
            return render(request, "accounts/no_back_office.html", status=403)
        if not is_verified(user):
            return redirect(two_factor_step(user, next_url))
        return redirect(next_url)


site = FusionForumAdminSite(name="admin")
