"""Chat in a consultation room: stored before acked, one copy per client_id, gapless order,
members only, history on joining, and the audited HTTP history for staff."""
from __future__ import annotations

import asyncio
import itertools

import pytest
from sqlalchemy import func, select

from server.app import chat_rooms
from server.audit.models import AuditEntry
from server.chat.models import ChatMessage
from server.chat.service import RoomKey
from server.chat.writer import ChatUnavailable, ChatWriter
from server.consultations.models import Consultation
from server.db import Database, make_engine
from server.realtime.chat import CHAT_DELIVERY, CHAT_WRITER
from server.web import keys
from signaling.payloads import MAX_CHAT_CHARS
from tests.conftest import OPEN_MONDAY, SHANGHAI
from tests.sockets import Peer, kiosk, lawyer_on_duty, staff
from tests.test_consultations import base, center  # noqa: F401 - the same fixtures

TODAY = "2026-11-30"
_ids = itertools.count(1)


def send(peer: Peer, room: str, text: str, client_id: str | None = None) -> asyncio.Future:
    return peer.call("chat.send", {"room": room, "client_id": client_id or f"m{next(_ids)}", "text": text})


@pytest.fixture
async def live(base, center, demo, peers):  # type: ignore[no-untyped-def]
    """A live consultation: (kiosk, lawyer, room)."""
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, k]
    cid = (await k.call("consultation.start", {"category": "other"}))["consultation"]["id"]
    await lawyer.call("queue.take", {"consultation_id": cid})
    return k, lawyer, f"consultation:{cid}"


async def test_messages_are_numbered_in_order_and_pushed_to_the_room(live) -> None:
    k, lawyer, room = live
    assert (await k.call("chat.sync", {"room": room})) == {"messages": [], "more": False}
    acks = [await send(k, room, text) for text in ("您好", "我想問欠薪的事", "<b>not bold</b>")]
    assert [a["message"]["seq"] for a in acks] == [1, 2, 3]
    reply = (await send(lawyer, room, "請說"))["message"]
    assert reply["seq"] == 4 and reply["sender"].startswith("account:") and reply["sender_name"] == "李明律师"
    await lawyer.next("chat.message", index=3)
    pushed = [m for m in lawyer.received["chat.message"]]
    assert [m["seq"] for m in pushed] == [1, 2, 3, 4]
    assert pushed[2]["text"] == "<b>not bold</b>"  # plain text, stored and sent as typed
    assert set(pushed[0]) == {"room", "seq", "client_id", "text", "sender", "sender_name", "at"}


async def test_a_resend_with_the_same_client_id_returns_the_stored_message(app, live) -> None:
    k, lawyer, room = live
    first = (await send(k, room, "第一次", "same-id"))["message"]
    again = (await send(k, room, "changed on resend", "same-id"))["message"]
    assert again == first
    # resends racing the first copy, all at once
    racing = await asyncio.gather(*[send(k, room, "並發", "race-id") for _ in range(20)])
    assert len({a["message"]["seq"] for a in racing}) == 1
    # the same client_id from the other member is a different message
    theirs = (await send(lawyer, room, "律師的", "same-id"))["message"]
    assert theirs["seq"] == racing[0]["message"]["seq"] + 1
    async with app[keys.DB].sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ChatMessage)) == 3


async def test_while_a_backlog_is_full_a_message_is_refused_as_unavailable_and_stored_when_sent_again(
        app, live) -> None:
    """Both backlogs are bounded: the writer's (waiting to be stored) and the pushes' (stored,
    waiting to be pushed). A message refused for either is not stored, and goes in when resent."""
    k, _, room = live
    for backlog, limit in ((app[CHAT_WRITER], "max_backlog"), (app[CHAT_DELIVERY], "max_messages")):
        bound = getattr(backlog, limit)
        setattr(backlog, limit, 0)  # full at once
        try:
            refused = await send(k, room, "稍後再發", f"busy-{limit}")
        finally:
            setattr(backlog, limit, bound)
        assert refused["error"]["code"] == "unavailable", refused
    assert (await k.call("chat.sync", {"room": room}))["messages"] == []  # neither refusal stored anything
    stored = [(await send(k, room, "稍後再發", f"busy-{limit}"))["message"]["seq"]
              for limit in ("max_backlog", "max_messages")]
    assert stored == [1, 2]


