"""The consultation flow through the real socket.io gateway, with a fake clock."""
from __future__ import annotations

from datetime import datetime

import pytest

from server.app import init_app
from server.consultations.service import RATING_WINDOW
from server.realtime.setup import GATEWAY
from tests.conftest import SHANGHAI
from tests.sockets import kiosk, lawyer_on_duty, put_on_duty, staff
from tests.support import Api, settings_for, start_client

TODAY = "2026-11-30"


@pytest.fixture
async def base(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.make_url("")).rstrip("/")


@pytest.fixture
async def center(new_api):  # type: ignore[no-untyped-def]
    api = new_api()
    await api.login("center")
    return api


async def test_kiosk_queues_lawyer_takes_and_rating_is_saved(base, center, demo, peers, api) -> None:
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, k]
    snapshot = await lawyer.call("queue.watch")
    assert snapshot["queues"][0]["entries"] == []

    started = await k.call("consultation.start", {"category": "wages_labour", "text": "老板欠薪三個月"})
    cid = started["consultation"]["id"]
    assert started["consultation"]["state"] == "queued" and len(started["resume_token"]) > 20
    position = await k.next("queue.position")
    assert position["position"] == 1 and position["on_duty"] == 1
    changed = await lawyer.next("queue.changed")
    assert [e["consultation_id"] for e in changed["entries"]] == [cid]
    assert "contact_phone" not in changed["entries"][0]

    took = await lawyer.call("queue.take", {})
    assert took["consultation"]["id"] == cid and took["consultation"]["state"] == "live"
    taken = await k.next("consultation.taken")
    assert taken["consultation_id"] == cid and taken["peer_name"] == "李明律师"

    # signaling is relayed between the two members only
    ack = await k.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "v=0 fake"})
    assert ack == {"ok": True}
    relayed = await lawyer.next("rtc.signal")
    assert relayed["sdp"] == "v=0 fake" and relayed["from"] == "device"

    busy = await lawyer.call("queue.take", {})
    assert busy["error"]["code"] in ("conflict", "not_found")

    await lawyer.call("consultation.note", {"consultation_id": cid, "note": "欠薪", "advice": "申請勞動仲裁"})
    ended = await lawyer.call("consultation.hangup", {"consultation_id": cid})
    assert ended["consultation"]["state"] == "ended"
    assert (await k.next("consultation.ended"))["reason"] == "hangup"
    rated = await k.call("consultation.rate", {"consultation_id": cid, "rating": 5})
    assert rated["consultation"]["rating"] == 5
    again = await k.call("consultation.rate", {"consultation_id": cid, "rating": 1})
    assert again["error"]["code"] == "conflict"

    await api.login("center")
    status, rec = await api.get(f"/api/consultations/{cid}")
    assert status == 200
    assert rec["rating"] == 5 and rec["advice"] == "申請勞動仲裁" and rec["wait_seconds"] == 0
    assert [e["kind"] for e in rec["events"]] == ["queued", "taken", "noted", "ended", "rated"]


async def test_the_kiosk_rates_right_after_the_call_not_later(base, center, demo, peers, clock) -> None:
    """The rating screen follows the call; ten minutes on, the kiosk may hold the next resident."""
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, k]
    ended = []  # two calls that end at the same instant: one rated just inside the window, one just after
    for _ in range(2):
        cid = (await k.call("consultation.start", {"category": "other"}))["consultation"]["id"]
        await lawyer.call("queue.take", {})
        await lawyer.call("consultation.hangup", {"consultation_id": cid})
        ended.append(cid)
    clock.advance(seconds=RATING_WINDOW.total_seconds() - 1)
    assert (await k.call("consultation.rate", {"consultation_id": ended[0], "rating": 4}))["consultation"]["rating"] == 4
    clock.advance(seconds=2)
    refused = await k.call("consultation.rate", {"consultation_id": ended[1], "rating": 4})
    assert refused["error"]["code"] == "conflict" and "rating_window_seconds" in refused["error"]["details"]


