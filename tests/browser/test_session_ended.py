"""The pages obey `session.ended`: a kiosk whose token is revoked while it shows a screen goes
to its set-up screen (and forgets the token); a console whose login ends elsewhere goes to the
login page. Against the real server process, whose liveness rounds find both within seconds."""
from __future__ import annotations

import aiohttp
import pytest

from tests.browser.test_consultation_call import Api

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
ENDED_WITHIN_MS = 8_000  # two liveness rounds (realtime/liveness.py) and the page's reaction


async def test_a_revoked_kiosk_shows_its_set_up_screen(page, live_server) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        admin = Api(http, live_server.base_url)
        await admin.login("admin")
        units = await admin.call("GET", "/api/units")
        community = next(u for u in units if u["kind"] == "community")
        made = await admin.call("POST", "/api/devices", {"name": "撤销测试终端", "unit_id": community["id"]})
        await page.goto(f"/kiosk#token={made['token']}")
        await page.wait_for_selector("[data-screen=categories]:not([hidden]), [data-screen=closed]:not([hidden])")
        await admin.call("POST", f"/api/devices/{made['id']}/revoke", {})
    await page.wait_for_selector("body[data-screen=setup]", timeout=ENDED_WITHIN_MS)
    assert await page.evaluate("localStorage.getItem('fayuan.kiosk.token')") is None


async def test_a_console_whose_login_ends_elsewhere_goes_to_the_login(page, live_server) -> None:
    await page.goto("/login")
    await page.fill("#username", "lawyer2")
    await page.fill("#password", "fayuan-demo-2026")
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=console]")
    # the same login ends from another tab: the console's socket is told and the page leaves
    csrf = await page.evaluate("fetch('/api/auth/me').then((r) => r.json()).then((me) => me.csrf_token)")
    await page.evaluate("(csrf) => fetch('/api/auth/logout', {method: 'POST', headers: {'X-CSRF-Token': csrf}})", csrf)
    await page.wait_for_url("**/login?next=*", timeout=ENDED_WITHIN_MS)
