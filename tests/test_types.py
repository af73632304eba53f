"""server/, signaling/ and client/ type-check with mypy under [tool.mypy] in pyproject.toml, with
no `type: ignore` that is not needed (warn_unused_ignores)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_code_type_checks() -> None:
    # the venv's own mypy (make test, CI); the files and options come from pyproject.toml
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert "No module named mypy" not in run.stderr, "mypy is missing: install the test extra (requirements/test.lock)"
    assert run.returncode == 0, run.stdout + run.stderr
