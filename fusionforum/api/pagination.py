"""Cursor pagination for every list of the API.

A cursor is an opaque token (``?cursor=``) naming the last item seen and the direction, so a
page never repeats or skips an item when items are added before it, which page numbers
would. It works on querysets (ordered on a unique key, the view's ``cursor_key``) and on the
lists a released programme's snapshot gives (kept in that same order). ``?page_size=``
chooses up to ``MAX_PAGE_SIZE`` items (default ``PAGE_SIZE``).
"""

from __future__ import annotations

import base64
import json
from operator import attrgetter, itemgetter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class InvalidCursor(exceptions.NotFound):
    default_detail = _("This cursor is not valid: start again from the first page.")
    default_code = "invalid_cursor"


def _plain(value):
    """A key as the cursor carries it (dates as ISO text, which the database compares too)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _encode(value, backwards: bool) -> str:
    raw = json.dumps({"k": value, "b": backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(text: str):
    try:
        padded = text + "=" * (-len(text) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        key, backwards = data["k"], data["b"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidCursor() from None
    if not isinstance(key, int | str) or isinstance(key, bool) or not isinstance(backwards,
                                                                                  bool):
        raise InvalidCursor()
    return key, backwards


class CursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Give a whole number.")]}) from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("Give a number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        key = getattr(view, "cursor_key", "pk")
        size = self.page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        after, backwards = _decode(raw) if raw else (None, False)
        if isinstance(queryset, QuerySet):
            items = self._from_queryset(queryset, key, after, backwards, size)
            getter = attrgetter(key)
        else:
            getter = itemgetter(key) if queryset and isinstance(queryset[0], dict) \
                else attrgetter(key)

        def value_of(item):
            return _plain(getter(item))

        if not isinstance(queryset, QuerySet):
            items = self._from_sequence(list(queryset), value_of, after, backwards, size)
        more = len(items) > size
        items = items[:size]
        if backwards:
            items.reverse()
        self.has_next = (more and not backwards) or (backwards and after is not None)
        self.has_previous = (more and backwards) or (not backwards and after is not None)
        self.first_key = value_of(items[0]) if items else None
        self.last_key = value_of(items[-1]) if items else None
        if not items and after is not None:
            self.has_next = self.has_previous = False
        return items

    @staticmethod
    def _from_queryset(queryset, key, after, backwards, size):
        try:
            if after is not None:
                queryset = queryset.filter(**{f"{key}__{'lt' if backwards else 'gt'}": after})
            return list(queryset.order_by(f"-{key}" if backwards else key)[:size + 1])
        except (ValueError, TypeError, DjangoValidationError):
            raise InvalidCursor() from None

    @staticmethod
    def _from_sequence(items, value_of, after, backwards, size):
        if after is not None:
            keys = [value_of(item) for item in items]
            try:
                index = keys.index(after)
            except ValueError:
                raise InvalidCursor() from None
            items = list(reversed(items[:index])) if backwards else items[index + 1:]
        elif backwards:
            items = list(reversed(items))
        return items[:size + 1]

    def _link(self, key, backwards) -> str:
        url = self.request.build_absolute_uri()
        if key is None:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, _encode(key, backwards))

    def get_next_link(self):
        return self._link(self.last_key, False) if self.has_next and self.last_key is not None \
            else None

    def get_previous_link(self):
        if not self.has_previous or self.first_key is None:
            return None
        return self._link(self.first_key, True)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(),
                         "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "The cursor of the page, from a previous page's next or previous "
                            "link.", "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Items per page (1 to {MAX_PAGE_SIZE}, default {PAGE_SIZE}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
        ]
