"""Settings of the demo server that the page sweeps start (never for a deployment).

The dev settings (a database from DATABASE_URL, the demo's file cache and e-mail), with static
files served straight from the source folders, so the sweep needs no collectstatic and always
sees the stylesheets of the checkout.
"""

from .dev import *  # noqa: F403
from .dev import STORAGES

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The sweeps load the demo (about seventy accounts) and sign each role in; Argon2 would spend
# most of the demo's loading time hashing one known demo password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
