"""gunicorn settings for production; every value can be overridden by the env."""

import gc
import os
import sys
from pathlib import Path

# The app's .env, read before the settings below look for GUNICORN_*, and the
# app's settings checked once, here: a wrong value stops gunicorn in one line
# instead of a traceback from each worker.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from luckygas import envfile  # noqa: E402

try:
    envfile.load()
    import luckygas.settings  # noqa: E402, F401
except ImproperlyConfigured as error:
    sys.exit(envfile.problem(error))

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two cores and fifteen users: a few sync workers with threads are plenty.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
errorlog = "-"
max_requests = 1000
max_requests_jitter = 100
# Keep a browser's connection open between clicks: gunicorn's 2 s default
# closes it while the next request may already be on its way.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))


def post_worker_init(worker):
    """What the worker has loaded (Django, the apps, their libraries) lives as
    long as it does: frozen out of the garbage collector's sight, it is not
    scanned again by each full collection, which otherwise holds up a request
    for tens of milliseconds."""
    gc.collect()
    gc.freeze()
