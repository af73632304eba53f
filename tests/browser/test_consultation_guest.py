"""Issue 17 item 5: a third person joins a live consultation. Three Chromium contexts with fake
cameras: the kiosk, the lawyer's console and the guest. The lawyer invites an interpreter and
reads out the code; the guest opens /join, types a wrong code (refused), the right one, checks
camera and microphone and joins; video is decoded both ways on every pair (guest ← kiosk, guest
← lawyer, kiosk ← guest, lawyer ← guest) while the kiosk and the lawyer still see each other;
the kiosk says who joined and shows their tile. The lawyer asks to record: the guest is asked
too, and their consent is on the record. The lawyer removes the guest; the used code is refused
a second time. axe-core finds nothing serious on any page in any of these states, and each
screen is photographed at kiosk and desktop sizes (the run's temporary folder, guest-screens/).

The set-up (service open now, lawyer1 on duty) is test_consultation_call.py's.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from tests.browser.helpers import open_pages, until_true
from tests.browser.test_consultation_call import (  # noqa: F401 - fixtures
    CALL_TIMEOUT_MS, FRAMES_DECODED, _no_axe_violations, hours, open_now, staff)
from tests.browser.test_consultation_chat_files import into_a_call
from tests.browser.test_kiosk_sizes import Sweep

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
FRAMES_FROM = "async (ref) => window.fayuanMesh && (await window.fayuanMesh.framesFrom(ref)) > 0"


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "guest-screens"
    folder.mkdir(exist_ok=True)
    return folder


@pytest_asyncio.fixture(loop_scope="module")
async def three_pages(browser, live_server) -> AsyncIterator[tuple[Any, Any, Any, list[str]]]:
    contexts, pages, problems = await open_pages(browser, live_server.base_url, ("kiosk", "lawyer", "guest"))
    yield pages[0], pages[1], pages[2], problems
    for context in contexts:
        await context.close()


async def _frames(page: Any, ref: str) -> None:
    loop_predicate = f"async () => await ({FRAMES_FROM})({ref!r})"
    await until_true(page, loop_predicate, CALL_TIMEOUT_MS)


async def _desktop_shots(page: Any, shots: Path, where: str, *sizes: dict) -> None:
    for size in sizes or (DESKTOP,):
        await page.set_viewport_size(size)
        await page.screenshot(path=str(shots / f"{where}-{size['width']}x{size['height']}.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_an_interpreter_joins_by_code_and_video_flows_between_all_three(three_pages, live_server, staff,
                                                                             open_now, shots):
    kiosk, lawyer, guest, problems = three_pages
    family_ref = None
    token = live_server.kiosks[-1]["token"]
    consultation_id = await into_a_call(kiosk, lawyer, token)
    record = await staff["center"].call("GET", f"/api/consultations/{consultation_id}")
    lawyer_ref = f"account:{record['taker_account_id']}"
    await until_true(kiosk, FRAMES_DECODED, CALL_TIMEOUT_MS)
    await until_true(lawyer, FRAMES_DECODED, CALL_TIMEOUT_MS)

    try:
        # the lawyer invites an interpreter and gets a code and a link, this once
        await lawyer.get_by_role("button", name="邀请第三方").click()  # beside the video: to the form below
        assert await lawyer.evaluate("document.activeElement.id") == "guest-kind"
        await lawyer.get_by_label("身份").select_option("interpreter")
        await lawyer.get_by_label("称呼（选填）").fill("王某")
        await lawyer.get_by_role("button", name="生成邀请码和链接").click()
        code = (await lawyer.locator("#guest-code").inner_text()).replace(" ", "")
        link = await lawyer.locator("#guest-link").input_value()
        assert len(code) == 6 and code.isdigit() and link.startswith(live_server.base_url + "/join#invite=")
        await lawyer.locator("#guest-list li[data-state=invited]").filter(has_text="翻译 王某").wait_for()
        await _no_axe_violations(lawyer, "/lawyer (invitation shown)")
        await lawyer.set_viewport_size(DESKTOP)
        await lawyer.screenshot(path=str(shots / "console-invited-viewport-1440x900.png"))  # what the lawyer sees
        await _desktop_shots(lawyer, shots, "console-invited")

        # the guest: a wrong code is refused, the right one opens the pre-join screen
        await guest.goto("/join")
        await guest.wait_for_selector("[data-screen=code]:not([hidden])")
        await _no_axe_violations(guest, "/join (code)")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        await guest.get_by_label("邀请码（6 位数字）").fill(wrong)
        await guest.get_by_role("button", name="下一步").click()
        await guest.get_by_role("alert").filter(has_text="邀请码不对").wait_for()
        await _no_axe_violations(guest, "/join (wrong code)")
        await _desktop_shots(guest, shots, "join-wrong-code", PHONE, DESKTOP)
        await guest.get_by_label("邀请码（6 位数字）").fill(code)
        await guest.get_by_role("button", name="下一步").click()
        await guest.wait_for_selector("body[data-ready=prejoin]")
        assert "invite" not in guest.url
        await guest.get_by_text("您将以“翻译 王某”的身份加入李明律师的咨询通话。").wait_for()
        assert await guest.locator("#consent-box").is_hidden()  # not recorded: nothing to agree to
        await _no_axe_violations(guest, "/join (pre-join)")
        await _desktop_shots(guest, shots, "join-prejoin", PHONE, DESKTOP)
        await guest.get_by_role("button", name="进入通话").click()
        await guest.wait_for_selector("body[data-ready=call]")
        guest_ref = await guest.evaluate("window.fayuanGuest.admission.guest.ref")
        kiosk_ref = next(r for r in await guest.evaluate("[...window.fayuanMesh.links.keys()]") if r.startswith("device:"))

        # video both ways on every pair, and the kiosk and the lawyer still see each other
        await _frames(guest, kiosk_ref)
        await _frames(guest, lawyer_ref)
        await _frames(kiosk, guest_ref)
        await _frames(lawyer, guest_ref)
        await until_true(kiosk, FRAMES_DECODED, CALL_TIMEOUT_MS)
        await kiosk.get_by_role("status").filter(has_text="翻译 王某 已加入通话。").wait_for()
        await kiosk.locator(f".call-tile[data-ref='{guest_ref}'] figcaption").filter(has_text="翻译 王某").wait_for()
        await lawyer.locator("#guest-list li[data-state=present]").filter(has_text="在通话中").wait_for()
        await guest.locator(".call-tile figcaption").filter(has_text="李明律师").wait_for()
        await guest.locator(".call-tile figcaption").filter(has_text="居民").first.wait_for()
        assert await guest.locator(".chat-panel, #chat").count() == 0  # the call only: no chat, no files

        sweep = Sweep(kiosk, shots)
        await sweep.check("kiosk-call-with-guest")
        sweep.assert_clean()
        await kiosk.set_viewport_size({"width": 1280, "height": 900})
        await _no_axe_violations(lawyer, "/lawyer (call with a guest)")
        await _no_axe_violations(guest, "/join (in the call)")
        await _desktop_shots(lawyer, shots, "console-call-with-guest")
        await _desktop_shots(guest, shots, "join-call", PHONE, DESKTOP)
        await guest.click("[data-language-switch]")  # the guest's page in English too
        await guest.locator("html[lang='en']").wait_for(state="attached")
        await guest.get_by_role("heading", name="In a call with 李明律师 and the resident").wait_for()
        await guest.locator(".call-tile figcaption").filter(has_text="Resident").wait_for()
        await _no_axe_violations(guest, "/join (in the call, English)")
        await _desktop_shots(guest, shots, "join-call-en", DESKTOP)
        await guest.click("[data-language-switch]")
        await guest.locator("html[lang='zh-CN']").wait_for(state="attached")

        # the lawyer asks to record: the guest is asked too, and agrees
        await lawyer.get_by_role("button", name="请求录像").click()
        prompt = guest.get_by_role("dialog", name="律师想为这次咨询录像，您同意吗？")
        await prompt.wait_for()
        await _no_axe_violations(guest, "/join (consent prompt)")
        await prompt.get_by_role("button", name="同意录像").click()
        await prompt.wait_for(state="hidden")
        await guest.locator("#recording").get_by_text("您已同意录像，马上开始").wait_for()
        kiosk_prompt = kiosk.get_by_role("dialog", name="律师想为这次咨询录像，您同意吗？")
        await kiosk_prompt.wait_for()
        await kiosk_prompt.get_by_role("button", name="不同意").click()
        await lawyer.get_by_text("居民不同意录像，没有录像").wait_for()

        # the lawyer removes the guest: their page says so, the kiosk's tile goes
        await lawyer.get_by_role("button", name="请出通话（翻译 王某）").click()
        await guest.wait_for_selector("[data-screen=over]:not([hidden])")
        await guest.get_by_role("heading", name="您已离开通话").wait_for()
        await kiosk.locator(f".call-tile[data-ref='{guest_ref}']").wait_for(state="detached")
        await _no_axe_violations(guest, "/join (removed)")
        await _desktop_shots(guest, shots, "join-removed", PHONE)

        # the code was used once: a second use is refused
        await guest.goto("/join")
        await guest.get_by_label("邀请码（6 位数字）").fill(code)
        await guest.get_by_role("button", name="下一步").click()
        await guest.get_by_role("alert").filter(has_text="已经用过").wait_for()
        await until_true(kiosk, FRAMES_DECODED, CALL_TIMEOUT_MS)  # the kiosk and the lawyer talk on

        # a family member by the link while the lawyer asks to record: they agree before joining
        await lawyer.get_by_role("button", name="请求录像").click()
        await kiosk_prompt.wait_for()
        await lawyer.get_by_label("身份").select_option("family")
        await lawyer.get_by_role("button", name="生成邀请码和链接").click()
        link = await lawyer.locator("#guest-link").input_value()
        await guest.goto(link)
        await guest.wait_for_selector("body[data-ready=prejoin]")
        assert "invite" not in guest.url  # the link's token leaves the address bar
        await guest.locator("#consent-box").get_by_role("heading", name="这次咨询正在录像").wait_for()
        assert await guest.get_by_role("button", name="进入通话").is_disabled()
        await _no_axe_violations(guest, "/join (pre-join, recorded)")
        await _desktop_shots(guest, shots, "join-prejoin-recorded", PHONE, DESKTOP)
        await guest.get_by_label("我同意录像").check()
        await guest.get_by_role("button", name="进入通话").click()
        await guest.wait_for_selector("body[data-ready=call]")
        family_ref = await guest.evaluate("window.fayuanGuest.admission.guest.ref")
        await guest.locator("#recording").get_by_text("您已同意录像，马上开始").wait_for()
        await _frames(kiosk, family_ref)
        await _frames(guest, lawyer_ref)
        await kiosk.get_by_role("status").filter(has_text="家属 已加入通话。").wait_for()
        await kiosk_prompt.get_by_role("button", name="不同意").click()
        await lawyer.get_by_text("居民不同意录像，没有录像").wait_for()
    finally:
        if await kiosk.locator("dialog[open]").count():
            await kiosk.keyboard.press("Escape")  # the consent prompt says no
        if await kiosk.get_by_role("button", name="结束通话").is_visible():
            await kiosk.get_by_role("button", name="结束通话").click()
            await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
        # lawyer1 off duty again, as the other browser tests expect to find them
        await lawyer.get_by_role("button", name="暂停接听").click()
        await lawyer.get_by_role("status").filter(has_text="您现在暂停接听").wait_for()

    record = await staff["center"].call("GET", f"/api/consultations/{consultation_id}")
    guest_steps = [(e["kind"], e["actor"]) for e in record["events"]
                   if e["kind"].startswith("guest") or e["actor"] in (guest_ref, family_ref)]
    assert guest_steps == [("guest_invited", lawyer_ref), ("guest_admitted", guest_ref), ("guest_joined", guest_ref),
                           ("recording_consent", guest_ref), ("guest_removed", lawyer_ref),
                           ("guest_invited", lawyer_ref), ("guest_admitted", family_ref),
                           ("recording_consent", family_ref), ("guest_joined", family_ref)], guest_steps
    assert record["state"] == "ended"
    # the wrong and the used code's refusals (404) and /lawyer before the login (401) are expected
    unexpected = [p for p in problems if "status of 401" not in p and "status of 404" not in p]
    assert not unexpected, "\n".join(unexpected)
