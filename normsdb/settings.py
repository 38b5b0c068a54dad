"""NormsDB settings: one module, configured from the environment.

Local use needs no variable at all: the embedded PostgreSQL server is started, a secret key
is generated once into the git-ignored data folder, and DEBUG is on. Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("NORMSDB_DATA_DIR", BASE_DIR / ".normsdb"))


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_flag("DEBUG", True)


def local_secret_key() -> str:
    """A key generated on first use and kept in the data folder, for local use only."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The public origin of every absolute URL the site writes (normsdb.origin): never the
# request's Host header, which a client can forge into cached pages.
SITE_URL = os.environ.get("SITE_URL", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or local_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
    SITE_URL = SITE_URL or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
elif not SECRET_KEY or not ALLOWED_HOSTS or not SITE_URL:
    raise ImproperlyConfigured(
        "With DEBUG off, set SECRET_KEY, ALLOWED_HOSTS and SITE_URL explicitly in the environment."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "axes",
    "simple_history",
    "normsdb",
    "instruments",
    "obligations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that touches the database: bounds every wait on it (normsdb.deadline).
    "normsdb.deadline.DatabaseDeadlineMiddleware",
    # Where this request's reads go: a replica, or the primary after a write.
    "normsdb.replicas.ReplicaMiddleware",
    # ETag, If-None-Match and If-Modified-Since for every GET, cached or not.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "normsdb.pagecache.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "normsdb.urls"
WSGI_APPLICATION = "normsdb.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: the given server, or the embedded one. One engine, one code path.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from normsdb.embedded import embedded_database_url

    DATABASE_URL = embedded_database_url(DATA_DIR)

# Bounds on every database wait, so that no request can hang on the database:
# - connect_timeout: a server that does not answer the connection (libpq; 2 s is its minimum);
# - statement_timeout: the server cancels a runaway statement itself (a loop in data, a
#   pathological query); long maintenance runs may lift it with DATABASE_STATEMENT_TIMEOUT=0;
# - client_connection_check_interval: a statement whose client went away (for example one cut
#   by the request deadline, normsdb.deadline) stops within a second instead of running on;
# - TCP keepalives: a server or network that vanished without closing the connection is
#   noticed within about 20 s, also between requests on a persistent connection.
# A server that is frozen (stopped, not gone) still ACKs TCP and never answers: for that, each
# web request bounds its waits on the client side (DATABASE_WAIT_SECONDS, normsdb.deadline).
DATABASE_STATEMENT_TIMEOUT = os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5s")
DATABASE_WAIT_SECONDS = float(os.environ.get("DATABASE_WAIT_SECONDS", "2"))
# /healthz answers within this, whatever the database does (normsdb.views.healthz).
HEALTH_CHECK_SECONDS = float(os.environ.get("HEALTH_CHECK_SECONDS", "1.5"))
DATABASE_OPTIONS = {
    "connect_timeout": 2,
    "options": (
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}"
        " -c client_connection_check_interval=1000"
    ),
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
}


def database(url: str) -> dict:
    settings_dict = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    settings_dict["OPTIONS"] = {**DATABASE_OPTIONS, **settings_dict.get("OPTIONS", {})}
    return settings_dict


DATABASES = {"default": database(DATABASE_URL)}
# Read replicas (streaming standbys of the primary): reads of web requests go there, writes
# and a client's reads right after its own writes to the primary (normsdb.replicas).
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica_{number}"] = database(url) | {"TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["normsdb.replicas.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "10"))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "5"))
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "15"))
# Parallel test runs on one server (for example two developers' suites) name their own
# test database; pytest-django adds a suffix per xdist worker on top.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock an address + username out of the admin after repeated failed logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_ENABLED = env_flag("AXES_ENABLED", True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "saved-searches"
LOGOUT_REDIRECT_URL = "home"

# Alerts of saved searches (manage.py send_alerts): any SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "NormsDB <alerts@localhost>")

# Request bodies: the API answers a larger one with a JSON 413 (normsdb.api.parsers).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))

FORMS_URLFIELD_ASSUME_HTTPS = True
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
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

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    # Rendered pages, API answers (normsdb.pagecache) and rate-limit counters: per process,
    # or shared in Redis. Sites (or test runs) sharing one Redis set CACHE_KEY_PREFIX apart.
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
    | {"KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "")},
}

# Search (normsdb.search): "tantivy", an embedded index in a folder per database (one host),
# or "postgres", the search documents' table alone (several app servers, one database).
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "tantivy")
if SEARCH_BACKEND not in ("tantivy", "postgres"):
    raise ImproperlyConfigured('SEARCH_BACKEND must be "tantivy" or "postgres".')
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", DATA_DIR / "search"))

# Anonymous reads are served from the cache until the data they show changes (normsdb.pagecache).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

# Security. HTTPS-only settings follow SECURE_SSL_REDIRECT, which production behind TLS sets.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL_REDIRECT
SECURE_HSTS_PRELOAD = SECURE_SSL_REDIRECT
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# No inline script anywhere: scripts are static files. The JSON-LD block is data, not script,
# so it needs no nonce (and cached pages hold no per-response secret).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# The API is public to read: any origin may GET it; writes need a token anyway.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "X-Total-Count"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "normsdb.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "normsdb.api.filters.StrictFilterBackend",
        "normsdb.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "normsdb.api.renderers.CSVRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "normsdb.api.schema.ResourceSchema",
    "DEFAULT_PARSER_CLASSES": ["normsdb.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "normsdb.api.throttling.AnonRateThrottle",
        "normsdb.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "300/minute"),
        "user": os.environ.get("API_USER_RATE", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "normsdb.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# django-filter's empty option in the HTML forms ("Any", not "---------").
FILTERS_EMPTY_CHOICE_LABEL = "Any"

SPECTACULAR_SETTINGS = {
    "TITLE": "NormsDB API",
    "DESCRIPTION": (
        "Instruments, provisions, norms, obligations and response measures of international "
        "cyber norms, as linked records. Anonymous clients read; writes need a token."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
    "ENUM_NAME_OVERRIDES": {
        "ConfidenceEnum": "obligations.models.Confidence",
        "InstrumentStatusEnum": "instruments.models.InstrumentStatus",
        "ParticipationStatusEnum": "instruments.models.ParticipationStatus",
        "DatePrecisionEnum": "obligations.models.DatePrecision",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "normsdb.api.schema.describe_empty_enums",
    ],
}

SIMPLE_HISTORY_REVERT_DISABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
