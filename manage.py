#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import datetime
import os
import sys
from zoneinfo import ZoneInfo


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luckygas.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    from django.core.exceptions import ImproperlyConfigured

    from luckygas import envfile

    # What the app writes (the SQLite file, backups, import rejects) holds
    # customer data: for its own user only.
    os.umask(0o077)
    try:
        envfile.load()
        # A machine without a SECRET_KEY is a developer's: commands run in
        # development mode there. A server has its key, and stays in production.
        if not os.environ.get("SECRET_KEY"):
            os.environ.setdefault("DEBUG", "1")
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A wrong value in .env: one line saying which, dated in a log.
        line = envfile.problem(error)
        if not sys.stderr.isatty():
            now = datetime.datetime.now(ZoneInfo("Asia/Taipei"))
            command = sys.argv[1] if len(sys.argv) > 1 else "manage.py"
            line = f"{now:%Y-%m-%d %H:%M:%S} {command} {line}"
        sys.exit(line)


if __name__ == "__main__":
    main()
