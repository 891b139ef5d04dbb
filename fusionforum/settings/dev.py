"""The embedded demo: SQLite under var/, file cache, e-mails written to var/mail/.

The secret key is generated on first use into var/secret_key, the site-access vault's key into
var/vault_keys (both mode 0600, never committed).
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

VAR_DIR.mkdir(parents=True, exist_ok=True)


def _demo_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _demo_secret_key()


def _demo_vault_key() -> str:
    """The site-access vault's own Fernet key (never derived from SECRET_KEY), var/vault_keys."""
    from cryptography.fernet import Fernet

    path = VAR_DIR / "vault_keys"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return path.read_text().strip()


VAULT_KEYS = env.list("VAULT_KEYS", default=[]) or _demo_vault_key().split(",")
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
