"""Query parameters of the API's lists, read one way everywhere: empty means "not given", and a
value that is not what the parameter takes is a 400 naming the parameter (problem+json)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from rest_framework import exceptions


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Give a whole number.")]}) from None


def date_param(request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None
