from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis

from server.pubsub.base import PubSub
from server.tasks import stop_task

log = logging.getLogger(__name__)


class RedisPubSub(PubSub):
    """Across processes: one Redis connection publishes, one listens for every channel this
    process has subscribers on."""

    def __init__(self, url: str, prefix: str = "fayuan:") -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self.redis = aioredis.from_url(url)
        self._pubsub = self.redis.pubsub()
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # no ping: a process starts and serves while Redis is down; the listener keeps trying
        self._listener = asyncio.create_task(self._listen(), name="redis-pubsub-listener")

    async def stop(self) -> None:
        await stop_task(self._listener)
        await self._pubsub.aclose()
        await self.redis.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
            return False

    async def _publish(self, channel: str, raw: str) -> None:
        await self.redis.publish(self.prefix + channel, raw)

    async def _subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(self.prefix + channel)

    async def _unsubscribe(self, channel: str) -> None:
        await self._pubsub.unsubscribe(self.prefix + channel)

    async def _listen(self) -> None:
        while True:
            try:
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if msg is not None and msg["type"] == "message":
                    self._fan_out(msg["channel"].decode()[len(self.prefix):], msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep listening across a Redis restart
                log.exception("redis pub/sub listener failed; retrying")
                await asyncio.sleep(0.5)
