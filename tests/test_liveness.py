"""Live sockets obey their credentials (realtime/liveness.py): a revoked kiosk, a logged-out,
deactivated, re-passworded or expired staff session is told `session.ended` and disconnected;
"on duty" means connected. In-process with the fake clock, and across two real processes."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from yarl import URL

from server.accounts.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
from server.realtime import liveness
from server.realtime.setup import GATEWAY
from signaling import events
from tests.sockets import Peer, kiosk, lawyer_on_duty, staff
from tests.support import Api, wait_until
from tests.test_take_race import open_all_day_today

TODAY = "2026-11-30"
# the promise: within 5 s on every process (two rounds of CHECK_INTERVAL_SECONDS and slack)
REVOCATION_REACHES_SOCKETS_SECONDS = 5.0


@pytest.fixture
async def base(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.make_url("")).rstrip("/")


@pytest.fixture
async def admin(new_api) -> Api:  # type: ignore[no-untyped-def]
    api = new_api()
    await api.login("admin")
    return api


async def _device_id(admin: Api, name: str) -> int:
    status, devices = await admin.get("/api/devices")
    assert status == 200, devices
    return next(d["id"] for d in devices if d["name"] == name)


def _cookie(api: Api) -> str:
    return api.client.cookie_jar.filter_cookies(URL(api.base_url))["fayuan_session"].value


async def _ended(peer: Peer) -> str:
    message = await peer.next(events.SESSION_ENDED, timeout=5)
    await wait_until(lambda: not peer.sio.connected, 5)
    return message["reason"]


async def test_a_revoked_kiosk_is_told_and_disconnected(app, base, demo, admin, peers) -> None:
    k = await kiosk(base, demo["kiosks"][0]["token"])
    other = await kiosk(base, demo["kiosks"][1]["token"])
    peers += [k, other]
    device_id = await _device_id(admin, demo["kiosks"][0]["device"])
    status, body = await admin.post(f"/api/devices/{device_id}/revoke", {})
    assert status == 200, body
    ended = await liveness.check(app[GATEWAY])
    assert list(ended.values()) == ["revoked"]
    assert await _ended(k) == "revoked"
    assert other.sio.connected and not other.received[events.SESSION_ENDED]
    with pytest.raises(Exception):  # its token no longer opens a socket
        await kiosk(base, demo["kiosks"][0]["token"])


async def test_logout_ends_that_sessions_sockets_only(app, base, peers, new_api) -> None:
    tab = new_api()
    await tab.login("lawyer1")
    cookie = _cookie(tab)
    first, second = await staff(base, "lawyer1", cookie), await staff(base, "lawyer1", cookie)
    elsewhere = await staff(base, "lawyer1")  # another login of the same person
    peers += [first, second, elsewhere]
    assert (await tab.post("/api/auth/logout", {}))[0] == 204
    await liveness.check(app[GATEWAY])
    assert await _ended(first) == "logged_out"
    assert await _ended(second) == "logged_out"
    assert elsewhere.sio.connected
    assert (await elsewhere.call(events.QUEUE_WATCH)).get("queues") is not None


@pytest.mark.parametrize("change, reason", [({"active": False}, "deactivated"),
                                            ({"password": "a-new-password-2026"}, "password_changed")])
async def test_an_account_change_ends_its_sockets(app, base, admin, peers, change: dict, reason: str) -> None:
    lawyer = await staff(base, "lawyer2")
    peers.append(lawyer)
    account_id = (await lawyer.next("hello"))["id"]
    status, body = await admin.patch(f"/api/accounts/{account_id}", change)
    assert status == 200, body
    await liveness.check(app[GATEWAY])
    assert await _ended(lawyer) == reason


async def test_an_idle_session_expires_but_one_in_use_over_its_socket_does_not(app, base, clock, peers) -> None:
    idle, busy = await staff(base, "center"), await staff(base, "union")
    peers += [idle, busy]
    gateway = app[GATEWAY]
    step = timedelta(minutes=10)
    for _ in range(int(IDLE_TIMEOUT / step) + 1):
        clock.advance(step.total_seconds())
        await busy.call(events.QUEUE_WATCH)  # the person is working in the page
        await liveness.check(gateway)
    assert await _ended(idle) == "expired"
    assert busy.sio.connected
    clock.advance(ABSOLUTE_TIMEOUT.total_seconds())  # however busy, a login ends after 12 hours
    await busy.call(events.QUEUE_WATCH)
    await liveness.check(gateway)
    assert await _ended(busy) == "expired"


async def test_a_session_in_a_call_stays_however_quiet_its_socket(app, base, demo, clock, peers, new_api) -> None:
    """A lawyer in a consultation may send nothing for long (the call's media does not cross
    the socket): being in its room counts as use, where a page without a call expires."""
    center = new_api()
    await center.login("center")
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    idle = await staff(base, "union")
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, idle, k]
    cid = (await k.call(events.CONSULT_START, {"category": "other"}))["consultation"]["id"]
    assert "consultation" in await lawyer.call(events.QUEUE_TAKE, {"consultation_id": cid})
    gateway = app[GATEWAY]
    step = timedelta(minutes=10)
    # the lawyer's last event (the take) is an idle timeout and more behind by the last round
    for _ in range(int(IDLE_TIMEOUT / step) + 2):
        clock.advance(step.total_seconds())
        await liveness.check(gateway)
    assert await _ended(idle) == "expired"
    assert lawyer.sio.connected and not lawyer.received[events.SESSION_ENDED]


async def test_on_duty_means_connected(app, base, clock, peers, new_api) -> None:
    center = new_api()
    await center.login("center")
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    peers.append(lawyer)
    gateway = app[GATEWAY]
    grace = gateway.rules.reconnect_grace

    async def on_duty() -> int:
        status, body = await center.get("/api/duty/now")
        assert status == 200, body
        return body["on_duty"]

    # connected through a long quiet spell: each liveness round renews the presence
    for _ in range(3):
        clock.advance(grace.total_seconds() / 2)
        await liveness.check(gateway)
        await gateway.sweep()
    assert await on_duty() == 1
    # the browser closes: after the reconnect grace nobody is on duty any more
    await lawyer.close()
    await wait_until(lambda: not gateway.peers, 5)
    clock.advance(grace.total_seconds() - 1)
    await gateway.sweep()
    assert await on_duty() == 1
    clock.advance(2)
    await gateway.sweep()
    assert await on_duty() == 0


async def test_revocation_and_logout_reach_sockets_on_the_other_process(two_servers) -> None:
    first, second = two_servers
    kiosk_entry = first.demo_logins()["kiosks"][0]
    admin, lawyer_tab = Api(first.base_url), Api(first.base_url)
    k = lawyer = None
    try:
        await admin.login("admin")
        await open_all_day_today(admin)
        await lawyer_tab.login("lawyer1")
        k = await kiosk(second.base_url, kiosk_entry["token"])
        lawyer = await Peer().connect(second.base_url, cookie=_cookie(lawyer_tab))
        device_id = await _device_id(admin, kiosk_entry["device"])
        started = time.monotonic()
        assert (await admin.post(f"/api/devices/{device_id}/revoke", {}))[0] == 200
        assert (await lawyer_tab.post("/api/auth/logout", {}))[0] == 204
        assert await asyncio.wait_for(_ended(k), REVOCATION_REACHES_SOCKETS_SECONDS) == "revoked"
        assert await asyncio.wait_for(_ended(lawyer), REVOCATION_REACHES_SOCKETS_SECONDS) == "logged_out"
        assert time.monotonic() - started < REVOCATION_REACHES_SOCKETS_SECONDS
    finally:
        for peer in (k, lawyer):
            if peer is not None:
                await peer.close()
        await admin.close()
        await lawyer_tab.close()
