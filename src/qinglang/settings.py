"""Qinglang settings: one file, driven by environment variables.

Nothing set means a working single-machine install: SQLite in WAL mode under ``var/``, a
server-less Celery broker on the file system, DEBUG off. ``DATABASE_URL`` switches to
PostgreSQL and ``CELERY_BROKER_URL`` to Redis. Every secret can also be read from a file named
by ``<NAME>_FILE`` (container secrets).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Lets admin and queryset classes be subscripted (ModelAdmin[Department]) for the type checker.
django_stubs_ext.monkeypatch()


def env(name: str, default: str = "") -> str:
    """Read ``NAME`` from the environment, or the contents of the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(env(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env("QINGLANG_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = envbool("DEBUG", False)


def _secret_key() -> str:
    """A configured key, or one generated once and kept in ``var/`` so sessions survive restarts."""
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = env("SITE_NAME", "清朗")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "qinglang.org",
    "qinglang.audit",
    "qinglang.core",
    "qinglang.monitor",
    "qinglang.evidence",
    "qinglang.cases",
    "qinglang.eservice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qinglang.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qinglang.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qinglang.core.middleware.LoginRequiredMiddleware",
    "qinglang.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "qinglang.urls"
WSGI_APPLICATION = "qinglang.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qinglang.core.context_processors.shell",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = env("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 60)))
    # WAL lets the web process read while the worker writes; IMMEDIATE transactions take the
    # write lock up front, so two writers queue on the busy timeout instead of failing with
    # "database is locked" halfway through a transaction (and the audit chain stays linear).
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("SQLITE_PATH", str(VAR_DIR / "qinglang.sqlite3")),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Tests use a file too, not Django's in-memory default, so they exercise WAL, the busy
        # timeout and several connections writing at once, as the web process and worker do.
        "TEST": {"NAME": env("SQLITE_TEST_PATH", str(VAR_DIR / "test-qinglang.sqlite3"))},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins per user name (and per client address) allowed in the window before refusing.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", 900)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))

# Security. Cookies are Secure unless DEBUG (the demo runs on plain http://127.0.0.1).
SECURE_COOKIES = envbool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 3600)
if envbool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Everything from our own origin; inline styles only because Django admin still writes some.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
)

# Celery: a broker on the file system needs no server; CELERY_BROKER_URL=redis://… at scale.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = envint("HEARTBEAT_INTERVAL_SECONDS", 15)
# A component whose last heartbeat is older than this is shown as stopped.
HEARTBEAT_STALE_SECONDS = envint("HEARTBEAT_STALE_SECONDS", 90)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "qinglang.core.tasks.worker_heartbeat",
        "schedule": float(HEARTBEAT_INTERVAL_SECONDS),
        "options": {"expires": float(HEARTBEAT_INTERVAL_SECONDS * 2)},
    },
}

# Module settings. Each module keeps its variables in its own block below (and documents each in
# README's configuration table; a test checks).

# --- monitor ---
# Polite fetching of feeds and pages: who we say we are, how long and how much we wait for.
MONITOR_USER_AGENT = env("MONITOR_USER_AGENT", "QinglangMonitor/0.1 (+public-opinion monitoring; contact the office)")
MONITOR_FETCH_TIMEOUT = envint("MONITOR_FETCH_TIMEOUT", 15)
MONITOR_FETCH_MAX_BYTES = envint("MONITOR_FETCH_MAX_BYTES", 5 * 1024 * 1024)
MONITOR_FETCH_HOST_INTERVAL = envint("MONITOR_FETCH_HOST_INTERVAL", 2)
MONITOR_MAX_BACKOFF_MINUTES = envint("MONITOR_MAX_BACKOFF_MINUTES", 24 * 60)
# Push API and imports: items per request and the longest text kept.
MONITOR_BATCH_LIMIT = envint("MONITOR_BATCH_LIMIT", 1000)
MONITOR_MAX_TEXT_CHARS = envint("MONITOR_MAX_TEXT_CHARS", 200_000)
# The clustering stage: where snapshots go, how often, and how long a consumer's lease lasts.
MONITOR_SNAPSHOT_DIR = Path(env("MONITOR_SNAPSHOT_DIR", str(VAR_DIR / "monitor")))
MONITOR_SNAPSHOT_EVERY = envint("MONITOR_SNAPSHOT_EVERY", 500)
MONITOR_LEASE_SECONDS = envint("MONITOR_LEASE_SECONDS", 120)
# Alerts: the engine level that raises one by itself, escalation of unacknowledged ones, delivery.
MONITOR_ALERT_MIN_LEVEL = env("MONITOR_ALERT_MIN_LEVEL", "orange")
MONITOR_ALERT_ESCALATE_MINUTES = envint("MONITOR_ALERT_ESCALATE_MINUTES", 30)
MONITOR_ALERT_WEBHOOKS = envlist("MONITOR_ALERT_WEBHOOKS", "")
MONITOR_ALERT_EMAILS = envlist("MONITOR_ALERT_EMAILS", "")
MONITOR_DAILY_REPORT_HOUR = envint("MONITOR_DAILY_REPORT_HOUR", 8)
CELERY_BEAT_SCHEDULE.update({
    "monitor-fetch-due": {"task": "qinglang.monitor.tasks.fetch_due_sources", "schedule": 60.0},
    "monitor-process": {"task": "qinglang.monitor.tasks.process_pending", "schedule": 15.0},
    "monitor-escalate": {"task": "qinglang.monitor.tasks.escalate_overdue_alerts", "schedule": 60.0},
    "monitor-reports": {"task": "qinglang.monitor.tasks.scheduled_reports", "schedule": 600.0},
})
# --- end monitor ---

