"""Cancelling a meeting on /meetings: the invited person sees the join button (or the opening
time); the host cancels it from the same page; after that the invited see it cancelled, with no
join button. axe-core on both views."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import axe_violations, describe
from tests.browser.meetings import log_in_to, schedule_meeting

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def _meetings(page: Any) -> None:
    await page.goto("/meetings")
    await page.wait_for_selector("body[data-ready=meetings]")


async def test_the_host_cancels_and_the_join_button_goes(browser, live_server, page) -> None:  # type: ignore[no-untyped-def]
    meeting = await schedule_meeting(live_server.base_url, "取消的會議", invited=("union",))
    title = meeting["title"]
    guest_context = await browser.new_context(base_url=live_server.base_url, locale="zh-CN",
                                              viewport={"width": 1280, "height": 900})
    guest = await guest_context.new_page()
    try:
        await log_in_to(guest, "union")
        await _meetings(guest)
        item = guest.locator(f"#meetings li[data-meeting='{meeting['id']}']")
        await item.get_by_role("link", name=f"进入会议：{title}").wait_for()
        assert await item.get_by_role("button", name=f"取消会议：{title}").count() == 0  # invited, not the host

        host = page
        await log_in_to(host, "center")
        await _meetings(host)
        host.once("dialog", lambda dialog: dialog.accept())
        await host.locator(f"button[data-cancel='{meeting['id']}']").click()
        await host.get_by_role("status").filter(has_text=f"已取消：{title}").wait_for()
        violations = await axe_violations(host)
        assert not violations, describe(violations)

        await _meetings(guest)
        item = guest.locator(f"#meetings li[data-meeting='{meeting['id']}']")
        await item.get_by_text("已取消").wait_for()
        assert await item.get_by_role("link").count() == 0
        violations = await axe_violations(guest)
        assert not violations, describe(violations)
    finally:
        await guest_context.close()
