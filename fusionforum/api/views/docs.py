"""The OpenAPI description (JSON or YAML) and its documentation page (Swagger UI, served from
the drf-spectacular-sidecar package by the site itself: no outside host, and no inline script
or style, so the site's Content Security Policy holds unchanged)."""

from __future__ import annotations

import threading

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


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
    """``/api/v1/schema/``: JSON or YAML, by ``?format=json|yaml`` or the Accept header.

    The description depends only on the code and the language (the same for every person:
    it describes what exists, not what one may see), so each process builds it once per
    language and keeps it: building it walks every view and serializer."""

    permission_classes = [AllowAny]
    throttle_classes = []
    _built: dict[str, dict] = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request):
        language = translation.get_language() or ""
        with self._lock:
            schema = self._built.get(language)
        if schema is None:
            version = self.api_version or request.version or self._get_version_parameter(
                request)
            generator = self.generator_class(urlconf=self.urlconf, api_version=version,
                                             patterns=self.patterns)
            schema = generator.get_schema(request=request, public=self.serve_public)
            with self._lock:
                self._built[language] = schema
        return Response(data=schema, headers={
            "Content-Disposition": f'inline; filename="{self._get_filename(request, None)}"'})


class DocsView(ProblemsAsJson, SpectacularSwaggerSplitView):
    """``/api/v1/docs/``: Swagger UI over the schema; its start script is a file of its own
    (``?script``), as CSP's ``script-src 'self'`` wants."""

    permission_classes = [AllowAny]
    throttle_classes = []
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
