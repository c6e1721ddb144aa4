"""The server's settings file, `.env` beside manage.py: read by manage.py and
by the WSGI application themselves, so that gunicorn, cron and a shell read
it alike, whatever characters a password holds. A variable already set in the
environment keeps its value."""

import difflib
import io
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv.parser import parse_stream

DEFAULT_PATH = Path(__file__).resolve().parent.parent / ".env"

# The settings the app reads (luckygas/settings.py, gunicorn.conf.py): a name
# in .env that is none of them is a typo whose value would silently be lost.
KNOWN = {
    "ADMIN_IMPORT_MAX_BYTES",
    "ALLOWED_HOSTS",
    "BACKUP_DIR",
    "BEHIND_HTTPS_PROXY",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DEBUG",
    "GUNICORN_BIND",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_WORKERS",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_UNPACKED_BYTES",
    "LOG_LEVEL",
    "REDIS_URL",
    "SECRET_KEY",
    "SECURE_COOKIES",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SLOW_QUERY_MS",
    "SLOW_REQUEST_MS",
    "VAR_DIR",
}


def unknown_name(name):
    """Why `name` is refused, or None for a setting (or libpq's PG...)."""
    if name in KNOWN or name.startswith("PG"):
        return None
    close = difflib.get_close_matches(name, KNOWN, n=1)
    hint = f"（是不是 {close[0]}？）" if close else ""
    return f"{name} 不是本系統的設定{hint}"


def problem(error):
    """The one line a wrong setting stops a command or the server with."""
    return f"設定有誤（.env 或環境變數）：{error}"


def load(path=None):
    """Put the file's NAME=value lines into os.environ; refuse the whole file,
    naming the line, when one cannot be read."""
    path = Path(path or os.environ.get("ENV_FILE") or DEFAULT_PATH)
    if not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise ImproperlyConfigured(f"{path} 無法讀取：沒有讀取權限") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"{path} 無法讀取：{error}") from None
    values = {}
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original
        if binding.error or (binding.key and binding.value is None):
            raise ImproperlyConfigured(
                f"{path} 第 {line.line} 行應為 名稱=值，不是 {line.string.strip()!r}"
            )
        if binding.key:
            if reason := unknown_name(binding.key):
                raise ImproperlyConfigured(f"{path} 第 {line.line} 行：{reason}")
            values[binding.key] = binding.value
    for name, value in values.items():
        os.environ.setdefault(name, value)
