"""The pub/sub seam. Subclasses implement only _publish, _subscribe and _unsubscribe;
fan-out to local subscribers lives here, once.

Every subscriber has a bounded queue (QUEUE_MAX_MESSAGES); on overflow the oldest message
is dropped and the subscriber's `dropped` count goes up, so one slow reader cannot grow
memory without bound. Readers that must not lose anything (chat) replay from the database.
"""
from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, AsyncIterator

QUEUE_MAX_MESSAGES = 1000


class Subscription:
    def __init__(self, owner: "PubSub", channel: str) -> None:
        self.owner = owner
        self.channel = channel
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_MAX_MESSAGES)
        self.dropped = 0

    def deliver(self, message: Any) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(message)

    async def get(self, timeout: float | None = None) -> Any:
        return await asyncio.wait_for(self.queue.get(), timeout)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while True:
            yield await self.queue.get()

    async def close(self) -> None:
        await self.owner._drop(self)


class PubSub:
    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, channel: str, message: Any) -> None:
        await self._publish(channel, json.dumps(message, ensure_ascii=False, separators=(",", ":")))

    async def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self, channel)
        first = not self._subs[channel]
        self._subs[channel].add(sub)
        if first:
            await self._subscribe(channel)
        return sub

    async def _drop(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.channel)
        if subs is None:
            return
        subs.discard(sub)
        if not subs:
            del self._subs[sub.channel]
            await self._unsubscribe(sub.channel)

    def _fan_out(self, channel: str, raw: str | bytes) -> None:
        subs = self._subs.get(channel)
        if not subs:
            return
        message = json.loads(raw)
        for sub in subs:
            sub.deliver(message)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def ping(self) -> bool:
        return True

    async def _publish(self, channel: str, raw: str) -> None:
        raise NotImplementedError

    async def _subscribe(self, channel: str) -> None:
        raise NotImplementedError

    async def _unsubscribe(self, channel: str) -> None:
        raise NotImplementedError
