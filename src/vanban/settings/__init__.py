"""Django settings, all read from the environment through `parsers` (see docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

from vanban.core.logfmt import formatter_config
from vanban.core.netaddr import parse_networks
from vanban.jobs.config import huey_settings
from vanban.settings.parsers import (
    ensure_secret_key,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_cache_url,
    parse_database_url,
    parse_log_format,
    parse_prepare_threshold,
    parse_proxy_ssl_header,
    parse_revocation_policy,
    parse_roles,
)

SRC_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("VANBAN_DATA_DIR", "var")).resolve()
if (_xdist_worker := os.environ.get("PYTEST_XDIST_WORKER")) and DATA_DIR.name != _xdist_worker:
    # `make test` runs in parallel processes (pytest-xdist): each keeps its own files, and the
    # commands it starts (live servers, workers) inherit the same directory, not a nested one.
    DATA_DIR = DATA_DIR / _xdist_worker
    os.environ["VANBAN_DATA_DIR"] = str(DATA_DIR)
DATA_DIR.mkdir(parents=True, exist_ok=True)

VANBAN_ROLES = parse_roles(env_list("VANBAN_ROLES", ["office", "hub"]))
SECRET_KEY = ensure_secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "huey.contrib.djhuey",
    "vanban.audit",
    "vanban.accounts",
    "vanban.agencies",
    "vanban.jobs",
    "vanban.web",
    "vanban.trust",
]
# The roles split the install, not only the URLs (issue 19): a hub-only installation has no
# office table and registers no office job, an office-only one no hub table. The demo province
# is both an office and its hub, so it exists only where both are served.
if "office" in VANBAN_ROLES and "hub" in VANBAN_ROLES:
    INSTALLED_APPS.append("vanban.demo")
if "hub" in VANBAN_ROLES:
    INSTALLED_APPS.append("vanban.hub")
if "office" in VANBAN_ROLES:
    INSTALLED_APPS += ["vanban.documents", "vanban.outgoing", "vanban.incoming", "vanban.exchange",
                       "vanban.workflow", "vanban.records", "vanban.search", "vanban.reports", "vanban.reorg"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "vanban.web.security.ContentSecurityPolicyMiddleware",
]
# Machine APIs called with a bearer token by other systems, never by a browser: sessions, CSRF,
# locale, messages, login throttling and static files do not apply to them, and on every call
# they cost more than the hub's whole inbox query (issue 23). `vanban.wsgi` serves these paths
# through a handler with only the middleware that sets response headers (vanban.web.handlers).
API_PATH_PREFIXES = ("/hub/api/",)
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vanban.web.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "vanban.urls"
WSGI_APPLICATION = "vanban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanban.portal.context.shell",
            ],
        },
    },
]

DATABASES = {"default": parse_database_url(
    env_str("DATABASE_URL") or None, DATA_DIR, env_int("VANBAN_DB_CONN_MAX_AGE", 60),
    parse_prepare_threshold(env_str("VANBAN_DB_PREPARE_THRESHOLD")))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("VANBAN_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_SECURE = env_bool("VANBAN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind HTTPS (VANBAN_SECURE_COOKIES): every request redirected to HTTPS and HSTS sent.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE and env_bool("VANBAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("VANBAN_HSTS_SECONDS", 31536000) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# A proxy that ends TLS says so in a header: `X-Forwarded-Proto=https`.
SECURE_PROXY_SSL_HEADER = parse_proxy_ssl_header(env_str("VANBAN_PROXY_SSL_HEADER"))
# Proxies whose X-Forwarded-For is believed (addresses or networks); nobody else's is.
VANBAN_TRUSTED_PROXIES = parse_networks(env_list("VANBAN_TRUSTED_PROXIES", []))
# Shared by every process: throttles must not count per process.
CACHES = parse_cache_url(env_str("VANBAN_CACHE_URL") or None)
# Uploads spill to disk here (not /tmp), where `vanban worker` sweeps what killed requests left.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "upload-tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)

# Lockout after repeated failed logins (django-axes): per user name and address.
AXES_FAILURE_LIMIT = env_int("VANBAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("VANBAN_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "vanban.accounts.signals.client_ip"
# Password spraying: failed logins from one address over any user names, per cool-off window.
VANBAN_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("VANBAN_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(DATA_DIR / "media")}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

HUEY = huey_settings(
    queue_url=env_str("VANBAN_QUEUE_URL"),
    data_dir=DATA_DIR,
    immediate=env_bool("VANBAN_QUEUE_IMMEDIATE", False),
)

# One line per event on standard error; VANBAN_LOG_FORMAT=json for a log collector (each line a
# JSON object with the event's own fields, vanban.core.logfmt), text otherwise.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"vanban": formatter_config(parse_log_format(env_str("VANBAN_LOG_FORMAT", "text")))},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "vanban"}},
    "root": {"handlers": ["console"], "level": env_str("VANBAN_LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
                # one structured line per job run (vanban.jobs): job, its ids, result, duration
                "vanban.jobs": {"level": env_str("VANBAN_JOB_LOG_LEVEL", "INFO")}},
}

NINJA_PAGINATION_PER_PAGE = 50

# E-mail for notifications: an SMTP server when VANBAN_SMTP_HOST is set, otherwise none is sent.
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if env_str("VANBAN_SMTP_HOST")
                 else "django.core.mail.backends.dummy.EmailBackend")
EMAIL_HOST = env_str("VANBAN_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("VANBAN_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("VANBAN_SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("VANBAN_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("VANBAN_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("VANBAN_MAIL_FROM", "vanban@localhost")

# Where citizens reach this installation: printed in the QR code of issued documents.
# Blobs in S3-compatible object storage shared by several nodes (docs/deployment.md); empty:
# the local directory $VANBAN_DATA_DIR/blobs. Credentials: boto3's chain (AWS_* variables, files).
VANBAN_BLOB_URL = env_str("VANBAN_BLOB_URL")
VANBAN_S3_ENDPOINT_URL = env_str("VANBAN_S3_ENDPOINT_URL")
VANBAN_S3_REGION = env_str("VANBAN_S3_REGION")

VANBAN_PUBLIC_URL = env_str("VANBAN_PUBLIC_URL", "http://127.0.0.1:8000")
VANBAN_VERIFY_RATE = env_int("VANBAN_VERIFY_RATE", 30)  # public verification requests per IP per 10 min
# The office's outbox: wait after a failed submission (doubling from the base, capped).
VANBAN_EXCHANGE_RETRY_BASE_SECONDS = max(1, env_int("VANBAN_EXCHANGE_RETRY_BASE_SECONDS", 30))
VANBAN_EXCHANGE_RETRY_MAX_SECONDS = max(1, env_int("VANBAN_EXCHANGE_RETRY_MAX_SECONDS", 3600))
# The outbox submits in batches (one request, one transaction): at most this many packages and MB.
VANBAN_EXCHANGE_BATCH_SIZE = max(1, env_int("VANBAN_EXCHANGE_BATCH_SIZE", 20))
VANBAN_EXCHANGE_BATCH_MB = max(1, env_int("VANBAN_EXCHANGE_BATCH_MB", 8))
# A batch is claimed for this long (another worker leaves it alone; a killed worker's rows return after it).
VANBAN_EXCHANGE_SEND_LEASE_SECONDS = max(1, env_int("VANBAN_EXCHANGE_SEND_LEASE_SECONDS", 60))
# An arrival stored from the hub is claimed by the round processing it for this long (a killed
# worker's arrivals are taken up again after it; the row lock, not the lease, keeps them single).
VANBAN_EXCHANGE_INBOX_LEASE_SECONDS = max(1, env_int("VANBAN_EXCHANGE_INBOX_LEASE_SECONDS", 60))
# The inbox answer carries packages up to this size inline (0 = always fetch one by one).
VANBAN_INBOX_INLINE_KB = max(0, env_int("VANBAN_INBOX_INLINE_KB", 1024))
# Processes that check the PDF signatures of an inbox batch in parallel (1 = in the worker itself).
# Revocation of signers' certificates (docs/signatures.md): fetch CRL/OCSP, what "unknown"
# means, how long a fetched answer is reused (it is also kept as evidence).
# Leaders' personal keys held by the server (PKCS#12): a demo mode, off unless switched on
# (the Makefile's demo turns it on); otherwise leaders sign with their USB token through the
# local signing agent at VANBAN_SIGNER_AGENT_URL (docs/signatures.md).
VANBAN_SERVER_PERSONAL_KEYS = env_bool("VANBAN_SERVER_PERSONAL_KEYS", False)
VANBAN_SIGNER_AGENT_URL = env_str("VANBAN_SIGNER_AGENT_URL", "http://127.0.0.1:48721")
# Remote signing (CSC API v2): the provider's base URL and the office's service-account token,
# read from a file (kept out of the environment listing and the database).
VANBAN_CSC_URL = env_str("VANBAN_CSC_URL")
VANBAN_CSC_TOKEN_FILE = env_str("VANBAN_CSC_TOKEN_FILE")
VANBAN_PENDING_SIGNATURE_MINUTES = max(1, env_int("VANBAN_PENDING_SIGNATURE_MINUTES", 10))
VANBAN_REVOCATION_FETCH = env_bool("VANBAN_REVOCATION_FETCH", True)
VANBAN_REVOCATION_POLICY = parse_revocation_policy(env_str("VANBAN_REVOCATION_POLICY", "soft-fail"))
VANBAN_REVOCATION_CACHE_SECONDS = max(0, env_int("VANBAN_REVOCATION_CACHE_SECONDS", 3600))
VANBAN_VERIFY_PROCESSES = max(1, env_int("VANBAN_VERIFY_PROCESSES", os.cpu_count() or 1))
# Documents taken per inbox round (statuses are all taken every round): a status waits one short round.
VANBAN_INBOX_DOCUMENTS_PER_ROUND = max(1, env_int("VANBAN_INBOX_DOCUMENTS_PER_ROUND", 16))
# Audit chain anchoring (docs/audit.md): RFC 3161 TSA, minutes between checkpoints, signing agency.
VANBAN_AUDIT_TSA_URL = env_str("VANBAN_AUDIT_TSA_URL")
VANBAN_AUDIT_CHECKPOINT_MINUTES = min(59, max(1, env_int("VANBAN_AUDIT_CHECKPOINT_MINUTES", 10)))
VANBAN_AUDIT_SIGNING_AGENCY = env_str("VANBAN_AUDIT_SIGNING_AGENCY")
