"""A kiosk is a shared terminal: the next person at it is a stranger (issue 12, items 7 and 8).

- With camera and microphone refused, the kiosk still calls: it offers receive-only, sees and
  hears the lawyer, and the console tells the lawyer the resident sends no picture or sound.
- A file the lawyer shares opens in a viewer on the page (no download to the kiosk's disk),
  and back on the first screen nothing of the resident is left: language, storage, chat.

The set-up (service open now, lawyer1 on duty) is test_consultation_call.py's.
"""
from __future__ import annotations

from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from tests.browser.helpers import axe_violations, describe, lawyer_on_duty, open_pages, start_and_take, until_true
from tests.browser.test_consultation_call import FRAMES_DECODED, hours, open_now, staff  # noqa: F401 - fixtures
from tests.route_table import TINY_PNG

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

CALL_TIMEOUT_MS = 15_000
# What a kiosk whose user (or policy) refused camera and microphone gets from every request;
# and one that has no camera (its microphone works).
REFUSED = {
    "both": """navigator.mediaDevices.getUserMedia = async () => {
  throw new DOMException("Permission denied", "NotAllowedError");
};""",
    "camera": """{
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (constraints.video) throw new DOMException("Requested device not found", "NotFoundError");
    return open(constraints);
  };
}""",
}
ONE_PAGE_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""
REMOTE_PLAYING = "() => { const v = document.getElementById('remote'); return v.readyState >= 2 && v.videoWidth > 0; }"


async def _no_axe_violations(page: Any, where: str) -> None:
    found = await axe_violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"


@pytest_asyncio.fixture(loop_scope="module")
async def pages(browser, live_server, request) -> AsyncIterator[tuple[Any, Any, list[str]]]:
    """The kiosk and the console; parametrized with a key of REFUSED, the kiosk lacks those
    devices (the console keeps its fake ones)."""
    refused = getattr(request, "param", None)
    contexts, opened, problems = await open_pages(browser, live_server.base_url, ("kiosk", "lawyer"),
                                                  {"kiosk": REFUSED[refused]} if refused else None)
    yield opened[0], opened[1], problems
    for context in contexts:
        await context.close()


async def _off_duty(lawyer: Any) -> None:
    await lawyer.get_by_role("status").filter(has_text="通话已结束").wait_for()
    await lawyer.get_by_role("button", name="暂停接听").click()  # as the other browser tests expect
    await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()


@pytest.mark.parametrize(("pages", "kiosk_sends", "told", "told_en"), [
    ("both", 0, "居民的摄像头和麦克风都打不开", "The resident has no camera or microphone"),
    ("camera", 1, "居民的摄像头打不开", "The resident has no camera"),
], indirect=["pages"])
async def test_a_kiosk_without_camera_or_microphone_still_sees_and_hears_the_lawyer(
        pages, kiosk_sends, told, told_en, live_server, staff, open_now):  # noqa: F811 - fixtures
    kiosk, lawyer, problems = pages
    await lawyer_on_duty(lawyer)
    await kiosk.goto(f"/kiosk#token={live_server.kiosks[0]['token']}")
    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
    await kiosk.locator("#media-problem p").wait_for()  # it says so, and the resident may still start
    await start_and_take(kiosk, lawyer)

    # The kiosk offered receive-only and decodes the lawyer's video; the call is up on both sides.
    await until_true(kiosk, FRAMES_DECODED, CALL_TIMEOUT_MS)
    await kiosk.wait_for_function(REMOTE_PLAYING, timeout=CALL_TIMEOUT_MS)
    await kiosk.wait_for_function("() => document.getElementById('call-heading').textContent === '正在和 李明律师 通话'")
    await lawyer.wait_for_function("() => window.fayuanPc.connectionState === 'connected'", timeout=CALL_TIMEOUT_MS)
    sent = await kiosk.evaluate("window.fayuanPc.getSenders().filter((s) => s.track).length")
    assert sent == kiosk_sends
    # The lawyer is told why there is no picture (and no sound), in their language.
    notice = lawyer.locator("#peer-media")
    await notice.filter(has_text=told).wait_for()
    await _no_axe_violations(lawyer, "/lawyer (a call with a resident without camera or microphone)")
    await _no_axe_violations(kiosk, "/kiosk (a receive-only call)")
    await lawyer.get_by_role("button", name="English").click()
    await notice.filter(has_text=told_en).wait_for()
    await lawyer.get_by_role("button", name="中文").click()

    await kiosk.get_by_role("button", name="结束通话").click()
    await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
    await _off_duty(lawyer)
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)


