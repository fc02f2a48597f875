"""The test suite: development settings with a fast password hasher and in-memory e-mail."""

from .development import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PREPARED_QUERIES_CHECK = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run at once, so tests that do not look at the queue still see their e-mail; the e-mail
# tests switch back to the database backend to watch the worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The proposals' fits are kept up to date by the services; the once-a-day refresh of the first
# page that shows them is turned off, so that pages' query counts stay exact (its own tests turn
# it on).
DESIGNING_FIT_DAILY_REFRESH = False
# Phone messages stay in memory (``rtkeren.channels.console.outbox``); the adapters' own tests
# point them at a local fake provider.
MESSAGE_ADAPTERS = {
    "whatsapp": "rtkeren.channels.console.MemoryAdapter",
    "sms": "rtkeren.channels.console.MemoryAdapter",
    "email": "rtkeren.channels.email.EmailAdapter",
}
