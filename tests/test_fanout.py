"""Fan-out between processes when Redis goes away and comes back (realtime/fanout.py), with two
real `fayuan serve` processes and a Redis of the test's own that it stops and starts again.

- D5: a process starts and serves while Redis is down; readiness says which part is missing.
- D3: a push that matters (consultation.taken) made while Redis is down is not lost: it reaches
  the kiosk on the other process once Redis is back; a signal that cannot reach the other side
  is refused to its sender with the retryable `unavailable`, never acknowledged and dropped.
- D4: fan-out is back within seconds of Redis returning.
"""
from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest

from tests.processes import RedisProcess, ServerProcess, free_port
from tests.sockets import Peer, kiosk
from tests.support import PG_URL, Api, fresh_postgres
from tests.test_take_race import duty_lawyer_on

BACK_WITHIN_SECONDS = 5.0  # the promise once Redis answers again


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_process_starts_and_serves_while_redis_is_down(tmp_path) -> None:
    server = ServerProcess(tmp_path / "a", redis_url=f"redis://127.0.0.1:{free_port()}/0").start()
    try:
        assert _get(server.base_url + "/healthz") == (200, {"status": "up"})
        status, ready = _get(server.base_url + "/readyz")
        assert status == 503 and ready["checks"] == {"database": "ok", "redis": "failed"}, ready
    finally:
        server.stop()


@pytest.fixture
async def two_with_own_redis(tmp_path):  # type: ignore[no-untyped-def]
    db_url = await fresh_postgres() if PG_URL else f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    redis = RedisProcess(tmp_path / "redis").start()
    first = ServerProcess(tmp_path / "a", database_url=db_url, redis_url=redis.url).start()
    second = ServerProcess(tmp_path / "b", database_url=db_url, redis_url=redis.url, migrate=False).start()
    yield first, second, redis
    first.stop()
    second.stop()
    redis.stop()


async def test_pushes_wait_for_redis_and_signals_are_refused_meanwhile(two_with_own_redis) -> None:
    first, second, redis = two_with_own_redis
    admin, center = Api(first.base_url), Api(first.base_url)
    peers: list[Peer] = []
    try:
        await admin.login("admin")
        await center.login("center")
        lawyer = await duty_lawyer_on(second.base_url, admin, center, first.base_url)
        peers.append(lawyer)
        k = await kiosk(first.base_url, first.demo_logins()["kiosks"][0]["token"])
        peers.append(k)
        cid = (await k.call("consultation.start", {"category": "other"}))["consultation"]["id"]

        redis.stop()
        taken = await lawyer.call("queue.take", {"consultation_id": cid})  # saved in the database
        assert taken["consultation"]["state"] == "live", taken
        offer = {"consultation_id": cid, "type": "offer", "sdp": "v=0\r\n"}
        refused = await lawyer.call("rtc.signal", offer)  # the kiosk is on the other process
        assert refused["error"]["code"] == "unavailable", refused
        await asyncio.sleep(1.0)
        assert k.received["consultation.taken"] == []

        redis.start()  # the same port: both processes find it again
        told = await k.next("consultation.taken", timeout=BACK_WITHIN_SECONDS + 3)
        assert told["consultation_id"] == cid
        assert await lawyer.call("rtc.signal", offer) == {"ok": True}  # fan-out is back
        relayed = await k.next("rtc.signal", timeout=BACK_WITHIN_SECONDS)
        assert relayed["type"] == "offer" and relayed["from"] == "account"
        assert len(k.received["consultation.taken"]) == 1
    finally:
        for p in peers:
            await p.close()
        await admin.close()
        await center.close()
