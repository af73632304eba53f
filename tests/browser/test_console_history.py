"""The resident's history in the console (issue 17, item 4), between two Chromium contexts: a
kiosk consults, the resident rates with a comment, and the lawyer's console shows the finished
record with that rating and comment; the same kiosk consults again, and when the lawyer takes
it the history panel lists the earlier consultation masked; "show all" reads it in full (an
audit row); after the second call the console shows the new rating and comment. axe-core finds
nothing serious with the panel open, nor on the kiosk's rating screen with its comment field.
Screenshots (the console at 1440×900, the kiosk's rating) go to $FAYUAN_SCREENSHOTS for a person
to look at.

The set-up (service open now, lawyer1 on duty) is test_consultation_call.py's.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import axe_violations, describe, lawyer_on_duty, start_and_take
from tests.browser.test_consultation_call import hours, open_now, staff, two_pages  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

SCREENSHOTS = Path(os.environ.get("FAYUAN_SCREENSHOTS", "/tmp"))
COMMENT_LABEL = "还想对律师说几句吗？（可以不写，写好再点分数）"


async def _no_axe_violations(page: Any, where: str) -> None:
    found = await axe_violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"


async def _hang_up_and_rate(kiosk: Any, lawyer: Any, rating: int, comment: str) -> None:
    await kiosk.get_by_role("button", name="结束通话").click()
    await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
    await lawyer.get_by_role("status").filter(has_text="通话已结束").wait_for()
    await kiosk.get_by_label(COMMENT_LABEL).fill(comment)
    await _no_axe_violations(kiosk, "/kiosk (rating, with a comment)")
    await kiosk.screenshot(path=str(SCREENSHOTS / "kiosk-rating-comment.png"))
    await kiosk.locator(f"button[data-rating='{rating}']").click()
    await kiosk.wait_for_selector("[data-screen=thanks]:not([hidden])")


async def test_the_console_shows_the_kiosks_earlier_consultation_and_the_rating_after_the_call(
        two_pages, live_server, staff, open_now):  # noqa: F811 - fixtures
    kiosk, lawyer, problems = two_pages
    await lawyer.set_viewport_size({"width": 1440, "height": 900})
    await lawyer_on_duty(lawyer)
    await kiosk.goto(f"/kiosk#token={live_server.kiosks[1]['token']}")
    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
    first = await start_and_take(kiosk, lawyer)
    history = lawyer.locator("#history-panel")
    await history.get_by_role("heading", name="这位居民以前的记录").wait_for()
    # the console fills the note form from the record once it has read it: write after that
    await lawyer.wait_for_function("() => document.getElementById('resident-category').textContent !== ''")
    await lawyer.get_by_role("textbox", name="咨询记录").fill("欠薪三个月，已告知先收集工资条")
    await lawyer.get_by_role("button", name="保存记录").click()
    await lawyer.get_by_role("status").filter(has_text="记录已保存").wait_for()
    await _hang_up_and_rate(kiosk, lawyer, 5, "谢谢律师，讲得很清楚")

    finished = history.locator("#history-finished")
    await finished.get_by_text("5 分（很满意）").wait_for()  # pushed: consultation.rated, then the record
    await finished.get_by_text("谢谢律师，讲得很清楚").wait_for()

    # the same kiosk again: the console lists the earlier consultation beside the call
    await kiosk.get_by_role("button", name="回到首页").click()
    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
    second = await start_and_take(kiosk, lawyer)
    assert second != first
    earlier = history.locator(f"li[data-history='consultation:{first}']")
    await earlier.wait_for()
    listed = await earlier.inner_text()
    assert "欠薪三个月，已告知先收集工资条" in listed and "5 分（很满意）" in listed and "同一台终端" in listed
    assert "谢谢律师" not in listed  # the comment only in the full, audited read
    assert await finished.inner_text() == ""  # the last call's record went with it
    await _no_axe_violations(lawyer, "/lawyer (in a call, with the history)")

    await earlier.get_by_role("button", name="查看全部").click()
    detail = history.locator("#history-detail")
    await detail.get_by_role("heading", name=f"第 {first} 号咨询").wait_for()
    assert "谢谢律师，讲得很清楚" in await detail.inner_text()
    audit = await staff["admin"].call("GET", "/api/audit?action=personal_data.read&limit=20")
    assert any(row["object"] == f"consultation:{first}" and row["detail"] == f"history of consultation:{second}"
               for row in audit["rows"]), audit["rows"]
    await _no_axe_violations(lawyer, "/lawyer (an earlier consultation in full)")
    await lawyer.screenshot(path=str(SCREENSHOTS / "console-history-call.png"), full_page=True)

    await _hang_up_and_rate(kiosk, lawyer, 3, "声音有点小")
    await finished.get_by_text("3 分（一般）").wait_for()
    await finished.get_by_text("声音有点小").wait_for()
    assert await lawyer.locator("#call-panel").is_hidden() and await history.is_visible()
    await _no_axe_violations(lawyer, "/lawyer (after the call, with its record)")
    await lawyer.screenshot(path=str(SCREENSHOTS / "console-history-after.png"), full_page=True)

    # in English, drawn again from what was read (a second read would be audited again)
    await lawyer.get_by_role("button", name="English").click()
    await finished.get_by_text("The consultation that just ended").wait_for()
    await finished.get_by_text("3 (OK)").wait_for()
    in_english = await history.locator(f"li[data-history='consultation:{first}']").inner_text()
    assert "5 (Very happy)" in in_english and "same kiosk" in in_english, in_english
    await lawyer.screenshot(path=str(SCREENSHOTS / "console-history-after-en.png"), full_page=True)
    await lawyer.get_by_role("button", name="中文").click()
    await finished.get_by_text("3 分（一般）").wait_for()

    await history.get_by_role("button", name="收起").click()
    assert await history.is_hidden()
    # lawyer1 off duty again, as the other browser tests expect to find them
    await lawyer.get_by_role("button", name="暂停接听").click()
    await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)