async def test_outside_hours_refused_with_next_open(base, demo, peers, clock) -> None:
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI))  # a Saturday
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(k)
    ack = await k.call("consultation.start", {"category": "housing"})
    assert ack["error"]["code"] == "service_closed"
    assert ack["error"]["details"]["next_open"] == "2026-11-30T09:30:00+08:00"


async def test_cutoff_before_closing_refuses_when_the_wait_cannot_end(base, center, demo, peers, clock) -> None:
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    first = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, first]
    clock.set(datetime(2026, 11, 30, 11, 15, tzinfo=SHANGHAI))  # 15 minutes before closing: allowed
    assert "consultation" in await first.call("consultation.start", {"category": "housing"})
    clock.set(datetime(2026, 11, 30, 11, 22, tzinfo=SHANGHAI))  # 8 minutes left, one ahead (~5 min each)
    second = await kiosk(base, demo["kiosks"][1]["token"])
    peers.append(second)
    ok = await second.call("consultation.start", {"category": "housing"})
    assert "consultation" in ok  # one ahead with one lawyer: about 5 minutes, fits in 8
    clock.set(datetime(2026, 11, 30, 11, 24, tzinfo=SHANGHAI))  # 6 minutes left, two ahead: 10 minutes
    third = await kiosk(base, demo["kiosks"][2]["token"])
    peers.append(third)
    refused = await third.call("consultation.start", {"category": "housing"})
    assert refused["error"]["code"] == "service_closed"
    assert refused["error"]["details"]["reason"] == "closing_soon"


async def test_closing_turns_queued_into_board_entries_and_grace_warnings(app, base, center, demo, peers, clock,
                                                                           api) -> None:
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    talking = await kiosk(base, demo["kiosks"][0]["token"])
    waiting = await kiosk(base, demo["kiosks"][1]["token"])
    peers += [lawyer, talking, waiting]
    clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI))
    live_id = (await talking.call("consultation.start", {"category": "other"}))["consultation"]["id"]
    await lawyer.call("queue.take", {"consultation_id": live_id})
    queued = await waiting.call("consultation.start", {"category": "debt_contracts", "text": "借款不還怎麼辦",
                                                       "contact_name": "王大爺", "contact_phone": "13912345678"})
    gateway = app[GATEWAY]

    clock.set(datetime(2026, 11, 30, 11, 30, tzinfo=SHANGHAI))  # closing
    await gateway.sweep()
    moved = await waiting.next("consultation.moved_to_board")
    assert moved["consultation_id"] == queued["consultation"]["id"]
    from sqlalchemy import select

    from server.board.models import BoardMessage
    from server.web import keys
    async with app[keys.DB].sessions() as s:
        board = (await s.scalars(select(BoardMessage))).all()
    assert [(b.question, b.contact_name, b.source) for b in board] == [("借款不還怎麼辦", "王大爺", "consultation")]
    # made through the board's own verb: a history entry, and the kiosks of its community are told
    from server.board.models import BoardEvent
    async with app[keys.DB].sessions() as s:
        history = (await s.scalars(select(BoardEvent).where(BoardEvent.message_id == board[0].id))).all()
    assert [(e.kind, e.actor) for e in history] == [("left", "system")]
    changed = await waiting.next("board.changed")
    assert (changed["message_id"], changed["change"]) == (board[0].id, "left")

    clock.set(datetime(2026, 11, 30, 11, 40, 30, tzinfo=SHANGHAI))  # 4.5 minutes of grace left
    await gateway.sweep()
    assert (await talking.next("consultation.warning"))["minutes_left"] == 5
    await gateway.sweep()
    assert len(talking.received["consultation.warning"]) == 1  # warned once
    clock.set(datetime(2026, 11, 30, 11, 44, 10, tzinfo=SHANGHAI))
    await gateway.sweep()
    assert (await lawyer.next("consultation.warning", index=1))["minutes_left"] == 1
    clock.set(datetime(2026, 11, 30, 11, 45, tzinfo=SHANGHAI))
    await gateway.sweep()
    ended = await talking.next("consultation.ended")
    assert ended["reason"] == "service_closed" and ended["ended_by"] == "system"


