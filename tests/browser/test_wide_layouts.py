"""Staff pages at a desktop's 1440 px: /board keeps the list and the open message side by side,
and the lawyer console shows a call's note and transfer forms without scrolling at 1440x900,
both measured from the elements' boxes; axe-core on each state in both languages. A
screenshot of each state is left in the test's tmp_path to look at."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import (DEMO_PASSWORD, axe_in_both_languages, lawyer_on_duty, leave_board_message,
                                   open_pages, start_and_take)
from tests.browser.test_consultation_call import hours, open_now, staff  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
DESKTOP = {"width": 1440, "height": 900}

BOX = "(el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; }"


async def box(page: Any, selector: str) -> dict:
    return await page.locator(selector).evaluate(BOX)


def inside_viewport(b: dict) -> bool:
    return b["x"] >= 0 and b["y"] >= 0 and b["right"] <= DESKTOP["width"] and b["bottom"] <= DESKTOP["height"]


async def test_the_board_keeps_list_and_detail_side_by_side_at_1440(page, live_server, tmp_path):
    leave_board_message(live_server, "老板拖欠工资三个月了，我去劳动监察大队投诉，他们让我先去仲裁，该怎么做？",
                        target="center", category="wages_labour")
    await page.set_viewport_size(DESKTOP)
    await page.goto("/login?next=/board")
    await page.fill("#username", "center")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=board]")
    await page.locator("#rows tr button").first.click()
    await page.locator("#detail h3").first.wait_for()
    for lang in ("zh-CN", "en"):  # the English words are longer
        await page.locator(f"html[lang='{lang}']").wait_for(state="attached")
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(tmp_path / f"board-1440-{lang}.png"))
        listing, detail = await box(page, "#list-heading"), await box(page, "#detail-panel")
        table, panel = await box(page, ".board-table"), await box(page, "#list-heading >> xpath=..")
        assert listing["right"] <= detail["x"], (lang, listing, detail)  # beside, not above
        assert detail["right"] <= DESKTOP["width"] and detail["y"] < DESKTOP["height"] / 2, (lang, detail)
        assert table["right"] <= panel["right"], f"{lang}: the list needs a sideways scroll beside the detail"
        # the open message stays in view while the list is read down to its pager
        await page.locator("#next").scroll_into_view_if_needed()
        assert inside_viewport(await box(page, "#next"))
        assert inside_viewport(await box(page, "#detail-heading")), lang
        await page.click("[data-language-switch]")
    await axe_in_both_languages(page)


async def test_the_console_shows_note_and_transfer_without_scrolling_at_1440x900(browser, live_server, open_now,
                                                                                tmp_path):
    contexts, (kiosk, lawyer), problems = await open_pages(browser, live_server.base_url, ("kiosk", "lawyer"))
    try:
        await lawyer.set_viewport_size(DESKTOP)
        token = next(k["token"] for k in live_server.kiosks if k["unit"] == "C-EAST-1")
        await kiosk.goto(f"/kiosk#token={token}")
        await lawyer_on_duty(lawyer)
        await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
        await kiosk.wait_for_selector("[data-screen=check]:not([hidden])")
        await start_and_take(kiosk, lawyer)
        await lawyer.locator("#resident-category:not(:empty)").wait_for()
        assert await lawyer.evaluate("window.scrollY") == 0
        for lang in ("zh-CN", "en"):  # the English words are longer
            await lawyer.locator(f"html[lang='{lang}']").wait_for(state="attached")
            await lawyer.screenshot(path=str(tmp_path / f"console-1440x900-{lang}.png"))
            for selector in ("#note-form", "#transfer-form", "#note", "#advice", "#transfer-to",
                             "#transfer-form button[type=submit]", "#note-form button[type=submit]", "#remote",
                             "#hangup", "#chat"):
                b = await box(lawyer, selector)
                assert inside_viewport(b), f"{lang}: {selector} is not in the 1440x900 view: {b}"
            video, note = await box(lawyer, "#remote"), await box(lawyer, "#note-form")
            assert video["right"] <= note["x"], "the note is beside the video"
            assert video["right"] - video["x"] >= 480, "the resident's face keeps a usable size"
            await lawyer.click("[data-language-switch]")
        await axe_in_both_languages(lawyer)
        await lawyer.get_by_role("button", name="挂断").click()
        # lawyer1 off duty again, as the other browser tests expect to find them
        await lawyer.get_by_role("button", name="暂停接听").click()
        await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()
        assert not problems, problems
    finally:
        for context in contexts:
            await context.close()
