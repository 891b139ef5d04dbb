"""Settings shared by every environment; everything that differs comes from the environment.

Environment variables (all optional here; production.py makes some of them mandatory):
DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, EMAIL_URL, DEFAULT_FROM_EMAIL,
REDIS_URL, TRUSTED_PROXY_COUNT, FUSIONFORUM_VAR_DIR, CONTACT_RATE_LIMIT, PUBLIC_PAGE_CACHE_SECONDS.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent

env = environ.Env()
VAR_DIR = Path(env.str("FUSIONFORUM_VAR_DIR", default=str(REPO_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# The one public address of the site. Links in e-mails (verification, password reset, offers)
# are built from it, never from the request's Host header.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # before the admin, whose forms it extends
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "fusionforum.core.staticfiles.StaticFilesConfig",  # Django's, without files never served
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "fusionforum.core",
    "fusionforum.accounts",
    "fusionforum.notifications",
    "fusionforum.api",
    "fusionforum.events",
    "fusionforum.registration",
    "fusionforum.cfp",
    "fusionforum.programme",
    "fusionforum.vault",
    "fusionforum.visits",
    "fusionforum.meetings",
    "fusionforum.outcomes",
    "fusionforum.webhooks",
    "fusionforum.sso",
    "fusionforum.personal",
    "fusionforum.announcements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # An unreachable database answers 503 + Retry-After, never the 500 page.
    "fusionforum.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached programme exports for visitors without a session: answered from memory here.
    "fusionforum.programme.middleware.CachedExportMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Under /api/: Django's own error pages as problem+json; ETags and 304s on GET.
    "fusionforum.api.errors.ProblemMiddleware",
    "fusionforum.api.conditional.ApiConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fusionforum.core.middleware.normalise_line_breaks",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The language: after authentication (a signed-in person's preference comes first).
    "fusionforum.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An event's switched-off modules have no pages; an archived event refuses every write.
    "fusionforum.events.modules.ModuleMiddleware",
    "fusionforum.events.archive.ArchivedEventMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fusionforum.urls"
WSGI_APPLICATION = "fusionforum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Databases ------------------------------------------------------------------------------------
# SQLite is the embedded default. IMMEDIATE transactions take the write lock at BEGIN, so two
# writers queue instead of failing half-way with "database is locked"; WAL lets readers go on
# while one writes. PostgreSQL (DATABASE_URL=postgresql://...) is the production database.
SQLITE_PATH = VAR_DIR / "fusionforum.sqlite3"
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}


def _tune_database(db: dict) -> dict:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            }
        )
    elif db["ENGINE"] == "django.db.backends.postgresql":
        # Persistent connections, checked before each request's first query: after a database
        # restart the stale one is replaced at once, without restarting the app servers.
        db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        db["CONN_HEALTH_CHECKS"] = True
        # A host that does not answer at all (no refusal) fails the connect after 5 s, so the
        # request gets its 503 long before the worker timeout; ?connect_timeout= overrides.
        db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return db


DATABASES["default"] = _tune_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache ----------------------------------------------------------------------------------------
# Redis when REDIS_URL is set (several app servers share it); otherwise a file cache under var/,
# which the worker processes of one host share.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="fusionforum"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=300)
# Sessions are stored in the database. With Redis, which every app server shares, each one is
# also kept there and read from there (cached_db: written to both, deleted from both), which
# saves a database query on every signed-in request. Without Redis each host would have a
# cache of its own, which could outlive a logout made on another host: database only.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if REDIS_URL
                  else "django.contrib.sessions.backends.db")

# Background jobs ------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Webhooks -------------------------------------------------------------------------------------
# Webhooks only ever go to public internet addresses; True lets loopback (127.0.0.1, ::1)
# through as well, for tests and a developer's own receiver. Never in production.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)

# Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Identity providers declared here rather than in the back office (docs/sso.md): a JSON list of
# objects with the fields of sso.IdentityProvider, e.g.
# [{"key": "institute", "label": "Institute", "issuer": "https://id.example.org",
#   "client_id": "fusionforum", "client_secret_env": "SSO_INSTITUTE_SECRET"}]
SSO_PROVIDERS = env.json("SSO_PROVIDERS", default=[])
# SAML 2.0 (docs/sso.md): this site's entity id (default: each provider's SP metadata address)
# and the key and certificate files (PEM) it signs its AuthnRequests with (optional).
SAML_SP_ENTITY_ID = env.str("SAML_SP_ENTITY_ID", default="")
SAML_SP_KEY_FILE = env.str("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env.str("SAML_SP_CERT_FILE", default="")
# Where `make demo` runs the demo's identity provider (load_demo declares it).
DEMO_IDP_URL = env.str("DEMO_IDP_URL", default="http://127.0.0.1:8001")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour: a bare "example.org" means https

# Login lockout. The client address comes from REMOTE_ADDR or, behind TRUSTED_PROXY_COUNT
# reverse proxies, from the X-Forwarded-For entry those proxies appended (never the leftmost,
# which the client controls).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "fusionforum.core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form posts "username", holding the e-mail
AXES_USERNAME_CALLABLE = "fusionforum.accounts.models.lockout_username"

# Internationalisation -------------------------------------------------------------------------
# A third language is one more line here and one more catalogue under fusionforum/locale/.
# Language names are written in their own language, as a switcher shows them.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date and number formats per language (fusionforum/formats/<code>/formats.py).
FORMAT_MODULE_PATH = "fusionforum.formats"
LANGUAGE_COOKIE_NAME = "fusionforum_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# What organisers write (event title, sessions, tours…) has one column per language
# (django-modeltranslation; the fields are listed in each app's translation.py). A page shows
# the active language, else the event's default language (core/translated_fields.py), else
# any language that has a value.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = tuple(code for code, _name in LANGUAGES)
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (slides, speaker photos) go to private storage: never served as static files, only
# through views that check who asks. PRIVATE_MEDIA_ROOT must not be below a web server's root.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are fetched only by a developer's tools: served as they are, not compressed
# (Brotli on the libraries' multi-megabyte maps was most of the CPU of collectstatic).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf",
    "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg",
    "webm", "wmv", "map",
)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Email ----------------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587 or consolemail:// (see docs).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Fusion Forum <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

OTP_TOTP_ISSUER = "Fusion Forum"
# Test-only negative control of the capacity tests: False removes the seat lock so the tests can
# show they would catch an oversell. Never set it anywhere else.
REGISTRATION_SEAT_LOCK = True

# Contact form: at most this many submissions per client address per hour.
CONTACT_RATE_LIMIT = env.int("CONTACT_RATE_LIMIT", default=5)

# REST API v1 (docs/api.md): the foundation is fusionforum/api/, each app's views in
# <app>/views/api.py. JSON only (no browsable HTML API: its page needs inline scripts).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fusionforum.api.authentication.TokenAuthentication",
        "fusionforum.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["fusionforum.api.permissions.RulePermission"],
    "DEFAULT_PAGINATION_CLASS": "fusionforum.api.pagination.CursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["fusionforum.api.throttling.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fusionforum.api.errors.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_VERSIONING_CLASS": None,
}
# Requests per window (seconds) for a token, a signed-in session, an anonymous client address.
API_RATE_LIMITS = {
    "token": (env.int("API_RATE_LIMIT_TOKEN", default=600), 60),
    "session": (env.int("API_RATE_LIMIT_SESSION", default=600), 60),
    "anonymous": (env.int("API_RATE_LIMIT_ANONYMOUS", default=120), 60),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fusion Forum API",
    "DESCRIPTION": "REST API v1 of Fusion Forum: the same rights as the web pages. "
                   "Authentication, errors, pagination, ETags and rate limits: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_AUTHENTICATION": [
        "fusionforum.api.authentication.TokenAuthentication",
        "fusionforum.api.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets several components share, named once.
    "ENUM_NAME_OVERRIDES": {
        "RegistrationStatusEnum": "fusionforum.registration.states.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fusionforum.api.schema.add_problems",
    ],
    # Swagger UI from the drf-spectacular-sidecar package, served by the site (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "persistAuthorization": False,
                            "tryItOutEnabled": False},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # pysaml2 logs whole assertions (names, addresses) at INFO and DEBUG.
        "saml2": {"level": "WARNING"},
    },
}
