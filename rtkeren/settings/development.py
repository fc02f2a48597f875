"""Local development: DEBUG on, a fixed development key, SQLite under ``var/``, console e-mail."""

from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import PORTAL_URL, VAR_DIR
from .env import env_bool, env_list

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = "django-insecure-rtkeren-development-only"  # noqa: S105 (never used in production)
# The local names, and the host `make run HOST=...` serves on (the one in PORTAL_URL), so that
# the links in its e-mails open.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", f"127.0.0.1,localhost,[::1],{urlsplit(PORTAL_URL).hostname or ''}"
)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Static files come straight from the apps and static/, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

VAR_DIR.mkdir(exist_ok=True)

# Development-only keys for NIK encryption and hashing; production takes its own from the
# environment and refuses to start without them.
NIK_ENCRYPTION_KEYS = ["Bh6N1CzBWQQ6ff_WI_f1Cbm4eTltYCGuWMiGoAFr75w="]
NIK_HASH_KEY = "rtkeren-development-nik-hash-key"  # noqa: S105