async def test_a_shared_file_opens_on_the_page_and_the_first_screen_forgets_the_resident(
        pages, live_server, staff, open_now):  # noqa: F811 - fixtures
    kiosk, lawyer, problems = pages
    downloads: list[Any] = []
    kiosk.on("download", lambda download: downloads.append(download))
    await lawyer_on_duty(lawyer)
    await kiosk.goto(f"/kiosk#token={live_server.kiosks[0]['token']}")
    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()
    await kiosk.get_by_role("button", name="English").click()  # the resident reads English
    await kiosk.locator("html[lang='en']").wait_for(state="attached")
    await kiosk.locator("#start").click()
    await kiosk.wait_for_selector("[data-screen=queued]:not([hidden])")
    await lawyer.get_by_role("button", name="接听下一位").click()
    await kiosk.wait_for_selector("[data-screen=call]:not([hidden]) .chat-panel")
    await lawyer.wait_for_selector("#call-panel:not([hidden]) .chat-panel")

    await lawyer.locator("input[data-chat-file]").set_input_files(
        files=[{"name": "须知.png", "mimeType": "image/png", "buffer": TINY_PNG}])
    entry = kiosk.locator(".chat-log li.theirs[data-file]").filter(has_text="须知.png")
    await entry.wait_for(timeout=CALL_TIMEOUT_MS)
    assert await entry.get_by_role("link").count() == 0  # no download link at a kiosk
    await entry.get_by_role("button", name="View 须知.png").click()
    viewer = kiosk.locator("dialog.file-viewer[open]")
    await viewer.wait_for()
    await kiosk.wait_for_function("() => { const img = document.querySelector('dialog.file-viewer img');"
                                  " return Boolean(img && img.complete && img.naturalWidth > 0); }")
    await _no_axe_violations(kiosk, "/kiosk (the file viewer)")
    await viewer.get_by_role("button", name="Close").click()
    await viewer.wait_for(state="detached")
    # A PDF opens in the browser's own viewer, inside the page: still nothing is saved.
    await lawyer.locator("input[data-chat-file]").set_input_files(
        files=[{"name": "通知.pdf", "mimeType": "application/pdf", "buffer": ONE_PAGE_PDF}])
    await kiosk.locator(".chat-log li.theirs[data-file]").filter(has_text="通知.pdf").get_by_role(
        "button", name="View 通知.pdf").click()
    await kiosk.locator("dialog.file-viewer[open] iframe[title='通知.pdf']").wait_for()
    await kiosk.wait_for_timeout(1_000)  # time for a download to start, were one to
    await kiosk.locator("dialog.file-viewer[open]").get_by_role("button", name="Close").click()
    assert "fayuan.kiosk.resume" in await kiosk.evaluate("Object.keys(localStorage)")

    await kiosk.locator("#hangup").click()
    await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
    await kiosk.locator("#skip-rating").click()
    await kiosk.wait_for_selector("[data-screen=categories]:not([hidden])", timeout=20_000)  # thanks → home
    # Nothing of the resident is left for the next one.
    assert await kiosk.evaluate("document.documentElement.lang") == "zh-CN"
    await kiosk.get_by_role("button", name="工资、劳动纠纷").wait_for()
    assert await kiosk.evaluate("Object.keys(localStorage)") == ["fayuan.kiosk.token"]
    assert await kiosk.evaluate("sessionStorage.length") == 0
    assert await kiosk.locator("#resident-text").input_value() == ""
    assert await kiosk.locator("#chat").inner_html() == ""
    assert await kiosk.locator("dialog").count() == 0
    assert await kiosk.evaluate("document.getElementById('preview').srcObject") is None
    assert downloads == []
    await _off_duty(lawyer)
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)
