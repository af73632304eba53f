"""The import contracts in pyproject.toml ([tool.importlinter]) hold: domains import neither
aiohttp, socket.io nor server.realtime or server.web (their views.py, the HTTP routes, may use
aiohttp and server.web), and signaling imports nothing of ours. `lint-imports` checks them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUMBING = {"realtime", "web"}  # server's folders that are not domains


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_import_contracts_hold() -> None:
    # the venv's own first (make test, CI), then PATH
    found = shutil.which("lint-imports", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                                 os.environ.get("PATH", "")]))
    assert found, "lint-imports is missing: install the test extra (requirements/test.lock)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([found, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_domain_folder_is_under_the_domain_contract() -> None:
    """A new folder under server/ is a domain unless it is plumbing: it is held to the contract
    from its first commit."""
    domains = {f"server.{p.name}" for p in (ROOT / "server").iterdir()
               if (p / "__init__.py").is_file() and p.name not in PLUMBING}
    (contract,) = [c for c in contracts() if "server.realtime" in c.get("forbidden_modules", [])]
    assert set(contract["source_modules"]) == domains


def test_every_domain_that_keeps_tables_is_loaded_for_the_metadata() -> None:
    """db.all_models imports each domain's models.py by name: a new domain with tables is listed."""
    from server.db import MODEL_DOMAINS

    server = Path(__file__).resolve().parent.parent / "server"
    assert set(MODEL_DOMAINS) == {p.parent.name for p in server.glob("*/models.py")}
