import pytest


def pytest_terminal_summary(terminalreporter):
    """Say plainly when the browser tests did not run, so nobody mistakes a skip for a pass."""
    skipped = terminalreporter.stats.get("skipped", [])
    browser_skips = [report for report in skipped if "browser" in report.keywords]
    if browser_skips:
        terminalreporter.write_sep(
            "!",
            f"BROWSER TESTS SKIPPED ({len(browser_skips)}): Chromium not found at "
            "/usr/bin/chromium. Install it with: apt-get install -y chromium",
            yellow=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def _media_in_memory(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
