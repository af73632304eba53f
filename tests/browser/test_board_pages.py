"""The message board pages in Chromium against the real server: a resident leaves a message at
the kiosk and gets a receipt code, station staff claim and answer it, the resident's message
found with that code updates by itself; the kiosk lists nobody's messages and forgets the
resident on its first screen; axe-core on each page in both languages."""
from __future__ import annotations

import pytest

from tests.browser.helpers import (DEMO_PASSWORD, axe_in_both_languages, axe_violations, describe, leave_board_message,
                                   stored_size)
from tests.route_table import TINY_PNG

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


def _token(live_server, unit: str) -> str:
    return next(k["token"] for k in live_server.kiosks if k["unit"] == unit)


async def open_kiosk_board(page, live_server, unit: str = "C-EAST-1") -> None:
    await page.goto(f"/kiosk/board#token={_token(live_server, unit)}")
    await page.wait_for_selector("body[data-ready=board-kiosk]")


async def _staff_login(page, username: str) -> None:
    await page.goto("/login?next=/board")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/board")
    await page.wait_for_selector("body[data-ready=board]")


async def test_a_resident_leaves_a_message_at_the_kiosk(page, live_server, tmp_path_factory):
    await open_kiosk_board(page, live_server)
    await axe_in_both_languages(page)
    await page.get_by_role("button", name="我要留言").click()
    await page.get_by_label("租房、房屋").check()
    await page.get_by_label("您的问题").fill("房东不退押金，怎么办？")
    await page.get_by_label("您的姓名").fill("趙阿姨")
    await page.get_by_label("联系电话").fill("1380000")
    department = page.get_by_label("哪个部门")
    assert not await department.is_visible()  # only asked when a department is to answer
    await page.get_by_label("部门联络中心").check()
    assert await department.is_visible()
    await page.get_by_label("东城街道法律援助工作站").check()
    assert not await department.is_visible()
    await page.get_by_role("button", name="送出留言").click()
    await page.locator("#leave-error .error-title").wait_for()  # a short number is refused at once
    assert "电话号码不对" in await page.locator("#leave-error").inner_text()
    violations = await axe_violations(page)
    assert not violations, describe(violations)
    await page.get_by_label("联系电话").fill("13800001111")
    await page.get_by_role("button", name="送出留言").click()
    await page.get_by_role("heading", name="留言已经送出").wait_for()
    assert "最晚在" in await page.locator("#sent-due").inner_text()
    await page.screenshot(path=str(tmp_path_factory.getbasetemp() / "board-kiosk-sent.png"), full_page=True)
    code = (await page.locator("#receipt-code").inner_text()).replace(" ", "")
    assert len(code) == 8 and code.isdigit()
    await page.get_by_role("button", name="English").click()  # the resident's language…
    await page.get_by_role("button", name="Back to start").click()
    await page.locator("html[lang='zh-CN']").wait_for(state="attached")  # …is not the next one's
    assert await page.evaluate("Object.keys(localStorage)") == ["fayuan.kiosk.token"]
    assert await page.locator("#receipt-code").inner_text() == ""

    await page.get_by_role("button", name="看我的留言").click()
    assert await page.locator(".board-item").count() == 0  # nobody's messages are listed
    page.refusals_expected = {404}  # the wrong try below
    await find_mine(page, code, "0000")
    await page.get_by_text("没有找到").wait_for()
    await find_mine(page, code, "1111")
    await page.locator(".board-item", has_text="房东不退押金").wait_for()
    await axe_in_both_languages(page)


async def find_mine(page, code: str, tail: str) -> None:
    await page.get_by_role("textbox", name="回执号").fill(code)
    await page.get_by_label("手机号的后四位").fill(tail)
    await page.get_by_role("button", name="查看", exact=True).click()


