"""The organisers' webhook pages: the endpoints of an event, one endpoint with its delivery
log, adding and editing, and the actions (enable, disable, delete, rotate the secret, send a
test, redeliver). Every write goes through ``webhooks.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate

from .. import registry, services
from ..forms import EndpointForm
from ..models import Endpoint, Message

PERMISSION = "webhooks.manage_webhooks"


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for text in errors:
                form.add_error(name if name in form.fields else None, text)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _endpoint(event, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.select_related("event"), event=event, pk=pk)


def _back(event, endpoint=None):
    if endpoint is None:
        return redirect(reverse("webhooks:list", args=[event.slug]))
    return redirect(reverse("webhooks:endpoint", args=[event.slug, endpoint.pk]))


def _labels(names) -> list[str]:
    return [str(registry.EVENT_TYPES[n].label) for n in names if n in registry.EVENT_TYPES]


@gate(PERMISSION, second_factor=True, event_time=True)
@require_safe
def endpoints(request, event):
    rows = [{"endpoint": endpoint, "types": _labels(endpoint.event_types)}
            for endpoint in services.endpoints_of(event)]
    return render(request, "webhooks/list.html", {"event": event, "rows": rows,
                                                  "event_types": registry.EVENT_TYPES.values()})


def _secret_page(request, event, endpoint, secret, *, created: bool):
    return render(request, "webhooks/secret.html", {"event": event, "endpoint": endpoint,
                                                    "secret": secret, "created": created})


@gate(PERMISSION, second_factor=True, event_time=True)
@require_http_methods(["GET", "HEAD", "POST"])
def new_endpoint(request, event):
    form = EndpointForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.create_endpoint(
                event, url=data["url"], description=data["description"],
                event_types=data["event_types"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _secret_page(request, event, endpoint, secret, created=True)
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"event": event, "form": form,
                                                  "endpoint": None}, status=status)


@gate(PERMISSION, second_factor=True, event_time=True)
@require_http_methods(["GET", "HEAD", "POST"])
def edit_endpoint(request, event, pk: int):
    endpoint = _endpoint(event, pk)
    form = EndpointForm(posted_data(request), initial={
        "url": endpoint.url, "description": endpoint.description,
        "event_types": endpoint.event_types})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_endpoint(endpoint, url=data["url"],
                                     description=data["description"],
                                     event_types=data["event_types"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The endpoint was saved."))
            return _back(event, endpoint)
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"event": event, "form": form,
                                                  "endpoint": endpoint}, status=status)


@gate(PERMISSION, second_factor=True, event_time=True)
@require_safe
def endpoint_page(request, event, pk: int):
    endpoint = _endpoint(event, pk)
    log = list(services.delivery_log(endpoint))
    return render(request, "webhooks/endpoint.html", {
        "event": event, "endpoint": endpoint, "types": _labels(endpoint.event_types),
        "log": log, "grace": len(services.signing_secrets(endpoint)) > 1,
        "PENDING": Message.Outcome.PENDING})


@gate(PERMISSION, second_factor=True)
@require_POST
def switch(request, event, pk: int):
    endpoint = _endpoint(event, pk)
    enabled = request.POST.get("enabled") == "1"
    services.set_enabled(endpoint, enabled, by=request.user)
    messages.success(request, _("The endpoint is enabled: waiting messages are sent now.")
                     if enabled else _("The endpoint is disabled: nothing is sent to it."))
    return _back(event, endpoint)


@gate(PERMISSION, second_factor=True)
@require_POST
def delete(request, event, pk: int):
    endpoint = _endpoint(event, pk)
    services.delete_endpoint(endpoint, by=request.user)
    messages.success(request, _("The endpoint %(url)s and its delivery log were deleted.")
                     % {"url": endpoint.url})
    return _back(event)


@gate(PERMISSION, second_factor=True)
@require_POST
def rotate(request, event, pk: int):
    endpoint = _endpoint(event, pk)
    secret = services.rotate_secret(endpoint, by=request.user)
    endpoint.refresh_from_db()
    return _secret_page(request, event, endpoint, secret, created=False)


@gate(PERMISSION, second_factor=True)
@require_POST
def ping(request, event, pk: int):
    endpoint = _endpoint(event, pk)
    try:
        services.send_ping(endpoint, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("A test message was queued; its delivery appears in the "
                                    "log below."))
    return _back(event, endpoint)


@gate(PERMISSION, second_factor=True)
@require_POST
def redeliver(request, event, pk: int, message: int):
    endpoint = _endpoint(event, pk)
    found = get_object_or_404(Message, endpoint=endpoint, pk=message)
    try:
        services.redeliver(found, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The message is being sent again; the attempt appears in "
                                    "the log below."))
    return _back(event, endpoint)
