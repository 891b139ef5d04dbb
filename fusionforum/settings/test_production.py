"""The production settings for app servers that tests start (never for a deployment), with the
static files served from the source folders (WhiteNoise's finders) instead of collected ones,
so a test that is not about static files need not spend seconds on collectstatic."""

from .production import *  # noqa: F403
from .production import STORAGES

STORAGES = {**STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
