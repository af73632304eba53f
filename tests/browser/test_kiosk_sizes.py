"""Issue 17 item 8: 24 px and up, everywhere on the kiosk. The kiosk (with a lawyer's console
beside it) and the kiosk's message board are walked through every screen a resident meets;
on each, at a landscape and a portrait kiosk's size, every visible text is at least 24 px,
every button, link and field at least 48 × 48 px, and axe-core finds nothing serious.
A screenshot of each screen at each size is left in the test run's temporary folder.

The set-up (service open now, lawyer1 on duty) is test_consultation_call.py's.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import axe_violations, describe, lawyer_on_duty, small_on_kiosk
from tests.browser.helpers import leave_board_message
from tests.browser.test_board_pages import find_mine, open_kiosk_board
from tests.browser.test_consultation_call import (  # noqa: F401 - fixtures
    _windows_excluding_now, hours, open_now, staff, two_pages)
from tests.route_table import TINY_PNG

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

KIOSK_SIZES = {"landscape": {"width": 1920, "height": 1080}, "portrait": {"width": 1080, "height": 1920}}


class Sweep:
    """What each screen broke, gathered over the walk so that one run names them all."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page, self.shots, self.found = page, shots, []  # type: ignore[var-annotated]

    async def check(self, where: str) -> None:
        for size_name, size in KIOSK_SIZES.items():
            await self.page.set_viewport_size(size)
            self.found += [f"{where} ({size_name}): {problem}" for problem in await small_on_kiosk(self.page)]
            await self.page.screenshot(path=str(self.shots / f"{where}-{size_name}.png"))
        self.found += [f"{where}: axe {line}" for line in describe(await axe_violations(self.page)).splitlines()]

    def assert_clean(self) -> None:
        assert not self.found, "\n".join(self.found)


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "kiosk-screens"
    folder.mkdir(exist_ok=True)
    return folder


async def _show(page: Any, screen: str) -> None:
    await page.wait_for_selector(f"[data-screen={screen}]:not([hidden])")


async def test_every_kiosk_screen_has_large_text_and_targets(two_pages, live_server, staff, open_now, hours,
                                                             shots):  # noqa: F811 - fixtures
    kiosk, lawyer, problems = two_pages
    sweep = Sweep(kiosk, shots)
    await kiosk.goto("/kiosk")
    await _show(kiosk, "setup")
    await sweep.check("kiosk-setup")

    await lawyer_on_duty(lawyer)
    await kiosk.goto("about:blank")  # else only the address's fragment changes: no new page
    await kiosk.goto(f"/kiosk#token={live_server.kiosks[0]['token']}")
    await _show(kiosk, "categories")
    await sweep.check("kiosk-categories")
    await kiosk.get_by_role("button", name="English").click()
    await kiosk.locator("html[lang='en']").wait_for(state="attached")
    await sweep.check("kiosk-categories-en")
    await kiosk.get_by_role("button", name="中文").click()
    await kiosk.locator("html[lang='zh-CN']").wait_for(state="attached")

    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
    await _show(kiosk, "check")
    await kiosk.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    await sweep.check("kiosk-check")
    await kiosk.get_by_role("button", name="选择律师或工作站").click()
    await _show(kiosk, "options")
    await kiosk.locator("#lawyer-list button").first.wait_for()
    await sweep.check("kiosk-options")
    await kiosk.get_by_role("button", name="好了，回到上一步").click()

    await kiosk.get_by_role("button", name="开始视频咨询").click()
    await _show(kiosk, "queued")
    await kiosk.get_by_text("下一位就是您").wait_for()
    await sweep.check("kiosk-queued")
    # The chosen-lawyer question comes after FAYUAN_CHOSEN_LAWYER_WAIT_SECONDS (5 minutes): the
    # box is the page's own markup, shown here as the push shows it.
    await kiosk.evaluate("document.getElementById('choice').hidden = false")
    await sweep.check("kiosk-queued-choice")
    await kiosk.evaluate("document.getElementById('choice').hidden = true")

    await lawyer.get_by_role("button", name="接听下一位").click()
    await kiosk.wait_for_selector("[data-screen=call]:not([hidden]) .chat-panel")
    await lawyer.wait_for_selector("#call-panel:not([hidden]) .chat-panel")
    box = kiosk.get_by_label("写一句话给对方")
    await box.fill("工资拖欠三个月了")
    await box.press("Enter")
    await kiosk.locator(".chat-log li.mine [data-state=sent]").wait_for()
    await lawyer.get_by_label("写一句话给对方").fill("请把工资条拍给我看看")
    await lawyer.get_by_role("button", name="发送", exact=True).click()
    await kiosk.locator(".chat-log li.theirs").filter(has_text="请把工资条拍给我看看").wait_for()
    await box.fill("还有")  # the counter of characters left shows
    await lawyer.locator("input[data-chat-file]").set_input_files(
        files=[{"name": "须知.png", "mimeType": "image/png", "buffer": TINY_PNG}])
    shared = kiosk.locator(".chat-log li.theirs[data-file]").filter(has_text="须知.png")
    await shared.wait_for()
    await sweep.check("kiosk-call-chat")
    await shared.get_by_role("button").click()
    viewer = kiosk.locator("dialog.file-viewer[open]")
    await viewer.wait_for()
    await sweep.check("kiosk-file-viewer")
    await viewer.get_by_role("button").click()
    await viewer.wait_for(state="detached")

    await lawyer.get_by_role("button", name="请求录像").click()
    prompt = kiosk.get_by_role("dialog", name="律师想为这次咨询录像，您同意吗？")
    await prompt.wait_for()
    await sweep.check("kiosk-consent")
    await kiosk.keyboard.press("Escape")
    await prompt.wait_for(state="hidden")

    await kiosk.get_by_role("button", name="结束通话").click()
    await _show(kiosk, "rate")
    await sweep.check("kiosk-rate")
    await kiosk.locator("button[data-rating='5']").click()
    await _show(kiosk, "thanks")
    await sweep.check("kiosk-thanks")
    await lawyer.get_by_role("button", name="暂停接听").click()  # as the other browser tests expect lawyer1
    await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()

    await hours(_windows_excluding_now())
    await kiosk.reload()
    await _show(kiosk, "closed")
    await sweep.check("kiosk-closed")
    for button, heading, where in (("English", "Video advice is closed now", "kiosk-closed-en"),
                                   ("Our service commitments", "Service hours", "kiosk-commitments-en"),
                                   ("中文", "服务时间", "kiosk-commitments")):
        await kiosk.get_by_role("button", name=button).click()
        await kiosk.get_by_role("heading", name=heading).wait_for()
        await sweep.check(where)
    await kiosk.get_by_role("button", name="返回").click()
    await _show(kiosk, "closed")
    sweep.assert_clean()
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)


