"""Homecoming settings: one module, read from the environment.

SQLite file by default; PostgreSQL when DATABASE_URL is set. Every variable is listed in
.env.example. Typed helpers refuse malformed values instead of guessing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("HOMECOMING_DATA_DIR", str(BASE_DIR / "var")))
DEBUG = env_bool("DEBUG", False)
# PRODUCTION=true refuses to start unsafe: a weak or missing SECRET_KEY, DEBUG on, hosts not
# named; and turns on HTTPS-only cookies, HSTS and the redirect to HTTPS.
PRODUCTION = env_bool("PRODUCTION", False)


def local_secret_key(path: Path) -> str:
    """Outside production, a random key kept beside the data (never a key known to all).

    Kept in a file so that sessions survive a restart; if the folder is not writable, a key
    for this process only.
    """
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(key)
        except FileExistsError:
            return path.read_text("utf-8").strip()  # another process wrote it first
        except OSError:
            pass
        return key


SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The cache every web process must share (docs/scaling.md): the API's throttles, the public
# statistics' suppressed tables and the counts of long lists. `db`: a table in the database
# (homecoming_cache, made by a migration); `redis://host:port/db`: Redis (pip install
# '.[scale]'); `locmem`: each process's own memory, for development and tests only (with N
# processes a client would get N times the API limits). Unset: locmem, and db in production,
# which needs nothing the app does not already have; an explicit locmem there is refused.
CACHE_URL = env_str("CACHE_URL", "") or ("db" if PRODUCTION else "locmem")
# Where the app's duplicate search runs splink: `duckdb` in the worker process, or `spark`
# (pip install '.[spark]', Java 17; the master and the rest from the usual Spark settings).
DEDUP_ENGINE = env_str("DEDUP_ENGINE", "duckdb")
if DEDUP_ENGINE not in {"duckdb", "spark"}:
    raise ImproperlyConfigured(f"DEDUP_ENGINE={DEDUP_ENGINE!r} is not duckdb or spark")
if PRODUCTION:
    problems = []
    if CACHE_URL == "locmem":
        problems.append("CACHE_URL must be db or redis://... (shared by every web process)")
    if DEBUG:
        problems.append("DEBUG must be false")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or "insecure" in SECRET_KEY:
        problems.append("SECRET_KEY must be set to a random value of 50 characters or more")
    if not os.environ.get("ALLOWED_HOSTS") or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the site's host names (no '*')")
    if not os.environ.get("SITE_URL", "").startswith("https://"):
        problems.append("SITE_URL must be the site's https:// address (links in SMS and e-mail)")
    if problems:
        raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(problems))
elif not SECRET_KEY:
    SECRET_KEY = local_secret_key(DATA_DIR / "secret_key")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The site's public address: links in SMS and e-mail (the family pages, the audit of reads)
# are SITE_URL + path, since a phone cannot open a relative link. Required in production.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# A refused form is answered in the app's layout, saying what to do (core/middleware.py).
CSRF_FAILURE_VIEW = "homecoming.core.middleware.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "homecoming.core",
    "homecoming.accounts",
    "homecoming.geography",
    "homecoming.registry",
    "homecoming.housing",
    "homecoming.allocation",
    "homecoming.readiness",
    "homecoming.handover",
    "homecoming.network",
    "homecoming.dashboard",
    "homecoming.opendata",
    "homecoming.reports",
    "homecoming.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "homecoming.core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "homecoming.core.middleware.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "homecoming.accounts.middleware.SessionTimeoutMiddleware",
    "homecoming.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a lockout flagged during authentication into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "homecoming" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "homecoming.accounts.context_processors.role",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'homecoming.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # A new PostgreSQL connection per request costs a server process and a sign-in;
        # production keeps each worker's for a minute (checked before reuse). Tests and
        # the development server open one per request, as Django advises.
        conn_max_age=env_int(
            "DB_CONN_MAX_AGE", 60 if PRODUCTION and DATABASE_URL.startswith("postgres") else 0
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads; the busy timeout absorbs the
    # short write locks the two processes take on one file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict[str, object]:
    """The default cache named by CACHE_URL: locmem, db or redis(s)://host:port/db."""
    if url == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url == "db":
        # Culling counts the table on each write and drops a third of it past MAX_ENTRIES:
        # room for every client's throttle history, so culling does not reset the limits.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "homecoming_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    if re.match(r"rediss?://", url):
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured("CACHE_URL=redis://... needs redis: pip install '.[scale]'")
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL={url!r} is not locmem, db or redis://host:port/db")


