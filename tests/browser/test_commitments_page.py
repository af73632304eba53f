"""Issue 16 item 11: the center's service commitments on a public page (no login) and at the
kiosk, in both languages, with the numbers the server runs on; axe-core finds nothing serious.
Screenshots at a desktop's and a portrait kiosk's size are left in the run's temporary folder."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser.helpers import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
SIZES = {"desktop": {"width": 1920, "height": 1080}, "portrait": {"width": 1080, "height": 1920}}


def _published(live_server) -> dict:
    with urllib.request.urlopen(live_server.url("/api/service-commitments"), timeout=5) as response:
        return json.loads(response.read())


async def test_the_commitments_are_public_in_both_languages(page, live_server, tmp_path_factory):
    published = _published(live_server)
    await page.goto("/commitments")
    await page.wait_for_selector("body[data-ready=commitments] .commitment")
    assert page.url.endswith("/commitments")  # no login asked
    days = published["application_working_days"]
    await page.get_by_text(f"受理后 {days['decision']} 个工作日内决定是否给予法律援助。").wait_for()
    await page.get_by_text(f"决定给予法律援助后 {days['assignment']} 个工作日内指派律师。").wait_for()
    await page.get_by_text(f"每条留言在 {published['board_reply_working_days']} 个工作日内答复").wait_for()
    hours = page.locator(".commitment").first
    assert (await hours.locator("p").first.inner_text()).startswith("咨询时间：")
    for start_end in {f"{w['start']}–{w['end']}" for w in published["hours"]}:
        assert start_end in await hours.inner_text()
    for lang in ("zh-CN", "en"):
        for name, size in SIZES.items():
            await page.set_viewport_size(size)
            await page.screenshot(path=str(tmp_path_factory.getbasetemp() / f"commitments-{lang}-{name}.png"),
                                  full_page=True)
        violations = await axe_violations(page)
        assert not violations, f"{lang}:\n{describe(violations)}"
        if lang == "zh-CN":
            await page.get_by_role("button", name="English").click()
            await page.get_by_role("heading", name="Our service commitments").wait_for()
            await page.get_by_text(f"within {days['decision']} working days of accepting your application").wait_for()
            assert (await hours.locator("p").first.inner_text()).startswith("Advice hours:")


async def test_the_kiosk_shows_the_commitments_from_its_first_screen(page, live_server):
    await page.goto(f"/kiosk#token={live_server.kiosks[1]['token']}")
    await page.wait_for_selector("[data-screen=categories]:not([hidden]), [data-screen=closed]:not([hidden])")
    await page.locator("section:not([hidden]) [data-open-commitments]").click()
    await page.wait_for_selector("[data-screen=commitments]:not([hidden])")
    decision = _published(live_server)["application_working_days"]["decision"]
    await page.get_by_text(f"受理后 {decision} 个工作日内决定是否给予法律援助。").wait_for()
    violations = await axe_violations(page)
    assert not violations, describe(violations)
    await page.get_by_role("button", name="返回").click()
    await page.wait_for_selector("[data-screen=categories]:not([hidden]), [data-screen=closed]:not([hidden])")
