"""The base of every API view: the permission bridge, the token's limits, pagination and the
record of a token's use.

``ApiViewSet`` is a read-only DRF viewset whose subclasses say, per action, the named
permission the web asks (``permissions``), which of those need a verified second factor as
the web's staff pages do (``second_factor``), and for which an anonymous person is told to
authenticate (401, ``login_first``) rather than told nothing (404). The object the permission
is asked about is what ``permission_object()`` returns (default: the event of the address,
loaded by ``event_loader``: the events app's ``access.api_event``).
"""

from __future__ import annotations

from rest_framework import viewsets

from . import services
from .permissions import check, token_of


class ApiViewSet(viewsets.GenericViewSet):
    permissions: dict[str, str] = {}
    second_factor: tuple[str, ...] = ()
    login_first: tuple[str, ...] = ()
    cursor_key = "pk"
    lookup_value_regex = r"[^/]+"

    def finalize_response(self, request, response, *args, **kwargs):
        token = token_of(request)
        if token is not None and response.status_code < 400:
            services.note_use(token)
        rate = getattr(request, "api_rate", None)
        if rate is not None:  # the window's limit, what is left of it, seconds to its end
            response["RateLimit-Limit"], response["RateLimit-Remaining"], \
                response["RateLimit-Reset"] = (str(value) for value in rate)
        return super().finalize_response(request, response, *args, **kwargs)

    def check_rule(self, obj) -> None:
        """Ask this action's named permission about ``obj`` (404/401/403 as the web)."""
        check(self.request, self, obj)


class OwnListViewSet(ApiViewSet):
    """A list of the signed-in person's own rows ("my registrations", "my submissions") in every
    event the token reaches: ``get_queryset`` says which rows; the named permission of ``list``
    is asked about no object (it says who may have such rows at all)."""

    def list(self, request):
        self.check_rule(None)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
