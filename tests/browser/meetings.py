"""What the meetings browser tests share: a meeting scheduled through the API, a staff login
through the page, and whether a page decodes video from the others."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp

from tests.browser.helpers import DEMO_PASSWORD

FRAMES_DECODED = """async () => {
  let frames = 0;
  for (const pc of window.fayuanMeetingPcs || []) {
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
    });
  }
  return frames > 5;
}"""


async def _api_login(http: aiohttp.ClientSession, base_url: str, username: str) -> str:
    async with http.post(f"{base_url}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}) as r:
        assert r.status == 200, await r.text()
        return (await r.json())["csrf_token"]


async def schedule_meeting(base_url: str, title: str, invited: tuple[str, ...]) -> dict:
    """center schedules a meeting starting in 5 minutes (so open now) with these people invited."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _api_login(http, base_url, "admin")
        async with http.get(f"{base_url}/api/accounts") as r:
            ids = [a["id"] for a in await r.json() if a["username"] in invited]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await _api_login(http, base_url, "center")
        starts = datetime.now(timezone.utc) + timedelta(minutes=5)
        async with http.post(f"{base_url}/api/meetings", headers={"X-CSRF-Token": csrf}, json={
                "title": title, "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(), "account_ids": ids}) as r:
            assert r.status == 201, await r.text()
            return await r.json()


async def log_in_to(page: Any, username: str) -> None:
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)


async def join_from_prejoin(page: Any) -> None:
    """From the room's pre-join screen, with the devices it opened, into the meeting."""
    await page.wait_for_selector("body[data-ready=prejoin]")
    await page.get_by_role("button", name="进入会议").click()
    await page.wait_for_selector("body[data-ready=room]")
