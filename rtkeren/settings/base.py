"""Settings shared by every environment.

The environment modules (development, test, production) import everything from here and change
only what differs. ``DATABASE_URL`` selects the database everywhere; without it SQLite is used.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "js_lib_bootstrap5",
    "js_lib_htmx",
    "simple_history",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "rtkeren",
    "commissioning",
    "designing",
    "delivery",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rtkeren.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rtkeren.middleware.PreferredLanguageMiddleware",
    "rtkeren.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rtkeren.offline.OfflineAccountMiddleware",
    "rtkeren.middleware.RequestBodyLimitMiddleware",
    "rtkeren.middleware.SessionIdleTimeoutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rtkeren.urls"
WSGI_APPLICATION = "rtkeren.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader, which also folds what every request renders alike
            # (``rtkeren.template_loader``).
            "loaders": [
                (
                    "rtkeren.template_loader.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rtkeren.context_processors.notifications",
            ],
        },
    },
]

AUTH_USER_MODEL = "rtkeren.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "rtkeren.auth_backends.UsernameOrPhoneBackend",
]
# Argon2id first (``rtkeren.hashers``); the others verify hashes stored before it, and Django
# stores each again with the first at the account's next login.
PASSWORD_HASHERS = [
    "rtkeren.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"


def database_from_url(url: str | None, *, conn_max_age: int = 0) -> dict:
    """The default database: ``url`` when given, else SQLite under ``var/``.

    SQLite gets WAL, a busy timeout and IMMEDIATE transactions, so that the web server and a
    worker can write side by side without "database is locked" errors. PostgreSQL gets the
    portal's backend (the SELECTs a connection runs again prepared on the server), a connection
    timeout (``DATABASE_CONNECT_TIMEOUT`` seconds) and a planner that keeps the join order of
    longer joins (``DATABASE_JOIN_COLLAPSE_LIMIT``).
    """
    if url:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "rtkeren.sqlite3"}
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with the SELECTs each connection runs again prepared on the server
        # (``rtkeren.db.postgresql``); DATABASE_PREPARED_STATEMENTS=false behind a pooler that
        # shares a connection between transactions.
        config["ENGINE"] = "rtkeren.db.postgresql"
        options = config.setdefault("OPTIONS", {})
        options.setdefault(
            "prepared_statements", env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
        )
        # A database host that stops answering must fail a request within seconds (the 503
        # page), not hold every app server worker until its own timeout.
        options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
        # The list and detail pages join an activity to its places, period, author and fit:
        # eight tables, whose every join order PostgreSQL weighs by default (join_collapse_limit
        # 8), 6-18 ms of planning for a query that runs in under 1 ms. Keeping the order Django
        # writes beyond four tables costs those queries nothing and the scorecard's large
        # counts no time (docs/performance.md).
        limit = env_int("DATABASE_JOIN_COLLAPSE_LIMIT", 4)
        options.setdefault(
            "options", f"-c join_collapse_limit={limit} -c from_collapse_limit={limit}"
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "") or None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
#: Every prepared list query (``rtkeren.prepared``) also built and compiled as Django would, and
#: an error where the two differ: on in the tests.
PREPARED_QUERIES_CHECK = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "rtkeren_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files pass through a view that checks who may see them (rtkeren.protected_files).
# With a prefix, the view only answers with X-Accel-Redirect to this internal location of the
# proxy, which then sends the file from MEDIA_ROOT; empty: the portal streams the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_ACCEL_REDIRECT_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The largest file the portal takes (a photo, a receipt, a resident file: 5 MB each), and the
# largest request body: that file with the form around it. A larger body gets the 413 page
# before it is read (rtkeren.middleware.RequestBodyLimitMiddleware); the proxy in front must
# refuse the same (nginx: client_max_body_size 6m).
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 6 * 1024 * 1024)
# Uploads larger than this wait in a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Form fields other than files: never more than the body itself may hold.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"

CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail leaves through a worker (`manage.py db_worker`), never inside a request: tasks wait in
# the database, so no other service is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Where the links in e-mails point: the address people use to reach the portal.
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# A login lasts SESSION_COOKIE_AGE at most, and ends earlier after SESSION_IDLE_TIMEOUT seconds
# without a request (a phone lent to a neighbour, a shared computer at the kelurahan office).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 60 * 60 * 24 * 3)

# Failed logins lock the account, not the address: a village may share one carrier address.
# The name counted is the account's, however it was typed (username or phone number).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "rtkeren.auth_backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "rtkeren.ratelimits.client_ip"
AXES_LOCKOUT_CALLABLE = "rtkeren.views.accounts.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# Otherwise anyone could keep someone else's account locked by guessing now and then.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Locking by address would lock a whole village out; addresses get the generous "login" rate
# limit below instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Rate limits per group: (per account, per IP address), see rtkeren/ratelimits.py. The IP side
# is ten times or more the account side: many residents may share one carrier address.
RATE_LIMITS = {
    "login": ("20/m", "200/m"),
    "register": ("5/h", "100/h"),
    "password_code": ("10/h", "100/h"),
    # Per e-mail address typed, not per account: the asker has none or is not its owner.
    "password_reset": ("5/h", "100/h"),
    # Codes to a phone: per number typed, whoever asks, and per address. Each costs an SMS or
    # a WhatsApp message, so the address limit is tight too.
    "password_code_phone": ("3/h", "10/h"),
    "vote": ("30/m", "300/m"),
    "evaluate": ("10/m", "200/m"),
    "checkin": ("10/m", "300/m"),
    # Typing a registrant's NIK from the KTP: a few tries per account, and per registrant
    # whoever types, so that nobody guesses a NIK one serial at a time.
    "nik_check": ("20/h", "200/h"),
    "nik_check_registrant": ("5/h", None),
    # An officer's search by NIK: a day of data entry stays well below.
    "nik_search": ("60/h", "600/h"),
    # Photos, receipts and resident files: a phone documenting a busy day stays well below.
    "upload": ("30/h", "300/h"),
    # Meta's delivery reports: no account, a few addresses of Meta's, many reports a minute.
    "whatsapp_webhook": (None, "600/m"),
    # A calendar application polls a feed every few minutes at most; per feed address, and per
    # address generously (a kelurahan office behind one address holds many feeds).
    "calendar_feed": ("60/h", "1200/h"),
    # The public API: per client address only (no account); the officers' exports per account.
    "api": (None, "600/m"),
    "api_export": ("30/m", None),
}
# How many proxies in front of the portal append to X-Forwarded-For (0: none, use the
# connection's address). Only their entries are trusted for the client's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# No inline script or style anywhere: everything comes from the portal's own static files.
# Bootstrap's stylesheet draws form controls with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "rtkeren": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Notifications outside the portal (docs/notifications.md). WhatsApp goes through Meta's Cloud
# API once its token and sending number are set, SMS through an HTTP gateway once its address
# is; until then the console adapter writes messages to the worker's output.
CONSOLE_ADAPTER = "rtkeren.channels.console.ConsoleAdapter"
WHATSAPP_ACCESS_TOKEN = env_str("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_API_URL = env_str("WHATSAPP_API_URL", "https://graph.facebook.com")
WHATSAPP_API_VERSION = env_str("WHATSAPP_API_VERSION", "v26.0")
WHATSAPP_TIMEOUT = env_int("WHATSAPP_TIMEOUT", 10)
# The webhook (/webhook/whatsapp/): the token Meta's handshake repeats, and the app secret that
# signs each delivery report. Without the secret every report is refused.
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_KEY_FIELD = env_str("SMS_GATEWAY_KEY_FIELD", "key")
SMS_GATEWAY_NUMBER_FIELD = env_str("SMS_GATEWAY_NUMBER_FIELD", "to")
SMS_GATEWAY_TEXT_FIELD = env_str("SMS_GATEWAY_TEXT_FIELD", "message")
SMS_GATEWAY_ID_FIELD = env_str("SMS_GATEWAY_ID_FIELD", "id")
SMS_GATEWAY_NUMBER_FORMAT = env_str("SMS_GATEWAY_NUMBER_FORMAT", "international")
SMS_GATEWAY_JSON = env_bool("SMS_GATEWAY_JSON", False)
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
if SMS_GATEWAY_NUMBER_FORMAT not in ("e164", "international", "national"):
    raise ImproperlyConfigured(
        "SMS_GATEWAY_NUMBER_FORMAT must be e164, international or national, "
        f"not {SMS_GATEWAY_NUMBER_FORMAT!r}."
    )
MESSAGE_ADAPTERS = {
    "whatsapp": (
        "rtkeren.channels.whatsapp.WhatsAppCloudAdapter"
        if WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID
        else CONSOLE_ADAPTER
    ),
    "sms": "rtkeren.channels.sms.HttpSmsGatewayAdapter" if SMS_GATEWAY_URL else CONSOLE_ADAPTER,
    "email": "rtkeren.channels.email.EmailAdapter",
}
# No message leaves between these hours (WIB): it waits until the morning.
QUIET_HOURS_START = env_int("QUIET_HOURS_START", 21)
QUIET_HOURS_END = env_int("QUIET_HOURS_END", 6)
