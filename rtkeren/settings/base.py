"""Settings shared by every environment.

The environment modules (development, test, production) import everything from here and change
only what differs. ``DATABASE_URL`` selects the database everywhere; without it SQLite is used.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_int, env_str

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
    "rtkeren",
    "commissioning",
    "designing",
    "delivery",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rtkeren.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rtkeren.urls"
WSGI_APPLICATION = "rtkeren.wsgi.application"

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
                "rtkeren.context_processors.notifications",
            ],
        },
    },
]

AUTH_USER_MODEL = "rtkeren.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "rtkeren.auth_backends.UsernameOrPhoneBackend",
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
    worker can write side by side without "database is locked" errors.
    """
    if url:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "rtkeren.sqlite3"}
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5_242_880)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"

# How long the stage sections of a kelurahan's public page stay cached (0: not at all).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail leaves through a worker (`manage.py db_worker`), never inside a request: tasks wait in
# the database, so no other service is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Where the links in e-mails point: the address people use to reach the portal.
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)

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