async def test_station_staff_claim_and_answer_and_the_kiosk_sees_it_at_once(page, browser, live_server,
                                                                            tmp_path_factory):
    question = "隔壁装修噪音很大，可以要求赔偿吗？"
    message = leave_board_message(live_server, question)
    kiosk_context = await browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    kiosk_page = await kiosk_context.new_page()
    try:
        await open_kiosk_board(kiosk_page, live_server)
        await kiosk_page.get_by_role("button", name="看我的留言").click()
        await find_mine(kiosk_page, message["receipt_code"], "1111")
        card = kiosk_page.locator(f"[data-message='{message['id']}']")
        await card.get_by_text("还没有答复。").wait_for()
        assert await card.locator(".state").inner_text() == "等待答复"  # a resident's words, not the staff's

        await _staff_login(page, "east")
        await axe_in_both_languages(page)
        row = page.locator(f"tr[data-message='{message['id']}']")
        await row.get_by_role("button").click()
        await page.get_by_role("button", name="认领（由我负责）").click()
        await page.get_by_role("status").filter(has_text="已认领").wait_for()
        await page.get_by_label("答复内容").fill("可以先与邻居协商，协商不成可向街道调解委员会申请调解。")
        await page.get_by_role("button", name="发送答复").click()
        await page.get_by_role("status").filter(has_text="答复已发送").wait_for()
        violations = await axe_violations(page)
        assert not violations, describe(violations)
        await page.screenshot(path=str(tmp_path_factory.getbasetemp() / "board-staff.png"), full_page=True)

        await card.get_by_text("可以先与邻居协商").wait_for()  # pushed: the kiosk did not reload
        assert await card.locator(".state").inner_text() == "已答复"
        await kiosk_page.screenshot(path=str(tmp_path_factory.getbasetemp() / "board-kiosk-answers.png"),
                                    full_page=True)
        violations = await axe_violations(kiosk_page)
        assert not violations, describe(violations)
    finally:
        await kiosk_context.close()


async def test_the_board_needs_a_login(page):
    await page.goto("/board")
    await page.wait_for_url("**/login?next=%2Fboard")


async def test_a_kiosk_without_a_token_says_so(page):
    await page.goto("/kiosk/board")
    await page.get_by_role("heading", name="这台终端还不能使用").wait_for()


async def test_a_resident_attaches_a_photo_and_a_file_and_station_staff_see_them(page, browser, live_server):
    question = "物业扣了押金不退，附上收据照片"
    await open_kiosk_board(page, live_server)
    await page.get_by_role("button", name="我要留言").click()
    await page.get_by_label("租房、房屋").check()
    await page.get_by_label("您的问题").fill(question)
    await page.get_by_label("您的姓名").fill("趙阿姨")
    await page.get_by_label("联系电话").fill("13800001111")
    await page.get_by_role("button", name="送出留言").click()
    await page.get_by_role("heading", name="想加上照片或文件吗？（可以不加）").wait_for()

    await page.get_by_role("button", name="拍文件照片").click()
    await page.wait_for_function("() => document.querySelector('.attach-camera').videoWidth > 0")
    await page.get_by_role("button", name="拍下来").click()
    # checked before it goes, retaken once, then sent: at the camera's full size, not 640 × 480
    preview = page.locator(".attach-photo-image")
    await page.wait_for_function("() => document.querySelector('.attach-photo-image')?.naturalWidth > 0")
    first = await preview.get_attribute("src")
    await page.get_by_role("button", name="重拍").click()
    await page.wait_for_function("(first) => { const img = document.querySelector('.attach-photo-image');"
                                 " return img && img.src !== first && img.naturalWidth > 0; }", arg=first)
    size = await preview.evaluate("(img) => [img.naturalWidth, img.naturalHeight]")
    assert size[0] * size[1] > 640 * 480, size
    await page.get_by_role("button", name="发送这张照片").click()
    await page.get_by_role("status").filter(has_text="已经发送").wait_for()
    assert await preview.count() == 0
    photo_id = int(await page.locator("#attached li").first.get_attribute("data-file"))
    assert tuple(stored_size(live_server.data_dir, photo_id)) == tuple(size)
    await page.locator("input#attach-file").set_input_files(
        files=[{"name": "收据.png", "mimeType": "image/png", "buffer": TINY_PNG}])
    await page.get_by_role("status").filter(has_text="收据.png 已经发送").wait_for()
    assert await page.locator("#attached li").count() == 2
    await page.wait_for_function("() => [...document.querySelectorAll('#attached img')]"
                                 ".every((img) => img.complete && img.naturalWidth > 0)")
    violations = await axe_violations(page)
    assert not violations, describe(violations)

    staff_context = await browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    staff_page = await staff_context.new_page()
    try:
        await _staff_login(staff_page, "east")
        await staff_page.locator("tr", has_text=question[:10]).get_by_role("button").click()
        files = staff_page.locator("#board-files li")
        await files.nth(1).wait_for()
        assert "收据.png" in await files.nth(1).inner_text()
        await staff_page.wait_for_function("() => [...document.querySelectorAll('#board-files img')]"
                                           ".every((img) => img.complete && img.naturalWidth > 0)")
        async with staff_page.expect_download() as waiting:
            await files.nth(0).get_by_role("link", name="下载").click()
        assert (await waiting.value).suggested_filename.endswith(".jpg")
        violations = await axe_violations(staff_page)
        assert not violations, describe(violations)
    finally:
        await staff_context.close()
