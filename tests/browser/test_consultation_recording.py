"""Recording a consultation between two Chromium contexts: the lawyer asks from the console;
the kiosk shows the consent prompt (a modal dialog, keyboard operable: Escape says no, Tab and
Enter say yes); once the resident agrees both pages send media to the server's recorder and
show that it records; the kiosk's withdraw button stops it and the console lists the two
recordings, playable in the page, and again under its recent records after the call. axe-core
with the prompt open and on the console."""
from __future__ import annotations

import pytest

from tests.browser.helpers import until_true
from tests.browser.test_consultation_call import (  # noqa: F401 - fixtures
    CALL_TIMEOUT_MS, FRAMES_DECODED, _no_axe_violations, hours, open_now, staff, two_pages)
from tests.browser.test_consultation_chat_files import into_a_call

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
PROMPT = "律师想为这次咨询录像，您同意吗？"


async def test_the_resident_consents_at_the_kiosk_and_withdraws(two_pages, live_server, staff, open_now):
    kiosk, lawyer, problems = two_pages
    consultation_id = await into_a_call(kiosk, lawyer, live_server.kiosks[2]["token"])
    await until_true(kiosk, FRAMES_DECODED, CALL_TIMEOUT_MS)

    # asked, the resident says no with the keyboard (Escape): nothing is recorded
    ask = lawyer.get_by_role("button", name="请求录像")
    await ask.click()
    prompt = kiosk.get_by_role("dialog", name=PROMPT)
    await prompt.wait_for()
    await _no_axe_violations(kiosk, "/kiosk (consent prompt)")
    assert await kiosk.evaluate("document.activeElement.id") == "consent-heading"
    await kiosk.keyboard.press("Escape")
    await prompt.wait_for(state="hidden")
    await lawyer.get_by_text("居民不同意录像，没有录像").wait_for()

    # asked again, the resident says yes (Tab to the first button, Enter)
    await ask.click()
    await prompt.wait_for()
    await kiosk.keyboard.press("Tab")
    assert await kiosk.evaluate("document.activeElement.textContent") == "同意录像"
    await kiosk.keyboard.press("Enter")
    await kiosk.locator("#recording").get_by_text("正在录像").wait_for()
    await lawyer.locator("#recording").get_by_text("正在录像").wait_for()

    async def files(states: set[str]) -> list[dict]:
        listed = await staff["center"].call("GET", f"/api/consultations/{consultation_id}/recordings")
        return listed if len(listed) == 2 and {r["state"] for r in listed} == states else []

    for _ in range(100):  # both pages' media reached the recorder: it opened a file for each
        if await files({"recording"}):
            break
        await kiosk.wait_for_timeout(200)
    else:
        raise AssertionError("the recorder did not get both sides' media")
    await kiosk.wait_for_timeout(1_500)

    # the resident withdraws: recording stops, and the console lists both files, playable
    await kiosk.get_by_role("button", name="停止录像（撤回同意）").click()
    await kiosk.get_by_text("有人撤回了同意，录像已停止").wait_for()
    await lawyer.get_by_text("有人撤回了同意，录像已停止").wait_for()
    videos = lawyer.locator("#recording video")
    await videos.nth(1).wait_for()
    assert await lawyer.get_by_role("link", name="下载录像：李明律师").count() == 1
    assert await files({"ready"})
    await _no_axe_violations(lawyer, "/lawyer (recordings listed)")
    played = await lawyer.evaluate("""async () => {
      const video = document.querySelector('#recording video');
      video.muted = true;
      await video.play();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return video.currentTime > 0 && video.videoWidth > 0;
    }""")
    assert played, "the recording does not play in the page"

    await kiosk.get_by_role("button", name="结束通话").click()
    await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
    # after the call, the console's recent records hold it, with its recordings
    await lawyer.locator(f"tr[data-record='{consultation_id}'] button").click()
    await lawyer.locator("#record-recordings video").nth(1).wait_for()
    await _no_axe_violations(lawyer, "/lawyer (a record's recordings)")
    await lawyer.get_by_role("button", name="暂停接听").click()  # as the other browser tests expect lawyer1
    await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()
    unexpected = [p for p in problems if "status of 401" not in p]
    assert not unexpected, "\n".join(unexpected)
