"""The admin pages in Chromium against the real server: the flows an admin walks through, and
axe-core on every page in both languages."""
from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe, log_in, open_section

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

ADMIN_SECTIONS = ["units", "accounts", "devices", "lawyers", "hours", "audit"]


async def test_the_login_form_cannot_send_the_password_before_its_script_runs(page, browser, live_server):
    """A press on "登录" before login.js handles the form would submit it natively: the button
    waits for the script, and the form posts, so the password never goes in a URL."""
    context = await browser.new_context(base_url=live_server.base_url)  # its failed script is on purpose
    try:
        without_script = await context.new_page()
        await without_script.route("**/static/js/login.js", lambda route: route.abort())
        await without_script.goto("/login")
        assert await without_script.locator("#login-form button[type=submit]").is_disabled()
        assert await without_script.get_attribute("#login-form", "method") == "post"
    finally:
        await context.close()
    await page.goto("/login")
    await page.wait_for_function("() => !document.querySelector('#login-form button[type=submit]').disabled")


async def test_login_refuses_a_wrong_password_in_words_from_the_catalog(page):
    await page.goto("/login")
    await page.fill("#username", "admin")
    await page.fill("#password", "not-the-password")
    await page.click("button[type=submit]")
    alert = page.locator("#login-error")
    await alert.locator(".error-title").wait_for()
    assert await alert.inner_text() == "用户名或密码不正确"
    assert page.url.endswith("/login")
    await page.click("[data-language-switch]")
    await page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert await alert.inner_text() == "Wrong username or password"


async def test_the_login_page_opens_without_an_error_in_the_console(page):
    errors: list[str] = []  # even a 401 (the page asks who is logged in before anyone is)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    await page.goto("/login")
    await page.wait_for_function("() => document.activeElement && document.activeElement.id === 'username'")
    assert errors == []


async def test_admin_pages_need_a_login(page):
    await page.goto("/admin/devices")
    await page.wait_for_url("**/login?next=%2Fadmin%2Fdevices")


async def test_admin_creates_a_community_under_a_station(page):
    await log_in(page)
    await open_section(page, "units")
    form = page.locator("form", has=page.get_by_label("上级单位"))
    await form.get_by_label("上级单位").select_option(label="东城街道法律援助工作站（S-EAST）")
    assert await form.get_by_label("单位类型").locator("option").all_inner_texts() == ["社区联系点"]
    await form.get_by_label("名称").fill("東城街道新民社區聯系點")
    await form.get_by_label("编号").fill("C-EAST-9")
    await form.get_by_role("button", name="创建单位").click()
    await page.get_by_role("status").filter(has_text="已创建：東城街道新民社區聯系點").wait_for()
    # The new unit is drawn inside the station's branch of the tree.
    station_branch = page.locator("li", has=page.locator("[data-unit=S-EAST]")).last
    await station_branch.locator("[data-unit=C-EAST-9]").wait_for()
    assert "社区联系点" in await station_branch.locator("[data-unit=C-EAST-9]").inner_text()


