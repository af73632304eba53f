"""A consultation with real media through the real server: the headless kiosk and lawyer of
client/ (aiortc) queue, take, signal through the socket.io relay and decode each other's audio
and video; then one side's connection drops and media comes back after the resume."""
from __future__ import annotations

import pytest

from client.connection import Connection
from client.kiosk import Kiosk
from client.lawyer import Lawyer
from client.login import log_in
from tests.sockets import PASSWORD, put_on_duty
from tests.support import wait_until

TODAY = "2026-11-30"  # the FakeClock's Monday
FRAMES = 10  # per kind: about 0.7 s of 15 fps video, 0.2 s of 20 ms audio
MEDIA_TIMEOUT_SECONDS = 10.0
RECONNECT_TIMEOUT_SECONDS = 30.0  # bounded; a loaded CI machine is slower than an idle one


@pytest.fixture
async def base(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.make_url("")).rstrip("/")


@pytest.fixture
async def sides(base, demo, new_api):  # type: ignore[no-untyped-def]
    """A kiosk and lawyer1 on duty and available, both connected; closed after the test."""
    center = new_api()
    await center.login("center")
    kiosk = Kiosk(Connection(base, token=demo["kiosks"][0]["token"], reconnect_delay_seconds=0.05))
    lawyer = Lawyer(Connection(base, session_cookie=await log_in(base, "lawyer1", PASSWORD),
                               reconnect_delay_seconds=0.05))
    try:
        await kiosk.connect()
        hello = await lawyer.connect()
        await put_on_duty(center, hello["id"], TODAY)
        assert (await lawyer.set_available(True))["on_duty"] is True
        await lawyer.watch()
        yield kiosk, lawyer
    finally:
        await kiosk.close()
        await lawyer.close()


def receiving(*sides: Kiosk | Lawyer, more_than: dict[int, dict[str, int]] | None = None):  # type: ignore[no-untyped-def]
    """True once each side has decoded FRAMES more audio and video frames than before."""
    before = more_than or {}

    def check() -> bool:
        return all(side.counts[kind] >= before.get(id(side), {}).get(kind, 0) + FRAMES
                   for side in sides for kind in ("audio", "video"))
    return check


async def take_call(kiosk: Kiosk, lawyer: Lawyer) -> int:
    consultation = await kiosk.start("wages_labour", text="老板欠薪三個月")
    entry = await lawyer.wait_for_entry(timeout_seconds=5)
    assert entry["consultation_id"] == consultation["id"]
    await lawyer.take()
    taken = await kiosk.wait_taken(timeout_seconds=5)
    assert taken["peer_name"] == "李明律师"
    return consultation["id"]


async def test_kiosk_and_lawyer_see_and_hear_each_other(sides) -> None:  # type: ignore[no-untyped-def]
    kiosk, lawyer = sides
    cid = await take_call(kiosk, lawyer)
    await wait_until(receiving(kiosk, lawyer), timeout=MEDIA_TIMEOUT_SECONDS)

    await lawyer.note("欠薪三個月", "申請勞動仲裁")
    ended = await kiosk.hangup()
    assert ended["state"] == "ended"
    assert (await lawyer.wait_ended(timeout_seconds=5))["reason"] == "hangup"
    assert kiosk.peer is None and lawyer.peer is None
    assert (await kiosk.rate(5))["rating"] == 5
    assert kiosk.consultation_id == lawyer.consultation_id == cid


@pytest.mark.parametrize("dropped", ["kiosk", "lawyer"])
async def test_media_comes_back_after_a_side_reconnects(sides, dropped: str) -> None:  # type: ignore[no-untyped-def]
    kiosk, lawyer = sides
    await take_call(kiosk, lawyer)
    await wait_until(receiving(kiosk, lawyer), timeout=MEDIA_TIMEOUT_SECONDS)
    first_lawyer_pc = lawyer.peer.pc
    gone, stayed = (kiosk, lawyer) if dropped == "kiosk" else (lawyer, kiosk)

    # A network drop, not a goodbye: socket.io reconnects by itself and the side resumes;
    # either way the kiosk offers anew and the lawyer answers on a new connection.
    await gone.connection.sio.eio.ws.close()
    # reconnect, resume, rebuild, offer, rebuild, answer: under 1 s on an idle machine
    # (peer.away may never come: a side that is back before the server notices the drop
    # resumes straight away, and the other side only hears peer.back)
    await wait_until(lambda: lawyer.peer.pc is not first_lawyer_pc, timeout=RECONNECT_TIMEOUT_SECONDS)
    assert stayed.peer_away is None and kiosk.peer.rebuilds == 1
    counts = {id(kiosk): dict(kiosk.counts), id(lawyer): dict(lawyer.counts)}
    await wait_until(receiving(kiosk, lawyer, more_than=counts), timeout=MEDIA_TIMEOUT_SECONDS)
    await lawyer.hangup()
    assert (await kiosk.wait_ended(timeout_seconds=5))["ended_by"].startswith("account")