async def test_a_full_writer_takes_resends_of_what_waits_and_stores_all_it_took(any_db_url, clock) -> None:
    db = Database(make_engine(any_db_url))
    sender, (room,) = await live_rooms(db, clock, 1)
    writer = ChatWriter(db.engine, chat_rooms(), max_backlog=3)  # not started yet: nothing leaves the backlog

    def send_now(client_id: str) -> asyncio.Task:
        return asyncio.create_task(writer.send(room, sender=sender, sender_name="k", client_id=client_id,
                                               text=client_id, at=clock.now()))

    taken = [send_now(f"c{i}") for i in range(3)]
    await asyncio.sleep(0)  # each send runs up to its wait for the store
    assert writer.backlog == 3
    refused, resent = send_now("c3"), send_now("c0")  # a resend of a waiting message joins it, full or not
    await asyncio.sleep(0)
    assert refused.done() and not resent.done()  # refused at once, not left waiting
    assert isinstance(refused.exception(), ChatUnavailable) and refused.exception().code == "unavailable"
    assert writer.backlog == 3
    await writer.start()
    try:
        acks = await asyncio.gather(*taken, resent)
        again = await send_now("c3")
    finally:
        await writer.stop()
    await db.dispose()
    assert [a["seq"] for a in acks] == [1, 2, 3, 1] and again["seq"] == 4


async def test_text_length_and_shape_are_checked_with_a_clear_error(live) -> None:
    k, _, room = live
    longest = await send(k, room, "長" * MAX_CHAT_CHARS)
    assert len(longest["message"]["text"]) == MAX_CHAT_CHARS
    too_long = await send(k, room, "長" * (MAX_CHAT_CHARS + 1))
    assert too_long["error"]["code"] == "invalid"
    assert "at most 2000 characters" in too_long["error"]["message"]
    assert too_long["error"]["details"]["field"] == "text"
    for text in ("", "   \n"):
        assert (await send(k, room, text))["error"]["code"] == "invalid"
    for bad in ({"room": room, "client_id": "x" * 65, "text": "hi"}, {"room": room, "client_id": "含空格 id", "text": "x"},
                {"room": "consultation:0", "client_id": "a", "text": "x"}, {"room": room, "text": "no id"},
                {"room": "nosuch:1", "client_id": "a", "text": "x"}):
        assert (await k.call("chat.send", bad))["error"]["code"] == "invalid", bad
    # the failures did not use up sequence numbers
    assert (await send(k, room, "ok"))["message"]["seq"] == 2


async def test_only_the_kiosk_and_the_current_taker_may_read_or_write(base, demo, live, peers) -> None:
    k, lawyer, room = live
    other_kiosk = await kiosk(base, demo["kiosks"][1]["token"])
    other_lawyer = await staff(base, "lawyer2")
    admin = await staff(base, "admin")
    peers += [other_kiosk, other_lawyer, admin]
    await send(k, room, "private")
    for outsider in (other_kiosk, other_lawyer, admin):
        assert (await send(outsider, room, "let me in"))["error"]["code"] == "forbidden"
        assert (await outsider.call("chat.sync", {"room": room}))["error"]["code"] == "forbidden"
    assert (await send(k, "consultation:999999", "nobody"))["error"]["code"] == "not_found"
    await asyncio.sleep(0.1)  # a push to an outsider would have arrived by now
    assert all(not p.received["chat.message"] for p in (other_kiosk, other_lawyer, admin))


async def test_history_on_joining_and_since_seq(base, center, demo, peers) -> None:
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers.append(k)
    cid = (await k.call("consultation.start", {"category": "housing"}))["consultation"]["id"]
    room = f"consultation:{cid}"
    for i in range(5):
        await send(k, room, f"排隊時寫的 {i}")  # the resident may type while waiting
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    peers.append(lawyer)
    assert (await lawyer.call("chat.sync", {"room": room}))["error"]["code"] == "forbidden"  # not taken yet
    await lawyer.call("queue.take", {"consultation_id": cid})
    history = await lawyer.call("chat.sync", {"room": room})
    assert [m["text"] for m in history["messages"]] == [f"排隊時寫的 {i}" for i in range(5)]
    after = await lawyer.call("chat.sync", {"room": room, "since_seq": 3})
    assert [m["seq"] for m in after["messages"]] == [4, 5] and after["more"] is False
    # the writer checked this room before the take; it sees the new taker all the same
    assert (await send(lawyer, room, "您好，我是律師"))["message"]["seq"] == 6

    await lawyer.call("consultation.hangup", {"consultation_id": cid})
    ended = await send(k, room, "too late")
    assert ended["error"]["code"] == "conflict"
    assert len((await lawyer.call("chat.sync", {"room": room}))["messages"]) == 6  # the lawyer still reads it
    # the kiosk does not: the next person at it is a stranger (issue 12)
    assert (await k.call("chat.sync", {"room": room}))["error"]["code"] == "forbidden"


