"""The server's settings file, `.env` beside manage.py: read by manage.py and
by the WSGI application themselves, so that gunicorn, cron and a shell read
it alike, whatever characters a password holds. A variable already set in the
environment keeps its value."""

import io
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv.parser import parse_stream

DEFAULT_PATH = Path(__file__).resolve().parent.parent / ".env"


def load(path=None):
    """Put the file's NAME=value lines into os.environ; refuse the whole file,
    naming the line, when one cannot be read."""
    path = Path(path or os.environ.get("ENV_FILE") or DEFAULT_PATH)
    if not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
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
            values[binding.key] = binding.value
    for name, value in values.items():
        os.environ.setdefault(name, value)
