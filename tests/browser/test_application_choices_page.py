"""In Chromium against the real server (issue 16, item 8): community staff write the applicant's
chosen lawyer on the form and send the application to a department liaison center, which reviews
it; the center's assign step offers the chosen lawyer first and asks why when it proposes another;
a lawyer declines for a conflict with the applicant, and the center is warned when it proposes them
for her again. axe-core finds nothing serious on the way.

The applicant is nobody else's in the browser tests (a name and ID number of her own), so the
conflict remembered here warns no other test."""
from __future__ import annotations

import pytest

from server.applications.idnumber import check_character
from tests.browser.helpers import axe_violations, describe
from tests.browser.test_applications_page import (act, fill_in, page_path, review_and_approve, sign_in, sign_out,
                                                  state_text)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
APPLICANT = "赵春梅"
FIRST17 = next(f"11010519600512{seq:03d}" for seq in range(100, 1000, 2)  # even: a woman
               if check_character(f"11010519600512{seq:03d}") == "X")
ID_NUMBER = FIRST17 + "X"


async def no_violations(page) -> None:  # type: ignore[no-untyped-def]
    assert describe(await axe_violations(page)) == ""


async def test_the_applicants_choices_from_the_form_to_a_remembered_conflict(page, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.support import Api

    page.refusals_expected = {400}  # the assign step without its reason, on purpose
    await sign_in(page, "heping", "/applications")
    await page.click("#new-application")
    form = page.locator("#application-form")
    await form.wait_for()
    await fill_in(form, {"申请人姓名": APPLICANT, "性别": ("female",), "公民身份号码": ID_NUMBER.lower(),
                         "出生日期": "1960-05-12", "联系电话": "13812345679", "住址": "东城街道和平社区7号楼",
                         "案件类别": ("wages_labour",), "对方当事人": "钱某建筑公司", "案情摘要": "被拖欠工资八个月。",
                         "申请事项": "代理劳动争议仲裁"}, check="农民工追讨劳动报酬")
    chosen = form.get_by_label("申请人选择的律师（点援）", exact=True)
    await chosen.select_option(label="张华（正平律师事务所）")
    await no_violations(page)
    await form.locator("button[type=submit]").click()
    await page.wait_for_url("**/applications?id=*")
    await page.wait_for_selector("body[data-ready=one]")
    application_url = page_path(page.url)
    assert "张华" in (await page.locator(".details").text_content() or "")

    # submitting: where it goes, among the units the plan allows; the trade union's liaison center here
    await page.click("button[data-action=submit]")
    route = page.locator("#action-form").get_by_label("报送单位（初审）", exact=True)
    await route.wait_for()
    offered = [text.strip() for text in await route.locator("option").all_text_contents()]
    assert offered[0] == "东城街道法律援助工作站（所属街道工作站）"
    assert offered[-1].endswith("（直接报送中心）")
    assert "区妇联法律援助联络中心（部门联络中心）" in offered
    await no_violations(page)
    await route.select_option(label="区总工会法律援助联络中心（部门联络中心）")
    async with page.expect_navigation():
        await page.locator("#action-form button[type=submit]").click()
    await page.wait_for_selector("body[data-ready=one]")
    assert await state_text(page) == "已提交"
    assert "区总工会法律援助联络中心" in (await page.locator(".details").text_content() or "")
    await sign_out(page)

    # the department's staff review it; the center approves, then assigns: the chosen lawyer first,
    # and another one needs the reason, which goes into the record
    await review_and_approve(page, "union", application_url)
    await page.click("button[data-action=assign]")
    assign = page.locator("#action-form")
    lawyer = assign.get_by_label("律师", exact=True)
    await lawyer.wait_for()
    options = [text.strip() for text in await lawyer.locator("option").all_text_contents()]
    assert options[0] == "张华（正平律师事务所） — 申请人选择"
    assert await assign.get_by_label("方式").count() == 0  # the server decides: picked for the chosen one
    await lawyer.select_option(label="李明（明德律师事务所）")
    warning = page.locator("#assign-warning")
    assert "申请人选择的是 张华" in (await warning.text_content() or "")
    await no_violations(page)
    await assign.locator("button[type=submit]").click()
    await assign.locator(".message.error").filter(has_text="写明为何不指派申请人选择的律师").wait_for()
    await assign.get_by_label("理由", exact=True).fill("张华律师本月已满负荷")
    async with page.expect_navigation():
        await assign.locator("button[type=submit]").click()
    await page.wait_for_selector("body[data-ready=one]")
    timeline = page.locator(".timeline")
    assert "未指派申请人选择的律师（理由）" in (await timeline.text_content() or "")
    assert "张华律师本月已满负荷" in (await timeline.text_content() or "")
    await no_violations(page)
    await sign_out(page)

    # lawyer1 declines for a conflict with the applicant
    await sign_in(page, "lawyer1", application_url)

    async def decline(f) -> None:  # type: ignore[no-untyped-def]
        await f.get_by_label("理由", exact=True).fill("曾代理钱某建筑公司")
        await f.get_by_label(f"申请人 {APPLICANT}").check()

    await page.click("button[data-action=decline_assignment]")
    await no_violations(page)
    await page.click("#action-form button[type=button]")  # cancel, then the real one
    await act(page, "decline_assignment", decline)
    await sign_out(page)

    # she applies again (another community's staff, through the API): the center is warned
    community = Api(live_server.base_url)
    try:
        await community.login("heping")
        status, again = await community.post("/api/applications", {
            "applicant_name": f"{APPLICANT}（再次申请）", "applicant_sex": "female", "id_number": ID_NUMBER,
            "birth_date": "1960-05-12", "phone": "13812345679", "address": "和平社区7号楼", "household": "本市",
            "economic_situation": "无收入", "hardship_grounds": ["migrant_worker_wages"], "category": "wages_labour",
            "opposing_party": "孙某", "summary": "又被拖欠工资。", "help_requested": "代理仲裁"})
        assert status == 201, again
        status, _ = await community.post(f"/api/applications/{again['id']}/submit", {})
        assert status == 200
    finally:
        await community.close()
    station = Api(live_server.base_url)
    center = Api(live_server.base_url)
    try:
        await station.login("east")
        for suffix in ("review", "preliminary-approve", "accept"):
            assert (await station.post(f"/api/applications/{again['id']}/{suffix}", {}))[0] == 200
        await center.login("center")
        for suffix in ("center-review", "approve"):
            assert (await center.post(f"/api/applications/{again['id']}/{suffix}", {}))[0] == 200
    finally:
        await station.close()
        await center.close()
    await sign_in(page, "center", f"/applications?id={again['id']}")
    await page.click("button[data-action=assign]")
    assign = page.locator("#action-form")
    await assign.get_by_label("律师", exact=True).select_option(label="李明（明德律师事务所）")
    warned = page.locator("#assign-warning [data-conflict-warning]")
    await warned.wait_for()
    text = await warned.text_content() or ""
    assert "李明" in text and APPLICANT in text and ID_NUMBER[:6] + "*" * 12 in text
    assert ID_NUMBER not in text
    await no_violations(page)
    await assign.get_by_label("理由", exact=True).fill("已核实：前案已结，申请人同意")
    async with page.expect_navigation():
        await assign.locator("button[type=submit]").click()
    await page.wait_for_selector("body[data-ready=one]")
    assert "指派曾申报利益冲突的律师（理由）" in (await page.locator(".timeline").text_content() or "")
    await sign_out(page)
