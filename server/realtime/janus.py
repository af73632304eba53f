"""A small async client of Janus' HTTP API, for the VideoRoom plugin.

Janus speaks JSON over POST: `create` makes a session, `attach` a plugin handle in it,
`message` sends the plugin a request (with an optional `jsep` offer or answer), `trickle`
adds ICE candidates. A request that the plugin answers at once (create or destroy a room)
comes back in the POST's response as `success`; one that takes time (join, configure, start)
is acknowledged with `ack` and its answer arrives later as an `event` on the session's
long-poll GET, carrying the same transaction. A session with no request or poll for 60 s is
destroyed by Janus, so each session here polls continuously and sends keepalives.

JanusSession owns one session, its handles and its poll task; events that no request waits
for (a new publisher, a subscriber's renegotiation, hang-ups) go to `on_event`.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import urllib.error
import urllib.request
from typing import Any, Awaitable, Callable

import aiohttp

log = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
KEYFRAME_REQUEST_SECONDS = 2
KEEPALIVE_INTERVAL_SECONDS = 25.0  # Janus' default session timeout is 60 s
REQUEST_TIMEOUT_SECONDS = 15.0
POLL_EVENTS = 10  # maxev: events one long-poll answer may carry
POLL_RETRY_SECONDS = 1.0
# VideoRoom's error codes for a room that is not there, or is there already
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427

EventHandler = Callable[[dict], Awaitable[None] | None]


class JanusError(Exception):
    """Janus (or its VideoRoom plugin) refused a request; `code` is Janus' numeric code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


INFO_TIMEOUT_SECONDS = 1.0


def videoroom_ready(url: str, timeout: float = INFO_TIMEOUT_SECONDS) -> bool:
    """Janus answers `GET <url>/info` and has the VideoRoom plugin. Blocking (at start-up, or in a
    thread: asyncio.to_thread)."""
    try:
        with urllib.request.urlopen(url + "/info", timeout=timeout) as response:
            return VIDEOROOM in json.loads(response.read()).get("plugins", {})
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


def _transaction() -> str:
    return secrets.token_hex(8)


def plugin_result(response: dict) -> dict:
    """The plugin's answer in a `success` or `event`, or the JanusError it stands for."""
    if response.get("janus") == "error":
        error = response.get("error", {})
        raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
    data = response.get("plugindata", {}).get("data", {})
    if "error_code" in data or data.get("videoroom") == "event" and "error" in data:
        raise JanusError(int(data.get("error_code", 0)), str(data.get("error", "")))
    return data


