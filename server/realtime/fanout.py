"""Fan-out between server processes: python-socketio's Redis manager, made to tell the truth.

The stock manager delivers an emit in this process, then publishes it for the others; when
Redis is away it logs "Cannot publish to redis... giving up" and the message is gone, and a
lost subscription backs off up to a minute before it listens again. Here, through the two
methods python-socketio leaves to subclasses (`_publish`, `_listen`):

- a message that cannot be published waits in a bounded backlog and is published, in order,
  once Redis answers again and the other processes have had time to listen again (a resender
  tries every RETRY_SECONDS); while anything waits,
  later messages queue behind it so that order holds. The caller is told (FanOutUnavailable):
  the relay turns that into a retryable `unavailable` for a signal nobody here could receive.
  Past UNSENT_MAX_MESSAGES the oldest are dropped, and messages older than UNSENT_MAX_SECONDS
  are not sent late: a client that missed them learns the state on resume or reconnect;
- a lost subscription is retried every RETRY_SECONDS, so fan-out is back within a few
  seconds of Redis returning;
- nothing here touches Redis at start: a process serves while Redis is down (readiness says so).
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from typing import Any, AsyncIterator, Iterator

import socketio

from server.realtime.rooms import LeanRooms

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
# Redis keeps no pub/sub messages: after an outage, wait until every process's listener (which
# tries again every RETRY_SECONDS) has subscribed again before sending what waited
RESUBSCRIBED_SECONDS = 2 * RETRY_SECONDS
UNSENT_MAX_MESSAGES = 10_000
UNSENT_MAX_SECONDS = 60.0
PING_TIMEOUT_SECONDS = 2.0
CLOSE_SECONDS = 1.0


# False inside or_refuse(): a message that cannot be published is not kept for later
_KEEP_UNSENT: contextvars.ContextVar[bool] = contextvars.ContextVar("fanout_keep_unsent", default=True)


@contextlib.contextmanager
def or_refuse() -> Iterator[None]:
    """For what the sender will send again when told (a relayed signal): no late copy."""
    token = _KEEP_UNSENT.set(False)
    try:
        yield
    finally:
        _KEEP_UNSENT.reset(token)


class FanOutUnavailable(Exception):
    """Redis did not take the message; it waits in the backlog (see the module's docstring)."""


class FanOut(LeanRooms, socketio.AsyncRedisManager):
    connected: bool  # whether the Redis client is up: AsyncRedisManager's _redis_connect sets it

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.unsent: deque[tuple[float, Any]] = deque()
        self.dropped = 0  # messages given up on (too many, or too old to matter)
        self._resender: asyncio.Task[None] | None = None
        self.closing = False

    async def _publish(self, data: Any) -> None:
        if not self.unsent:
            try:
                await self._send(data)
                return
            except Exception as exc:  # noqa: BLE001 - any failure of Redis or the connection
                log.warning("fan-out: Redis did not take a message (%s); keeping it to resend", type(exc).__name__)
        if _KEEP_UNSENT.get():
            self._keep(data)
        raise FanOutUnavailable("the other server processes cannot be reached now")

    async def _send(self, data: Any) -> None:
        if not self.connected:
            self._redis_connect()
        try:
            await self.redis.publish(self.channel, self.json.dumps(data))
        except Exception:
            self.connected = False
            raise

    def _keep(self, data: Any) -> None:
        self.unsent.append((time.monotonic(), data))
        while len(self.unsent) > UNSENT_MAX_MESSAGES:
            self.unsent.popleft()
            self.dropped += 1
        if self._resender is None or self._resender.done():
            self._resender = asyncio.create_task(self._resend(), name="fanout-resender")

    async def _resend(self) -> None:
        while self.unsent:
            await asyncio.sleep(RETRY_SECONDS)
            if not await self.ping():
                continue
            await asyncio.sleep(RESUBSCRIBED_SECONDS)
            while self.unsent:
                kept_at, data = self.unsent[0]
                if time.monotonic() - kept_at > UNSENT_MAX_SECONDS:
                    self.unsent.popleft()
                    self.dropped += 1
                    continue
                try:
                    await self._send(data)
                except Exception:  # noqa: BLE001 - still away: try again after the pause
                    break
                self.unsent.popleft()
        if self.dropped:
            log.warning("fan-out: %d message(s) were not sent while Redis was away", self.dropped)
            self.dropped = 0

    async def _listen(self) -> AsyncIterator[Any]:
        channel = self.channel.encode("utf-8")
        while not self.closing:
            try:
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                async for message in self.pubsub.listen():
                    if message["channel"] == channel and message["type"] == "message" and "data" in message:
                        yield message["data"]
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis went away: listen again shortly
                if self.closing:
                    return
                log.warning("fan-out: not receiving from Redis (%s); again in %.0f s", type(exc).__name__,
                            RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)

    async def ping(self) -> bool:
        """Whether Redis answers now (readiness, metrics)."""
        try:
            if not self.connected:
                self._redis_connect()
            return bool(await asyncio.wait_for(self.redis.ping(), PING_TIMEOUT_SECONDS))
        except Exception:  # noqa: BLE001 - any failure is "not up"
            return False

    async def close(self) -> None:
        """At a stop: the listener and the resender end, then the connections."""
        self.closing = True
        tasks = [t for t in (self._resender, getattr(self, "thread", None)) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=CLOSE_SECONDS)
        for connection in (self.pubsub, self.redis):
            if connection is not None:
                with contextlib.suppress(Exception):  # closing what is already gone
                    await connection.aclose()
