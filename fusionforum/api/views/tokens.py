"""The account's API tokens page (``/accounts/api-tokens/``): list, create (the token shown
once), revoke. Below the events app, like the account pages, it uses Django's
``login_required``; the services decide the rest (the second factor for staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fusionforum.accounts.twofactor import has_confirmed_device, is_verified
from fusionforum.core import clock
from fusionforum.core.forms import posted_data

from .. import services
from ..forms import REACH_ALL, TokenForm


def _page(request, form, *, created=None, raw=None, status=200):
    user = request.user
    verified = is_verified(user)
    response = render(request, "api/tokens.html", {
        "form": form, "tokens": services.tokens_of(user), "now": clock.now(),
        "may_create": services.may_create(user, verified=verified),
        "needs_second_factor": services.needs_second_factor(user),
        "has_device": has_confirmed_device(user), "created": created, "raw_token": raw,
    }, status=status)
    # The page may carry a token's secret: never kept by a browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response


# The new token's secret waits in the (server-side) session for the page the creation
# redirects to, which shows it once and forgets it: a reload cannot send the form again.
JUST_CREATED = "api_token_just_created"


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    form = TokenForm(posted_data(request), user=request.user)
    if request.method != "POST":
        created = request.session.pop(JUST_CREATED, None)
        token = services.tokens_of(request.user).filter(
            pk=created["id"]).first() if created else None
        return _page(request, form, created=token, raw=created["raw"] if token else None)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        token, raw = services.create_token(
            request.user, name=data["name"], scope=data["scope"],
            expires_in_days=data["expires_in_days"], all_events=data["reach"] == REACH_ALL,
            events=list(data["events"]), verified=is_verified(request.user))
    except PermissionDenied as refused:
        form.add_error(None, str(refused))
        return _page(request, form, status=403)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _page(request, form, status=400)
    request.session[JUST_CREATED] = {"id": token.pk, "raw": raw}
    return redirect("api_tokens:list")


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(services.tokens_of(request.user), pk=pk)
    services.revoke_token(token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.")
                     % {"name": token.name})
    return redirect("api_tokens:list")
