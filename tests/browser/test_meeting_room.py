"""Two Chromium contexts (fake camera and microphone) in one mesh meeting: the invitation
with its join button on /meetings, video decoded both ways, chat both ways, and axe-core on
both pages."""
from __future__ import annotations

import pytest

from tests.browser.helpers import axe_violations, describe
from tests.browser.meetings import FRAMES_DECODED, join_from_prejoin, log_in_to, schedule_meeting

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
CALL_TIMEOUT_MS = 20_000


async def test_two_people_meet_with_video_and_chat_both_ways(browser, live_server, page) -> None:  # type: ignore[no-untyped-def]
    meeting = await schedule_meeting(live_server.base_url, "瀏覽器會議", invited=("union",))
    host = page
    other_context = await browser.new_context(base_url=live_server.base_url, locale="zh-CN",
                                              viewport={"width": 1280, "height": 900})
    other_context.set_default_timeout(CALL_TIMEOUT_MS)
    guest = await other_context.new_page()
    problems: list[str] = []
    guest.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        await log_in_to(host, "center")
        await log_in_to(guest, "union")
        # the invitation, with its join button (the room opens 10 minutes before the start)
        await guest.goto("/meetings")
        await guest.wait_for_selector("body[data-ready=meetings]")
        join = guest.get_by_role("link", name=f"进入会议：{meeting['title']}")
        await join.wait_for()
        violations = await axe_violations(guest)
        assert not violations, describe(violations)

        await host.goto(f"/meetings/room?id={meeting['id']}")
        await join_from_prejoin(host)
        await join.click()
        await join_from_prejoin(guest)
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
