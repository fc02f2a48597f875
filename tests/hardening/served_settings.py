"""Production settings as the hardening tests serve them with gunicorn. Two things differ:

- a fast password hasher, so that hundreds of simulated logins on a small test machine measure
  the portal rather than PBKDF2;
- static files found in place rather than collected beforehand (``collectstatic``).
"""

from rtkeren.settings.production import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
