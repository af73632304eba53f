"""Two Chromium contexts (fake camera and microphone) in one mesh meeting: the invitation
with its join button on /meetings, video decoded both ways, chat both ways, and axe-core on
both pages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import aiohttp
import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
CALL_TIMEOUT_MS = 20_000
FRAMES_DECODED = """async () => {
  let frames = 0;
  for (const pc of window.fayuanMeetingPcs || []) {
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
    });
  }
  return frames > 5;
}"""


async def _login(http: aiohttp.ClientSession, base_url: str, username: str) -> str:
    async with http.post(f"{base_url}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}) as r:
        assert r.status == 200, await r.text()
        return (await r.json())["csrf_token"]


async def _schedule(base_url: str) -> dict:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _login(http, base_url, "admin")
        async with http.get(f"{base_url}/api/accounts") as r:
            union_id = next(a["id"] for a in await r.json() if a["username"] == "union")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await _login(http, base_url, "center")
        starts = datetime.now(timezone.utc) + timedelta(minutes=5)
        async with http.post(f"{base_url}/api/meetings", headers={"X-CSRF-Token": csrf}, json={
                "title": "瀏覽器會議", "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(), "account_ids": [union_id]}) as r:
            assert r.status == 201, await r.text()
            return await r.json()


async def _log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)


async def test_two_people_meet_with_video_and_chat_both_ways(browser, live_server, page) -> None:  # type: ignore[no-untyped-def]
    meeting = await _schedule(live_server.base_url)
    host = page
    other_context = await browser.new_context(base_url=live_server.base_url, locale="zh-CN",
                                              viewport={"width": 1280, "height": 900})
    other_context.set_default_timeout(CALL_TIMEOUT_MS)
    guest = await other_context.new_page()
    problems: list[str] = []
    guest.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        await _log_in(host, "center")
        await _log_in(guest, "union")
        # the invitation, with its join button (the room opens 10 minutes before the start)
        await guest.goto("/meetings")
        await guest.wait_for_selector("body[data-ready=meetings]")
        join = guest.get_by_role("link", name=f"进入会议：{meeting['title']}")
        await join.wait_for()
        violations = await axe_violations(guest)
        assert not violations, describe(violations)

        await host.goto(f"/meetings/room?id={meeting['id']}")
        await host.wait_for_selector("body[data-ready=room]")
        await join.click()
        await guest.wait_for_selector("body[data-ready=room]")
        for one in (host, guest):
            await one.wait_for_function(FRAMES_DECODED, timeout=CALL_TIMEOUT_MS, polling=500)

        await host.fill("#chat-text", "各位好")
        await host.press("#chat-text", "Enter")
        await guest.get_by_text("各位好").wait_for()
        await guest.fill("#chat-text", "收到")
        await guest.press("#chat-text", "Enter")
        await host.get_by_text("收到").wait_for()

        violations = await axe_violations(host)
        assert not violations, describe(violations)
        await host.get_by_role("button", name="结束会议（全体）").click()
        await guest.get_by_text("会议已结束").wait_for()
        assert not problems, problems
    finally:
        await other_context.close()
