"""The OpenAPI description (JSON or YAML) and its documentation page (Swagger UI, served from
the drf-spectacular-sidecar package by the site itself: no outside host, and no inline script
or style, so the site's Content Security Policy holds unchanged)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    """``/api/v1/schema/``: JSON or YAML, by ``?format=json|yaml`` or the Accept header."""

    permission_classes = [AllowAny]
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    """``/api/v1/docs/``: Swagger UI over the schema; its start script is a file of its own
    (``?script``), as CSP's ``script-src 'self'`` wants."""

    permission_classes = [AllowAny]
    throttle_classes = []
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
