"""Issue 17 item 10: with the service open and nobody on the duty roster, the waiting kiosk
says that no lawyer is on duty and when the next one is expected (tomorrow's shift), in both
languages, and offers the message board: "leave a message instead" cancels the wait and opens
the board's form. When the service then closes, the still-waiting resident is told the
question became a message. Each screen passes the kiosk sweep (24 px, 48 px, axe).

The server runs on the real clock: the fixture opens the service all day today and tomorrow
(China time) and rosters lawyer1 for tomorrow morning only.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from tests.browser.test_consultation_call import (  # noqa: F401 - fixtures
    ALL_DAY, CHINA, _today_and_tomorrow, _windows_excluding_now, hours, staff, two_pages)
from tests.browser.test_kiosk_sizes import Sweep, shots  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(loop_scope="module")
async def rostered_tomorrow(staff, hours) -> AsyncIterator[datetime]:  # noqa: F811 - fixtures
    """Open all day today and tomorrow; lawyer1 on duty tomorrow 09:30–11:30 only."""
    await hours([{"weekday": d, "start": ALL_DAY[0], "end": ALL_DAY[1]} for d in range(7)])
    for day in _today_and_tomorrow():
        await staff["admin"].call("PUT", f"/api/service-hours/days/{day}", {"kind": "makeup_workday",
                                                                             "name": "browser test"})
    accounts = await staff["admin"].call("GET", "/api/accounts")
    lawyer = next(a for a in accounts if a["username"] == "lawyer1")
    tomorrow = _today_and_tomorrow()[1]
    shift = await staff["center"].call("POST", "/api/duty/roster", {
        "account_id": lawyer["id"], "day": tomorrow, "start": "09:30", "end": "11:30"})
    yield datetime.fromisoformat(f"{tomorrow}T09:30").replace(tzinfo=CHINA)
    await staff["center"].call("DELETE", f"/api/duty/roster/{shift['id']}")


async def _queue(kiosk: Any, token: str) -> None:
    await kiosk.goto(f"/kiosk#token={token}")
    await kiosk.get_by_role("button", name="婚姻家庭").click()
    await kiosk.get_by_role("button", name="开始视频咨询").click()
    await kiosk.wait_for_selector("[data-screen=queued]:not([hidden])")


async def test_nobody_on_duty_the_kiosk_says_when_and_offers_the_board(two_pages, live_server, staff,
                                                                       rostered_tomorrow, hours, shots):  # noqa: F811
    kiosk, _, problems = two_pages
    sweep = Sweep(kiosk, shots)
    await _queue(kiosk, live_server.kiosks[3]["token"])
    notice = kiosk.locator("#no-duty")
    await notice.get_by_role("heading", name="现在没有律师值班").wait_for()
    expected = rostered_tomorrow
    assert await kiosk.locator("#next-duty").inner_text() == (
        f"下一位值班律师预计 {expected.month}月{expected.day}日星期{'一二三四五六日'[expected.weekday()]} 09:30 开始接听。")
    assert await kiosk.locator("#queue-wait").inner_text() == ""  # no wait to estimate
    assert await kiosk.get_by_text("请再耐心等一会儿").count() == 0
    await sweep.check("kiosk-queued-no-duty")
    await kiosk.get_by_role("button", name="English").click()
    await notice.get_by_role("heading", name="No lawyer is on duty right now").wait_for()
    assert "The next duty lawyer is expected" in await kiosk.locator("#next-duty").inner_text()
    assert "09:30" in await kiosk.locator("#next-duty").inner_text()
    await sweep.check("kiosk-queued-no-duty-en")
    consultation_id = await kiosk.evaluate("window.fayuanKiosk.consultationId")

    await kiosk.get_by_role("button", name="Leave a message instead").click()
    await kiosk.wait_for_url("**/kiosk/board")
    await kiosk.get_by_role("heading", name="留言", exact=True).wait_for()  # straight on the form
    await kiosk.get_by_label("您的问题").wait_for()
    record = await staff["center"].call("GET", f"/api/consultations/{consultation_id}")
    assert record["state"] == "cancelled"
    await sweep.check("board-leave-from-queue")

    # Another resident waits on; the service closes: the question became a message.
    await _queue(kiosk, live_server.kiosks[3]["token"])
    await kiosk.locator("#no-duty").wait_for()
    await hours(_windows_excluding_now())
    await kiosk.wait_for_selector("[data-screen=moved]:not([hidden])", timeout=20_000)
    await sweep.check("kiosk-moved")
    sweep.assert_clean()
    assert not problems, "\n".join(problems)