async def test_reconnect_within_grace_restores_and_after_grace_peer_is_told(base, center, demo, peers, clock,
                                                                            app) -> None:
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(lawyer)
    started = await k.call("consultation.start", {"category": "other"})
    cid, token = started["consultation"]["id"], started["resume_token"]
    await lawyer.call("queue.take", {})
    await k.close()
    away = await lawyer.next("peer.away")
    assert away["consultation_id"] == cid and away["grace_seconds"] == 60

    clock.advance(seconds=30)
    await app[GATEWAY].sweep()
    k2 = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(k2)
    resumed = await k2.call("consultation.resume", {"resume_token": token})
    assert resumed["state"] == "live"
    assert (await lawyer.next("peer.back"))["consultation_id"] == cid
    assert (await k2.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "again"}))["ok"]
    assert (await lawyer.next("rtc.signal"))["sdp"] == "again"

    await k2.close()
    await lawyer.next("peer.away", index=1)
    clock.advance(seconds=61)
    await app[GATEWAY].sweep()
    ended = await lawyer.next("consultation.ended")
    assert ended["reason"] == "kiosk_disconnected"


async def test_outsiders_cannot_signal_into_a_room_and_bad_payloads_get_error_acks(base, center, demo, peers) -> None:
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    other_kiosk = await kiosk(base, demo["kiosks"][1]["token"])
    other_lawyer = await staff(base, "lawyer2")
    peers += [lawyer, k, other_kiosk, other_lawyer]
    cid = (await k.call("consultation.start", {"category": "other"}))["consultation"]["id"]
    await lawyer.call("queue.take", {})
    for outsider in (other_kiosk, other_lawyer):
        for kind in ("offer", "candidate"):
            ack = await outsider.call("rtc.signal", {"consultation_id": cid, "type": kind, "sdp": "x",
                                                     "candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host"})
            assert ack["error"]["code"] == "forbidden"
    assert lawyer.received["rtc.signal"] == []
    assert (await other_lawyer.call("consultation.hangup", {"consultation_id": cid}))["error"]["code"] == "forbidden"

    bad_values = [None, 1, "x", [], {"consultation_id": "abc"}, {"consultation_id": -1}, {"unexpected": True},
                  {"consultation_id": cid, "type": "offer", "sdp": "x" * 70_000}, {"rating": 9, "consultation_id": cid}]
    from signaling import events
    names = [v for k_, v in vars(events).items() if k_.isupper() and "." in v and not k_.startswith(("QUEUE_POS",
             "QUEUE_CH", "QUEUE_SN", "CHOSEN", "CONSULT_TAKEN", "CONSULT_ENDED", "CONSULT_WARNING", "CONSULT_TO",
             "PEER", "RTC_RELAYED"))]
    assert len(names) >= 13
    for name in names:
        for value in bad_values:
            if name in ("queue.watch",) and value in ({}, None):
                continue
            ack = await other_kiosk.sio.call(name, value, timeout=5)
            assert isinstance(ack, dict) and "error" in ack, (name, value, ack)
            assert set(ack["error"]) >= {"code", "message"}
    unknown = await k.sio.call("no.such.event", {}, timeout=5)
    assert unknown["error"]["code"] == "unknown_event"
    # the server still serves
    assert (await k.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "still"}))["ok"]


async def test_two_tabs_marking_a_lawyer_available_at_once(base, center, peers) -> None:
    tabs = [await staff(base, "lawyer2") for _ in range(4)]
    peers += tabs
    import asyncio

    acks = await asyncio.gather(*[t.call("duty.availability", {"available": True}) for t in tabs])
    assert all(a == {"available": True, "on_duty": False} for a in acks), acks


