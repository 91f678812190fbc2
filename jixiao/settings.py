"""Jixiao settings: one small module, everything that varies comes from the environment.

Embedded default is SQLite under ``var/`` (WAL, IMMEDIATE transactions, busy timeout);
``JIXIAO_DATABASE_URL=postgresql://…`` switches to PostgreSQL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("JIXIAO_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"JIXIAO_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``sqlite:///path`` or ``postgresql://user@host:port/name`` to a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path is absolute; sqlite:///rel/path is relative to the project.
        path = unquote(url.removeprefix("sqlite:///"))
        name = path if path.startswith("/") else str(PROJECT_DIR / path) if path else ""
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or str(VAR_DIR / "jixiao.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")} if env_bool("TEST_DB_FILE") else {},
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        name = unquote(parsed.path.lstrip("/")) or "jixiao"
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            # A connection cut by a database restart is noticed and replaced at the next request.
            "CONN_HEALTH_CHECKS": True,
            # One test database per database named: parallel runs on one server don't collide.
            "TEST": {"NAME": env("TEST_DATABASE_NAME", f"test_{name}")},
        }
    raise ValueError(f"JIXIAO_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


DEBUG = env_bool("DEBUG", False)
# Development and tests run without JIXIAO_SECRET_KEY; production (JIXIAO_PRODUCTION=1) must set it.
SECRET_KEY = env("SECRET_KEY") or "jixiao-dev-only-" + "0123456789abcdef" * 4
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

DATABASES = {"default": database_from_url(env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jixiao.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    # Before django_tasks_db: its resilient `db_worker` command replaces the library's.
    "jixiao.core",
    "django_tasks",
    "django_tasks_db",
    "jixiao.accounts",
    "jixiao.audit",
    "jixiao.organisation",
    "jixiao.workflow",
    "jixiao.deadlines",
    "jixiao.targets",
    "jixiao.evaluation",
    "jixiao.monitoring",
    "jixiao.assessment",
    "jixiao.auditlink",
    "jixiao.disclosure",
    "jixiao.api",
    "jixiao.reports",
    "jixiao.rectification",
    "jixiao.application",
    "jixiao.demo",
    "rest_framework",
    "drf_spectacular",
]

# The read-only API (jixiao.api): service-account bearer tokens, the pages' permission policy.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jixiao.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "绩效 Jixiao 只读数据接口",
    "DESCRIPTION": "区审计局与预算一体化系统的只读接口。认证：Authorization: Bearer <令牌>（安全管理员签发）。"
    "数据范围与页面一致；金额单位为分。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "LightEnum": "jixiao.monitoring.models.LIGHT_CHOICES",
        "GradeEnum": "jixiao.targets.models.GRADE_CHOICES",
        "DocumentKindEnum": "jixiao.targets.models.Kind",
        "MonitoringKindEnum": "jixiao.monitoring.models.Kind",
        "KeyEvaluationKindEnum": "jixiao.evaluation.models.KeyKind",
        "ResultActionEnum": "jixiao.application.models.ACTION_CHOICES",
    },
}

TESTING = env_bool("TESTING") or "pytest" in sys.modules
if TESTING:
    # A document type used only by the workflow engine's own tests.
    INSTALLED_APPS.append("jixiao.workflow.tests.testapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jixiao.accounts.middleware.IdleTimeoutMiddleware",
    "jixiao.accounts.middleware.LoginRequiredMiddleware",
    "jixiao.audit.middleware.RefusedRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jixiao.core.params.ParameterGuardMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "jixiao.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "jixiao.urls"
WSGI_APPLICATION = "jixiao.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["jixiao.core.templatetags.jixiao"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jixiao.core.context_processors.navigation",
                "jixiao.core.context_processors.working_year",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jixiao.accounts.backends.JixiaoBackend"]
JIXIAO_PRODUCTION = env_bool("PRODUCTION")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # a fast hash keeps thousands of test logins quick; production uses Argon2
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jixiao.accounts.passwords.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "jixiao.accounts.passwords.CharacterClassValidator",
     "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CLASSES", 3)}},
    {"NAME": "jixiao.accounts.passwords.NoUsernameValidator"},
    {"NAME": "jixiao.accounts.passwords.PasswordHistoryValidator",
     "OPTIONS": {"count": env_int("PASSWORD_HISTORY", 5)}},
]

# 等保 2.0 level 3 defaults (security.md §1.1); all configurable.
JIXIAO_LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
JIXIAO_LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 30)
# Concurrent sessions per account (0: no limit); a new login ends the oldest beyond the limit.
JIXIAO_MAX_SESSIONS_ADMIN = env_int("MAX_SESSIONS_ADMIN", 1)
JIXIAO_MAX_SESSIONS = env_int("MAX_SESSIONS", 0)
OTP_TOTP_ISSUER = "云溪区预算绩效管理系统"
# Per source address: this many failed logins within the window refuse further attempts from it.
JIXIAO_LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
JIXIAO_LOGIN_IP_WINDOW_MINUTES = env_int("LOGIN_IP_WINDOW_MINUTES", 15)
# A burst of refusals (403 or out-of-scope 404) by one account alerts the security administrators.
JIXIAO_REFUSAL_BURST = env_int("REFUSAL_BURST", 10)
JIXIAO_REFUSAL_BURST_MINUTES = env_int("REFUSAL_BURST_MINUTES", 10)
JIXIAO_IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 30)
JIXIAO_PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
JIXIAO_SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 190)
# The default working year (工作年度) of every user who has not chosen one; 0 = the plan year today falls in.
JIXIAO_WORKING_YEAR = env_int("WORKING_YEAR", 0)
# Idle timeout is enforced (and logged) by IdleTimeoutMiddleware; the session itself ends
# after 12 hours whatever the activity (ASVS V3.3.2) and when the browser closes.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

#: Common widgets rendered in Python with Django's markup (jixiao/core/renderers.py).
FORM_RENDERER = "jixiao.core.renderers.FastWidgetRenderer"
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["jixiao.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads: the first handler stops a file at the view's limit while it streams in (core.uploads);
# files over FILE_UPLOAD_MAX_MEMORY_SIZE spool to disk, never to memory; form fields are capped.
FILE_UPLOAD_HANDLERS = [
    "jixiao.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
JIXIAO_UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Workbook parsing runs in a child process with these limits (core.filelimits.run_limited).
JIXIAO_PARSE_MEMORY_MB = env_int("PARSE_MEMORY_MB", 2048)
JIXIAO_PARSE_SECONDS = env_int("PARSE_SECONDS", 300)
# Background jobs: time limit of one job; /healthz flags a queue whose oldest job waits longer.
JIXIAO_JOB_SECONDS = env_int("JOB_SECONDS", 1800)
JIXIAO_QUEUE_ALERT_SECONDS = env_int("QUEUE_ALERT_SECONDS", 300)
# LibreOffice for the PDF of each publication (printed by the worker): "auto" finds soffice on PATH,
# a path names it, "off" prints none (the portal then says the PDF is unavailable). Off in tests
# unless a test turns it on (the `documents` marker).
JIXIAO_SOFFICE = env("SOFFICE", "off" if TESTING else "auto")
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Automatic retries (RQ only) of a job stopped by a passing failure (database or Redis restarted,
# worker gone): the delays in seconds between attempts.
JIXIAO_JOB_RETRY_DELAYS = env("JOB_RETRY_DELAYS", "10,60,300")
# How often an RQ worker re-enqueues jobs lost with a Redis restart and settles dead workers' jobs.
JIXIAO_RQ_MAINTENANCE_SECONDS = env_int("RQ_MAINTENANCE_SECONDS", 60)
TASKS = {
    "default": {
        "BACKEND": env(
            "TASK_BACKEND",
            "jixiao.core.rqjobs.Backend" if env("REDIS_URL") else "django_tasks_db.DatabaseBackend",
        ),
    }
}
# Nothing another instance needs is kept in process memory: sessions, locks and the security log
# are in the database, uploads under MEDIA_ROOT (shared storage when there are several servers),
# and the cache is Redis when it is configured (local memory otherwise: one process per machine).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env("REDIS_URL"):
    # Scale-out: the same @task functions run on RQ workers (`jixiao rqworker --with-scheduler default`).
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env("REDIS_URL"), "DEFAULT_TIMEOUT": JIXIAO_JOB_SECONDS}}
    RQ = {"WORKER_CLASS": "jixiao.core.rqjobs.Worker", "JOB_CLASS": "jixiao.core.rqjobs.Job"}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": env("CACHE_URL", env("REDIS_URL")), "KEY_PREFIX": "jixiao"}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

if JIXIAO_PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    if not env("SECRET_KEY"):
        raise RuntimeError("生产环境必须设置 JIXIAO_SECRET_KEY")

# Security log (security.md SEC-AUD): the HMAC-SM3 key is held outside the database (the
# environment or a secrets store), and signed checkpoints go to a file outside the database and to
# syslog (JIXIAO_SYSLOG_ADDRESS: a socket path such as /dev/log, or host:port for UDP).
JIXIAO_AUDIT_KEY = env("AUDIT_KEY") or "jixiao-dev-only-audit-key"
JIXIAO_AUDIT_CHECKPOINT_FILE = env("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit" / "checkpoints.log"))
if TESTING and not env("AUDIT_CHECKPOINT_FILE"):
    import tempfile

    JIXIAO_AUDIT_CHECKPOINT_FILE = str(Path(tempfile.gettempdir()) / f"jixiao-checkpoints-{os.getpid()}.log")
_syslog = env("SYSLOG_ADDRESS", "/dev/log" if Path("/dev/log").exists() else "")
if JIXIAO_PRODUCTION and not env("AUDIT_KEY"):
    raise RuntimeError("生产环境必须设置 JIXIAO_AUDIT_KEY（安全日志签名密钥，不得存放在数据库中）")

# Personal data at rest (phone numbers): SM4 key, 32 hex digits, from the environment.
JIXIAO_DATA_KEY = env("DATA_KEY") or "6a697869616f2d6465762d6f6e6c7921"
if JIXIAO_PRODUCTION and not env("DATA_KEY"):
    raise RuntimeError("生产环境必须设置 JIXIAO_DATA_KEY（个人信息加密密钥）")

LOGGING: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"jixiao.audit.checkpoint": {"handlers": [], "level": "INFO", "propagate": False}},
}
if _syslog:
    _host, _, _port = _syslog.rpartition(":")
    LOGGING["handlers"]["syslog"] = {  # type: ignore[index]
        "class": "logging.handlers.SysLogHandler", "facility": "authpriv",
        "address": (_host, int(_port)) if _port.isdigit() and _host else _syslog,
    }
    LOGGING["loggers"]["jixiao.audit.checkpoint"]["handlers"] = ["syslog"]  # type: ignore[index]
LOGIN_URL_PATH = "/accounts/login/"
