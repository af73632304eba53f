"""A video consultation between two Chromium contexts with fake camera and microphone: the
kiosk queues in two taps, the lawyer takes it from the console, video is decoded on both
sides, the kiosk hangs up and rates. And outside service hours the kiosk says so and
creates nothing.

The server subprocess runs on the real clock, so the set-up makes the service open now (or
closed now) through the API, and puts the lawyer on duty; it puts everything back afterwards
for the other browser tests. "Now" is today and tomorrow in China, open around the clock: a run
at 23:50 would otherwise meet the cut-off before closing, and one past midnight a closed day.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, AsyncIterator
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import pytest_asyncio

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe, open_pages, until_true

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

CHINA = ZoneInfo("Asia/Shanghai")
ALL_DAY = ("00:00", "24:00")
CALL_TIMEOUT_MS = 15_000
FRAMES_DECODED = """async () => {
  const pc = window.fayuanPc;
  if (!pc) return false;
  let frames = 0;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
  });
  return frames > 0;
}"""


class Api:
    """A logged-in staff member talking JSON to the live server."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http, self.base_url, self.csrf = http, base_url, ""

    async def login(self, username: str) -> dict:
        me = await self.call("POST", "/api/auth/login", {"username": username, "password": DEMO_PASSWORD})
        self.csrf = me["csrf_token"]
        return me

    async def call(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 201, 204)) -> Any:
        async with self.http.request(method, self.base_url + path, json=body,
                                     headers={"X-CSRF-Token": self.csrf}) as response:
            data = await response.json() if response.content_type == "application/json" else None
            assert response.status in expect, f"{method} {path}: {response.status} {data}"
            return data


def _today_and_tomorrow() -> list[str]:
    today = datetime.now(CHINA).date()
    return [today.isoformat(), (today + timedelta(days=1)).isoformat()]


def _windows_excluding_now() -> list[dict]:
    start, end = ("20:00", "21:00") if datetime.now(CHINA).hour < 12 else ("02:00", "03:00")
    return [{"weekday": d, "start": start, "end": end} for d in range(7)]


@pytest_asyncio.fixture(loop_scope="module")
async def staff(live_server) -> AsyncIterator[dict[str, Api]]:
    """admin (service hours) and center (roster, records), each with a session of their own."""
    jar = lambda: aiohttp.CookieJar(unsafe=True)  # noqa: E731 - cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar()) as admin_http, aiohttp.ClientSession(cookie_jar=jar()) as center_http:
        admin, center = Api(admin_http, live_server.base_url), Api(center_http, live_server.base_url)
        await admin.login("admin")
        await center.login("center")
        yield {"admin": admin, "center": center}


@pytest_asyncio.fixture(loop_scope="module")
async def hours(staff) -> AsyncIterator[Any]:
    """A setter for the weekly windows; the old windows and the calendar entries of today and
    tomorrow come back after."""
    admin = staff["admin"]
    first, last = _today_and_tomorrow()
    saved = await admin.call("GET", "/api/service-hours/windows")
    calendar = await admin.call("GET", f"/api/service-hours/calendar?from={first}&to={last}")

    async def set_windows(windows: list[dict]) -> None:
        await admin.call("PUT", "/api/service-hours/windows", {"windows": windows})

    yield set_windows
    await set_windows(saved["windows"])
    for day in calendar:
        if day["source"] == "manual":
            await admin.call("PUT", f"/api/service-hours/days/{day['day']}", {"kind": day["kind"], "name": day["name"]})
        else:
            await admin.call("DELETE", f"/api/service-hours/days/{day['day']}", expect=(204, 404))


@pytest_asyncio.fixture(loop_scope="module")
async def open_now(staff, hours) -> AsyncIterator[None]:
    """The service open all day today and tomorrow, whatever days they are, and lawyer1 on duty."""
    await hours([{"weekday": d, "start": ALL_DAY[0], "end": ALL_DAY[1]} for d in range(7)])
    accounts = await staff["admin"].call("GET", "/api/accounts")
    lawyer = next(a for a in accounts if a["username"] == "lawyer1")
    shifts = []
    for day in _today_and_tomorrow():
        await staff["admin"].call("PUT", f"/api/service-hours/days/{day}", {"kind": "makeup_workday",
                                                                             "name": "browser test"})
        shifts.append(await staff["center"].call("POST", "/api/duty/roster", {
            "account_id": lawyer["id"], "day": day, "start": ALL_DAY[0], "end": ALL_DAY[1]}))
    yield
    for shift in shifts:
        await staff["center"].call("DELETE", f"/api/duty/roster/{shift['id']}")


@pytest_asyncio.fixture(loop_scope="module")
async def two_pages(browser, live_server) -> AsyncIterator[tuple[Any, Any, list[str]]]:
    """The kiosk and the console, each in its own browser context; page errors are collected."""
    contexts, pages, problems = await open_pages(browser, live_server.base_url, ("kiosk", "lawyer"))
    yield pages[0], pages[1], problems
    for context in contexts:
        await context.close()


async def _no_axe_violations(page: Any, where: str) -> None:
    found = await axe_violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"


async def _consultation_count(center: Api) -> int:
    return len(await center.call("GET", "/api/consultations?limit=200"))


