"""What the browser tests share besides fixtures: logging in, running axe-core."""
from __future__ import annotations

from typing import Any

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
