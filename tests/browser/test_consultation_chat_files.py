"""The chat panel and shared documents in one video consultation, between two Chromium contexts:
the kiosk sends a message (typed markup stays text) and a document photographed with its
camera; the lawyer sees both, the photo with its thumbnail, and downloads it (a JPEG, and an
audit row). A message typed while the kiosk's socket is down waits as "sending", then goes
with its client_id once the socket is back. axe-core finds nothing serious on either panel.

The set-up (service open now, lawyer1 on duty) is test_consultation_call.py's.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import axe_violations, describe, lawyer_on_duty, start_and_take
from tests.browser.test_consultation_call import hours, open_now, staff, two_pages  # noqa: F401 - fixtures
from tests.route_table import TINY_PNG

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

CALL_TIMEOUT_MS = 15_000
MARKUP = "工资拖欠三个月了 <b>不是粗体</b> <img src=x onerror=alert(1)>"
CAMERA_PLAYING = "() => (document.getElementById('local')?.videoWidth || 0) > 0"
THUMBNAIL_LOADED = "() => { const img = document.querySelector('.chat-log li[data-file] img.chat-thumb');" \
                   " return Boolean(img && img.complete && img.naturalWidth > 0); }"


async def _no_axe_violations(page: Any, where: str) -> None:
    found = await axe_violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"


async def into_a_call(kiosk: Any, lawyer: Any, token: str) -> int:
    await lawyer_on_duty(lawyer)

    await kiosk.goto(f"/kiosk#token={token}")
    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
    return await start_and_take(kiosk, lawyer)


async def test_kiosk_sends_a_message_and_a_photographed_document_and_the_lawyer_downloads_it(
        two_pages, live_server, staff, open_now):  # noqa: F811 - fixtures
    kiosk, lawyer, problems = two_pages
    await into_a_call(kiosk, lawyer, live_server.kiosks[0]["token"])

    # A message: pending, then sent once stored; the lawyer gets it pushed, as text.
    box = kiosk.get_by_label("写一句话给对方")
    await box.fill(MARKUP)
    await box.press("Enter")
    mine = kiosk.locator(".chat-log li.mine[data-seq]").filter(has_text="工资拖欠三个月了")
    await mine.locator("[data-state=sent]").wait_for()
    theirs = lawyer.locator(".chat-log li.theirs[data-seq]").filter(has_text="工资拖欠三个月了")
    await theirs.wait_for()
    assert await theirs.locator(".chat-text").text_content() == MARKUP
    assert await lawyer.locator(".chat-log b, .chat-log img:not(.chat-thumb)").count() == 0

    # The lawyer answers; the kiosk sees it.
    await lawyer.get_by_label("写一句话给对方").fill("请把工资条拍给我看看")
    await lawyer.get_by_role("button", name="发送", exact=True).click()
    await kiosk.locator(".chat-log li.theirs").filter(has_text="请把工资条拍给我看看").wait_for()

    # A document photographed with the kiosk camera: preview, send with a progress bar.
    await kiosk.wait_for_function(CAMERA_PLAYING, timeout=CALL_TIMEOUT_MS)
    await kiosk.get_by_role("button", name="拍文件照片").click()
    await kiosk.get_by_role("button", name="发送这张照片").click()
    await kiosk.get_by_role("status").filter(has_text="已经发送").wait_for(timeout=CALL_TIMEOUT_MS)
    await kiosk.locator(".chat-log li.mine[data-file]").wait_for()
    entry = lawyer.locator(".chat-log li.theirs[data-file]")
    await entry.wait_for(timeout=CALL_TIMEOUT_MS)
    file_id = int(await entry.get_attribute("data-file"))
    assert (await entry.locator(".chat-file-name").text_content()).endswith(".jpg")
    await lawyer.wait_for_function(THUMBNAIL_LOADED, timeout=CALL_TIMEOUT_MS)
    await kiosk.wait_for_function(THUMBNAIL_LOADED, timeout=CALL_TIMEOUT_MS)  # its own, fetched with the token

    async with lawyer.expect_download() as waiting:
        await entry.get_by_role("link", name="下载").click()
    download = await waiting.value
    path = await download.path()
    with open(path, "rb") as data:
        assert data.read(3) == b"\xff\xd8\xff"  # a JPEG, re-encoded by the server
    audit = await staff["admin"].call("GET", "/api/audit?action=file.download")
    assert any(row["object"] == f"file:{file_id}" for row in audit["rows"]), audit["rows"][:5]

    # The console shares a file too; the kiosk shows its thumbnail, fetched with the device token.
    await lawyer.locator("input[data-chat-file]").set_input_files(
        files=[{"name": "须知.png", "mimeType": "image/png", "buffer": TINY_PNG}])
    await lawyer.get_by_role("status").filter(has_text="须知.png 已经发送").wait_for()
    await kiosk.locator(".chat-log li.theirs[data-file]").filter(has_text="须知.png").wait_for()
    await kiosk.wait_for_function("() => { const img = document.querySelector('.chat-log li.theirs img.chat-thumb');"
                                  " return Boolean(img && img.complete && img.naturalWidth > 0); }")

    # Typed while the kiosk's socket is down: it waits, then goes once the socket is back.
    await kiosk.evaluate("window.fayuanKiosk.socket.disconnect()")
    await box.fill("断线时写的一句")
    await box.press("Enter")
    waiting_line = kiosk.locator(".chat-log li.pending").filter(has_text="断线时写的一句")
    await waiting_line.locator("[data-state=pending]").wait_for()
    await kiosk.evaluate("window.fayuanKiosk.socket.connect()")
    await kiosk.locator(".chat-log li.mine[data-seq]").filter(has_text="断线时写的一句").locator(
        "[data-state=sent]").wait_for(timeout=CALL_TIMEOUT_MS)
    await lawyer.locator(".chat-log li.theirs").filter(has_text="断线时写的一句").wait_for(timeout=CALL_TIMEOUT_MS)
    assert await kiosk.locator(".chat-log li.pending").count() == 0
    seqs = [int(s) for s in await lawyer.locator(".chat-log li[data-seq]").evaluate_all(
        "items => items.map((li) => li.dataset.seq)")]
    assert seqs == [1, 2, 3]  # each once, in order

    await _no_axe_violations(kiosk, "/kiosk (call with the chat panel)")
    await _no_axe_violations(lawyer, "/lawyer (call with the chat panel)")

    await kiosk.get_by_role("button", name="结束通话").click()
    await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
    assert await kiosk.locator("#chat").inner_html() == ""  # nothing left for the next resident
    await lawyer.get_by_role("status").filter(has_text="通话已结束").wait_for()
    await lawyer.get_by_role("button", name="暂停接听").click()  # as the other browser tests expect
    await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)
