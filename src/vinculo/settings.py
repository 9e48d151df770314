"""Settings, read from environment variables only (see README, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("VINCULO_VAR", "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-development-key-set-SECRET_KEY-in-production"
# Keys that encrypt the credentials Vínculo keeps for other systems (IMAP passwords, provider
# tokens, signing secrets): comma-separated Fernet keys, the first encrypts and all decrypt
# (rotation). Unset: a key derived from SECRET_KEY.
VINCULO_SECRETS_KEYS = [
    k.strip() for k in os.environ.get("VINCULO_SECRETS_KEYS", "").split(",") if k.strip()
]
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "vinculo.platform",
    "vinculo.identity",
    "vinculo.customers",
    "vinculo.activities",
    "vinculo.sales",
    "vinculo.sales.pipeline",
    "vinculo.sales.leads",
    "vinculo.sales.assignment",
    "vinculo.automation",
    "vinculo.automation.webhooks",
    "vinculo.automation.workflows",
    "vinculo.marketing.segments",
    "vinculo.marketing.lists",
    "vinculo.marketing.campaigns",
    "vinculo.marketing.emails",
    "vinculo.service",
    "vinculo.service.mail",
    "vinculo.service.knowledge",
    "vinculo.service.portal",
    "vinculo.service.surveys",
    "vinculo.channels",
    "vinculo.channels.dav",
    "vinculo.channels.inbox",
    "vinculo.channels.loyalty",
    "vinculo.channels.chat",
    "vinculo.analytics",
    "vinculo.analytics.recommendations",
    "vinculo.analytics.reports",
    "vinculo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vinculo.identity.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "vinculo.urls"
WSGI_APPLICATION = "vinculo.wsgi.application"
ASGI_APPLICATION = "vinculo.asgi.application"
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vinculo.web.context_processors.navigation",
            ],
        },
    }
]

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.SELF],
}


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'vinculo.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA busy_timeout=10000; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    else:
        config["CONN_HEALTH_CHECKS"] = True
    config["TEST"] = {"NAME": os.environ.get("VINCULO_TEST_DATABASE_NAME")} if os.environ.get(
        "VINCULO_TEST_DATABASE_NAME"
    ) else {}
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "vinculo_cache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

TASK_MODE = os.environ.get("VINCULO_TASKS", "database")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(TASK_MODE, TASK_BACKENDS["database"]),
                     "QUEUES": []}}
if TASK_MODE == "rq":
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

EMAIL_URL = os.environ.get("EMAIL_URL", "")


def mailer_config(url: str) -> dict:
    """EMAIL_URL like smtp://user:pass@host:587 (smtp+tls:// for STARTTLS, smtps:// for TLS)."""
    from urllib.parse import unquote, urlparse

    if not url:
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parsed.hostname or "localhost",
            "port": parsed.port or 25,
            "username": unquote(parsed.username or ""),
            "password": unquote(parsed.password or ""),
            "use_tls": parsed.scheme in {"smtp+tls", "submission"},
            "use_ssl": parsed.scheme == "smtps",
            "timeout": 30,
        },
    }


MAILERS = {"default": mailer_config(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vinculo@localhost")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

VINCULO_SITE_URL = os.environ.get("VINCULO_SITE_URL", "").rstrip("/")
VINCULO_MAIL_ATTACHMENT_MAX_BYTES = int(os.environ.get("VINCULO_MAIL_ATTACHMENT_MAX_BYTES",
                                                    str(10 * 1024 * 1024)))
VINCULO_BASE_CURRENCY = os.environ.get("VINCULO_BASE_CURRENCY", "EUR")
VINCULO_DEMO = env_bool("VINCULO_DEMO", True)
VINCULO_ALLOW_PRIVATE_WEBHOOKS = env_bool("VINCULO_ALLOW_PRIVATE_WEBHOOKS")
VINCULO_PLUGINS = [p.strip() for p in os.environ.get("VINCULO_PLUGINS", "").split(",") if p.strip()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
