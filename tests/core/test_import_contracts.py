"""The import contracts of pyproject.toml (``lint-imports``, run by ``make lint``) hold on the
tree, and break when a module crosses a line: checked on a copy of the packages with one
offending module added, so that the real tree is never touched."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ["rtkeren", "commissioning", "designing", "delivery", "assessment"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = [
    "The core never imports a stage app",
    "Stage apps do not import one another",
    "Only URL modules import views",
]


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on ``project``'s pyproject.toml, importing its packages, not the real
    ones (grimp finds a root package through the import path)."""
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", str(project / "pyproject.toml")],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        check=False,
    )


def verdicts(output: str) -> dict[str, str]:
    """Each contract's name with KEPT or BROKEN, from the report."""
    found = {}
    for line in output.splitlines():
        name, _space, verdict = line.rpartition(" ")
        if name in CONTRACTS and verdict in {"KEPT", "BROKEN"}:
            found[name] = verdict
    return found


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the packages and of pyproject.toml."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy)
    for name in PACKAGES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert verdicts(result.stdout) == dict.fromkeys(CONTRACTS, "KEPT")


@pytest.mark.parametrize(
    ("module", "source", "broken", "reported"),
    [
        (
            "rtkeren/attention_extra.py",
            "from designing import selectors\n",
            "The core never imports a stage app",
            "rtkeren.attention_extra -> designing.selectors",
        ),
        (
            "delivery/potentials.py",
            "from commissioning.models import Potential\n",
            "Stage apps do not import one another",
            "delivery.potentials -> commissioning.models",
        ),
        (
            "assessment/periods.py",
            "from rtkeren.views.reports import RtReportView\n",
            "Only URL modules import views",
            "assessment.periods -> rtkeren.views.reports",
        ),
    ],
)
def test_a_module_crossing_a_line_breaks_its_contract(project, module, source, broken, reported):
    (project / module).write_text(f'"""Crosses a line."""\n\n{source}')

    result = lint_imports(project)

    assert result.returncode == 1, result.stdout + result.stderr
    expected = dict.fromkeys(CONTRACTS, "KEPT") | {broken: "BROKEN"}
    assert verdicts(result.stdout) == expected
    assert reported in result.stdout