CACHES = {"default": cache_from_url(CACHE_URL)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Staff sign-in (docs/security.md, "Staff sign-in").
# Every password check goes through axes first: after SIGNIN_FAILURE_LIMIT failures within
# SIGNIN_LOCKOUT_MINUTES, for one username or from one client address, even the right
# password is refused until that many minutes pass without a new failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SIGNIN_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 10)
SIGNIN_LOCKOUT_MINUTES = env_int("SIGNIN_LOCKOUT_MINUTES", 15)
# How many reverse proxies we run in front of the app (staff lockouts, family sign-in
# limits, API throttles). 0: the client is REMOTE_ADDR and X-Forwarded-For is ignored
# (anyone can write it). N > 0: the client is the N-th address from the right of
# X-Forwarded-For, the one our own outermost proxy appended.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_FAILURE_LIMIT = SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = SIGNIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False  # a success must not wipe a client's failures on other accounts
AXES_CLIENT_IP_CALLABLE = "homecoming.core.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "homecoming.accounts.signin.lockout_response"
AXES_VERBOSE = False
# Second factor (TOTP, with single-use backup codes): required for these roles; a user who
# enrolled a device always needs it, whatever the role.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "administrator")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Homecoming")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions: logged out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS
# after signing in, whatever happens in between.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# API tokens: only a hash is stored; each expires after API_TOKEN_DAYS.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
# Requests per client address (anonymous), per user, and to /api/token/ per address.
API_THROTTLE_RATES = {
    "anon": env_str("API_THROTTLE_ANON", "60/minute"),
    "user": env_str("API_THROTTLE_USER", "1200/minute"),
    "token": env_str("API_THROTTLE_TOKEN", "20/minute"),
}

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("az", _("Azerbaijani")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "homecoming" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Baku")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# Leaflet's JS, CSS and images as the django-leaflet package ships them, served under
# static/leaflet/. Not an installed app: its admin would import GeoDjango (GDAL); the
# package is found without importing it (its __init__ reads settings).
_LEAFLET = importlib.util.find_spec("leaflet")
if _LEAFLET is None or _LEAFLET.origin is None:
    raise ImproperlyConfigured("django-leaflet is not installed (pip install -e .)")
STATICFILES_DIRS = [("leaflet", Path(_LEAFLET.origin).parent / "static" / "leaflet")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves static files from the apps directly when they were not collected, so
# `homecoming demo` works without a collectstatic step; production runs collectstatic.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded files are never served from MEDIA_URL: evidence and import files go out only
# through permission-checked views, as attachments (docs/security.md, "Files").
MEDIA_URL = "media/"

# Files (docs/security.md, "Files"): upload sizes and what an archive (ZIP, XLSX) may unpack to.
MIB = 1024 * 1024
FILE_LIMITS = {
    # hard cap on any one uploaded file: bytes past it are not even stored
    "upload_max_bytes": env_int("HOMECOMING_UPLOAD_MAX_BYTES", 200 * MIB),
    # registry (CSV, XLSX, ODK/KoBo), network (CSV, GeoJSON, OSM PBF) and hazard imports
    "import_max_bytes": env_int("HOMECOMING_IMPORT_MAX_BYTES", 200 * MIB),
    "evidence_max_bytes": env_int("HOMECOMING_EVIDENCE_MAX_BYTES", 20 * MIB),
    # an archive: all entries together, and each one, unpacked
    "unpacked_max_bytes": env_int("HOMECOMING_UNPACKED_MAX_BYTES", 300 * MIB),
    "zip_max_entries": env_int("HOMECOMING_ZIP_MAX_ENTRIES", 1000),
    # unpacked/packed size of one entry, checked for entries above zip_ratio_min_bytes
    "zip_max_ratio": env_int("HOMECOMING_ZIP_MAX_RATIO", 100),
    "zip_ratio_min_bytes": env_int("HOMECOMING_ZIP_RATIO_MIN_BYTES", 1 * MIB),
}
FILE_UPLOAD_HANDLERS = [
    "homecoming.core.files.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django's defaults, stated: form fields other than files up to 2.5 MB; an uploaded file
# above 2.5 MB goes to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a missing or bad token is answered 401 with WWW-Authenticate: Token.
        "homecoming.accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "homecoming.accounts.tokens.AnonThrottle",
        "homecoming.accounts.tokens.UserThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # 0: REMOTE_ADDR, never a client-sent header
    "DEFAULT_PERMISSION_CLASSES": ["homecoming.accounts.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "homecoming.core.paging.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "homecoming.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "homecoming.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "homecoming.core.parsers.JSONParser",
        "homecoming.core.parsers.FormParser",
        "homecoming.core.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Homecoming API",
    "DESCRIPTION": "Registry, housing and allocation of the return programme",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {"HazardStatusEnum": "homecoming.readiness.models.HazardStatus"},
}

# Seconds without a heartbeat after which a running job or import is taken for dead (its
# process was killed) and marked failed by the sweep (worker start-up and loop, CLI import).
JOB_HEARTBEAT_TIMEOUT = env_int("JOB_HEARTBEAT_TIMEOUT", 300)
if JOB_HEARTBEAT_TIMEOUT < 1:
    raise ImproperlyConfigured(f"JOB_HEARTBEAT_TIMEOUT={JOB_HEARTBEAT_TIMEOUT} must be 1 or more")

# Optimiser runs fanned out over the workers (allocation.fanout): the settlements in up to
# this many part jobs, with the lottery baseline and the bound as jobs beside them; 0: every
# run in one job. Worth it on PostgreSQL with several workers; a run may choose otherwise.
ALLOCATION_FANOUT_PARTS = env_int("ALLOCATION_FANOUT_PARTS", 0)
if ALLOCATION_FANOUT_PARTS < 0:
    raise ImproperlyConfigured("ALLOCATION_FANOUT_PARTS must be 0 or more")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Handover: days a family has to answer an offer, and the dotted path of the class that
# sends the outbox's SMS and e-mail (console, file or a real gateway's adapter).
HANDOVER_OFFER_DAYS = env_int("HANDOVER_OFFER_DAYS", 14)
HANDOVER_MESSAGE_BACKEND = env_str(
    "HANDOVER_MESSAGE_BACKEND", "homecoming.handover.messaging.ConsoleBackend"
)

# Family sign-in (docs/security.md, "Family sign-in"): one-time codes of FAMILY_CODE_DIGITS
# digits, valid FAMILY_CODE_MINUTES. Counters run over fixed windows of
# FAMILY_SIGNIN_WINDOW_MINUTES: codes sent per registration number, code requests per client,
# wrong codes per registration number and per client. A test recomputes the expected number of
# accounts 100 addresses could take in a year from these values and keeps it below 0.01.
FAMILY_CODE_DIGITS = env_int("FAMILY_CODE_DIGITS", 8)
FAMILY_CODE_MINUTES = env_int("FAMILY_CODE_MINUTES", 10)
FAMILY_SIGNIN_WINDOW_MINUTES = env_int("FAMILY_SIGNIN_WINDOW_MINUTES", 24 * 60)
FAMILY_CODES_PER_NUMBER = env_int("FAMILY_CODES_PER_NUMBER", 5)
FAMILY_CODES_PER_CLIENT = env_int("FAMILY_CODES_PER_CLIENT", 20)
FAMILY_FAILS_PER_NUMBER = env_int("FAMILY_FAILS_PER_NUMBER", 10)
FAMILY_FAILS_PER_CLIENT = env_int("FAMILY_FAILS_PER_CLIENT", 20)
for _name in (
    "FAMILY_CODE_MINUTES",
    "FAMILY_SIGNIN_WINDOW_MINUTES",
    "FAMILY_CODES_PER_NUMBER",
    "FAMILY_CODES_PER_CLIENT",
    "FAMILY_FAILS_PER_NUMBER",
    "FAMILY_FAILS_PER_CLIENT",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
if not 6 <= FAMILY_CODE_DIGITS <= 12:
    raise ImproperlyConfigured("FAMILY_CODE_DIGITS must be between 6 and 12")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
del _name

# Monthly reports (docs/reports.md): the worker generates last month's report of the programme
# and of each district in these languages early each month (empty: no scheduled reports).
MONTHLY_REPORT_LANGUAGES = env_list("MONTHLY_REPORT_LANGUAGES", "az,en,ru")
if set(MONTHLY_REPORT_LANGUAGES) - {code for code, _label in LANGUAGES}:
    raise ImproperlyConfigured("MONTHLY_REPORT_LANGUAGES names a language the app lacks")

# Reads and exports of personal data are recorded (homecoming.core.access). When one user's
# records read over the last rolling hour pass BULK_READ_ALERT_PER_HOUR (0: never), the
# administrators are alerted once per user per hour: a line on their dashboard and an e-mail
# in the outbox, to BULK_READ_ALERT_TO if set, else to every active administrator's address.
BULK_READ_ALERT_PER_HOUR = env_int("BULK_READ_ALERT_PER_HOUR", 500)
BULK_READ_ALERT_TO = env_str("BULK_READ_ALERT_TO", "")
if BULK_READ_ALERT_PER_HOUR < 0:
    raise ImproperlyConfigured("BULK_READ_ALERT_PER_HOUR must be 0 or more")

# Retention (docs/operations.md, "Retention"): days each kind is kept past its end before
# `homecoming purge` deletes or anonymises it; the worker purges every RETENTION_PURGE_HOURS
# (0: never, leave it to cron).
RETENTION_CODE_DAYS = env_int("RETENTION_CODE_DAYS", 1)  # after the code expires
RETENTION_IDEMPOTENCY_DAYS = env_int("RETENTION_IDEMPOTENCY_DAYS", 7)  # after the request
RETENTION_SIGNIN_COUNTER_DAYS = env_int("RETENTION_SIGNIN_COUNTER_DAYS", 2)  # after its window
RETENTION_MESSAGE_DAYS = env_int("RETENTION_MESSAGE_DAYS", 30)  # after sent or failed for good
RETENTION_IMPORT_FILE_DAYS = env_int("RETENTION_IMPORT_FILE_DAYS", 90)  # after the import ended
RETENTION_ACCESS_LOG_DAYS = env_int("RETENTION_ACCESS_LOG_DAYS", 90)  # staff sign-in records
RETENTION_TASK_DAYS = env_int("RETENTION_TASK_DAYS", 7)  # finished task-queue rows
# reads and exports of personal data, and bulk-read alerts (docs/audit.md, "Reads and exports")
RETENTION_ACCESS_EVENT_DAYS = env_int("RETENTION_ACCESS_EVENT_DAYS", 730)
RETENTION_PURGE_HOURS = env_int("RETENTION_PURGE_HOURS", 24)
for _name in (
    "RETENTION_CODE_DAYS",
    "RETENTION_IDEMPOTENCY_DAYS",
    "RETENTION_SIGNIN_COUNTER_DAYS",
    "RETENTION_MESSAGE_DAYS",
    "RETENTION_IMPORT_FILE_DAYS",
    "RETENTION_ACCESS_LOG_DAYS",
    "RETENTION_TASK_DAYS",
    "RETENTION_ACCESS_EVENT_DAYS",
):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must be 0 or more (days)")
if RETENTION_PURGE_HOURS < 0:
    raise ImproperlyConfigured("RETENTION_PURGE_HOURS must be 0 or more")
del _name

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    # Behind a reverse proxy that terminates TLS, it tells us the original scheme.
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The browsable API's pages carry inline scripts; production answers JSON only.
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]

# Travel times (docs/network-engine.md): the pages and the API take the same path as
# `homecoming travel --method`: auto (the contraction hierarchy from 50,000 nodes when
# routingkit-cch is installed), scipy or cch. The hierarchy's node order is cached under
# the data directory; the budget bounds the working memory of a scenario on the scipy path.
TRAVEL_METHOD = env_str("TRAVEL_METHOD", "auto")
if TRAVEL_METHOD not in {"auto", "scipy", "cch"}:
    raise ImproperlyConfigured(f"TRAVEL_METHOD={TRAVEL_METHOD!r} is not auto, scipy or cch")
if TRAVEL_METHOD == "cch" and importlib.util.find_spec("routingkit_cch") is None:
    raise ImproperlyConfigured("TRAVEL_METHOD=cch needs routingkit-cch: pip install '.[cch]'")
TRAVEL_MEMORY_BUDGET_MB = env_int("TRAVEL_MEMORY_BUDGET_MB", 1024)
if TRAVEL_MEMORY_BUDGET_MB < 1:
    raise ImproperlyConfigured(f"TRAVEL_MEMORY_BUDGET_MB={TRAVEL_MEMORY_BUDGET_MB} is below 1")
TRAVEL_CACHE_DIR = DATA_DIR / "cch"

# Open data (docs/opendata.md). The public statistics publish no figure under
# OPENDATA_THRESHOLD families, and none that lets a group of fewer be worked out by
# subtracting published figures. OPENDATA_PUBLIC_FIGURES lists the tables the programme
# publishes (homecoming.opendata.public.FIGURES has them all); an empty list publishes none.
OPENDATA_THRESHOLD = env_int("OPENDATA_THRESHOLD", 5)
OPENDATA_PUBLIC_FIGURES = env_list(
    "OPENDATA_PUBLIC_FIGURES",
    "families_by_status,waiting_by_shelter,returned_by_settlement,homes_by_construction",
)
# Seconds a public table, once suppressed, is kept for the next anonymous reader (0: never).
OPENDATA_PUBLIC_CACHE_SECONDS = env_int("OPENDATA_PUBLIC_CACHE_SECONDS", 300)
if OPENDATA_THRESHOLD < 1:
    raise ImproperlyConfigured("OPENDATA_THRESHOLD must be 1 or more (families)")
if OPENDATA_PUBLIC_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("OPENDATA_PUBLIC_CACHE_SECONDS must be 0 or more")

# Maps (docs/operations.md): our own layers are the map and need no tile server. An online
# deployment may add a base map: a tile URL template such as
# https://tile.openstreetmap.org/{z}/{x}/{y}.png and the attribution its licence asks for.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL and not re.fullmatch(r"https?://[^/\s]+/\S*", MAP_TILE_URL):
    raise ImproperlyConfigured(f"MAP_TILE_URL={MAP_TILE_URL!r} is not an http(s) URL template")


def tile_origin(url: str) -> str:
    """The CSP source of a tile URL template: its origin, a {s} subdomain as a wildcard.

    >>> tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    'https://*.tile.example.org'
    """
    scheme, rest = url.split("://", 1)
    return f"{scheme}://" + re.sub(r"^\{[a-z]\}\.", "*.", rest.split("/", 1)[0])


# Scripts and styles from our own origin only (no inline scripts: app.js carries the few
# behaviours). Inline style attributes stay allowed: the server-drawn SVG charts set widths
# and colours with them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *([tile_origin(MAP_TILE_URL)] if MAP_TILE_URL else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
