"""The center's wall display (/dashboard, issue 15 item 5) in Chromium at 1920×1080 against the
real server: a consultation started at a kiosk's socket shows in the center's queue without a
reload, its taking and its end move the call figures, and axe finds nothing serious in zh-CN or
in English. Other roles are not offered the page and are refused it."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe
from tests.browser.test_consultation_call import hours, open_now, staff  # noqa: F401 - fixtures
from tests.sockets import kiosk, staff as staff_socket

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

WALL = {"width": 1920, "height": 1080}
CENTER_QUEUE = ".queue:first-child"  # the center's own queue comes first
# Well under the page's one-minute refresh: a figure that changes this fast came with a push.
PUSH_TIMEOUT_MS = 15_000


async def _sign_in(page, username: str, next_path: str) -> None:
    await page.goto(f"/login?next={quote(next_path)}")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{next_path}")


async def _figure(page, where: str, name: str) -> str:
    return (await page.locator(f"{where} [data-figure={name}] dd").inner_text()).strip()


async def _until_figure(page, where: str, name: str, value: str) -> None:
    await page.wait_for_function(
        "([where, name, value]) => document.querySelector(`${where} [data-figure=${name}] dd`)?.textContent === value",
        arg=[where, name, value], timeout=PUSH_TIMEOUT_MS)


async def _no_axe_violations(page, where: str) -> None:
    found = await axe_violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"


async def test_the_wall_follows_a_consultation_live_in_both_languages(page, live_server, open_now):  # noqa: F811
    await page.set_viewport_size(WALL)
    await _sign_in(page, "center", "/dashboard")
    await page.wait_for_selector("body[data-ready=dashboard]")
    await page.get_by_role("status").filter(has_text="实时更新中").wait_for()
    menu = page.get_by_role("navigation", name="网站菜单")
    assert await menu.get_by_role("link", name="中心概况").get_attribute("aria-current") == "page"
    assert await page.get_by_role("heading", level=1).inner_text() == "中心实时概况"
    assert "法律援助中心" in await page.locator(f"{CENTER_QUEUE} h3").inner_text()
    waiting = int(await _figure(page, CENTER_QUEUE, "waiting"))
    in_call = int(await _figure(page, CENTER_QUEUE, "in_call"))
    started = int(await _figure(page, "#wall-today", "started"))
    await _no_axe_violations(page, "/dashboard (zh-CN)")

    base = live_server.base_url
    lawyer = await staff_socket(base, "lawyer1")
    resident = await kiosk(base, live_server.kiosks[0]["token"])
    consultation_id = None
    try:
        assert (await lawyer.call("duty.availability", {"available": True}))["on_duty"] is True
        begun = await resident.call("consultation.start", {"category": "wages_labour"})
        consultation_id = begun["consultation"]["id"]
        await _until_figure(page, CENTER_QUEUE, "waiting", str(waiting + 1))
        await _until_figure(page, "#wall-today", "started", str(started + 1))
        assert "(" not in await page.locator(f"{CENTER_QUEUE} h3").inner_text()  # no resident is named

        took = await lawyer.call("queue.take", {"consultation_id": consultation_id})
        assert "error" not in took, took
        await _until_figure(page, CENTER_QUEUE, "in_call", str(in_call + 1))
        await _until_figure(page, CENTER_QUEUE, "waiting", str(waiting))
        await page.locator("#wall-lawyers li[data-status=in_call]").filter(has_text="李明律师").wait_for()
        assert "通话中" in await page.locator("#wall-lawyers li[data-status=in_call]").inner_text()

        await page.get_by_role("button", name="English").click()
        await page.wait_for_selector("html[lang=en]")
        assert await page.get_by_role("heading", level=1).inner_text() == "The center now"
        # the staff header puts what waits elsewhere (other tests' board messages…) before the title
        assert re.sub(r"^\(\d+\) ", "", await page.title()) == "The center now - Fayuan"
        await _no_axe_violations(page, "/dashboard (en, a call under way)")

        await lawyer.call("consultation.hangup", {"consultation_id": consultation_id})
        await _until_figure(page, CENTER_QUEUE, "in_call", str(in_call))
        await page.locator("#wall-lawyers li[data-status=available]").filter(has_text="李明律师").wait_for()
    finally:
        if consultation_id is not None:  # ended whatever failed: the kiosk tests after this one start anew
            await resident.call("consultation.hangup", {"consultation_id": consultation_id})
        await lawyer.call("duty.availability", {"available": False})
        await resident.close()
        await lawyer.close()


async def test_a_lawyer_is_not_offered_the_wall_and_is_refused_it(page):
    await _sign_in(page, "lawyer1", "/dashboard")
    await page.get_by_role("alert").filter(has_text="权限").wait_for()
    assert not await page.locator("#page *").count()
    assert not await page.get_by_role("navigation", name="网站菜单").get_by_role("link", name="中心概况").count()
    await _no_axe_violations(page, "/dashboard refused")
