"""The browser harness: the real server as a subprocess (`fayuan serve --migrate --demo` on a
fresh SQLite in a temporary folder) and Debian's Chromium driven by Playwright's async API.

The server and the browser are started once per test session and module respectively; each
test gets a fresh browser context (its own cookies and localStorage).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "client" / "web" / "vendor"
SERVER_START_TIMEOUT_SECS = 30.0
SERVER_STOP_TIMEOUT_SECS = 10.0
# From shared/WEBRTC-NOTES.md; the fake media flags let later tests place calls.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    data_dir: Path
    logins: dict[str, dict]  # username → {"username", "password", "role", "unit"}
    kiosks: list[dict]

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fayuan_command() -> list[str]:
    script = Path(sys.executable).with_name("fayuan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fayuan serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"fayuan serve did not answer {url} within {SERVER_START_TIMEOUT_SECS}s:\n"
                       f"{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("fayuan-live")
    port = _free_port()
    env = {**os.environ, "FAYUAN_DATA_DIR": str(data_dir), "FAYUAN_PORT": str(port), "FAYUAN_HOST": "127.0.0.1",
           "FAYUAN_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'fayuan.sqlite3'}"}
    env.pop("FAYUAN_REDIS_URL", None)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*_fayuan_command(), "serve", "--migrate", "--demo"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base_url + "/healthz", process, log)
        demo = json.loads((data_dir / "demo-logins.json").read_text())
        yield LiveServer(base_url=base_url, data_dir=data_dir,
                         logins={login["username"]: login for login in demo["logins"]}, kiosks=demo["kiosks"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT_SECS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser_ready() -> None:
    """Fail with the fix when something the browser tests need is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if not (VENDOR / "axe.min.js").exists():
        pytest.fail("client/web/vendor/ is not built: run `make assets`")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(browser_ready: None) -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                    args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser, live_server: LiveServer) -> AsyncIterator:
    """A fresh context and page; console errors and failed page requests fail the test."""
    context = await browser.new_context(base_url=live_server.base_url, viewport={"width": 1280, "height": 900},
                                        locale="zh-CN")
    context.set_default_timeout(10_000)
    one = await context.new_page()
    problems: list[str] = []
    one.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}")
           if msg.type == "error" else None)
    one.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield one
    await context.close()
    expected = [p for p in problems if "status of 401" not in p and "status of 403" not in p]
    assert not expected, "the page reported errors:\n" + "\n".join(expected)
