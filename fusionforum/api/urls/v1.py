"""The foundation's own API addresses: the schema and its documentation. Each app's API
addresses are in its ``urls/api.py``; ``fusionforum/urls.py`` mounts them all under
``/api/v1/`` in the namespace ``api``."""

from django.urls import path

from ..views import docs

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
]