async def test_the_categories_route_lists_what_consultation_start_accepts(db_url, tmp_path, clock, demo) -> None:
    settings = settings_for(db_url, tmp_path, extra={"FAYUAN_CATEGORIES": "wages_labour,tenancy_disputes"})
    served = await start_client(init_app(settings, clock=clock, run_sweeper=False))
    base = str(served.make_url("")).rstrip("/")
    api = Api(base)
    api.bearer = demo["kiosks"][0]["token"]
    k = await kiosk(base, demo["kiosks"][0]["token"])
    try:
        status, body = await api.get("/api/consultations/categories")
        assert status == 200 and body == {"categories": ["wages_labour", "tenancy_disputes"]}
        refused = await k.call("consultation.start", {"category": "housing"})  # a default, not configured here
        assert refused["error"]["code"] == "invalid" and refused["error"]["details"]["field"] == "category"
        started = await k.call("consultation.start", {"category": "tenancy_disputes"})
        assert started["consultation"]["category"] == "tenancy_disputes"
    finally:
        await k.close()
        await api.close()
        await served.close()


async def test_one_lawyer_with_four_tabs_taking_at_once_gets_one_call(base, center, demo, peers) -> None:
    """FAYUAN_MAX_LIVE_PER_TAKER (1) holds under concurrency: the limit is part of the take."""
    import asyncio

    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    cookie = None
    tabs = [lawyer]
    for _ in range(3):
        if cookie is None:
            from tests.sockets import login_cookie
            cookie, _ = await login_cookie(base, "lawyer1")
        tabs.append(await staff(base, "lawyer1", cookie))
    kiosks = [await kiosk(base, k["token"]) for k in demo["kiosks"][:4]]
    peers += tabs + kiosks
    for k in kiosks:
        assert "consultation" in await k.call("consultation.start", {"category": "other"})
    acks = await asyncio.gather(*[t.call("queue.take", {}) for t in tabs])
    won = [a for a in acks if "consultation" in a]
    assert len(won) == 1, acks
    assert sorted(a["error"]["details"].get("reason", "") for a in acks if "error" in a) == ["busy"] * 3, acks


async def test_two_processes_sweeping_at_once_warn_and_offer_once(app, base, center, demo, peers, clock) -> None:
    """Each process runs the sweep; the steps that push are conditional UPDATEs, so the same
    warning or 'choose another lawyer' offer goes out once. (Here the second sweep's session has
    read the row before the first sweep commits; it does not interleave the two statements.)"""
    from server.consultations import jobs
    from server.consultations.models import Consultation
    from server.web import keys
    from signaling import events

    gateway = app[GATEWAY]
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    talking = await kiosk(base, demo["kiosks"][0]["token"])
    choosing = await kiosk(base, demo["kiosks"][1]["token"])
    peers += [lawyer, talking, choosing]
    status, directory = await center.get("/api/lawyers")
    assert status == 200 and isinstance(directory, list), directory
    lawyer2 = next(e["id"] for e in directory if e["name"] == "张华")
    clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI))
    live_id = (await talking.call("consultation.start", {"category": "other"}))["consultation"]["id"]
    await lawyer.call("queue.take", {"consultation_id": live_id})
    chosen = await choosing.call("consultation.start", {"category": "other", "lawyer_id": lawyer2})
    chosen_id = chosen["consultation"]["id"]

    async def race(event: str, cid: int) -> int:
        """A sweep that has read the row, then another that commits first, then the first goes on."""
        async with app[keys.DB].sessions() as late:
            await late.get(Consultation, cid)  # what the late sweep read before the other one ran
            first = await gateway.sweep()
            ctx = await gateway.context(late)
            second = await jobs.sweep(late, ctx)
            await late.commit()
        return [getattr(n, "event", None) for n in first + second].count(event)

    clock.set(datetime(2026, 11, 30, 11, 6, tzinfo=SHANGHAI))  # the chosen lawyer is slow
    assert await race(events.CHOSEN_LAWYER_WAIT, chosen_id) == 1
    await choosing.call("consultation.cancel", {"consultation_id": chosen_id})
    clock.set(datetime(2026, 11, 30, 11, 40, 30, tzinfo=SHANGHAI))  # 4.5 minutes of grace left
    assert await race(events.CONSULT_WARNING, live_id) == 1