async def test_staff_read_the_chat_over_http_and_each_read_is_audited(app, live, new_api) -> None:
    k, lawyer, room = live
    cid = int(room.split(":")[1])
    for text in ("一", "二", "<script>alert(1)</script>"):
        await send(k, room, text)
    center = new_api()
    await center.login("center")
    status, messages = await center.get(f"/api/consultations/{cid}/chat")
    assert status == 200
    assert [(m["seq"], m["text"]) for m in messages] == [(1, "一"), (2, "二"), (3, "<script>alert(1)</script>")]
    status, page = await center.get(f"/api/consultations/{cid}/chat", params={"since_seq": "2"})
    assert [m["seq"] for m in page] == [3]
    status, rec = await center.get(f"/api/consultations/{cid}")
    assert status == 200 and [m["text"] for m in rec["chat"]][:2] == ["一", "二"] and rec["chat_more"] is False

    async with app[keys.DB].sessions() as s:
        reads = list(await s.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "personal_data.read", AuditEntry.object == f"consultation:{cid}")
            .order_by(AuditEntry.id)))
    assert reads == ["chat after 0", "chat after 2", "record"]

    outsider = new_api()
    await outsider.login("lawyer2")  # a lawyer reads only what they took
    assert (await outsider.get(f"/api/consultations/{cid}/chat"))[0] == 403
    resident = new_api()
    resident.bearer = None
    assert (await resident.get(f"/api/consultations/{cid}/chat"))[0] == 401


async def live_rooms(db: Database, clock, count: int) -> tuple[str, list[RoomKey]]:  # type: ignore[no-untyped-def]
    """The demo organisation and `count` live consultations of its first kiosk: (the kiosk's
    ref, their rooms)."""
    from server import demo as demo_seed
    from server.accounts.models import Device

    async with db.sessions.begin() as s:
        await demo_seed.seed(s, now=clock.now())
        device = await s.scalar(select(Device).order_by(Device.id))
        rooms = []
        for _ in range(count):
            c = Consultation(device_id=device.id, unit_id=device.unit_id, category="other",
                             target_unit_id=device.unit_id, state="live", queued_at=OPEN_MONDAY)
            s.add(c)
            await s.flush()
            rooms.append(RoomKey("consultation", c.id))
    return f"device:{device.id}", rooms


async def test_two_writers_sharing_a_database_number_without_collisions(any_db_url, clock) -> None:
    """Two processes' writers, racing: gapless seqs per room and one row per resend."""
    db = Database(make_engine(any_db_url))
    sender, rooms = await live_rooms(db, clock, 3)
    engines = [make_engine(any_db_url) for _ in range(2)]
    writers = [ChatWriter(e, chat_rooms()) for e in engines]
    for w in writers:
        await w.start()
    try:
        # every message is sent to both "processes", as a client resending after a drop would
        pairs = [[w.send(rooms[j % 3], sender=sender, sender_name="k", client_id=f"c{j}", text=f"t{j}",
                         at=clock.now()) for w in writers] for j in range(300)]
        stored = await asyncio.gather(*[asyncio.gather(*pair) for pair in pairs])
    finally:
        for w in writers:
            await w.stop()
        for e in engines:
            await e.dispose()
    assert all(a == b for a, b in stored)  # both processes answer with the one stored copy
    async with db.sessions() as s:
        rows = (await s.execute(select(ChatMessage.room_id, ChatMessage.seq))).all()
    await db.dispose()
    assert len(rows) == 300
    per_room: dict[int, list[int]] = {}
    for room_id, seq in rows:
        per_room.setdefault(room_id, []).append(seq)
    assert sorted(len(seqs) for seqs in per_room.values()) == [100, 100, 100]
    for seqs in per_room.values():
        assert sorted(seqs) == list(range(1, 101))  # gapless, no collision
    assert writers[0].batches > 0 and writers[1].batches > 0


async def test_the_writer_stores_the_time_as_the_orm_does(any_db_url, clock) -> None:
    """It hands its rows straight to the driver; `at` must still be stored in the ORM's form
    (on SQLite a text column, where another form would sort and compare differently): with and
    without microseconds, given in UTC or in another zone. A naive time is refused as the
    ORM refuses it."""
    db = Database(make_engine(any_db_url))
    sender, (room,) = await live_rooms(db, clock, 1)
    times = [clock.now().replace(microsecond=0), clock.now().replace(microsecond=123456),
             clock.now().replace(microsecond=7).astimezone(SHANGHAI)]
    writer = ChatWriter(db.engine, chat_rooms())
    await writer.start()
    try:
        stored = [await writer.send(room, sender=sender, sender_name="k", client_id=f"w{i}", text="writer", at=at)
                  for i, at in enumerate(times)]
        with pytest.raises(ValueError, match="naive"):
            await writer.send(room, sender=sender, sender_name="k", client_id="naive", text="writer",
                              at=clock.now().replace(tzinfo=None))
    finally:
        await writer.stop()
    assert [m["at"] for m in stored] == [at.isoformat() for at in times]  # the ack carries the time as given
    async with db.sessions.begin() as s:
        room_id = await s.scalar(select(ChatMessage.room_id))
        s.add_all(ChatMessage(room_id=room_id, seq=stored[-1]["seq"] + 1 + i, sender=sender, sender_name="k",
                              client_id=f"o{i}", text="orm", at=at) for i, at in enumerate(times))
    async with db.engine.connect() as conn:
        rows = [at for (at,) in await conn.exec_driver_sql("SELECT at FROM chat_messages ORDER BY seq")]
    await db.dispose()
    assert rows[:len(times)] == rows[len(times):]
