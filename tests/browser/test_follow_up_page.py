"""Issue 16, item 9 in Chromium against the real server: on a closed case the center records a
return visit and marks an instalment paid, the community staff with the applicant records their
satisfaction, comment and supervision card, and the lawyer sees them; axe finds nothing serious."""
from __future__ import annotations

import pytest

from tests.browser.test_applications_page import ID_NUMBER, page_path, sign_in, sign_out
from tests.browser.helpers import axe_violations, describe
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def closed_case(base_url: str) -> int:
    """Filed at 和平社区, taken by the API to `closed` with lawyer1 and its follow-up step done."""
    apis = {name: Api(base_url) for name in ("heping", "east", "center", "lawyer1")}
    try:
        for name, api in apis.items():
            await api.login(name)
        status, app = await apis["heping"].post("/api/applications", {
            "applicant_name": "赵桂兰", "applicant_sex": "male", "id_number": ID_NUMBER, "birth_date": "1950-03-07",
            "phone": "13812345678", "address": "和平社区7号楼", "household": "本市户籍",
            "economic_situation": "低保", "hardship_grounds": ["minimum_living_allowance"],
            "applicant_groups": ["elderly", "woman"], "category": "elder_support", "opposing_party": "赵某",
            "summary": "拒付赡养费。", "help_requested": "代理诉讼"})
        assert status == 201, app
        aid = app["id"]
        _, lawyers = await apis["center"].get("/api/lawyers")
        lawyer = next(entry["id"] for entry in lawyers if entry["name"] == "李明")
        for who, suffix, body in [
                ("heping", "submit", {}), ("east", "review", {}), ("east", "preliminary-approve", {}),
                ("east", "accept", {}), ("center", "center-review", {}), ("center", "approve", {}),
                ("center", "assign", {"lawyer_id": lawyer, "mode": "picked"}),
                ("lawyer1", "confirm-assignment", {"no_conflict": True}), ("lawyer1", "start", {}),
                ("lawyer1", "close", {"outcome": "判决每月支付赡养费"}),
                ("center", "follow-up", {"visit_notes": "结案回访", "satisfaction": 5, "supervision_card": {
                    "attitude": "satisfied", "quality": "satisfied", "charged_fees": False},
                    "instalments": [{"due": "2020-01-15", "amount": "1000.00"},
                                    {"due": "2099-01-15", "amount": "1000.00"}]})]:
            status, out = await apis[who].post(f"/api/applications/{aid}/{suffix}", body)
            assert status == 200, (suffix, out)
        return int(aid)
    finally:
        for api in apis.values():
            await api.close()


async def test_visits_payments_and_satisfaction_on_the_applications_page(page, live_server) -> None:  # type: ignore[no-untyped-def]
    aid = await closed_case(live_server.base_url)
    url = f"/applications?id={aid}"
    await sign_in(page, "center", url)
    section = page.locator("#follow-up")
    await section.wait_for()
    assert "老年人、妇女" in (await page.locator(".details").first.text_content() or "")
    visit = section.locator("[data-form=visit]")
    await visit.get_by_label("回访方式").select_option("in_person")
    await visit.get_by_label("回访结果").fill("上门回访，第一期已收到")
    await visit.locator("button[type=submit]").click()
    await section.locator("#visits li", has_text="上门回访，第一期已收到").wait_for()
    assert "当面回访" in (await section.locator("#visits").text_content() or "")
    await section.locator("[data-form=pay-1] button").click()
    await section.locator("[data-instalment='1']", has_text="已履行").wait_for()
    assert await section.locator("[data-form=pay-2]").count() == 1
    assert describe(await axe_violations(page)) == ""
    await sign_out(page)

    await sign_in(page, "heping", url)
    rate = page.locator("[data-form=rate]")
    await rate.wait_for()
    assert await page.locator("[data-form=visit]").count() == 0  # community staff do not record visits
    await rate.get_by_label("满意度（1-5）").select_option("4")
    await rate.get_by_label("申请人意见").fill("律师很耐心")
    await rate.get_by_label("服务态度").select_option("satisfied")
    await rate.get_by_label("办案质量").select_option("basically_satisfied")
    await rate.locator("button[type=submit]").click()
    await page.locator("#satisfaction", has_text="律师很耐心").wait_for()
    assert "基本满意" in (await page.locator("#satisfaction").text_content() or "")
    assert describe(await axe_violations(page)) == ""
    await sign_out(page)

    await sign_in(page, "lawyer1", url)
    await page.locator("#satisfaction", has_text="律师很耐心").wait_for()
    assert await page.locator("[data-form=rate]").count() == 0
    assert "4/5" in (await page.locator("#satisfaction").text_content() or "")
    assert page_path(page.url) == url
    assert describe(await axe_violations(page)) == ""
