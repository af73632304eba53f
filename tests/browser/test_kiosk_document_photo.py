"""Issue 17 item 11: a document photographed at the kiosk during a call is taken at the camera's
full size, not the call's 640 × 480. The resident sees it, retakes it (the new photo replaces
the first), and sends it; the file the server stored has more pixels than a call frame, and the
call's camera is back at its own size afterwards. The photo screen passes the kiosk sweep
(24 px, 48 px, axe) at both kiosk sizes.

Chromium's fake camera gives 640 × 480 by default and up to 3840 × 2160 when asked, which is
what a real camera with more pixels than the call uses does too. A camera that another page also
holds cannot change its size (the photo then stays at the call's): a kiosk's camera is its own,
so the kiosk here runs in a Chromium of its own, beside the console's. The set-up (service open
now, lawyer1 on duty) is test_consultation_call.py's.
"""
from __future__ import annotations

from typing import Any

from typing import AsyncIterator

import pytest
import pytest_asyncio

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import lawyer_on_duty, open_pages, start_and_take, stored_size
from tests.browser.test_consultation_call import hours, open_now, staff  # noqa: F401 - fixtures
from tests.browser.test_kiosk_sizes import Sweep, shots  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

CALL_TIMEOUT_MS = 15_000
CALL_FRAME = (640, 480)  # what the call sends, and what the photo used to be
PREVIEW = "document.querySelector('.chat-photo-image')"
PREVIEW_LOADED = f"() => {{ const img = {PREVIEW}; return Boolean(img && img.complete && img.naturalWidth > 0); }}"
CALL_CAMERA_SIZE = "() => { const s = document.getElementById('local').srcObject.getVideoTracks()[0].getSettings();" \
                   " return [s.width, s.height]; }"
# an <img> (the page's CSP lets images, not fetch(), read blob: URLs)
STILL_READABLE = "(url) => new Promise((done) => { const img = new Image();" \
                 " img.onload = () => done(true); img.onerror = () => done(false); img.src = url; })"


@pytest_asyncio.fixture(loop_scope="module")
async def own_kiosk(browser, live_server) -> AsyncIterator[tuple[Any, list[str]]]:
    """The kiosk page in a second Chromium, with a fake camera of its own; its page errors."""
    own = await browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    _, pages, problems = await open_pages(own, live_server.base_url, ("kiosk",))
    yield pages[0], problems
    await own.close()


async def _preview(kiosk: Any) -> tuple[str, int, int]:
    await kiosk.wait_for_function(PREVIEW_LOADED, timeout=CALL_TIMEOUT_MS)
    return await kiosk.evaluate(f"() => {{ const img = {PREVIEW}; return [img.src, img.naturalWidth, img.naturalHeight]; }}")


async def test_a_document_photo_is_taken_at_full_size_retaken_and_sent(
        own_kiosk, page, live_server, staff, open_now, shots):  # noqa: F811 - fixtures
    (kiosk, problems), lawyer = own_kiosk, page
    try:
        await lawyer_on_duty(lawyer)
        await kiosk.goto(f"/kiosk#token={live_server.kiosks[0]['token']}")
        await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
        await start_and_take(kiosk, lawyer)
        await kiosk.wait_for_function("() => document.getElementById('local').videoWidth > 0", timeout=CALL_TIMEOUT_MS)
        assert tuple(await kiosk.evaluate(CALL_CAMERA_SIZE)) == CALL_FRAME

        await kiosk.get_by_role("button", name="拍文件照片").click()
        first, width, height = await _preview(kiosk)
        assert width * height > CALL_FRAME[0] * CALL_FRAME[1], (width, height)
        sweep = Sweep(kiosk, shots)
        await sweep.check("kiosk-document-photo")
        sweep.assert_clean()

        # Retake: the new photo takes the first one's place, which is gone.
        await kiosk.get_by_role("button", name="重拍").click()
        await kiosk.wait_for_function(f"(first) => {PREVIEW}?.src !== first", arg=first, timeout=CALL_TIMEOUT_MS)
        second, width, height = await _preview(kiosk)
        assert await kiosk.locator(".chat-photo-image").count() == 1
        assert not await kiosk.evaluate(STILL_READABLE, first)  # the first photo's object URL was revoked
        assert width * height > CALL_FRAME[0] * CALL_FRAME[1], (width, height)

        await kiosk.get_by_role("button", name="发送这张照片").click()
        await kiosk.get_by_role("status").filter(has_text="已经发送").wait_for(timeout=CALL_TIMEOUT_MS)
        assert await kiosk.locator(".chat-photo-image").count() == 0
        assert not await kiosk.evaluate(STILL_READABLE, second)
        mine = kiosk.locator(".chat-log li.mine[data-file]")
        await mine.wait_for()
        file_id = int(await mine.get_attribute("data-file"))
        stored = stored_size(live_server.data_dir, file_id)
        assert stored == (width, height), stored  # the photo the resident checked, whole
        assert stored[0] * stored[1] > CALL_FRAME[0] * CALL_FRAME[1], stored
        await lawyer.locator(f".chat-log li.theirs[data-file='{file_id}']").wait_for(timeout=CALL_TIMEOUT_MS)
        # the call's camera is back at the call's size
        await kiosk.wait_for_function(f"() => ({CALL_CAMERA_SIZE})().join('x') === '{CALL_FRAME[0]}x{CALL_FRAME[1]}'")

        await kiosk.get_by_role("button", name="结束通话").click()
        await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
        await lawyer.get_by_role("button", name="暂停接听").click()  # as the other browser tests expect lawyer1
        await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()
    finally:
        ending = kiosk.get_by_role("button", name="结束通话")
        if await ending.is_visible():
            await ending.click()
        pause = lawyer.get_by_role("button", name="暂停接听")
        if await pause.is_visible():
            await pause.click()
    unexpected = [p for p in problems if "ERR_FILE_NOT_FOUND" not in p]  # the revoked photos, tried on purpose
    assert not unexpected, "\n".join(unexpected)
