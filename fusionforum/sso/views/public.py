"""Single sign-on pages: start a sign-in, the provider's answer, proving an existing account,
the refusal page and the page after signing out. Thin: read input, call a service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.accounts import landing, twofactor
from fusionforum.accounts.models import User
from fusionforum.accounts.views.public import MODEL_BACKEND, safe_next, two_factor_step
from fusionforum.core.net import client_ip

from .. import oidc, protocols, providers, saml, services
from ..errors import Refused
from ..forms import LinkPasswordForm
from ..oidc import Assertion

PENDING = "sso_pending_link"
SIGNED_OUT = "sso_signed_out"
CURRENT = "sso_current"


def _refused(request, refused: Refused, provider=None, status: int = 403):
    return render(request, "sso/refused.html",
                  {"message": refused.message, "detail": refused.detail, "provider": provider},
                  status=status)


@never_cache
@require_safe
def start(request, key):
    provider = providers.find(key)
    protocol = protocols.get(provider.protocol) if provider is not None else None
    if protocol is None:
        raise Http404("No such identity provider.")
    try:
        return protocol.start(request, provider, safe_next(request))
    except Refused as refused:
        services.refuse(provider.key, refused.code)
        return _refused(request, refused, provider, status=502)


@never_cache
@require_safe
def oidc_callback(request):
    try:
        pending = oidc.take_state(request)
    except Refused as refused:
        services.refuse("?", refused.code)
        return _refused(request, refused, status=400)
    provider = providers.find(pending["provider"])
    if provider is None:
        return _refused(request, Refused("disabled"), status=404)
    try:
        assertion = oidc.finish(request, provider, pending)
    except Refused as refused:
        services.refuse(provider.key, refused.code)
        status = 502 if refused.code == "unreachable" else 403
        return _refused(request, refused, provider, status=status)
    return _conclude(request, provider, assertion, pending.get("next", ""))


def _saml_provider(key):
    provider = providers.find(key)
    if provider is None or provider.protocol != "saml":
        raise Http404("No such identity provider.")
    return provider


@never_cache
@require_safe
def saml_metadata(request, key):
    """This site's SAML service provider metadata for one identity provider (public)."""
    provider = _saml_provider(key)
    try:
        xml = saml.sp_metadata(provider)
    except Refused as refused:
        return _refused(request, refused, provider, status=502)
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


@csrf_exempt  # the identity provider's page posts here (SAML POST binding); no session is used
@never_cache
@require_http_methods(["GET", "POST"])
def saml_acs(request, key):
    """The assertion consumer service. The POST (cross-site, so without the session cookie)
    keeps the answer and sends the browser back here by GET, where the session is there."""
    provider = _saml_provider(key)
    if request.method == "POST":
        try:
            answer = saml.keep_answer(request.POST.get("SAMLResponse", ""),
                                      client=client_ip(request))
        except Refused as refused:
            services.refuse(provider.key, refused.code)
            return _refused(request, refused, provider,
                            status=429 if refused.code == "too_many" else 400)
        back = redirect(f"{reverse('sso:saml_acs', args=[provider.key])}?answer={answer}")
        back.status_code = 303  # the browser follows by GET
        return back
    try:
        response, next_url = saml.finish(request, provider,
                                         saml.take_answer(request.GET.get("answer", "")))
        assertion = saml.assertion_from_response(provider, response)
    except Refused as refused:
        services.refuse(provider.key, refused.code)
        status = 400 if refused.code in {"state", "malformed"} else 403
        return _refused(request, refused, provider, status=status)
    return _conclude(request, provider, assertion, next_url)


def _conclude(request, provider, assertion: Assertion, next_url: str):
    try:
        user, created = services.resolve(provider, assertion)
    except Refused as refused:
        return _refused(request, refused, provider)
    except services.ProofNeeded as needed:
        request.session[PENDING] = {"assertion": assertion.as_dict(), "user": needed.user.pk,
                                    "next": next_url}
        return redirect("sso:link")
    return _sign_in(request, provider, assertion, user, next_url, created=created)


def _sign_in(request, provider, assertion: Assertion, user, next_url: str, *, created=False):
    auth_login(request, user, backend=MODEL_BACKEND)
    request.session[CURRENT] = {"provider": provider.key, **assertion.logout}
    notes, verified = services.after_sign_in(request, provider, assertion, user)
    for note in notes:
        messages.success(request, note)
    if created:
        messages.success(request, gettext("Welcome! Your account was created with your "
                                          "organisation's sign-in."))
    destination = next_url or landing.destination(user)
    if twofactor.requires_two_factor(user) and not verified:
        return redirect(two_factor_step(user, destination))
    return redirect(destination)


def _pending(request):
    saved = request.session.get(PENDING)
    if not saved:
        return None, None, None, ""
    assertion = Assertion(**saved["assertion"])
    provider = providers.find(assertion.provider_key)
    user = User.objects.filter(pk=saved["user"], is_active=True).first()
    if provider is None or user is None:
        return None, None, None, ""
    return provider, assertion, user, saved.get("next", "")


@never_cache
@require_http_methods(["GET", "POST"])
def link(request):
    provider, assertion, user, next_url = _pending(request)
    if provider is None:
        return _refused(request, Refused("state"), status=400)
    status = 200
    email_sent = False
    form = LinkPasswordForm()
    if request.method == "POST" and request.POST.get("action") == "email":
        token = services.link_token(provider, assertion, user)
        services.send_link_email(provider, assertion, user, settings.SITE_URL + reverse(
            "sso:link_email", args=[token]))
        email_sent = True
    elif request.method == "POST":
        form = LinkPasswordForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                proven = services.link_with_password(request, provider, assertion, user,
                                                     form.cleaned_data["password"])
            except Refused as refused:
                return _refused(request, refused, provider)
            if proven:
                del request.session[PENDING]
                messages.success(request, gettext("Your account is now linked to %(provider)s.")
                                 % {"provider": provider.label})
                return _sign_in(request, provider, assertion, user, next_url)
            form.add_error("password", gettext(
                "This is not the password of this account. Try again, or have a link sent to "
                "the address."))
    return render(request, "sso/link.html", {
        "provider": provider, "email": user.email, "form": form, "email_sent": email_sent,
    }, status=status)


@never_cache
@require_safe
def link_email(request, token):
    provider, assertion, user, next_url = _pending(request)
    if provider is None:
        return _refused(request, Refused("state"), status=400)
    try:
        proven = services.link_with_email_token(provider, assertion, user, token)
    except Refused as refused:
        return _refused(request, refused, provider)
    if not proven:
        return render(request, "sso/refused.html", {"message": gettext(
            "This link is not valid for the sign-in waiting in this browser: it is too old, "
            "or was opened in another browser. Start again from the log-in page.")},
            status=400)
    del request.session[PENDING]
    messages.success(request, gettext("Your account is now linked to %(provider)s.")
                     % {"provider": provider.label})
    return _sign_in(request, provider, assertion, user, next_url)


@never_cache
@require_safe
def signed_out(request):
    saved = request.session.get(SIGNED_OUT)
    if not saved:
        return redirect("front_door")
    return render(request, "sso/signed_out.html", saved)

