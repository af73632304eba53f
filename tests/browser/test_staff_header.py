"""The header every staff page shares (issue 17, items 1 and 2) in Chromium against the real
server: the role's pages with what waits on each, live; and the alerts when more comes in while
the page is in the background — a chime (mutable), the count in the title, a desktop
notification through a granted permission and a recording stand-in for window.Notification."""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe, leave_board_message
from tests.browser.test_consultation_call import hours, open_now, staff  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

DESKTOP = {"width": 1440, "height": 900}
# The page thinks it is in the background; Notification records what it is asked to show and the
# chime's oscillators are counted as they start (the real Web Audio graph still runs).
BACKGROUND_AND_RECORDERS = """
window.__notes = [];
window.__tones = 0;
class RecordingNotification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__notes.push({ title, body: options && options.body }); }
  close() {}
}
window.Notification = RecordingNotification;
Document.prototype.hasFocus = () => false;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


async def _login(page, username: str, lands_on: str, ready: str) -> None:
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{lands_on}")
    await page.wait_for_selector(f"body[data-ready{'=' + ready if ready else ''}]")


async def _count(page, name: str) -> int:
    badge = page.locator(f".app-nav [data-count={name}]")
    if await badge.is_hidden():
        return 0
    return int(await badge.locator("[aria-hidden=true]").inner_text())


async def test_station_staff_reach_every_page_from_the_header(page, live_server):
    await page.set_viewport_size(DESKTOP)
    await _login(page, "east", "/lawyer", "console")
    menu = page.get_by_role("navigation", name="网站菜单")
    # each link is its name, then its count badge when something waits (other tests may have left some)
    names = [n.strip().splitlines()[0] for n in await menu.get_by_role("link").all_inner_texts()]
    assert names == ["工作台", "网上留言", "法律援助申请", "视频会议", "统计报表", "管理"]
    assert await menu.get_by_role("link", name="工作台").get_attribute("aria-current") == "page"

    await menu.get_by_role("link", name="网上留言").click()
    await page.wait_for_selector("body[data-ready=board]")
    before = await _count(page, "board")
    leave_board_message(live_server, "樓上漏水，物業不管，怎麼辦？")
    await page.wait_for_function("n => document.querySelector('.app-nav [data-count=board]').textContent.startsWith(n)",
                                 arg=str(before + 1))
    badge_name = await page.get_by_role("link", name="网上留言").text_content()
    assert f"{before + 1} 条留言等您答复" in badge_name
    assert (await page.title()).startswith("(")

    for path, ready in (("/applications", "body #page *"), ("/meetings", None), ("/reports", "body #page *"),
                        ("/admin", "body[data-ready]"), ("/board", "body[data-ready=board]"),
                        ("/lawyer", "body[data-ready=console]")):
        await page.goto(path)
        await page.wait_for_selector(".app-nav [data-count=board]:not([hidden])")
        if ready:
            await page.wait_for_selector(ready)
        current = page.get_by_role("navigation", name="网站菜单").locator("a[aria-current]")
        assert await current.get_attribute("href") == path
        assert await _count(page, "board") == before + 1, path
        violations = await axe_violations(page)
        assert not violations, f"{path}: {describe(violations)}"


async def test_a_lawyer_has_no_reports_and_community_staff_no_console(page):
    await _login(page, "lawyer1", "/lawyer", "console")
    names = await page.get_by_role("navigation", name="网站菜单").get_by_role("link").all_inner_texts()
    assert "统计报表" not in names and "工作台" in names[0]
    await page.click("#logout")
    await page.wait_for_url("**/login")
    await _login(page, "heping", "/board", "board")
    names = await page.get_by_role("navigation", name="网站菜单").get_by_role("link").all_inner_texts()
    assert not any("工作台" in n for n in names) and any("统计报表" in n for n in names)


async def test_a_background_console_chimes_and_notifies_once_muted_only_notifies(browser, live_server):
    context = await browser.new_context(base_url=live_server.base_url, viewport=DESKTOP, locale="zh-CN")
    await context.grant_permissions(["notifications"], origin=live_server.base_url)
    await context.add_init_script(BACKGROUND_AND_RECORDERS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await _login(page, "east", "/lawyer", "console")
        await page.locator("main").click(position={"x": 5, "y": 5})  # the gesture that lets the page make sound
        await page.wait_for_function("() => document.title.length > 0")
        before = await _count(page, "board")
        waiting = re.match(r"\((\d+)\)", await page.title())  # the title counts all that waits
        before_total = int(waiting.group(1)) if waiting else 0

        leave_board_message(live_server, "工資被扣了一半，怎麼辦？")
        await page.wait_for_function("() => window.__notes.length === 1")
        note = (await page.evaluate("() => window.__notes"))[0]
        assert note["title"] == "有新留言等您答复"
        assert note["body"] == f"等您答复的留言：{before + 1} 条"
        assert await page.evaluate("() => window.__tones") == 2  # the chime's two notes
        assert (await page.title()).startswith(f"({before_total + 1})")

        mute = page.get_by_role("button", name="提示音静音")
        await mute.click()
        assert await mute.get_attribute("aria-pressed") == "true"
        leave_board_message(live_server, "欠薪三個月。")
        await page.wait_for_function("() => window.__notes.length === 2")
        assert await page.evaluate("() => window.__tones") == 2  # muted: no sound, the notification still
        await page.reload()
        await page.wait_for_selector("body[data-ready=console]")
        assert await page.get_by_role("button", name="提示音静音").get_attribute("aria-pressed") == "true"
    finally:
        await context.close()
    assert not errors, errors


async def test_a_resident_joining_the_queue_reaches_a_background_console(browser, live_server, open_now):  # noqa: F811
    contexts = []
    for _ in range(2):
        context = await browser.new_context(base_url=live_server.base_url, viewport=DESKTOP, locale="zh-CN")
        contexts.append(context)
    await contexts[0].grant_permissions(["notifications"], origin=live_server.base_url)
    await contexts[0].add_init_script(BACKGROUND_AND_RECORDERS)
    console, kiosk = await contexts[0].new_page(), await contexts[1].new_page()
    try:
        await _login(console, "lawyer1", "/lawyer", "console")
        go_available = console.get_by_role("button", name="开始接听")
        if await go_available.is_visible():
            await go_available.click()  # the gesture that lets the page make sound, too
        await console.get_by_role("status").filter(has_text="您正在值班，可以接听").wait_for()
        await console.locator("main").click(position={"x": 5, "y": 5})
        before = await _count(console, "queue")

        await kiosk.goto(f"/kiosk#token={live_server.kiosks[0]['token']}")
        await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
        await kiosk.get_by_role("button", name="开始视频咨询").click()
        await kiosk.wait_for_selector("[data-screen=queued]:not([hidden])")
        await console.wait_for_function("() => window.__notes.some((n) => n.title === '有居民在排队')")
        assert await console.evaluate("() => window.__tones") >= 2
        assert await _count(console, "queue") == before + 1
        assert (await console.title()).startswith("(")
    finally:
        await kiosk.get_by_role("button", name="不等了，取消").click()
        for context in contexts:
            await context.close()
