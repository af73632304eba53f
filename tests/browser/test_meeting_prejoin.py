"""The meeting room as people expect it (issue 17, item 6), in Chromium with fake devices (two
cameras, three microphones): the pre-join screen shows the camera's frames and a microphone
level that moves with the fake microphone's beeps, offers the devices, plays a test sound, and
joining sends the chosen camera and microphone; the participant count follows people in and
out with three browser contexts, in English as "1 person" / "2 people"; and /meetings says why
only small meetings can be held when the server has no Janus. axe-core on each state; a
screenshot of each is left in the test's tmp_path to look at."""
from __future__ import annotations

from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import axe_in_both_languages, open_pages
from tests.browser.meetings import FRAMES_DECODED, join_from_prejoin, log_in_to, schedule_meeting

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
CALL_TIMEOUT_MS = 20_000
FAKE_DEVICES = "--use-fake-device-for-media-stream=device-count=2"  # two cameras, three microphones
COUNT_TONES = """
window.__tones = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""
PREVIEW_PLAYS = """() => {
  const video = document.getElementById("prejoin-preview");
  return video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 10;
}"""
SENT_DEVICES = """() => window.fayuanMeetingPcs.flatMap((pc) => pc.getSenders())
  .filter((s) => s.track && s.track.readyState === "live").map((s) => s.track.getSettings().deviceId)"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(browser_ready: None) -> AsyncIterator:
    """This module's Chromium has two fake cameras, to choose between."""
    from playwright.async_api import async_playwright

    args = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--use-fake-device-for-media-stream")] + [FAKE_DEVICES]
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        yield chromium
        await chromium.close()


async def options(page: Any, select: str) -> list[dict]:
    return await page.locator(select).evaluate("(s) => [...s.options].map((o) => ({value: o.value, text: o.text}))")


async def test_the_prejoin_screen_previews_and_joining_sends_the_chosen_devices(browser, live_server, tmp_path) -> None:
    meeting = await schedule_meeting(live_server.base_url, "先看看再進", invited=("union",))
    contexts, (host, guest), problems = await open_pages(browser, live_server.base_url, ("host", "guest"),
                                                         init_scripts={"host": COUNT_TONES})
    try:
        await log_in_to(host, "center")
        await host.goto(f"/meetings/room?id={meeting['id']}")
        await host.wait_for_selector("body[data-ready=prejoin]")
        assert await host.locator("#room").is_hidden()  # nothing of the meeting before joining
        await host.wait_for_function(PREVIEW_PLAYS, polling=200)
        # the fake microphone beeps: the level jumps with each beep (checked every frame)
        await host.wait_for_function("() => document.getElementById('microphone-level').value > 0.5",
                                    polling="raf")
        await axe_in_both_languages(host)

        cameras = [o for o in await options(host, "#camera-choice") if o["value"]]
        microphones = [o for o in await options(host, "#microphone-choice") if o["value"]]
        assert len(cameras) == 2 and len(microphones) >= 2, (cameras, microphones)
        camera, microphone = cameras[1], microphones[-1]
        await host.get_by_label("摄像头", exact=True).select_option(camera["value"])
        await host.wait_for_function("id => document.getElementById('prejoin-preview').srcObject"
                                     "?.getVideoTracks()[0]?.getSettings().deviceId === id", arg=camera["value"])
        await host.get_by_label("麦克风", exact=True).select_option(microphone["value"])
        await host.wait_for_function("id => document.getElementById('prejoin-preview').srcObject"
                                     "?.getAudioTracks()[0]?.getSettings().deviceId === id", arg=microphone["value"])
        await host.wait_for_function(PREVIEW_PLAYS, polling=200)
        await host.screenshot(path=str(tmp_path / "prejoin.png"))
        await host.get_by_role("button", name="播放测试声音").click()
        assert await host.evaluate("window.__tones") == 1

        await host.get_by_role("button", name="进入会议").click()
        await host.wait_for_selector("body[data-ready=room]")
        assert await host.locator("#prejoin").is_hidden()
        await log_in_to(guest, "union")
        await guest.goto(f"/meetings/room?id={meeting['id']}")
        await join_from_prejoin(guest)
        await guest.wait_for_function(FRAMES_DECODED, timeout=CALL_TIMEOUT_MS, polling=500)
        await host.wait_for_function(f"() => ({SENT_DEVICES})().length === 2", timeout=CALL_TIMEOUT_MS)
        assert sorted(await host.evaluate(SENT_DEVICES)) == sorted([camera["value"], microphone["value"]])
        await axe_in_both_languages(host)
        assert not problems, problems
    finally:
        for context in contexts:
            await context.close()


async def test_the_count_follows_people_in_and_out_in_both_languages(browser, live_server, tmp_path) -> None:
    meeting = await schedule_meeting(live_server.base_url, "人數", invited=("union", "east"))
    contexts, (host, union, east), problems = await open_pages(browser, live_server.base_url,
                                                               ("host", "union", "east"))
    count = host.locator("#people-count")
    try:
        for page, username in ((host, "center"), (union, "union"), (east, "east")):
            await log_in_to(page, username)
            await page.goto(f"/meetings/room?id={meeting['id']}")
            await page.wait_for_selector("body[data-ready=prejoin]")
            if page is not host:  # audio only: three pages of video are more than this machine needs
                await page.get_by_label("摄像头", exact=True).select_option("")
                await page.wait_for_function("() => !document.getElementById('prejoin-preview').srcObject"
                                             "?.getVideoTracks().length")
            await page.get_by_role("button", name="进入会议").click()
            await page.wait_for_selector("body[data-ready=room]")
        await count.filter(has_text="会议中共 3 人").wait_for()
        await union.locator("#people-count").filter(has_text="会议中共 3 人").wait_for()
        await axe_in_both_languages(host)  # back in Chinese after the round trip

        await east.get_by_role("button", name="离开会议").click()
        await count.filter(has_text="会议中共 2 人").wait_for()
        await host.click("[data-language-switch]")
        await count.filter(has_text="2 people in the meeting").wait_for()
        await union.get_by_role("button", name="离开会议").click()
        await count.filter(has_text="1 person in the meeting").wait_for()
        await host.screenshot(path=str(tmp_path / "room-1-person.png"))
        assert await host.locator("#status").inner_text() == "In the meeting: 1 person"
        await axe_in_both_languages(host)
        assert not problems, problems
    finally:
        for context in contexts:
            await context.close()


async def test_without_janus_the_meetings_page_says_how_large_a_meeting_may_be(page, live_server, tmp_path) -> None:
    await log_in_to(page, "center")
    await page.goto("/meetings")
    await page.wait_for_selector("body[data-ready=meetings]")
    note = page.locator("#video-server")
    await note.filter(has_text="本系统没有配置视频服务器：会议最多 4 人，不能举办培训").wait_for()
    await note.scroll_into_view_if_needed()
    await page.screenshot(path=str(tmp_path / "meetings-without-janus.png"))
    await axe_in_both_languages(page)
    await page.click("[data-language-switch]")
    await note.filter(has_text="meetings of at most 4 people and no trainings").wait_for()
