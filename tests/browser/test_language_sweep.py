"""Issue 17 item 7: every page in each language shows no text of the other — what the pages
say comes from the catalogs, what the server holds (names, units, questions) is data. An
application with two hardship grounds, and the refusal of its submission, are on screen too."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.browser.helpers import DEMO_PASSWORD
from tests.browser.language_sweep import COLLECT, leaks, strings_in
from tests.browser.test_catalogs import catalog

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

# The audit log last: it holds the refusals of the reads before it (server words, in English).
# a report names units, lawyers, comments; reading its comments is audited, so the audit log comes after it
DATA_SOURCES = ["/api/auth/me", "/api/units", "/api/accounts", "/api/devices", "/api/lawyers", "/api/board/messages",
                "/api/applications", "/api/meetings", "/api/dashboard", "/api/board/handover-targets",
                "/api/board/targets", "/api/reports", "/api/audit"]
PAGES = [("/admin/units", "units"), ("/admin/accounts", "accounts"), ("/admin/devices", "devices"),
         ("/admin/lawyers", "lawyers"), ("/admin/hours", "hours"), ("/admin/audit", "audit"),
         ("/admin/replies", "replies"),
         ("/lawyer", "console"), ("/board", "board"), ("/applications", "list"), ("/reports", "report"),
         ("/meetings", "meetings"), ("/dashboard", "dashboard")]


async def _log_in(page, username: str) -> None:
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready]")


async def _data(page) -> set[str]:
    found: set[str] = set()
    today = date.today()  # the calendar's holiday names are the server's data too (at most 800 days a call)
    around = f"/api/service-hours/calendar?from={today - timedelta(days=390)}&to={today + timedelta(days=390)}"
    for path in DATA_SOURCES + [around]:
        response = await page.request.get(path)
        if response.ok:
            body = await response.json()
            found |= strings_in(body.get("rows", body) if isinstance(body, dict) else body)
    return found


async def _sweep(page, lang: str, data: set[str], pages) -> list[str]:
    await page.evaluate("l => localStorage.setItem('fayuan.language', l)", lang)
    words = catalog(lang)
    found = []
    for path, ready in pages:
        await page.goto(path)
        await page.wait_for_selector(f"body[data-ready={ready}]")
        await page.wait_for_selector(".app-nav")
        found += [f"{path}: {leak}" for leak in leaks(await page.evaluate(COLLECT), lang, words, data)]
    return found


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_no_text_of_the_other_language_on_any_staff_page(browser, live_server, lang):
    # Its own context: the refused submission is a 400 the page fixture would count as a fault.
    context = await browser.new_context(base_url=live_server.base_url, viewport={"width": 1440, "height": 900})
    try:
        await _sweep_everything(await context.new_page(), lang)
    finally:
        await context.close()


async def _sweep_everything(page, lang: str) -> None:
    await page.goto("/login")
    await page.evaluate("l => localStorage.setItem('fayuan.language', l)", lang)
    await page.reload()
    await page.wait_for_selector(f"html[lang='{lang}']")
    found = leaks(await page.evaluate(COLLECT), lang, catalog(lang), set())
    await page.goto("/commitments")  # public too: the hours in words, the configured numbers
    await page.wait_for_selector("body[data-ready=commitments] .commitment")
    found += [f"/commitments: {leak}" for leak in leaks(await page.evaluate(COLLECT), lang, catalog(lang), set())]
    await page.goto("/join")  # a consultation's guest, before the invitation code
    await page.wait_for_selector("[data-screen=code]:not([hidden])")
    found += [f"/join: {leak}" for leak in leaks(await page.evaluate(COLLECT), lang, catalog(lang), set())]
    await _log_in(page, "heping")
    response = await page.request.post("/api/applications", data=json.dumps(
        {"applicant_name": "語言測試", "hardship_grounds": ["disability", "elderly_without_support"]}),
        headers={"Content-Type": "application/json",
                 "X-CSRF-Token": (await (await page.request.get("/api/auth/me")).json())["csrf_token"]})
    assert response.status == 201, await response.text()
    application = await response.json()
    data = await _data(page) | strings_in(application)
    application = application["id"]
    found += await _sweep(page, lang, data, [("/board", "board"), ("/applications", "list"),
                                            (f"/applications?id={application}", "one")])
    await page.click("[data-action=submit]")
    await page.click("#action-form [type=submit]")
    await page.wait_for_selector("#action-form .error-detail")
    found += leaks(await page.evaluate(COLLECT), lang, catalog(lang), data)
    await page.goto("/applications")
    await page.get_by_role("button", name=catalog(lang)["app.new"]).click()
    await page.wait_for_selector("body[data-ready=form]")
    found += leaks(await page.evaluate(COLLECT), lang, catalog(lang), data)
    await page.click("#logout")
    await page.wait_for_url("**/login")
    await _log_in(page, "admin")
    found += await _sweep(page, lang, data | await _data(page), PAGES)
    assert not found, "\n".join(found)