# --- evidence ---
# Comma-separated RFC 3161 time-stamping authorities; none set means packages say plainly that
# they carry no trusted timestamp.
QINGLANG_TSA_URLS = envlist("QINGLANG_TSA_URLS", "")
# Captures refuse private and loopback addresses (SSRF) unless this is set, for tests and demos.
QINGLANG_ALLOW_PRIVATE_URLS = envbool("QINGLANG_ALLOW_PRIVATE_URLS", False)
# Seconds one request may take while capturing (the page's load event gets twice that plus 5).
QINGLANG_EVIDENCE_TIMEOUT_SECONDS = envint("QINGLANG_EVIDENCE_TIMEOUT_SECONDS", 30)
# Response bytes kept per request; a longer response is kept cut short and marked WARC-Truncated.
QINGLANG_EVIDENCE_MAX_RESPONSE_BYTES = envint("QINGLANG_EVIDENCE_MAX_RESPONSE_BYTES", 50_000_000)
# The office's PEM private key (RSA or EC) and certificate; when set, every manifest is signed.
QINGLANG_EVIDENCE_SIGNING_KEY = env("QINGLANG_EVIDENCE_SIGNING_KEY")
QINGLANG_EVIDENCE_SIGNING_CERT = env("QINGLANG_EVIDENCE_SIGNING_CERT")
# Chromium for captures; empty means the `chromium` on PATH.
QINGLANG_CHROMIUM = env("QINGLANG_CHROMIUM")
# A running capture silent this long lost its worker: it is queued again, and after this many
# attempts marked failed (the silence limit is far above one capture's own time limits).
QINGLANG_EVIDENCE_STALE_SECONDS = envint("QINGLANG_EVIDENCE_STALE_SECONDS", 900)
QINGLANG_EVIDENCE_MAX_ATTEMPTS = envint("QINGLANG_EVIDENCE_MAX_ATTEMPTS", 3)
CELERY_BEAT_SCHEDULE["evidence-recapture-due"] = {
    "task": "qinglang.evidence.tasks.recapture_due",
    "schedule": 300.0,
    "options": {"expires": 600.0},
}
# --- end evidence ---

# --- cases ---
# Code of the department that receives public reports (default: the first top-level office).
CASES_INTAKE_DEPARTMENT = env("CASES_INTAKE_DEPARTMENT", "")
# Time limit of a case from assignment, in working days (core.workdays calendar).
CASES_TIME_LIMIT_DAYS = envint("CASES_TIME_LIMIT_DAYS", 15)
# A due-soon reminder goes out this many working days before the deadline.
CASES_REMIND_BEFORE_DAYS = envint("CASES_REMIND_BEFORE_DAYS", 2)
# Public report form: submissions per address per hour, and wrong receipt look-ups per hour.
CASES_REPORT_RATE_LIMIT = envint("CASES_REPORT_RATE_LIMIT", 5)
CASES_LOOKUP_RATE_LIMIT = envint("CASES_LOOKUP_RATE_LIMIT", 10)
CASES_ATTACHMENT_MAX_BYTES = envint("CASES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CASES_ATTACHMENT_MAX_FILES = envint("CASES_ATTACHMENT_MAX_FILES", 5)
CELERY_BEAT_SCHEDULE["cases-check-deadlines"] = {
    "task": "qinglang.cases.tasks.check_deadlines",
    "schedule": 900.0,
    "options": {"expires": 850.0},
}
# --- end cases ---

# --- eservice ---
WECHAT_TOKEN = env("WECHAT_TOKEN")
WECHAT_AES_KEY = env("WECHAT_AES_KEY")
WECHAT_APP_ID = env("WECHAT_APP_ID")
# Callbacks whose timestamp is further than this from our clock are refused (replays).
ESERVICE_WECHAT_MAX_AGE_SECONDS = envint("ESERVICE_WECHAT_MAX_AGE_SECONDS", 300)
# The station (department code) that receives requests no service area matches; empty: the top one.
ESERVICE_DEFAULT_STATION = env("ESERVICE_DEFAULT_STATION", "")
# Public web form submissions allowed per client address and hour.
ESERVICE_FORM_LIMIT_PER_HOUR = envint("ESERVICE_FORM_LIMIT_PER_HOUR", 5)
# Failed status look-ups (receipt number + phone digits) allowed per client address and hour.
ESERVICE_TRACK_FAILURE_LIMIT = envint("ESERVICE_TRACK_FAILURE_LIMIT", 10)
# Days after closing before names, phone numbers and WeChat ids are erased.
ESERVICE_RETENTION_DAYS = envint("ESERVICE_RETENTION_DAYS", 365)
# Days of requests the sensing task clusters into recurring local issues.
ESERVICE_SENSING_DAYS = envint("ESERVICE_SENSING_DAYS", 30)
CELERY_BEAT_SCHEDULE |= {
    "eservice-analyse": {"task": "qinglang.eservice.tasks.analyse_requests", "schedule": 600.0},
    "eservice-overdue": {"task": "qinglang.eservice.tasks.flag_overdue", "schedule": 900.0},
    "eservice-retention": {"task": "qinglang.eservice.tasks.purge_expired_personal_data", "schedule": 86400.0},
}
# --- end eservice ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
