"""The Nu HTML checker (vnu.jar, run with Java) over a batch of documents at once.

Starting the JVM takes seconds, so every document of a test goes to one invocation. The jar is
``VNU_JAR``, or the copy ``.ci/run`` installs under ``.ci/vnu``. Without Java or the jar the calling
test is skipped and says why; on CI (``CI`` set) that is an error instead.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLED_JAR = ROOT / ".ci" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_HINT = "run .ci/run, or: npm install --prefix .ci/vnu --ignore-scripts vnu-jar"


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def vnu_command() -> list[str]:
    """The command that starts the checker; skips (or fails on CI) when it cannot run."""
    java = shutil.which("java")
    if java is None:
        _unavailable("Java not found: apt-get install -y default-jre-headless")
    jar = Path(os.environ.get("VNU_JAR") or INSTALLED_JAR)
    if not jar.is_file():
        _unavailable(f"The Nu HTML checker is not at {jar}: {INSTALL_HINT}")
    return [java, "-jar", str(jar)]


def html_errors(documents: dict[str, str]) -> dict[str, list[str]]:
    """Check every document with one run of the checker.

    ``documents`` maps a name (a page, a path: anything readable) to its HTML. The answer maps the
    name of each document with errors to its messages, "line N: message"; valid documents are left
    out, so ``assert not html_errors(documents)`` holds when every document is valid.
    """
    if not documents:
        return {}
    command = vnu_command()
    with tempfile.TemporaryDirectory(prefix="rtkeren-vnu-") as folder:
        names = {}
        for number, (name, html) in enumerate(documents.items()):
            file = Path(folder) / f"{number:05d}.html"
            file.write_text(html, encoding="utf-8")
            names[file.name] = name
        finished = subprocess.run(
            [*command, "--errors-only", "--format", "json", "--skip-non-html", folder],
            capture_output=True,
            text=True,
            check=False,
        )
    # The checker writes its JSON report to standard error, and exits 1 when it found errors.
    try:
        report = json.loads(finished.stderr)
    except json.JSONDecodeError as error:
        raise RuntimeError(
            f"The HTML checker failed (exit {finished.returncode}):\n{finished.stderr[-2000:]}"
        ) from error
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        file_name = Path(unquote(urlparse(message.get("url", "")).path)).name
        name = names.get(file_name, file_name or "(checker)")
        line = message.get("lastLine", message.get("firstLine", "?"))
        errors.setdefault(name, []).append(f"line {line}: {message['message']}")
    return errors


def describe(errors: dict[str, list[str]]) -> str:
    """The errors of ``html_errors`` as text for an assertion message."""
    return "\n".join(
        f"{name}:\n" + "\n".join(f"  {message}" for message in messages)
        for name, messages in errors.items()
    )
