"""The OpenAPI description (JSON or YAML) and its documentation page (Swagger UI, served from
the drf-spectacular-sidecar package by the site itself: no outside host, and no inline script
or style, so the site's Content Security Policy holds unchanged)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer


class ProblemsAsJson:
    """A refusal of these pages (a method they do not serve, a dead token) is problem+json
    like every other answer of the API, whatever format the page itself renders."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = response.get("Content-Type",
                                                        "application/problem+json")
        return response


class SchemaView(ProblemsAsJson, SpectacularAPIView):
    """``/api/v1/schema/``: JSON or YAML, by ``?format=json|yaml`` or the Accept header."""

    permission_classes = [AllowAny]
    throttle_classes = []


class DocsView(ProblemsAsJson, SpectacularSwaggerSplitView):
    """``/api/v1/docs/``: Swagger UI over the schema; its start script is a file of its own
    (``?script``), as CSP's ``script-src 'self'`` wants."""

    permission_classes = [AllowAny]
    throttle_classes = []
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