async def test_every_board_kiosk_screen_has_large_text_and_targets(page, live_server, shots):
    sweep = Sweep(page, shots)
    await page.goto("/kiosk/board")
    await page.get_by_role("heading", name="这台终端还不能使用").wait_for()
    await sweep.check("board-setup")

    await page.goto("about:blank")  # else only the address's fragment changes: no new page
    await open_kiosk_board(page, live_server)
    await sweep.check("board-home")
    await page.get_by_role("button", name="我要留言").click()
    await page.get_by_label("租房、房屋").check()
    await page.get_by_label("部门联络中心").check()  # the department question shows too
    await sweep.check("board-leave")
    await page.get_by_label("东城街道法律援助工作站").check()
    await page.get_by_role("button", name="送出留言").click()
    await page.locator("#leave-error .error-title").wait_for()
    await sweep.check("board-leave-refused")
    await page.get_by_label("您的问题").fill("房东不退押金，怎么办？")
    await page.get_by_label("您的姓名").fill("趙阿姨")
    await page.get_by_label("联系电话").fill("13800001111")
    await page.get_by_role("button", name="送出留言").click()
    await page.get_by_role("heading", name="留言已经送出").wait_for()
    await sweep.check("board-sent")
    await page.get_by_role("button", name="拍文件照片").click()
    await page.wait_for_function("() => document.querySelector('.attach-camera').videoWidth > 0")
    await sweep.check("board-sent-camera")
    await page.get_by_role("button", name="拍下来").click()
    await page.get_by_role("button", name="发送这张照片").wait_for()
    await sweep.check("board-sent-photo-check")
    await page.get_by_role("button", name="发送这张照片").click()
    await page.get_by_role("status").filter(has_text="已经发送").wait_for()
    await sweep.check("board-sent-photo")

    await page.get_by_role("button", name="回到首页").click()
    message = leave_board_message(live_server, "隔壁装修噪音很大，可以要求赔偿吗？", unit="C-EAST-1")
    await page.get_by_role("button", name="看我的留言").click()
    await sweep.check("board-answers")
    await find_mine(page, message["receipt_code"], "1111")
    await page.locator(f"[data-message='{message['id']}']").wait_for()
    await sweep.check("board-answers-found")
    await page.get_by_role("button", name="回到首页").first.click()
    await page.get_by_role("button", name="常见问题解答").click()
    await page.locator("#public-list li, #public-empty:not([hidden])").first.wait_for()
    await sweep.check("board-public")
    sweep.assert_clean()
