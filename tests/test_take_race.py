"""100 concurrent takes of one consultation, across two server processes sharing the database
and a real Redis: exactly one taker wins, and the kiosk (on either process) is told once."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


from server.hours.service import SCHEDULE_TTL_SECONDS
from tests.sockets import Peer, kiosk, login_cookie, put_on_duty, staff
from tests.support import Api, wait_until

SHANGHAI = ZoneInfo("Asia/Shanghai")
TAKERS = 100


async def open_all_day_today(admin: Api, *others: Api) -> str:
    """The servers run on the real clock: make the service open now, whatever day it is.
    `others` (on the other processes) are waited for until their process sees it open too: a
    process keeps the schedule it read for up to SCHEDULE_TTL_SECONDS, and on a night, a
    weekend or at lunch the one it read at start-up is closed, so its sweep would move a
    consultation started meanwhile to the message board."""
    now = datetime.now(SHANGHAI)
    windows = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]
    status, body = await admin.put("/api/service-hours/windows", {"windows": windows})
    assert status == 200, body
    for day in (now.date(), (now + timedelta(minutes=30)).date()):
        status, body = await admin.put(f"/api/service-hours/days/{day}", {"kind": "makeup_workday"})
        assert status == 200, body

    async def all_open() -> bool:
        answers = [await api.get("/api/service-hours/status") for api in (admin, *others)]
        return all(status == 200 and body["open"] for status, body in answers)

    await wait_until(all_open, timeout=SCHEDULE_TTL_SECONDS + 10)
    return now.date().isoformat()


async def duty_lawyer_on(url: str, admin: Api, center: Api, *elsewhere: str) -> Peer:
    """lawyer1 connected to the process at `url`, rostered all day and available, once that
    process and every process in `elsewhere` (where the kiosks are) sees the service open:
    admin and center may be on yet another process, and a kiosk's start on a process that still
    sees the service closed goes to the message board."""
    there = [Api(u) for u in (url, *elsewhere)]  # asks each process's public status
    try:
        today = await open_all_day_today(admin, *there)
    finally:
        for api in there:
            await api.close()
    lawyer = await staff(url, "lawyer1")
    await put_on_duty(center, (await lawyer.next("hello"))["id"], today, "00:00", "24:00")
    assert (await lawyer.call("duty.availability", {"available": True}))["on_duty"] is True
    return lawyer


async def test_exactly_one_of_100_concurrent_takers_wins(two_servers) -> None:
    first, second = two_servers
    demo = first.demo_logins()
    admin, center = Api(first.base_url), Api(second.base_url)
    peers: list[Peer] = []
    try:
        await admin.login("admin")
        await center.login("center")
        today = await open_all_day_today(admin, center)
        lawyers = {}
        for name in ("lawyer1", "lawyer2"):
            probe = await staff(first.base_url, name)
            lawyers[name] = (await probe.next("hello"))["id"]
            peers.append(probe)
            await put_on_duty(center, lawyers[name], today, "00:00", "24:00")
            assert (await probe.call("duty.availability", {"available": True}))["on_duty"] is True

        resident = await kiosk(first.base_url, demo["kiosks"][0]["token"])
        peers.append(resident)
        cid = (await resident.call("consultation.start", {"category": "other"}))["consultation"]["id"]

        # many tabs of both lawyers, on both processes (a session cookie works on either)
        cookies = {name: (await login_cookie(first.base_url, name))[0] for name in lawyers}
        takers = await asyncio.gather(*[
            staff((first if i % 2 else second).base_url, name, cookies[name])
            for i, name in enumerate(["lawyer1", "lawyer2"] * (TAKERS // 2))])
        peers += takers
        acks = await asyncio.gather(*[t.call("queue.take", {"consultation_id": cid}) for t in takers])

        winners = [a for a in acks if "consultation" in a]
        losers = [a for a in acks if "error" in a]
        assert len(winners) == 1, winners
        assert len(losers) == TAKERS - 1
        assert {a["error"]["code"] for a in losers} == {"conflict"}
        taken = await resident.next("consultation.taken")
        await asyncio.sleep(0.3)  # a second, wrong "taken" would arrive within this
        assert len(resident.received["consultation.taken"]) == 1
        assert taken["consultation_id"] == cid
    finally:
        for p in peers:
            await p.close()
        await admin.close()
        await center.close()
