"""In Chromium against the real server: community staff fill in and submit an application with
an attachment; the station reviews and approves it; the center approves and assigns a lawyer,
who confirms; the PDFs download. axe-core finds nothing serious on the pages."""
from __future__ import annotations

from urllib.parse import quote, urlparse

import pytest

from server.applications.idnumber import check_character
from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe
from tests.route_table import TINY_PNG

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
FIRST17 = "11010519500307123"
ID_NUMBER = FIRST17 + check_character(FIRST17)


async def sign_in(page, username: str, next_path: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"/login?next={quote(next_path)}")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: page_path(url) == next_path)
    await page.wait_for_selector("body[data-ready]")


def page_path(url: str) -> str:
    parts = urlparse(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    await page.click("#logout")
    await page.wait_for_url("**/login*")


async def act(page, action: str, fill=None) -> None:  # type: ignore[no-untyped-def]
    """Press an action button, fill its form, send it, and wait for the page to come back."""
    await page.click(f"button[data-action={action}]")
    form = page.locator("#action-form")
    await form.wait_for()
    if fill:
        await fill(form)
    async with page.expect_navigation():  # the page reloads with the new state
        await form.locator("button[type=submit]").click()
    await page.wait_for_selector("body[data-ready=one]")


async def fill_in(form, fields: dict[str, str | tuple[str]], check: str) -> None:  # type: ignore[no-untyped-def]
    """The application form, field by label: text typed, a 1-tuple's value selected, and one box ticked."""
    for label, value in fields.items():
        control = form.get_by_label(label, exact=True)
        await (control.select_option(value[0]) if isinstance(value, tuple) else control.fill(value))
    await form.get_by_label(check).check()


async def state_text(page) -> str:  # type: ignore[no-untyped-def]
    return (await page.locator(".details .state").first.text_content() or "").strip()


async def review_and_approve(page, reviewer: str, application_url: str) -> None:  # type: ignore[no-untyped-def]
    """The reviewer (a station or department) reviews and accepts; the center approves, and stays signed in."""
    await sign_in(page, reviewer, application_url)
    await act(page, "review")
    await act(page, "preliminary_approve", lambda f: f.locator("textarea").fill("材料齐全，同意"))
    await act(page, "accept")
    assert await state_text(page) == "已受理"
    await sign_out(page)
    await sign_in(page, "center", application_url)
    await act(page, "center_review")
    await act(page, "approve", lambda f: f.locator("textarea").fill("符合条件"))


async def test_an_application_from_the_kiosk_to_an_assigned_lawyer(page) -> None:  # type: ignore[no-untyped-def]
    await sign_in(page, "heping", "/applications")
    assert describe(await axe_violations(page)) == ""
    await page.click("#new-application")
    form = page.locator("#application-form")
    await form.wait_for()
    await fill_in(form, {"申请人姓名": "王秀英", "性别": ("male",), "公民身份号码": ID_NUMBER, "出生日期": "1950-03-07",
                         "联系电话": "13812345678", "住址": "东城街道和平社区3号楼", "案件类别": ("elder_support",),
                         "案情摘要": "子女拒绝支付赡养费。", "申请事项": "代理赡养纠纷诉讼"}, check="无人赡养的老年人")
    assert describe(await axe_violations(page)) == ""
    await form.locator("button[type=submit]").click()
    await page.wait_for_url("**/applications?id=*")
    await page.wait_for_selector("body[data-ready=one]")
    application_url = page_path(page.url)
    await page.set_input_files("#upload-form input[type=file]", files=[
        {"name": "身份證.png", "mimeType": "image/png", "buffer": TINY_PNG}])
    await page.select_option("#upload-form select", "id_card")
    async with page.expect_navigation():
        await page.click("#upload-form button[type=submit]")
    await page.wait_for_selector("#attachments a[href*='/download']")
    await page.wait_for_selector("body[data-ready=one]")
    assert "身份證.png" in await page.locator("#attachments").text_content()
    assert describe(await axe_violations(page)) == ""
    await act(page, "submit")
    assert await state_text(page) == "已提交"
    await sign_out(page)

    await review_and_approve(page, "east", application_url)
    await act(page, "assign", lambda f: f.get_by_label("方式").select_option("picked"))
    assert "李明" in await page.locator(".details").text_content()
    async with page.expect_download() as download_info:
        await page.click("a[data-document=acceptance_notice]")
    download = await download_info.value
    path = await download.path()
    assert open(path, "rb").read(5) == b"%PDF-"
    assert describe(await axe_violations(page)) == ""
    await sign_out(page)

    await sign_in(page, "lawyer1", application_url)
    await act(page, "confirm_assignment", lambda f: f.locator("input[type=checkbox]").check())
    assert await state_text(page) == "已指派律师"


async def test_the_reports_page_draws_its_charts(page) -> None:  # type: ignore[no-untyped-def]
    await sign_in(page, "center", "/reports")
    await page.wait_for_selector("#chart-states")
    assert await page.evaluate("Boolean(window.Chart)")
    assert await page.get_attribute("#report-csv", "href")
    assert describe(await axe_violations(page)) == ""


async def test_a_step_for_me_shows_a_badge_and_the_list_reloads_itself(page, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.support import Api

    await sign_in(page, "east", "/applications")
    assert await page.locator("#app-badge").is_hidden()
    community = Api(live_server.base_url)
    try:
        await community.login("heping")
        status, app = await community.post("/api/applications", {
            "applicant_name": "李建國", "applicant_sex": "male", "id_number": ID_NUMBER, "birth_date": "1950-03-07",
            "phone": "13812345678", "address": "和平社區5號樓", "household": "本市戶籍",
            "economic_situation": "低保", "hardship_grounds": ["minimum_living_allowance"], "category": "elder_support",
            "opposing_party": "李某", "summary": "拒付贍養費。", "help_requested": "代理訴訟"})
        assert status == 201, app
        status, out = await community.post(f"/api/applications/{app['id']}/submit", {})
        assert status == 200, out
    finally:
        await community.close()
    badge = page.locator("#app-badge")
    await badge.wait_for(state="visible")
    assert (await badge.text_content() or "").strip() == "待您处理 1 件"
    await page.locator(f"a[data-application='{app['id']}']").wait_for()  # no reload by the user
    assert "已轮到您处理" in (await page.locator("#app-live").text_content() or "")
