"""A meeting whose members are connected to different processes (two `fayuan serve` on one
database and one Redis of the test's own): mesh signals go both ways between the processes
(frames flow between every pair), the lobby admits across them, chat reaches everyone; and when
a process is killed (SIGKILL), the members it held leave the roster once its lease runs out
while the meeting goes on for the others. The mesh recorder runs on the host's process and
records the members on the other one too (their signals relayed through Redis); when that
process dies, the recording stops for `recorder_lost` and its unfinished files are marked failed."""
from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timezone

import pytest

from client.connection import SignalingError
from server.presence.service import LEASE_SECONDS
from signaling import events
from tests.meetings_support import account_ids, participant, schedule, two_processes
from tests.support import Api, wait_until

FRAMES = 3  # frames each member must decode from each other member
SWEPT_WITHIN_SECONDS = LEASE_SECONDS + 8  # the lease, then a round of the holders' sweep, with slack


@pytest.fixture
async def processes(tmp_path):  # type: ignore[no-untyped-def]
    async with two_processes(tmp_path) as both:
        yield both


async def test_a_meeting_across_two_processes_and_one_of_them_killed(processes) -> None:  # type: ignore[no-untyped-def]
    a, b = processes
    admin, host_api, union_api = Api(a.base_url), Api(a.base_url), Api(b.base_url)
    clients = []
    try:
        await admin.login("admin")
        ids = await account_ids(admin)
        await host_api.login("center")
        await union_api.login("union")
        status, meeting = await schedule(host_api, datetime.now(timezone.utc), account_ids=[ids["union"], ids["east"]])
        assert status == 201, meeting
        mid = meeting["id"]
        # the host on the first process, the others on the second
        host = await participant(a.base_url, "center")
        union, east, outsider = [await participant(b.base_url, name) for name in ("union", "east", "heping")]
        clients += [host, union, east, outsider]
        for one in (host, union, east):  # each newcomer offers to those in the room; they answer
            assert (await one.join(mid))["topology"] == "mesh"

        async def everyone_sees_everyone() -> bool:
            return all(len(c.received()) == 2 and min(c.received().values()) >= FRAMES for c in (host, union, east))
        await wait_until(everyone_sees_everyone, timeout=60)

        # the lobby: someone uninvited on the second process waits; the host on the first admits
        assert (await outsider.connection.call(events.MEETING_JOIN, {"meeting_id": mid}))["lobby"] is True
        await wait_until(lambda: [x["account_id"] for x in host.roster.get("lobby", [])] == [ids["heping"]])
        await host.call(events.MEETING_CONTROL, action="admit", account_id=ids["heping"])
        await outsider.connection.wait_for(events.MEETING_ADMITTED, lambda d: d.get("meeting_id") == mid)

        # chat reaches the members on both processes
        room = f"meeting:{mid}"
        for one in (host, east):
            await one.connection.call("chat.sync", {"room": room})
        await union.connection.call("chat.send", {"room": room, "client_id": "u-1", "text": "兩邊都聽得到嗎"})
        for one in (host, east):
            pushed = await one.connection.wait_for("chat.message", lambda d: d.get("room") == room)
            assert pushed["text"] == "兩邊都聽得到嗎"

        # recording: the recorder is the host's process's; it records the members on the other one
        for one in (host, union, east):
            await one.call(events.MEETING_CONSENT, consent=True)
        assert (await host.call(events.MEETING_RECORD, on=True))["recording"] is True

        async def recording_subjects() -> set[str]:
            status, rows = await union_api.get(f"/api/meetings/{mid}/recordings")
            assert status == 200, rows
            return {r["subject"] for r in rows if r["state"] == "recording"}
        names = {p["name"] for p in host.roster["participants"]}
        await wait_until(lambda: _equal(recording_subjects(), names), timeout=30)

        # the first process dies with the host in the room: the host leaves the roster once its
        # lease runs out, and the meeting goes on between the others
        assert a.process is not None
        os.kill(a.process.pid, signal.SIGKILL)
        a.process.wait()
        killed_at = time.monotonic()
        await wait_until(lambda: [p["account_id"] for p in union.roster["participants"]] == [ids["union"], ids["east"]],
                         timeout=SWEPT_WITHIN_SECONDS + 5)
        assert time.monotonic() - killed_at <= SWEPT_WITHIN_SECONDS
        stopped = await union.connection.wait_for(events.MEETING_RECORDING, lambda d: d.get("recording") is False)
        assert stopped["reason"] == "recorder_lost" and not union.roster["recording"]
        assert await recording_subjects() == set()
        _, rows = await union_api.get(f"/api/meetings/{mid}/recordings")
        assert {r["state"] for r in rows} == {"failed"}, rows
        try:
            await union.call(events.MEETING_SIGNAL, to=f"account:{ids['center']}", type="offer", sdp="v=0")
            raise AssertionError("a signal to a member of the dead process was relayed")
        except SignalingError as exc:
            assert exc.code == "conflict"
        # the two left on the second process still see each other
        seen = east.received()[f"account:{ids['union']}"]
        await wait_until(lambda: east.received()[f"account:{ids['union']}"] >= seen + FRAMES, timeout=20)
    finally:
        for one in clients:
            await one.close()
        for api in (admin, host_api, union_api):
            await api.close()


async def _equal(found, expected: set[str]) -> bool:  # type: ignore[no-untyped-def]
    return await found == expected
