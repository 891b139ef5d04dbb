"""Settings of the app servers that the concurrency tests start (never for a deployment).

The dev settings (a database from DATABASE_URL, the demo's file cache and e-mail) plus the
one switch of the tests' negative control: FUSIONFORUM_TEST_DISABLE_SEAT_LOCK=1 removes the
seat lock, so the tests can show that they would catch an oversell. Only this module reads the
variable; dev and production settings never do.
"""

from .dev import *  # noqa: F403
from .dev import env

REGISTRATION_SEAT_LOCK = not env.bool("FUSIONFORUM_TEST_DISABLE_SEAT_LOCK", default=False)
