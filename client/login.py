"""Staff and lawyer credentials for the socket: a session cookie from `POST /api/auth/login`."""
from __future__ import annotations

from aiohttp import ClientSession, CookieJar

from client.connection import SignalingError
from signaling import SESSION_COOKIE


class LoginFailed(SignalingError):
    """A wrong password, a wait after failed logins or a server that set no session cookie."""


async def log_in(server_url: str, username: str, password: str) -> str:
    """Log in over HTTP and return the `fayuan_session` cookie value for Connection."""
    # unsafe=True: the jar must keep cookies of a server addressed by IP, as tests and kiosks do.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        async with http.post(f"{server_url.rstrip('/')}/api/auth/login",
                             json={"username": username, "password": password}) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                error = body.get("error", {}) if isinstance(body, dict) else {}
                raise LoginFailed(error.get("code", "login_failed"), error.get("message", f"HTTP {response.status}"))
            cookie = response.cookies.get(SESSION_COOKIE)
            if cookie is None:
                raise LoginFailed("login_failed", f"the server set no {SESSION_COOKIE} cookie")
            return cookie.value
