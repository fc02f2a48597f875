"""Settings per environment, checked in fresh interpreters so that each module loads from zero."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rtkeren.settings.base import database_from_url

ROOT = Path(__file__).resolve().parent.parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY"))}
    clean.pop("ALLOWED_HOSTS", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "rtkeren.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-test-only-0123456789abcdef",
    "ALLOWED_HOSTS": "rtkeren.blitarkota.go.id",
    "NIK_ENCRYPTION_KEYS": "1pOgL3d0bkf0Zm2y3IR8cVZ2sI2fBlkF0yDq2ZgYw7w=",
    "NIK_HASH_KEY": "a-long-random-nik-hash-key-for-the-test-only",
}


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {**PRODUCTION}
    del env["ALLOWED_HOSTS"]

    result = manage("check", **env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


def test_production_deploy_check_prints_no_warning():
    env = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_deploy_check_warns_of_a_cache_each_worker_keeps_alone():
    result = manage("check", "--deploy", **PRODUCTION)

    assert "rtkeren.W103" in result.stderr + result.stdout


def test_production_refuses_to_start_without_nik_keys():
    env = {**PRODUCTION}
    del env["NIK_HASH_KEY"]

    result = manage("check", **env)

    assert result.returncode != 0
    assert "NIK_HASH_KEY is required" in result.stderr


def test_production_keeps_connections_and_takes_redis_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['CONN_MAX_AGE'],"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.CACHES['default']['BACKEND'],"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        code,
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/rtkeren",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "60",
        "True",
        "rtkeren.cache.RedisCache",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


def test_the_app_server_keeps_what_it_loaded_out_of_the_collectors_passes():
    # What gunicorn loads (rtkeren.wsgi): Django and the portal frozen, young objects collected
    # less often than Python's default.
    code = (
        "import gc; import rtkeren.wsgi as w;"
        "print(gc.get_threshold() == w.GC_THRESHOLD, gc.get_freeze_count() > 10_000,"
        " gc.get_threshold()[0] > 700)"
    )
    result = manage("shell", "--verbosity=0", "-c", code, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]


def test_development_settings_are_the_default_of_manage_py():
    result = manage("shell", "-v0", "-c", "from django.conf import settings; print(settings.DEBUG)")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_malformed_boolean_in_the_environment_fails_loudly():
    result = manage("check", DEBUG="perhaps")

    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_sqlite_gets_wal_busy_timeout_and_immediate_transactions():
    config = database_from_url(None)

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert str(config["NAME"]).endswith("var/rtkeren.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_selects_postgresql():
    config = database_from_url("postgres://u:p@db.example:5433/rtkeren", conn_max_age=60)

    assert config["ENGINE"] == "rtkeren.db.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "rtkeren")
    assert config["CONN_MAX_AGE"] == 60
    assert "OPTIONS" not in config or "transaction_mode" not in config["OPTIONS"]


def test_postgresql_keeps_the_join_order_of_long_joins(monkeypatch):
    assert (
        "join_collapse_limit=4 -c from_collapse_limit=4"
        in (database_from_url("postgres://u:p@db.example/rtkeren")["OPTIONS"]["options"])
    )
    monkeypatch.setenv("DATABASE_JOIN_COLLAPSE_LIMIT", "8")

    options = database_from_url("postgres://u:p@db.example/rtkeren")["OPTIONS"]["options"]

    assert options == "-c join_collapse_limit=8 -c from_collapse_limit=8"


@pytest.mark.django_db
def test_the_connection_really_plans_with_the_limit():
    from django.db import connection

    if connection.vendor != "postgresql":
        assert "options" not in connection.settings_dict["OPTIONS"]
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        join_limit = cursor.fetchone()[0]
        cursor.execute("SHOW from_collapse_limit")
        from_limit = cursor.fetchone()[0]

    assert (join_limit, from_limit) == ("4", "4")


@pytest.mark.parametrize("url", ["sqlite:////tmp/other.sqlite3"])
def test_database_url_may_name_another_sqlite_file(url):
    config = database_from_url(url)

    assert config["NAME"] == "/tmp/other.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_connection_really_uses_wal(tmp_path):
    import sqlite3

    path = tmp_path / "wal.sqlite3"
    result = manage(
        "shell",
        "-v0",
        "-c",
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        DATABASE_URL=f"sqlite:///{path}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
