"""Django's static files app, configured (its own module: a second AppConfig in ``core/apps.py``
would stop Django from choosing ``CoreConfig`` for ``fusionforum.core`` by itself)."""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    """Django's static files, without what the site never serves: ReDoc (the API documentation
    page is Swagger UI), the REST framework's browsable-API assets (the API answers JSON only)
    and the country flags of django-countries (no page shows a flag). Every collected file is
    fingerprinted and compressed twice (gzip and Brotli): these were 40 % of the files and half
    of the CPU of ``collectstatic``."""

    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns,
                       "drf_spectacular_sidecar/redoc/*", "rest_framework/*", "flags/*"]