async def test_admin_registers_a_kiosk_and_sees_its_token_once(page, live_server):
    await log_in(page)
    await open_section(page, "devices")
    await page.get_by_label("所在联系点或工作站").select_option(label="西城街道新华社区联系点（C-WEST-2）")
    await page.get_by_label("终端名称").fill("新華社區大廳終端")
    await page.get_by_role("button", name="登记终端").click()
    token = (await page.locator("#device-token").inner_text()).strip()
    assert len(token) >= 20
    assert await page.locator("#kiosk-url").inner_text() == f"{live_server.base_url}/kiosk#token={token}"
    row = page.locator("tbody tr", has_text="新華社區大廳終端")
    assert (await row.locator("td").nth(2).inner_text()).strip() == f"…{token[-4:]}"
    # The token really works: the server knows the device by it.
    request = urllib.request.Request(live_server.url("/api/auth/me"), headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["name"] == "新華社區大廳終端"
    # Shown once: after a reload the list has only the hint.
    await page.reload()
    await page.wait_for_selector("body[data-ready=devices]")
    assert await page.locator("#device-token").count() == 0
    assert token not in await page.content()


def _a_plain_weekday_this_month(live_server) -> str:  # type: ignore[no-untyped-def]
    """A Monday–Friday of the month the calendar opens on (China's today) that has no holiday
    or make-up override, as the server's own calendar says: chinese_calendar only knows the
    years it was released with (2026 for 1.11), so asking it fails from the next January on."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    first = today.replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    with urllib.request.urlopen(live_server.url(f"/api/service-hours/calendar?from={first}&to={last}")) as response:
        days = json.loads(response.read())
    plain = [d["day"] for d in days if d["weekday"] < 5 and d["kind"] == "workday" and d["workday"]]
    assert plain, f"no plain weekday in {first:%Y-%m}"
    return plain[0]


async def test_admin_marks_a_weekday_holiday_and_the_calendar_shows_it(page, live_server):
    day = _a_plain_weekday_this_month(live_server)
    await log_in(page)
    await open_section(page, "hours")
    cell = page.locator(f".calendar [data-day='{day}']")
    assert await cell.get_attribute("data-kind") == "workday"
    await cell.click()
    editor = page.locator("section", has=page.get_by_role("heading", name=f"设置日期 {day}"))
    await editor.get_by_label("节假日").check()
    await editor.get_by_label("名称（可不填）").fill("测试休息日")
    await editor.get_by_role("button", name="保存").click()
    await page.wait_for_selector(f".calendar [data-day='{day}'][data-kind=holiday]")
    assert "测试休息日" in await cell.inner_text()
    assert "节假日" in await cell.inner_text()
    # The server agrees: that day is no longer a working day.
    with urllib.request.urlopen(live_server.url(f"/api/service-hours/calendar?from={day}&to={day}")) as response:
        assert json.loads(response.read())[0]["workday"] is False
    # And clearing it puts the weekday back.
    await cell.click()
    await page.get_by_role("button", name="恢复为普通日期").click()
    await page.wait_for_selector(f".calendar [data-day='{day}'][data-kind=workday]")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_no_serious_accessibility_violation_on_any_page(page, language):
    await page.goto("/login")
    await page.evaluate("lang => localStorage.setItem('fayuan.language', lang)", language)
    await page.reload()
    await page.wait_for_function("lang => document.documentElement.lang === lang", arg=language)
    found = {"login": await axe_violations(page)}
    await page.goto("/commitments")  # public, like the login page
    await page.wait_for_selector("body[data-ready=commitments] .commitment")
    assert await page.evaluate("document.documentElement.lang") == language
    found["commitments"] = await axe_violations(page)
    await log_in(page)
    for name in ADMIN_SECTIONS:
        await open_section(page, name)
        assert await page.evaluate("document.documentElement.lang") == language
        found[name] = await axe_violations(page)
    report = "\n".join(f"/{name}:\n{describe(v)}" for name, v in found.items() if v)
    assert not report, f"axe-core found serious or critical violations ({language}):\n{report}"


async def test_keyboard_alone_logs_in_and_skips_to_the_content(page):
    await page.goto("/login")
    await page.wait_for_function("() => document.activeElement.id === 'username'")
    await page.keyboard.type("admin")
    await page.keyboard.press("Tab")
    await page.keyboard.type(DEMO_PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("body[data-ready=units]")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip-link"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_five_wrong_passwords_make_that_browser_wait_and_the_admin_unlocks_it(page, browser, live_server):
    await log_in(page)
    await open_section(page, "accounts")
    form = page.locator("form", has=page.get_by_role("button", name="创建账户"))
    await form.get_by_label("用户名").fill("locktest")
    await form.get_by_label("姓名").fill("鎖定測試")
    await form.get_by_label("角色").select_option("community_staff")
    await form.get_by_label("密码").fill("a-long-enough-password")
    await form.get_by_role("button", name="创建账户").click()
    row = page.locator("tr[data-account=locktest]")
    await row.wait_for()
    assert "138" not in await row.inner_text()  # no phone given, nothing to mask

    other = await browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        stranger = await other.new_page()
        await stranger.goto("/login")
        messages = []
        for _ in range(6):
            await stranger.fill("#username", "locktest")
            await stranger.fill("#password", "wrong-password")
            await stranger.click("button[type=submit]")
            await stranger.wait_for_function("() => document.querySelector('#login-error .error-title') !== null"
                                             " && !document.querySelector('button[type=submit]').disabled")
            messages.append(await stranger.locator("#login-error").inner_text())
            await stranger.evaluate("document.getElementById('login-error').replaceChildren()")
        assert messages[:5] == ["用户名或密码不正确"] * 5
        assert "登录失败次数过多" in messages[-1]
    finally:
        await other.close()

    await page.reload()
    await page.wait_for_selector("body[data-ready=accounts]")
    assert "已锁定" in await row.inner_text()
    await row.get_by_role("button", name="解除锁定").click()
    await page.get_by_role("status").filter(has_text="已解除锁定：鎖定測試").wait_for()
    await page.locator("tr[data-account=locktest] td.status-on").wait_for()
    assert "已锁定" not in await page.locator("tr[data-account=locktest]").inner_text()


@pytest.mark.parametrize(("username", "landing"), [("lawyer1", "/lawyer"), ("east", "/lawyer"),
                                                   ("heping", "/board"), ("center", "/admin")])
async def test_each_role_lands_on_its_own_page_after_login(page, username, landing):
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: url.split("?")[0].rstrip("/").endswith(landing) or f"{landing}/" in url)
    await page.goto("/login")  # already logged in: the login page sends the person on again
    await page.wait_for_url(lambda url: "/login" not in url)
    assert landing in page.url
