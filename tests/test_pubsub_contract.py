"""One contract for every pub/sub backend: the in-process one and Redis (when configured)."""
from __future__ import annotations

import asyncio
import uuid
from typing import AsyncIterator

import pytest

from server.pubsub import base
from server.pubsub.base import PubSub
from server.pubsub.memory import MemoryPubSub
from tests.support import REDIS_URL, wait_until

BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])


def _make(kind: str) -> PubSub:
    if kind == "memory":
        return MemoryPubSub()
    from server.pubsub.redis import RedisPubSub

    assert REDIS_URL
    return RedisPubSub(REDIS_URL, prefix=f"test-{uuid.uuid4().hex[:8]}:")


@pytest.fixture(params=BACKENDS)
async def pubsub(request) -> AsyncIterator[PubSub]:  # type: ignore[no-untyped-def]
    ps = _make(request.param)
    await ps.start()
    yield ps
    await ps.stop()


async def _listening(ps: PubSub, channel: str, count: int = 1) -> None:
    """Redis confirms a SUBSCRIBE asynchronously; wait until the server counts the listener."""
    redis = getattr(ps, "redis", None)
    if redis is None:
        return

    async def counted() -> bool:
        found = dict(await redis.pubsub_numsub(ps.prefix + channel))  # type: ignore[attr-defined]
        return found.get((ps.prefix + channel).encode(), 0) >= count  # type: ignore[attr-defined]

    await wait_until(counted)


async def _nothing_arrives(sub: base.Subscription) -> bool:
    try:
        await sub.get(timeout=0.2)
    except asyncio.TimeoutError:
        return True
    return False


async def test_a_subscriber_gets_what_is_published(pubsub: PubSub) -> None:
    sub = await pubsub.subscribe("room")
    await _listening(pubsub, "room")
    await pubsub.publish("room", {"text": "你好", "n": 1})
    assert await sub.get(timeout=2) == {"text": "你好", "n": 1}
    await pubsub.publish("elsewhere", {"n": 2})
    assert await _nothing_arrives(sub)
    await sub.close()


async def test_every_subscriber_gets_each_message_in_order(pubsub: PubSub) -> None:
    subs = [await pubsub.subscribe("room") for _ in range(3)]
    await _listening(pubsub, "room")
    for n in range(5):
        await pubsub.publish("room", {"n": n})
    for sub in subs:
        assert [await sub.get(timeout=2) for _ in range(5)] == [{"n": n} for n in range(5)]
        await sub.close()


async def test_an_unsubscribed_reader_gets_nothing_more(pubsub: PubSub) -> None:
    stays, leaves = await pubsub.subscribe("room"), await pubsub.subscribe("room")
    await _listening(pubsub, "room")
    await leaves.close()
    await pubsub.publish("room", {"n": 1})
    assert await stays.get(timeout=2) == {"n": 1}
    assert await _nothing_arrives(leaves)
    await stays.close()
    await stays.close()  # closing twice is harmless
    again = await pubsub.subscribe("room")
    await _listening(pubsub, "room")
    await pubsub.publish("room", {"n": 2})
    assert await again.get(timeout=2) == {"n": 2}
    await again.close()


async def test_a_full_queue_drops_the_oldest_and_counts(pubsub: PubSub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "QUEUE_MAX_MESSAGES", 3)
    slow = await pubsub.subscribe("room")
    await _listening(pubsub, "room")
    for n in range(5):
        await pubsub.publish("room", {"n": n})
    await wait_until(lambda: slow.dropped == 2)
    assert [await slow.get(timeout=2) for _ in range(3)] == [{"n": 2}, {"n": 3}, {"n": 4}]
    assert slow.queue.empty()
    await slow.close()


@pytest.mark.skipif(not REDIS_URL, reason="FAYUAN_TEST_REDIS_URL is not set")
async def test_two_redis_processes_see_each_others_messages() -> None:
    from server.pubsub.redis import RedisPubSub

    assert REDIS_URL
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    one, two = RedisPubSub(REDIS_URL, prefix=prefix), RedisPubSub(REDIS_URL, prefix=prefix)
    await one.start()
    await two.start()
    try:
        on_one, on_two = await one.subscribe("room"), await two.subscribe("room")
        await _listening(one, "room", count=2)
        await one.publish("room", {"from": "one"})
        await two.publish("room", {"from": "two"})
        for sub in (on_one, on_two):
            assert sorted([(await sub.get(timeout=2))["from"] for _ in range(2)]) == ["one", "two"]
        assert await one.ping() and await two.ping()
    finally:
        await one.stop()
        await two.stop()