class JanusSession:
    """One Janus session over HTTP: handles, requests and the event poll."""

    def __init__(self, http: aiohttp.ClientSession, url: str, *, on_event: EventHandler | None = None) -> None:
        self.http = http
        self.url = url.rstrip("/")
        self.on_event = on_event
        self.id: int | None = None
        self._pending: dict[str, asyncio.Future[dict]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def existing(cls, http: aiohttp.ClientSession, url: str, session_id: int) -> "JanusSession":
        """A session another process created, to destroy it (no event poll, no keepalive)."""
        session = cls(http, url)
        session.id = session_id
        return session

    async def create(self) -> "JanusSession":
        response = await self._post(self.url, {"janus": "create"})
        self.id = int(response["data"]["id"])
        self._tasks = [asyncio.create_task(self._poll(), name=f"janus-poll-{self.id}"),
                       asyncio.create_task(self._keepalive(), name=f"janus-keepalive-{self.id}")]
        return self

    @property
    def session_url(self) -> str:
        if self.id is None:
            raise RuntimeError("create() the session first")
        return f"{self.url}/{self.id}"

    async def attach(self, plugin: str = VIDEOROOM) -> int:
        response = await self._post(self.session_url, {"janus": "attach", "plugin": plugin})
        return int(response["data"]["id"])

    async def detach(self, handle: int) -> None:
        with contextlib.suppress(JanusError, aiohttp.ClientError, asyncio.TimeoutError):
            await self._post(f"{self.session_url}/{handle}", {"janus": "detach"})

    async def request(self, handle: int, body: dict) -> dict:
        """A request the plugin answers at once (create, destroy, exists, kick, …)."""
        return plugin_result(await self._post(f"{self.session_url}/{handle}", {"janus": "message", "body": body}))

    async def message(self, handle: int, body: dict, jsep: dict | None = None,
                      timeout_seconds: float = REQUEST_TIMEOUT_SECONDS) -> dict:
        """Any request: the immediate `success`, or the `event` that answers an `ack`. The
        whole event is returned (its `plugindata` and `jsep`); a plugin error raises."""
        transaction = _transaction()
        message: dict[str, Any] = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            message["jsep"] = jsep
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        try:
            response = await self._post(f"{self.session_url}/{handle}", message)
            if response.get("janus") != "ack":
                plugin_result(response)
                return response
            event = await asyncio.wait_for(future, timeout_seconds)
            plugin_result(event)
            return event
        finally:
            self._pending.pop(transaction, None)

    async def trickle(self, handle: int, candidate: dict | None) -> None:
        """One candidate ({candidate, sdpMid, sdpMLineIndex}), or None for end-of-candidates."""
        await self._post(f"{self.session_url}/{handle}",
                         {"janus": "trickle", "candidate": candidate if candidate else {"completed": True}})

    async def destroy(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self.id is not None:
            with contextlib.suppress(JanusError, aiohttp.ClientError, asyncio.TimeoutError):
                await self._post(self.session_url, {"janus": "destroy"})
            self.id = None

    async def _post(self, url: str, message: dict) -> dict:
        message.setdefault("transaction", _transaction())
        async with self.http.post(url, json=message, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)) as r:
            response = await r.json(content_type=None)
        if response.get("janus") == "error":
            error = response.get("error", {})
            raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
        return response

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_INTERVAL_SECONDS)
            try:
                await self._post(self.session_url, {"janus": "keepalive"})
            except (JanusError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("janus keepalive of session %s failed: %s", self.id, exc)

    async def _poll(self) -> None:
        while True:
            try:
                async with self.http.get(self.session_url, params={"maxev": str(POLL_EVENTS)},
                                         timeout=aiohttp.ClientTimeout(total=90)) as r:
                    answer = await r.json(content_type=None)
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                log.warning("janus poll of session %s failed: %s", self.id, exc)
                await asyncio.sleep(POLL_RETRY_SECONDS)
                continue
            for event in answer if isinstance(answer, list) else [answer]:
                await self._dispatch(event)

    async def _dispatch(self, event: dict) -> None:
        kind = event.get("janus")
        if kind == "keepalive":
            return
        if kind == "error" and event.get("error", {}).get("code") == 458:  # no such session
            log.warning("janus session %s is gone", self.id)
        future = self._pending.get(event.get("transaction", "")) if kind == "event" else None
        if future is not None and not future.done():
            future.set_result(event)
            return
        if self.on_event is not None:
            try:
                result = self.on_event(event)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # noqa: BLE001 - one bad event handler must not stop the poll
                log.exception("handling a janus event failed")


class JanusRooms:
    """The server's own session: creates and destroys VideoRoom rooms with their secrets."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.session = JanusSession(http, url)
        self.handle: int | None = None
        self._lock = asyncio.Lock()

    async def _ready(self) -> int:
        async with self._lock:
            if self.handle is None:
                await self.session.create()
                self.handle = await self.session.attach()
            return self.handle

    async def ensure(self, room: int, *, secret: str, pin: str, description: str, publishers: int) -> None:
        """Create the room unless Janus already has it (made by an earlier join, or another process)."""
        handle = await self._ready()
        if (await self.session.request(handle, {"request": "exists", "room": room})).get("exists"):
            return
        try:
            await self.create(room, secret=secret, pin=pin, description=description, publishers=publishers)
        except JanusError as exc:
            if exc.code != ROOM_EXISTS:  # another join made it meanwhile
                raise

    async def create(self, room: int, *, secret: str, pin: str, description: str, publishers: int) -> None:
        handle = await self._ready()
        await self.session.request(handle, {
            "request": "create", "room": room, "secret": secret, "pin": pin, "description": description[:100],
            "publishers": publishers, "is_private": True, "permanent": False, "bitrate": 512_000,
            "audiocodec": "opus", "videocodec": "vp8", "notify_joining": True,
            # ask publishers for a keyframe every few seconds, so a subscriber that joined or
            # lost packets mid-stream (a recorder, a viewer on a slow machine) can decode again
            "fir_freq": KEYFRAME_REQUEST_SECONDS})

    async def destroy(self, room: int, *, secret: str) -> None:
        handle = await self._ready()
        try:
            await self.session.request(handle, {"request": "destroy", "room": room, "secret": secret})
        except JanusError as exc:
            if exc.code != NO_SUCH_ROOM:  # already gone
                raise

    async def close(self) -> None:
        await self.session.destroy()
        self.handle = None
