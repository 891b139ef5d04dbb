"""REST API v1: the foundation every app's API views stand on.

Personal API tokens (models, services, the account page's token pages), authentication,
the bridge from DRF permissions to the apps' named django-rules permissions, errors as
``application/problem+json``, cursor pagination, ETags, rate limits and the OpenAPI schema and
documentation. Each app keeps its own representations (``<app>/serializers.py``) and API views
(``<app>/views/api.py``, mounted by ``<app>/urls/api.py``); ``fusionforum/urls.py`` gathers
them under ``/api/v1/``.
"""
