"""Issue 17 item 7 in Chromium: /admin/hours shows and saves a window that ends at 24:00 and
says in the catalog's words when a time is blank; an empty application form is not saved as a
draft, and a draft can be deleted."""
from __future__ import annotations

import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe, log_in, open_section

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def _api(page, method: str, path: str, body=None):
    token = (await (await page.request.get("/api/auth/me")).json())["csrf_token"]
    response = await page.request.fetch(path, method=method, data=body,
                                        headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    return response.status, (await response.json() if response.status != 204 else None)


async def test_a_window_ending_at_midnight_is_shown_and_saved(page):
    await log_in(page)
    _, before = await _api(page, "GET", "/api/service-hours/windows")
    late = [*before["windows"], {"weekday": 6, "start": "20:00", "end": "24:00"}]
    try:
        status, body = await _api(page, "PUT", "/api/service-hours/windows", {"windows": late})
        assert status == 200, body
        await open_section(page, "hours")
        sunday = page.locator(".window[data-weekday='6']")
        assert await sunday.locator("[data-which=end]").input_value() == "00:00"
        await page.get_by_role("button", name="保存每周时段").click()
        await page.get_by_text("每周服务时段已保存").wait_for()
        _, saved = await _api(page, "GET", "/api/service-hours/windows")
        assert {"weekday": 6, "start": "20:00", "end": "24:00"} in saved["windows"]
        violations = await axe_violations(page)
        assert not violations, describe(violations)

        await sunday.locator("[data-which=start]").fill("")
        await page.get_by_role("button", name="保存每周时段").click()
        alert = page.get_by_role("alert").filter(has_text="请填写每个时段的开始时间和结束时间")
        await alert.wait_for()
        assert "pattern" not in await page.locator("main").inner_text()
    finally:
        await _api(page, "PUT", "/api/service-hours/windows", {"windows": before["windows"]})


async def test_an_empty_form_is_no_draft_and_a_draft_is_deleted(page):
    await page.goto("/login?next=/applications")
    await page.fill("#username", "heping")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=list]")
    _, listed = await _api(page, "GET", "/api/applications")
    await page.get_by_role("button", name="新建申请").click()
    await page.wait_for_selector("body[data-ready=form]")
    await page.get_by_role("button", name="保存草稿").click()
    await page.get_by_role("alert").filter(has_text="请至少填写申请人姓名再保存草稿").wait_for()
    _, after = await _api(page, "GET", "/api/applications")
    assert len(after) == len(listed)

    await page.get_by_label("申请人姓名").fill("刪除測試")
    async with page.expect_navigation():
        await page.get_by_role("button", name="保存草稿").click()
    await page.wait_for_selector("body[data-ready=one]")
    draft_id = int(page.url.split("id=")[1])
    await page.get_by_role("button", name="删除草稿").click()
    dialog = page.get_by_role("dialog")
    violations = await axe_violations(page)
    assert not violations, describe(violations)
    async with page.expect_navigation():
        await dialog.get_by_role("button", name="删除草稿").click()
    await page.wait_for_selector("body[data-ready=list]")
    status, _ = await _api(page, "GET", f"/api/applications/{draft_id}")
    assert status == 404
