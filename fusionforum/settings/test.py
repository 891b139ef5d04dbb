"""Test settings: the database comes from DATABASE_URL (SQLite by default), fast hashing,
in-process cache unless REDIS_URL is set, e-mail in memory, tasks run at once."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, env

SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789abcdef"
VAULT_KEYS = ["dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI="]  # a fixed Fernet key, tests only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests' webhook receivers listen on 127.0.0.1.
WEBHOOKS_ALLOW_LOOPBACK = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="fusionforum-private-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="fusionforum-media-"))
# Static files come straight from the source folders; nothing is collected for tests.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="fusionforum-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
_OWNER = os.getpid()


@atexit.register
def _remove_temporary_folders():
    # Each process that loads these settings made its own folders; a forked child inherits
    # this hook but not the folders' ownership, so only the process that made them removes them.
    if os.getpid() == _OWNER:
        for folder in (PRIVATE_MEDIA_ROOT, MEDIA_ROOT, STATIC_ROOT):
            shutil.rmtree(folder, ignore_errors=True)


if REDIS_URL:
    # Each test run gets its own key space on the shared Redis.
    # pytest-xdist workers share that Redis: each gets its own key space as well, so one
    # worker's cache invalidation cannot reach another worker's test.
    _worker = env.str("PYTEST_XDIST_WORKER", default="")
    CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="fusionforum-test") + (
        f"-{_worker}" if _worker else ""
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_ENABLED = True
# Persistent connections would outlive the live-server threads of browser tests and keep the
# test database busy at teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# The API's rate limits count on the cache across tests; the suite makes thousands of API
# requests a minute. tests/api/test_foundation.py sets small limits where it tests them.
API_RATE_LIMITS = {"token": (1_000_000, 60), "session": (1_000_000, 60),
                   "anonymous": (1_000_000, 60)}
