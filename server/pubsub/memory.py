from __future__ import annotations

from server.pubsub.base import PubSub


class MemoryPubSub(PubSub):
    """One process: publish is a direct fan-out."""

    async def _publish(self, channel: str, raw: str) -> None:
        self._fan_out(channel, raw)

    async def _subscribe(self, channel: str) -> None:
        pass

    async def _unsubscribe(self, channel: str) -> None:
        pass
