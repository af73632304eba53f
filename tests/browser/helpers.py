"""What the browser tests share besides fixtures: logging in, running axe-core."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.request
from typing import Any

from PIL import Image

DEMO_PASSWORD = "fayuan-demo-2026"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


async def log_in(page: Any, username: str = "admin", password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page and wait until the admin shell has drawn its section."""
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/admin/**")
    await page.wait_for_selector("body[data-ready]")


async def open_section(page: Any, name: str) -> None:
    await page.goto(f"/admin/{name}")
    await page.wait_for_selector(f"body[data-ready={name}]")


async def axe_violations(page: Any) -> list[dict]:
    """Run axe-core (served from /vendor/) on the page; the serious and critical violations."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(url="/vendor/axe.min.js")
    result = await page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


async def axe_in_both_languages(page: Any) -> None:
    """axe-core finds nothing serious in the page's language, nor after its switch to the other."""
    for _ in range(2):
        violations = await axe_violations(page)
        assert not violations, describe(violations)
        other = "en" if await page.evaluate("document.documentElement.lang") == "zh-CN" else "zh-CN"
        await page.click("[data-language-switch]")
        await page.locator(f"html[lang='{other}']").wait_for(state="attached")


def leave_board_message(live_server: Any, question: str, *, unit: str = "C-EAST-1", target: str = "station",
                        category: str = "housing") -> dict:
    """A resident leaves a board message at the unit's kiosk (for its station, or the center)."""
    token = next(k["token"] for k in live_server.kiosks if k["unit"] == unit)
    body = {"category": category, "question": question, "contact_name": "趙阿姨", "contact_phone": "13800001111",
            "target": target}
    request = urllib.request.Request(live_server.url("/api/board/messages"), data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


async def open_pages(browser: Any, base_url: str, names: tuple[str, ...],
                     init_scripts: dict[str, str] | None = None) -> tuple[list[Any], list[Any], list[str]]:
    """One browser context and page per name (a kiosk, a console…); their errors go to one list,
    marked with the name. init_scripts[name] runs in that page before its own scripts."""
    problems: list[str] = []
    contexts, pages = [], []
    for name in names:
        context = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                            locale="zh-CN")
        context.set_default_timeout(10_000)
        # a whole page load on a loaded 2-core machine (CI runs browsers, servers and Janus at once)
        context.set_default_navigation_timeout(30_000)
        if init_scripts and name in init_scripts:
            await context.add_init_script(init_scripts[name])
        one = await context.new_page()
        one.on("console", lambda msg, name=name: problems.append(f"{name} console.{msg.type}: {msg.text}")
               if msg.type == "error" else None)
        one.on("pageerror", lambda exc, name=name: problems.append(f"{name} page error: {exc}"))
        contexts.append(context)
        pages.append(one)
    return contexts, pages, problems


async def lawyer_on_duty(lawyer: Any) -> None:
    """lawyer1 logs in to the console and is available (an earlier test may have left them so)."""
    await lawyer.goto("/lawyer")
    await lawyer.wait_for_url("**/login?next=%2Flawyer")
    await lawyer.fill("#username", "lawyer1")
    await lawyer.fill("#password", DEMO_PASSWORD)
    await lawyer.click("button[type=submit]")
    await lawyer.wait_for_selector("body[data-ready=console]")
    go_available = lawyer.get_by_role("button", name="开始接听")
    if await go_available.is_visible():
        await go_available.click()
    await lawyer.get_by_role("status").filter(has_text="您正在值班，可以接听").wait_for()


async def start_and_take(kiosk: Any, lawyer: Any) -> int:
    """From the kiosk's camera check: start, and the lawyer takes it; both chat panels are up."""
    await kiosk.get_by_role("button", name="开始视频咨询").click()
    await kiosk.wait_for_selector("[data-screen=queued]:not([hidden])")
    consultation_id = await kiosk.evaluate("window.fayuanKiosk.consultationId")
    await lawyer.locator(f"#queue-rows tr[data-consultation='{consultation_id}']").wait_for()
    await lawyer.get_by_role("button", name="接听下一位").click()
    await kiosk.wait_for_selector("[data-screen=call]:not([hidden]) .chat-panel")
    await lawyer.wait_for_selector("#call-panel:not([hidden]) .chat-panel")
    return consultation_id


async def until_true(page: Any, predicate: str, timeout_ms: int) -> None:
    """Poll a predicate that may be async. wait_for_function does not await the Promise an async
    predicate returns: it takes the Promise itself for a true value and returns at once."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_ms / 1000
    while not await page.evaluate(predicate):
        assert loop.time() < deadline, f"not true within {timeout_ms} ms: {predicate}"
        await asyncio.sleep(0.2)


# Issue 17 item 8: on the kiosk pages every visible text is at least 24 px and every target a
# finger uses at least 48 × 48 px. A check box or radio button is aimed at through its label.
MIN_KIOSK_FONT_PX = 24
MIN_KIOSK_TARGET_PX = 48
SMALL_ON_KIOSK = r"""
([minFont, minTarget]) => {
  const shown = (el) => {
    if (el.closest("[hidden], [aria-hidden=true], .visually-hidden, script, style, template")) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minFont) found.push(`text ${size}px in ${name(el)}: ${text.slice(0, 40)}`);
  }
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  for (const control of document.querySelectorAll(targets)) {
    const aimed = ["checkbox", "radio"].includes(control.type) ? control.closest("label") || control : control;
    if (!shown(aimed)) continue;
    const box = aimed.getBoundingClientRect();
    // a fraction of a pixel is layout rounding, not a smaller target
    if (box.width < minTarget - 0.5 || box.height < minTarget - 0.5) {
      found.push(`target ${Math.round(box.width)}×${Math.round(box.height)} px: ${name(aimed)}`);
    }
  }
  return found;
}
"""


async def small_on_kiosk(page: Any) -> list[str]:
    """Visible texts under 24 px and targets under 48 × 48 px on the page as it is now."""
    return await page.evaluate(SMALL_ON_KIOSK, [MIN_KIOSK_FONT_PX, MIN_KIOSK_TARGET_PX])


def stored_size(data_dir: Any, file_id: int) -> tuple[int, int]:
    """The pixel size of the file the server kept, read from its header on disk."""
    with sqlite3.connect(data_dir / "fayuan.sqlite3") as db:
        (key,) = db.execute("SELECT key FROM files WHERE id = ?", (file_id,)).fetchone()
    with Image.open(data_dir / "files" / key[:2] / key) as image:
        return image.size
