"""Test settings: the real settings with a fast password hasher."""

import os

os.environ.setdefault("DEBUG", "1")

from luckygas.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory, so the tests see the same SQLite pragmas (WAL) as users.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": VAR_DIR / "test.sqlite3"}  # noqa: F405
