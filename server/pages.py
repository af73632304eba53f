"""The browser pages: static HTML, CSS, JS and message catalogs from client/web, plus the
npm-installed libraries that the build copies into client/web/vendor."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

WEB_ROOT = Path(__file__).resolve().parent.parent / "client" / "web"
PAGES = {
    "/login": "login.html",
    "/admin": "admin.html",
    "/admin/units": "admin.html",
    "/admin/accounts": "admin.html",
    "/admin/devices": "admin.html",
    "/admin/lawyers": "admin.html",
    "/admin/hours": "admin.html",
    "/admin/audit": "admin.html",
    "/admin/replies": "admin.html",
    "/board": "board.html",
    "/kiosk/board": "board-kiosk.html",
    "/kiosk": "kiosk.html",
    "/lawyer": "lawyer.html",
    "/applications": "applications.html",
    "/reports": "reports.html",
    "/dashboard": "dashboard.html",
    "/meetings": "meetings.html",
    "/meetings/room": "meeting-room.html",
    "/commitments": "commitments.html",
    "/join": "join.html",  # a consultation's guest: the invitation's code or link (consultations/guests.py)
}
CSP = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
       "connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
# The kiosk's file viewer shows a PDF the lawyer shared in a frame, from the bytes it fetched
# (a blob: URL made by the page itself), so that nothing is saved to the kiosk's disk.
FRAMES_FROM_BLOBS = {"/kiosk": CSP + "; frame-src blob:"}


def _page(filename: str, csp: str = CSP) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        path = WEB_ROOT / "pages" / filename
        if not path.exists():
            raise web.HTTPNotFound(text=f"page {filename} is not built")
        return web.FileResponse(path, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})

    return serve


def install(app: web.Application, pages: dict[str, str] | None = None) -> None:
    for url, filename in (pages or PAGES).items():
        app.router.add_get(url, _page(filename, FRAMES_FROM_BLOBS.get(url, CSP)))

    async def root(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/login")

    app.router.add_get("/", root)
    for prefix, folder in (("/static", WEB_ROOT / "static"), ("/vendor", WEB_ROOT / "vendor")):
        folder.mkdir(parents=True, exist_ok=True)
        app.router.add_static(prefix, folder, append_version=False)