async def test_a_short_grace_warns_with_the_minutes_really_left_and_a_blank_request_needs_a_call_back(  # type: ignore[no-untyped-def]
        db_url, tmp_path, clock, demo) -> None:
    settings = settings_for(db_url, tmp_path, extra={"FAYUAN_GRACE_MINUTES": "3"})
    app = init_app(settings, clock=clock, run_sweeper=False)
    served = await start_client(app)
    base = str(served.make_url("")).rstrip("/")
    center = Api(base)
    await center.login("center")
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    talking = await kiosk(base, demo["kiosks"][0]["token"])
    waiting = await kiosk(base, demo["kiosks"][1]["token"])
    try:
        clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI))
        live_id = (await talking.call("consultation.start", {"category": "other"}))["consultation"]["id"]
        await lawyer.call("queue.take", {"consultation_id": live_id})
        await waiting.call("consultation.start", {"category": "housing"})  # nothing typed, no contact
        clock.set(datetime(2026, 11, 30, 11, 30, tzinfo=SHANGHAI))  # closing: 3 minutes of grace
        await app[GATEWAY].sweep()
        warning = await talking.next("consultation.warning")
        assert warning["minutes_left"] == 3 and warning["ends_at"] == "2026-11-30T03:33:00+00:00"
        moved = await waiting.next("consultation.moved_to_board")
        assert moved["needs_call_back"] is True
        east = Api(base)
        await east.login("east")
        status, page = await east.get("/api/board/messages")
        assert status == 200, page
        (message,) = [m for m in page["rows"] if m["id"] == moved["board_message_id"]]
        assert message["needs_call_back"] is True and message["question"] == ""
        await east.close()
        clock.set(datetime(2026, 11, 30, 11, 32, 30, tzinfo=SHANGHAI))
        await app[GATEWAY].sweep()
        assert (await lawyer.next("consultation.warning", index=1))["minutes_left"] == 1
    finally:
        for p in (lawyer, talking, waiting):
            await p.close()
        await center.close()
        await served.close()


async def test_with_nobody_rostered_the_waiting_kiosk_hears_when_the_next_duty_starts(base, center, demo,
                                                                                      peers) -> None:
    """Issue 17 item 10: the server tells a kiosk waiting for the center whether a lawyer is
    rostered now and, when none is, when the next duty starts; every roster change reaches it."""
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(k)
    await k.call("consultation.start", {"category": "housing"})
    told = []

    async def outlook() -> tuple[int, bool, str | None]:
        p = await k.next("queue.position", index=len(told))
        told.append(p)
        return p["on_duty"], p["rostered_now"], p["next_duty_at"]

    assert await outlook() == (0, False, None)
    _, lawyers = await center.get("/api/lawyers")
    lawyer_id = next(entry["account_id"] for entry in lawyers if entry["name"] == "李明")
    await put_on_duty(center, lawyer_id, "2026-12-21", "09:30", "11:30")  # three weeks on: nothing to wait for
    assert await outlook() == (0, False, None)
    await put_on_duty(center, lawyer_id, "2026-12-01", "09:30", "11:30")
    assert await outlook() == (0, False, "2026-12-01T09:30:00+08:00")
    await put_on_duty(center, lawyer_id, TODAY, "14:00", "16:00")  # later today comes first
    assert await outlook() == (0, False, "2026-11-30T14:00:00+08:00")

    # A shift that covers now: rostered, though the lawyer is not at their desk yet; then is.
    await put_on_duty(center, lawyer_id, TODAY, "09:00", "12:00")
    assert await outlook() == (0, True, None)
    lawyer = await staff(base, "lawyer1")
    peers.append(lawyer)
    assert (await lawyer.call("duty.availability", {"available": True}))["on_duty"] is True
    assert await outlook() == (1, True, None)


async def test_a_station_queue_has_no_roster(base, demo, peers) -> None:
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(k)
    await k.call("consultation.start", {"category": "housing", "target": "station"})
    position = await k.next("queue.position")
    assert (position["rostered_now"], position["next_duty_at"]) == (True, None)  # its staff answer when in
