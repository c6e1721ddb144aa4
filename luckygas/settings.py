"""Settings for the Lucky Gas back office, read from the environment."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} 應為 true 或 false，不是 {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} 應為整數，不是 {value!r}") from None


def env_list(name, default=()):
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or list(default)


def env_path(name, default):
    """A folder from the environment; a relative one is under the checkout,
    wherever the command was started."""
    value = os.environ.get(name)
    return BASE_DIR / value if value else default


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DEBUG 關閉（正式環境）時必須設定 SECRET_KEY")
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "simple_history",
    # The project's own commands (backup) and template tags.
    "luckygas",
    "customers",
    "deliveries",
    "routing",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "luckygas.middleware.LogSlowRequests",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "luckygas.middleware.RefuseNulCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "luckygas.middleware.PrivatePages",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change the history keeps (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luckygas.urls"
WSGI_APPLICATION = "luckygas.wsgi.application"

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
                "luckygas.context_processors.roles",
            ],
            "builtins": ["luckygas.templatetags.roc", "luckygas.templatetags.phones"],
        },
    },
]

# The SQLite file (unless DATABASE_URL points elsewhere), import rejects and
# the cron jobs' log live under var/: customer data, for the app's user only.
VAR_DIR = env_path("VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

# Pragmas the architecture recommends for SQLite, run on every new connection.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA cache_size=-65536;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA mmap_size=268435456;"
)

if os.environ.get("DATABASE_URL"):
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                os.environ["DATABASE_URL"], conn_max_age=600, conn_health_checks=True
            )
        }
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATABASE_URL 無法使用（例：postgres://使用者@主機:5432/資料庫）：{error}"
        ) from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The app's queries take milliseconds; PostgreSQL's JIT compiler, which
        # starts on queries it expects to be long (as after the nightly
        # archiving, before the tables are analyzed again), takes most of a
        # second to compile one.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "luckygas.sqlite3",
            # A worker keeps its connection, and with it SQLite's page cache,
            # between requests; WAL tells it when another process wrote.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "init_command": SQLITE_PRAGMAS,
                # Writers queue for the lock up front instead of failing midway
                # with "database is locked" when a read turns into a write.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Repeated failed logins lock that name from that address for a while
# (django-axes; the address is REMOTE_ADDR, the proxy's behind one, so the
# name is what counts there); a manager lifts it in the admin before then.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文")]
# Traditional Chinese for the screens of libraries that ship none.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Files above this size are refused by the admin import; the management
# commands handle any size.
ADMIN_IMPORT_MAX_BYTES = env_int("ADMIN_IMPORT_MAX_BYTES", 512 * 1024)

# Where import commands write the rows they could not take.
REJECTS_DIR = VAR_DIR / "rejects"
# Each process's memory by default; Redis, shared by all, when REDIS_URL is set.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    if not os.environ["REDIS_URL"].startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "REDIS_URL 應以 redis://、rediss:// 或 unix:// 開頭"
            f"（例：redis://127.0.0.1:6379/0），不是 {os.environ['REDIS_URL']!r}"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "luckygas",
            # Redis out of reach costs a page half a second, not a hang:
            # the page is then computed without the cache (luckygas.caching).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

# The import commands refuse, before reading, a workbook bigger than this or
# one that unpacks to more (the company's history is some 15 MB, 150 unpacked).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 2**20)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 2 * 2**30)

# A query or a request at least this slow is logged (luckygas.slow).
SLOW_QUERY_MS = env_int("SLOW_QUERY_MS", 100)
SLOW_REQUEST_MS = env_int("SLOW_REQUEST_MS", 500)
# Where `manage.py backup` writes; keep it on another disk in production.
BACKUP_DIR = env_path("BACKUP_DIR", VAR_DIR / "backups")

if not DEBUG:
    # Served over HTTPS in production; set these to false on a plain-HTTP LAN.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Browsers keep to HTTPS for a year once they have seen the site over it;
    # Django sends the header on HTTPS responses only, so a plain-HTTP LAN
    # (SECURE_SSL_REDIRECT=false) never receives it.
    SECURE_HSTS_SECONDS = env_int(
        "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_SSL_REDIRECT else 0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_HTTPS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own console handler would print every line a second time.
    "filters": {"no_traceback": {"()": "luckygas.logs.WithoutTraceback"}},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        # A request for a host not in ALLOWED_HOSTS is the client's mistake:
        # one line says which host, without Django's traceback.
        "django.security.DisallowedHost": {"filters": ["no_traceback"]},
        # Its version at each start and four lines a login: the failures and
        # lockouts, which it logs as warnings, are what an administrator reads.
        "axes": {"level": "WARNING"},
    },
}
