"""A Janus training whose members are on two processes (one database, one Redis and one Janus of
the test's own): a presenter on each process, both seen by everyone through Janus; when the
second process is killed (SIGKILL), the first takes over what it held: its presenter leaves the
roster and its Janus session is destroyed, so the feed leaves the Janus room within the lease
and a round, not when Janus' own session timeout (two minutes here) runs out."""
from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import pytest

from server.realtime.janus import JanusSession
from server.meetings.rooms import janus_room_id
from server.presence.service import LEASE_SECONDS
from signaling import events
from tests.janus_process import JanusProcess, available
from tests.meetings_support import account_ids, participant, schedule, two_processes
from tests.support import Api, wait_until

pytestmark = pytest.mark.skipif(not available(), reason="Debian's janus is not installed (apt-get install janus)")
FRAMES = 3
SWEPT_WITHIN_SECONDS = LEASE_SECONDS + 8


@pytest.fixture
async def processes(tmp_path: Path):  # type: ignore[no-untyped-def]
    janus = JanusProcess(tmp_path).start()
    try:
        async with two_processes(tmp_path, {"FAYUAN_JANUS_URL": janus.url}) as (a, b):
            yield janus, a, b
    finally:
        janus.stop()


async def _publishers(janus_url: str, room: int) -> set[str]:
    """The displays of the feeds Janus has in the room, asked of Janus directly."""
    async with aiohttp.ClientSession() as http:
        check = await JanusSession(http, janus_url).create()
        try:
            handle = await check.attach()
            listed = await check.request(handle, {"request": "listparticipants", "room": room})
            return {p.get("display", "") for p in listed.get("participants", []) if p.get("publisher")}
        finally:
            await check.destroy()


async def test_a_training_across_two_processes_and_the_janus_sessions_of_a_killed_one(processes) -> None:  # type: ignore[no-untyped-def]
    janus, a, b = processes
    admin, host_api = Api(a.base_url), Api(a.base_url)
    clients = []
    try:
        await admin.login("admin")
        ids = await account_ids(admin)
        await host_api.login("center")
        status, meeting = await schedule(host_api, datetime.now(timezone.utc), kind="training",
                                         account_ids=[ids["union"], ids["east"]])
        assert status == 201, meeting
        mid = meeting["id"]
        host = await participant(a.base_url, "center")
        union, east = [await participant(b.base_url, name) for name in ("union", "east")]
        clients += [host, union, east]
        for one in (host, union, east):
            assert (await one.join(mid))["topology"] == "janus"
        await host.call(events.MEETING_CONTROL, action="promote", account_id=ids["union"])
        await union.publish()
        host_ref, union_ref = f"account:{ids['center']}", f"account:{ids['union']}"

        async def frames_flow() -> bool:
            east_sees = east.received()
            return (host.received().get(union_ref, 0) >= FRAMES and union.received().get(host_ref, 0) >= FRAMES
                    and east_sees.get(host_ref, 0) >= FRAMES and east_sees.get(union_ref, 0) >= FRAMES)
        await wait_until(frames_flow, timeout=60)
        room = janus_room_id(mid)
        assert await _publishers(janus.url, room) == {host_ref, union_ref}

        assert b.process is not None
        os.kill(b.process.pid, signal.SIGKILL)
        b.process.wait()
        killed_at = time.monotonic()
        await wait_until(lambda: [p["account_id"] for p in host.roster["participants"]] == [ids["center"]],
                         timeout=SWEPT_WITHIN_SECONDS + 5)

        async def only_the_host_publishes() -> bool:
            return await _publishers(janus.url, room) == {host_ref}
        await wait_until(only_the_host_publishes, timeout=10, interval=0.5)
        assert time.monotonic() - killed_at <= SWEPT_WITHIN_SECONDS
    finally:
        for one in clients:
            await one.close()
        for api in (admin, host_api):
            await api.close()
