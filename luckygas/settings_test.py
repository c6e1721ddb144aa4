"""Test settings: the real settings with a fast password hasher."""

import os

os.environ.setdefault("DEBUG", "1")

from luckygas.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
