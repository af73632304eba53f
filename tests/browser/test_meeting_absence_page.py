"""Issue 16, item 10 in Chromium: an ended meeting's record on /meetings lists the invited units
nobody came from, and its CSV link asks for the page's language. axe finds nothing serious."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from signaling import events
from tests.browser.helpers import axe_violations, describe
from tests.browser.meetings import log_in_to
from tests.meetings_support import participant
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def test_the_record_of_a_meeting_names_the_units_that_did_not_come(page, live_server) -> None:  # type: ignore[no-untyped-def]
    base = live_server.base_url
    host_api = Api(base)
    try:
        await host_api.login("center")
        _, units = await host_api.get("/api/units")
        ids = {u["name"]: u["id"] for u in units}
        starts = datetime.now(timezone.utc) + timedelta(minutes=5)
        status, meeting = await host_api.post("/api/meetings", {
            "title": "法援工作季度通报", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "unit_ids": [ids["区总工会法律援助联络中心"], ids["区妇联法律援助联络中心"]]})
        assert status == 201, meeting
    finally:
        await host_api.close()
    union = await participant(base, "union")  # the union comes and goes; the women's federation never does
    try:
        assert not (await union.join(meeting["id"]))["lobby"]
        await union.leave()
    finally:
        await union.close()
    host = await participant(base, "center")
    try:
        await host.join(meeting["id"])
        await host.call(events.MEETING_CONTROL, action="end")
    finally:
        await host.close()

    await log_in_to(page, "center")
    await page.goto("/meetings")
    await page.wait_for_selector("body[data-ready=meetings]")
    await page.get_by_role("button", name="查看记录：法援工作季度通报").first.click()
    absent = page.locator("#absent-units")
    await absent.wait_for()
    assert [t.strip() for t in await absent.locator("li").all_text_contents()] == ["区妇联法律援助联络中心"]
    assert "lang=zh-CN" in (await page.locator("#record-body a[download]").get_attribute("href") or "")
    assert describe(await axe_violations(page)) == ""
