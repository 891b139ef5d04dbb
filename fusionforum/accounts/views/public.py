"""Participants' account pages. Thin: read input, call a service, render."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.core.languages import supported
from fusionforum.core.net import client_ip

from .. import affiliations, external, landing, services, twofactor
from ..forms import (
    DeleteAccountForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
    TwoFactorConfirmForm,
    TwoFactorVerifyForm,
)
from ..tokens import InvalidToken

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request) -> str:
    """The ``next`` parameter if it is a local address of this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def two_factor_step(user, next_url: str) -> str:
    """Where a back-office user goes after the password: set up or enter the second factor."""
    name = "accounts:two_factor_verify" if twofactor.has_confirmed_device(user) \
        else "accounts:two_factor_setup"
    return _with_next(reverse(name), next_url)


def _default_destination(user) -> str:
    """Where the person's work is (``landing``): staff on /manage/, experts on their agenda,
    participants on their page for the current event."""
    return landing.destination(user)


AFTER_VERIFICATION = "accounts:after_verification"


def _rate_limited(request, limited: services.RateLimited):
    response = render(request, "accounts/rate_limited.html",
                      {"retry_minutes": max(1, -(-limited.retry_after // 60))}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


# Sign-up and e-mail verification ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:profile")
    status = 200
    if request.method == "POST":
        try:
            services.check_signup_rate(client_ip(request) or "unknown")
        except services.RateLimited as limited:
            return _rate_limited(request, limited)
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.sign_up(
                    full_name=data["full_name"], email=data["email"], password=data["password"],
                    organisation=form.chosen_organisation(), client=client_ip(request),
                    preferred_language=(data["preferred_language"]
                                        or translation.get_language()),
                )
            except ValidationError as exc:
                field = {"email_exists": "email", "organisation_exists": "org_name",
                         "organisation_rate": "org_name"}.get(exc.code)
                form.add_error(field, exc)
                if exc.code == "organisation_rate":
                    return _organisation_rate(request, "accounts/signup.html",
                                              {"form": form, "next": next_url}, exc)
            else:
                auth_login(request, user, backend=MODEL_BACKEND)
                if next_url:
                    # Where to carry on once the address is confirmed (e.g. a registration).
                    request.session[AFTER_VERIFICATION] = next_url
                translation.activate(user.preferred_language)
                messages.success(
                    request, gettext("Welcome! We sent you an e-mail with a link to confirm your "
                                     "address.")
                )
                return remember_language(
                    redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL)),
                    user.preferred_language)
        status = 400
    else:
        form = SignupForm(initial={"preferred_language": translation.get_language()})
    return render(request, "accounts/signup.html", {"form": form, "next": next_url},
                  status=status)


@never_cache
@require_safe
def verify_email(request, token):
    try:
        user, newly = services.verify_email(token)
    except InvalidToken as exc:
        return render(request, "accounts/verify_invalid.html",
                      {"expired": exc.expired, "message": str(exc)}, status=400)
    continue_url = None
    if request.user.is_authenticated and request.user.pk == user.pk:
        continue_url = request.session.pop(AFTER_VERIFICATION, None)
    return render(request, "accounts/verified.html",
                  {"verified_user": user, "newly": newly, "continue_url": continue_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resend_verification(request):
    next_url = safe_next(request)
    user = request.user
    if request.method == "POST":
        try:
            sent = services.resend_verification(user)
        except services.RateLimited as limited:
            return _rate_limited(request, limited)
        if sent:
            messages.success(request, gettext("We sent a new link to %(email)s.")
                             % {"email": user.email})
        else:
            messages.info(request, gettext("Your e-mail address is already confirmed."))
        return redirect(next_url or "accounts:profile")
    return render(request, "accounts/resend_verification.html", {"next": next_url})


# Login, logout, password reset -------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = external.buttons(safe_next(self.request))
        return context

    def form_valid(self, form):
        required = external.required_for(form.get_user())
        if required is not None:
            # The administrator requires single sign-on for this address's staff: the local
            # password does not open the session; the page points to the provider.
            form.add_error(None, gettext(
                "Staff with this e-mail address sign in through %(provider)s, not with a "
                "password here.") % {"provider": required.label})
            response = self.render_to_response(
                self.get_context_data(form=form, required_provider=required))
            response.status_code = 403
            return response
        return super().form_valid(form)

    def get_success_url(self):
        user = self.request.user
        destination = self.get_redirect_url() or _default_destination(user)
        if twofactor.requires_two_factor(user):
            return two_factor_step(user, destination)
        return destination


class LogoutView(auth_views.LogoutView):
    next_page = "front_door"

    def post(self, request, *args, **kwargs):
        saved = external.before_logout(request)
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You are logged out."))
        elsewhere = external.after_logout(request, saved)
        return redirect(elsewhere) if elsewhere else response


@method_decorator(never_cache, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        try:
            services.check_password_reset_rate(client_ip(request) or "unknown")
        except services.RateLimited as limited:
            return _rate_limited(request, limited)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# Two-factor authentication ----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    next_url = safe_next(request)
    if not twofactor.requires_two_factor(user):
        messages.info(request, gettext("Two-factor authentication is for organisers and "
                                       "administrators; your account does not need it."))
        return redirect("accounts:profile")
    if twofactor.has_confirmed_device(user):
        if not twofactor.is_verified(user):
            # Replacing a device takes the current one first.
            return redirect(_with_next(reverse("accounts:two_factor_verify"), next_url))
        return render(request, "accounts/two_factor_enabled.html",
                      {"status": twofactor.status(user), "next": next_url})
    device = twofactor.pending_device(user)
    form = TwoFactorConfirmForm(posted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            codes = twofactor.confirm_device(user, device.pk, form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                twofactor.mark_verified(request, device)
                # Shown once, never stored or cached (never_cache).
                return render(request, "accounts/two_factor_backup_codes.html", {
                    "codes": codes, "next": next_url or _default_destination(user),
                })
            form.add_error("code", gettext("This code is not right. Enter the code your app "
                                           "shows now (check that the phone’s clock is right)."))
        status = 400
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "next": next_url, "qr_svg": twofactor.qr_code_svg(device),
        "secret": twofactor.secret_text(device),
    }, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    next_url = safe_next(request)
    if not twofactor.has_confirmed_device(user):
        return redirect(_with_next(reverse("accounts:two_factor_setup"), next_url))
    if twofactor.is_verified(user):
        return redirect(next_url or _default_destination(user))
    form = TwoFactorVerifyForm(posted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if twofactor.verify(request, form.cleaned_data["code"]) is not None:
                return redirect(next_url or _default_destination(user))
            form.add_error("code", gettext("This code is not right, or was already used. Wait "
                                           "for the next code from your app and try again."))
        status = 400
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url},
                  status=status)


# Profile and personal data ----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    next_url = safe_next(request)
    form = ProfileForm(posted_data(request), user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_profile(user, full_name=form.cleaned_data["full_name"],
                                        organisation=form.chosen_organisation(),
                                        preferred_language=form.cleaned_data["preferred_language"])
            except ValidationError as exc:
                form.add_error("org_name", exc)
                if exc.code == "organisation_rate":
                    return _organisation_rate(request, "accounts/profile.html",
                                              _profile_context(request, form, next_url), exc)
            else:
                kept = [held for held in affiliations.held_with(user)
                        if held.organisation.pk != user.organisation_id]
                # The message is in the language just chosen, as the next page will be.
                translation.activate(user.preferred_language or translation.get_language())
                messages.success(request, " ".join([gettext("Your profile is saved.")] + [
                    gettext("%(what)s stays with %(organisation)s: seats were counted for it; "
                            "write to the organisers to change it.")
                    % {"what": held.what, "organisation": held.organisation} for held in kept]))
                return remember_language(redirect(next_url or "accounts:profile"),
                                         user.preferred_language)
        status = 400
    return render(request, "accounts/profile.html", _profile_context(request, form, next_url),
                  status=status)


def _profile_context(request, form, next_url) -> dict:
    user = request.user
    return {
        "form": form, "next": next_url, "two_factor": twofactor.status(user),
        "two_factor_verified": twofactor.is_verified(user),
        "held_with": affiliations.held_with(user),
    }


def _organisation_rate(request, template: str, context: dict, exc: ValidationError):
    """Too many new organisations: the form again, with the message at the name, as 429."""
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.params["retry_after"])
    return response


@login_required
@require_safe
def export(request):
    data = services.export_personal_data(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"fusionforum-personal-data-{clock.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    form = DeleteAccountForm(posted_data(request), user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                anonymised = services.delete_account(request.user)
            except services.CannotDelete as exc:
                form.add_error(None, str(exc))
            else:
                request.user = anonymised
                auth_logout(request)
                return redirect("accounts:deleted")
        status = 400
    return render(request, "accounts/delete.html", {"form": form}, status=status)


@require_safe
def deleted(request):
    return render(request, "accounts/deleted.html")


# The language switcher ---------------------------------------------------------------------------


@csrf_exempt
@require_POST
def set_language(request):
    """The switcher on every page: remember the language in a cookie (and, for a signed-in
    person, as their preference, for pages, e-mails and documents) and go back to ``next``.

    For a visitor who is not signed in the form carries no CSRF token (it would make every
    public page uncacheable) and only sets a cookie, which a forged request cannot make worse
    than a wrong language. A signed-in person's preference is saved only with a valid token."""
    language = supported(request.POST.get("language"))
    next_url = safe_next(request) or request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = redirect(next_url or "/")
    if language is None:
        return response
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
        services.set_preferred_language(request.user, language)
    return remember_language(response, language)


def remember_language(response, language: str):
    """The language cookie on ``response``: the language stays after logging out."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
