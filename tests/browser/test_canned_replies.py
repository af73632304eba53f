"""Issue 17 item 3 in Chromium: station staff keep canned replies in /admin/replies (add, edit,
order) and insert one into a board reply by "/" and by the button, with the keyboard only."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PAPERS = "请带上身份证、劳动合同和工资条，到东城街道法律援助工作站面谈。"
MEDIATION = "可以先向街道人民调解委员会申请调解，不收费。"


def _leave(live_server) -> dict:
    token = next(k["token"] for k in live_server.kiosks if k["unit"] == "C-EAST-1")
    body = {"category": "wages_labour", "question": "老板三个月没发工资。", "contact_name": "钱师傅",
            "contact_phone": "13800002222", "target": "station"}
    request = urllib.request.Request(live_server.url("/api/board/messages"), data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


async def _add(page, title: str, body: str) -> None:
    await page.get_by_role("button", name="添加常用回复").click()
    await page.get_by_label("标题").fill(title)
    await page.get_by_label("回复内容").fill(body)
    await page.get_by_role("button", name="保存").click()
    await page.get_by_role("status").filter(has_text=f"已保存“{title}”").wait_for()


async def test_keep_order_and_insert_canned_replies(page, live_server):
    await page.set_viewport_size({"width": 1440, "height": 900})
    await page.goto("/login?next=/admin/replies")
    await page.fill("#username", "east")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=replies]")
    await _add(page, "带材料面谈", PAPERS)
    await _add(page, "调解", "先调解")
    await page.locator("tr", has_text="调解").get_by_role("button", name="修改").click()
    await page.get_by_label("回复内容").fill(MEDIATION)
    await page.get_by_role("button", name="保存").click()
    await page.get_by_role("status").filter(has_text="已保存“调解”").wait_for()
    await page.locator("tr", has_text="调解").get_by_role("button", name="上移").click()
    await page.wait_for_function("() => document.querySelector('tbody tr td:nth-child(2)')?.textContent === '调解'")
    violations = await axe_violations(page)
    assert not violations, describe(violations)

    message = _leave(live_server)
    await page.goto("/board")
    await page.wait_for_selector("body[data-ready=board]")
    await page.locator(f"tr[data-message='{message['id']}']").get_by_role("button").click()
    box = page.get_by_label("答复内容")
    await box.fill("您好。")
    await box.press("End")
    await box.type(" /面谈")
    listbox = page.get_by_role("listbox", name="常用回复")
    await listbox.get_by_role("option").first.wait_for()
    assert await listbox.get_by_role("option").count() == 1
    await box.press("Enter")
    assert await box.input_value() == f"您好。 {PAPERS}"
    assert await listbox.is_hidden()

    await page.get_by_role("button", name="常用回复").click()
    combobox = page.get_by_role("combobox", name="筛选常用回复")
    assert await combobox.evaluate("el => el === document.activeElement")
    options = listbox.get_by_role("option")
    assert await options.nth(0).inner_text() == f"调解 {MEDIATION}"  # the order kept in /admin/replies
    await combobox.press("ArrowDown")
    await combobox.press("ArrowUp")
    violations = await axe_violations(page)
    assert not violations, describe(violations)
    await combobox.press("Enter")
    assert await box.input_value() == f"您好。 {PAPERS}{MEDIATION}"
    await page.get_by_role("button", name="发送答复").click()
    await page.get_by_role("status").filter(has_text="答复已发送").wait_for()
