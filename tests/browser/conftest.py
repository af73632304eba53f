"""The browser harness: the real server as a subprocess (`fayuan serve --migrate --demo` on a
fresh SQLite in a temporary folder) and Debian's Chromium driven by Playwright's async API.

The server (tests/processes.py's ServerProcess) is started once per test session and the
browser once per module; each test gets a fresh browser context (its own cookies and
localStorage).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests.processes import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "client" / "web" / "vendor"
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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = ServerProcess(tmp_path_factory.mktemp("fayuan-live")).start()
    try:
        demo = server.demo_logins()
        yield LiveServer(base_url=server.base_url, data_dir=server.data_dir,
                         logins={login["username"]: login for login in demo["logins"]}, kiosks=demo["kiosks"])
    finally:
        server.stop()


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
    # a whole page load on a loaded 2-core machine (CI runs browsers, servers and Janus at once)
    context.set_default_navigation_timeout(30_000)
    one = await context.new_page()
    problems: list[str] = []
    one.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}")
           if msg.type == "error" else None)
    one.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield one
    await context.close()
    # a test that provokes another refusal on purpose says so: page.refusals_expected = {404}
    allowed = {401, 403} | getattr(one, "refusals_expected", set())
    expected = [p for p in problems if not any(f"status of {status} " in p for status in allowed)]
    assert not expected, "the page reported errors:\n" + "\n".join(expected)
