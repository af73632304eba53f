"""Presence is the service's, not a process's (presence/service.py): a side is away only when
no live connection of it, on any process, is in the consultation's room.

In-process: a second tab elsewhere does not keep a side present. Across two real processes on
one database and one Redis: a kiosk that came back through the other process is not marked
away when its old connection finally drops (D1), and the sides a killed process held are
marked away once its lease runs out, so the other side hears peer.away and the call can end (D2).
"""
from __future__ import annotations

import asyncio
import os
import signal

from server.presence.service import LEASE_SECONDS
from server.realtime.setup import GATEWAY
from tests.sockets import Peer, kiosk, lawyer_on_duty, login_cookie, staff
from tests.support import Api
from tests.test_consultations import base, center  # noqa: F401 - the same fixtures
from tests.test_take_race import duty_lawyer_on

TODAY = "2026-11-30"
QUIET_SECONDS = 3.0  # long enough for a wrong peer.away to arrive through Redis


async def _live_call(base_url: str, lawyer: Peer, k: Peer) -> tuple[int, str]:
    started = await k.call("consultation.start", {"category": "other"})
    cid, token = started["consultation"]["id"], started["resume_token"]
    taken = await lawyer.call("queue.take", {"consultation_id": cid})
    assert taken["consultation"]["state"] == "live", taken
    return cid, token


async def test_another_tab_does_not_keep_a_side_in_the_call(base, center, demo, peers) -> None:
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    cookie, _ = await login_cookie(base, "lawyer1")
    console_elsewhere = await staff(base, "lawyer1", cookie)  # /board open in another tab
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, console_elsewhere, k]
    cid, _ = await _live_call(base, lawyer, k)
    await lawyer.close()  # the call's socket goes; the other tab stays
    away = await k.next("peer.away")
    assert away["consultation_id"] == cid and away["who"].startswith("account:")
    assert console_elsewhere.sio.connected


async def test_a_kiosk_back_through_the_other_process_stays_in_the_call(two_servers) -> None:
    first, second = two_servers
    admin, center = Api(first.base_url), Api(first.base_url)
    peers: list[Peer] = []
    try:
        await admin.login("admin")
        await center.login("center")
        lawyer = await duty_lawyer_on(second.base_url, admin, center, first.base_url)
        peers.append(lawyer)
        token = first.demo_logins()["kiosks"][0]["token"]
        old = await kiosk(first.base_url, token)
        peers.append(old)
        cid, resume = await _live_call(first.base_url, lawyer, old)
        # the kiosk's network changed: it is back through the other process and resumes there,
        # while its old connection on the first process is still open (no FIN yet)
        new = await kiosk(second.base_url, token)
        peers.append(new)
        assert (await new.call("consultation.resume", {"resume_token": resume}))["state"] == "live"
        await old.close()  # the first process finally notices the old connection is gone
        await asyncio.sleep(QUIET_SECONDS)
        assert lawyer.received["peer.away"] == []
        status, record = await center.get(f"/api/consultations/{cid}")
        assert status == 200 and record["state"] == "live", record
    finally:
        for p in peers:
            await p.close()
        await admin.close()
        await center.close()


async def test_the_sides_a_killed_process_held_are_away_after_its_lease(two_servers) -> None:
    first, second = two_servers
    admin, center = Api(second.base_url), Api(second.base_url)
    peers: list[Peer] = []
    try:
        await admin.login("admin")
        await center.login("center")
        lawyer = await duty_lawyer_on(second.base_url, admin, center, first.base_url)
        peers.append(lawyer)
        token = first.demo_logins()["kiosks"][0]["token"]
        k = Peer()
        await k.connect(first.base_url, token=token)
        cid, resume = await _live_call(first.base_url, lawyer, k)
        assert first.process is not None
        os.kill(first.process.pid, signal.SIGKILL)  # nothing of it runs any more: no disconnect
        first.process.wait()
        away = await lawyer.next("peer.away", timeout=LEASE_SECONDS + 10)
        assert away == {"consultation_id": cid, "who": away["who"], "grace_seconds": away["grace_seconds"]}
        assert away["who"].startswith("device:")
        # the kiosk comes back through the surviving process and resumes the same call
        back = await kiosk(second.base_url, token)
        peers.append(back)
        assert (await back.call("consultation.resume", {"resume_token": resume}))["state"] == "live"
        assert (await lawyer.next("peer.back"))["consultation_id"] == cid
        assert len(lawyer.received["peer.away"]) == 1  # one sweep claimed the dead process
    finally:
        for p in peers:
            await p.close()
        await admin.close()
        await center.close()


async def test_a_dead_process_is_claimed_once_and_its_connections_go(client, db, clock) -> None:
    from datetime import timedelta

    from server.presence import service as presence

    me = client.server.app[GATEWAY].process_id
    async with db.sessions() as s:
        await presence.register(s, "gone", clock.now() - timedelta(seconds=LEASE_SECONDS + 1))
        await presence.connected(s, "gone", "sid-1", "device:1")
        await presence.joined(s, "gone", "sid-1", 7)
        await presence.connected(s, "gone", "sid-2", "account:3")  # not in a room
        await s.commit()
    async with db.sessions() as s:
        assert await presence.rooms_held(s, "device:1", [7], me, clock.now()) == set()  # its lease ran out
        assert await presence.claim_dead(s, me, clock.now()) == [("device:1", 7)]
        assert await presence.claim_dead(s, me, clock.now()) == []  # claimed once
        await s.commit()
