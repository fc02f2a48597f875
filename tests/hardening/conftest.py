import pytest

from tests.hardening import support


@pytest.fixture(scope="session")
def migrated_template():
    """A database with every migration applied, once per run; the tests copy it (CREATE
    DATABASE ... TEMPLATE) instead of migrating again."""
    support.pg_admin().close()
    name = support.scratch_name("template")
    support.create_database(name)
    try:
        support.manage("migrate", "--noinput", "-v0", env=support.portal_env(name))
        yield name
    finally:
        support.drop_database(name)


@pytest.fixture(scope="session")
def demo_template(migrated_template):
    """The same with the demo data loaded (``seed_demo``), once per run."""
    name = support.scratch_name("demo")
    support.create_database(name, template=migrated_template)
    try:
        support.manage("seed_demo", "--force", env=support.portal_env(name))
        yield name
    finally:
        support.drop_database(name)
