"""Issue 16, item 10 in Chromium: the reports page shows the breakdowns by category, applicant
group, lawyer and unit, the satisfaction of both kinds with the applicants' comments, and overdue
work by the late unit; its CSV comes in the page's language. axe finds nothing serious."""
from __future__ import annotations

import csv
import io

import pytest

from tests.browser.helpers import axe_violations, describe
from tests.browser.test_applications_page import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


async def download_csv(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    async with page.expect_download() as info:
        await page.click("#report-csv")
    path = await (await info.value).path()
    return list(csv.reader(io.StringIO(open(path, encoding="utf-8-sig").read())))


async def test_the_breakdowns_and_a_csv_in_the_pages_language(page) -> None:  # type: ignore[no-untyped-def]
    await sign_in(page, "center", "/reports")
    groups = page.locator("[data-table='reports.by_group'] tbody tr")
    assert await groups.count() == 5
    assert (await groups.first.locator("th").text_content() or "").strip() == "老年人"
    for name in ("reports.by_category", "reports.by_lawyer", "reports.by_unit", "reports.overdue_by_unit",
                 "reports.satisfaction"):
        assert await page.locator(f"[data-table='{name}']").count() == 1, name
    # what residents said at the kiosk and what applicants said, each under its own heading
    assert await page.locator("h3", has_text="居民在服务点留下的意见").count() == 1
    assert await page.locator("h3", has_text="申请人意见").count() == 1
    assert "lang=zh-CN" in (await page.get_attribute("#report-csv", "href") or "")
    assert (await download_csv(page))[0] == ["部分", "项目", "代码", "数值"]
    assert describe(await axe_violations(page)) == ""
    await page.click("[data-language-switch]")
    await page.locator("[data-table='reports.by_group'] tbody th", has_text="Elderly").wait_for()
    assert "lang=en" in (await page.get_attribute("#report-csv", "href") or "")
    table = await download_csv(page)
    assert table[0] == ["Section", "Figure", "Code", "Value"]
    assert next(row for row in table if row[2] == "generated_at")[3].endswith("+08:00")
    assert describe(await axe_violations(page)) == ""