async def test_kiosk_and_lawyer_talk_by_video_and_the_rating_is_saved(two_pages, live_server, staff, open_now):
    kiosk, lawyer, problems = two_pages

    await lawyer.goto("/lawyer")
    await lawyer.wait_for_url("**/login?next=%2Flawyer")
    await lawyer.fill("#username", "lawyer1")
    await lawyer.fill("#password", DEMO_PASSWORD)
    await lawyer.click("button[type=submit]")
    await lawyer.wait_for_url("**/lawyer")
    await lawyer.wait_for_selector("body[data-ready=console]")
    await lawyer.get_by_role("button", name="开始接听").click()
    await lawyer.get_by_role("status").filter(has_text="您正在值班，可以接听").wait_for()
    await _no_axe_violations(lawyer, "/lawyer (idle)")

    await kiosk.goto(f"/kiosk#token={live_server.kiosks[0]['token']}")
    await kiosk.wait_for_selector("[data-screen=categories]:not([hidden])")
    assert "token" not in kiosk.url  # the device key leaves the address bar
    await _no_axe_violations(kiosk, "/kiosk (categories)")
    await kiosk.get_by_role("button", name="工资、劳动纠纷").click()  # tap 1
    await kiosk.wait_for_selector("[data-screen=check]:not([hidden])")
    await _no_axe_violations(kiosk, "/kiosk (camera check)")
    await kiosk.get_by_role("button", name="开始视频咨询").click()  # tap 2: queued
    await kiosk.wait_for_selector("[data-screen=queued]:not([hidden])")
    await kiosk.get_by_text("下一位就是您").wait_for()
    await _no_axe_violations(kiosk, "/kiosk (queued)")
    consultation_id = await kiosk.evaluate("window.fayuanKiosk.consultationId")

    row = lawyer.locator(f"#queue-rows tr[data-consultation='{consultation_id}']")
    await row.wait_for()
    assert "工资、劳动纠纷" in await row.inner_text()
    await lawyer.get_by_role("button", name="接听下一位").click()

    await kiosk.wait_for_selector("[data-screen=call]:not([hidden])")
    await until_true(kiosk, FRAMES_DECODED, CALL_TIMEOUT_MS)
    await until_true(lawyer, FRAMES_DECODED, CALL_TIMEOUT_MS)
    await kiosk.wait_for_function("() => document.getElementById('call-heading').textContent === '正在和 李明律师 通话'")
    # Renegotiation the other way: the console offers (as for a screen share), the kiosk answers.
    offer_before = await kiosk.evaluate("window.fayuanPc.remoteDescription.sdp")
    await lawyer.evaluate("window.fayuanPc.restartIce()")
    await kiosk.wait_for_function("sdp => window.fayuanPc.remoteDescription.sdp !== sdp", arg=offer_before)
    await lawyer.wait_for_function("() => window.fayuanPc.signalingState === 'stable'")
    await _no_axe_violations(kiosk, "/kiosk (in a call)")
    await _no_axe_violations(lawyer, "/lawyer (in a call)")

    await lawyer.get_by_label("给居民的建议").fill("先收集工资条，再申请劳动仲裁")
    await lawyer.get_by_text("申请人群体（选填）").click()  # folded, so that the note and transfer stay in view
    await lawyer.get_by_label("农民工").check()  # the resident's group, for the bureau's reports
    await lawyer.get_by_role("button", name="保存记录").click()
    await lawyer.get_by_role("status").filter(has_text="记录已保存").wait_for()

    await kiosk.get_by_role("button", name="结束通话").click()
    await kiosk.wait_for_selector("[data-screen=rate]:not([hidden])")
    await lawyer.get_by_role("status").filter(has_text="通话已结束").wait_for()
    assert await lawyer.locator("#call-panel").is_hidden()
    await _no_axe_violations(kiosk, "/kiosk (rating)")
    await kiosk.locator("button[data-rating='4']").click()
    await kiosk.wait_for_selector("[data-screen=thanks]:not([hidden])")

    record = await staff["center"].call("GET", f"/api/consultations/{consultation_id}")
    assert record["state"] == "ended" and record["rating"] == 4
    assert record["advice"] == "先收集工资条，再申请劳动仲裁"
    assert record["applicant_groups"] == ["migrant_worker"]
    # A loaded machine can miss a socket.io ping: the page then reconnects and resumes (away/back).
    kinds = [e["kind"] for e in record["events"] if e["kind"] not in ("away", "back")]
    assert kinds == ["queued", "taken", "noted", "groups", "ended", "rated"], record["events"]
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)


async def test_outside_hours_the_kiosk_shows_the_closed_screen_and_creates_nothing(two_pages, live_server,
                                                                                    staff, open_now, hours):
    kiosk, _, problems = two_pages
    before = await _consultation_count(staff["center"])
    await kiosk.goto(f"/kiosk#token={live_server.kiosks[1]['token']}")
    await kiosk.wait_for_selector("[data-screen=categories]:not([hidden])")

    # It closes while the resident is choosing: the server refuses the start and says when it opens.
    await hours(_windows_excluding_now())
    await kiosk.get_by_role("button", name="婚姻家庭").click()
    await kiosk.get_by_role("button", name="开始视频咨询").click()
    await kiosk.wait_for_selector("[data-screen=closed]:not([hidden])")
    assert (await kiosk.locator("#next-open").inner_text()).startswith("下次开始：")
    assert "节假日休息" in await kiosk.locator("#closed-hours").inner_text()

    # A kiosk that starts up outside hours shows the closed screen straight away.
    await kiosk.reload()
    await kiosk.wait_for_selector("[data-screen=closed]:not([hidden])")
    await _no_axe_violations(kiosk, "/kiosk (closed)")
    await kiosk.get_by_role("button", name="English").click()
    await kiosk.get_by_role("heading", name="Video advice is closed now").wait_for()
    await _no_axe_violations(kiosk, "/kiosk (closed, English)")
    assert await kiosk.locator("[data-screen=categories]").is_hidden()
    assert await _consultation_count(staff["center"]) == before
    unexpected = [p for p in problems if "status of 401" not in p]  # /lawyer before the login
    assert not unexpected, "\n".join(unexpected)
