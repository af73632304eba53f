"""The relay's hand-written payload check (server/realtime/relay.py) accepts and rejects
exactly what signaling.payloads.RtcSignal does, and a rejection acks the model's error."""
from __future__ import annotations

from typing import Any

import pytest
import socketio
from engineio import packet as eio_packet
from pydantic import ValidationError

from server.realtime import relay, wirejson
from signaling import events
from signaling.payloads import MAX_SDP_CHARS, RtcSignal, error_ack
from tests.processes import ServerProcess
from tests.sockets import kiosk, lawyer_on_duty
from tests.support import PG_URL, REDIS_URL, Api, fresh_postgres, wait_until
from tests.test_take_race import open_all_day_today

CANDIDATE = "candidate:842163049 1 udp 1677729535 203.0.113.7 50123 typ srflx raddr 192.168.1.20 rport 50123"
GOOD: list[dict] = [
    {"consultation_id": 1, "type": "candidate", "candidate": CANDIDATE, "sdp_mid": "0", "sdp_mline_index": 0},
    {"consultation_id": 7, "type": "offer", "sdp": "v=0\r\n" * 10},
    {"consultation_id": 7, "type": "answer", "sdp": "x" * MAX_SDP_CHARS},
    {"consultation_id": 2**31 - 1, "type": "candidate", "candidate": "", "sdp_mid": "", "sdp_mline_index": 64},
    {"consultation_id": 3, "type": "offer", "sdp": None, "candidate": None, "sdp_mid": None, "sdp_mline_index": None},
    {"sdp_mline_index": 1, "type": "candidate", "consultation_id": 3},  # any key order
]
# What the model accepts by coercion: the fast check leaves these to the model.
COERCED: list[Any] = [
    {"consultation_id": "5", "type": "offer"},
    {"consultation_id": 5.0, "type": "offer"},
    {"consultation_id": True, "type": "offer"},
    {"consultation_id": 1, "type": "candidate", "sdp_mline_index": "3"},
    {"consultation_id": 1, "type": "candidate", "candidate": b"candidate:1 1 udp 1 203.0.113.7 1 typ host"},
]
BAD: list[Any] = [
    None, [], "rtc", 5, {},
    {"type": "offer"},
    {"consultation_id": 1},
    {"consultation_id": 0, "type": "offer"},
    {"consultation_id": -3, "type": "offer"},
    {"consultation_id": 1.5, "type": "offer"},
    {"consultation_id": "x", "type": "offer"},
    {"consultation_id": None, "type": "offer"},
    {"consultation_id": [1], "type": "offer"},
    {"consultation_id": 1, "type": "bye"},
    {"consultation_id": 1, "type": ["offer"]},
    {"consultation_id": 1, "type": {"offer": 1}},
    {"consultation_id": 1, "type": None},
    {"consultation_id": 1, "type": "Offer"},
    {"consultation_id": 1, "type": "offer", "sdp": "x" * (MAX_SDP_CHARS + 1)},
    {"consultation_id": 1, "type": "offer", "sdp": 5},
    {"consultation_id": 1, "type": "candidate", "candidate": "c" * 1_001},
    {"consultation_id": 1, "type": "candidate", "candidate": {"candidate": CANDIDATE}},
    {"consultation_id": 1, "type": "candidate", "sdp_mid": "m" * 65},
    {"consultation_id": 1, "type": "candidate", "sdp_mline_index": 65},
    {"consultation_id": 1, "type": "candidate", "sdp_mline_index": -1},
    {"consultation_id": 1, "type": "candidate", "sdp_mline_index": 0.5},
    {"consultation_id": 1, "type": "candidate", "from": "kiosk"},
    {"consultation_id": 1, "type": "offer", "extra": 1, "sdp": 5},
    {"consultation_id": 0, "type": "bye", "sdp": 5, "x": 1},
]
# Whatever the model says about these (its id limit may change), the relay says the same.
EDGES: list[Any] = [{"consultation_id": n, "type": "offer"} for n in (2**31, 2**62, 2**63 - 1, 2**63, 2**70)]


def model_result(data: Any) -> tuple[str, Any]:
    try:
        return "ok", RtcSignal.model_validate(data).model_dump(exclude_none=True)
    except ValidationError as exc:
        return "error", exc.errors(include_url=False, include_context=False, include_input=False)


def fast_result(data: Any) -> tuple[str, Any]:
    try:
        return "ok", relay.check_signal(data)
    except ValidationError as exc:
        return "error", exc.errors(include_url=False, include_context=False, include_input=False)


@pytest.mark.parametrize("data", GOOD)
def test_plain_payloads_take_the_fast_path_and_relay_what_the_model_would(data: dict) -> None:
    assert relay.relayable(data) is not None
    kind, out = fast_result(data)
    assert (kind, out) == model_result(data)
    assert list(out) == [name for name in relay.FIELD_ORDER if name in out]  # the model's field order


@pytest.mark.parametrize("data", COERCED)
def test_payloads_the_model_coerces_are_left_to_it(data: Any) -> None:
    assert relay.relayable(data) is None
    assert fast_result(data) == model_result(data)
    assert fast_result(data)[0] == "ok"


@pytest.mark.parametrize("data", BAD)
def test_bad_payloads_are_rejected_with_the_models_errors(data: Any) -> None:
    assert relay.relayable(data) is None
    kind, errors = fast_result(data)
    assert kind == "error"
    assert (kind, errors) == model_result(data)


@pytest.mark.parametrize("data", EDGES)
def test_large_ids_get_the_models_answer(data: dict) -> None:
    assert fast_result(data) == model_result(data)


def test_the_limits_are_the_models() -> None:
    assert dict(relay.TEXT_LIMITS) == {"sdp": MAX_SDP_CHARS, "candidate": 1_000, "sdp_mid": 64}
    assert (relay.ID_ABOVE, relay.INDEX_MIN, relay.INDEX_MAX) == (0, 0, 64)
    assert relay.TYPES == {"offer", "answer", "candidate"}
    assert relay.FIELD_ORDER == tuple(RtcSignal.model_fields)


def test_a_bad_relay_acks_the_models_first_error() -> None:
    """What the gateway acks (the gateway's relay): the first error of the model, in the ack shape."""
    with pytest.raises(ValidationError) as raised:
        relay.check_signal({"consultation_id": 1, "type": "candidate", "candidate": "c" * 1_001})
    err = raised.value.errors(include_url=False, include_context=False, include_input=False)[0]
    ack = error_ack("invalid", f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}")
    assert ack == {"error": {"code": "invalid", "message": "candidate: String should have at most 1000 characters"}}


async def test_a_registered_signal_handler_gets_rtc_signal_straight_from_the_packet() -> None:
    """RelayServer.on_signal (the gateway's, in the app) answers rtc.signal in place of the
    namespace, with the ack python-socketio would send; other events still reach the namespace."""
    sio = relay.RelayServer(async_mode="aiohttp", json=wirejson)
    seen: list[tuple] = []
    signals: list[tuple] = []
    sent: list[str] = []

    class Namespace(socketio.AsyncNamespace):
        async def trigger_event(self, event: str, *args: Any) -> Any:
            if event not in ("connect", "disconnect"):
                seen.append((event, *args))
                return {"namespace": True}
            return None

    async def on_signal(sid: str, data: Any) -> dict:
        signals.append((sid, data))
        return {"ok": len(signals)}

    async def send_packet(eio_sid: str, pkt: eio_packet.Packet) -> None:
        sent.append(pkt.encode())

    sio.register_namespace(Namespace("/"))
    sio.on_signal = on_signal
    sio.eio.send_packet = send_packet  # type: ignore[method-assign]
    sid = await sio.manager.connect("eio1", "/")

    await sio._handle_eio_message("eio1", "27" + wirejson.dumps([events.RTC_SIGNAL, {"a": 1}]))
    await sio._handle_eio_message("eio1", "2" + wirejson.dumps([events.RTC_SIGNAL, {"b": 2}]))  # no ack asked
    await sio._handle_eio_message("eio1", "29" + wirejson.dumps([events.RTC_SIGNAL]))
    assert signals == [(sid, {"a": 1}), (sid, {"b": 2}), (sid, None)]
    assert sent == ['437[{"ok":1}]', '439[{"ok":3}]'] and seen == []

    other = "/other"  # rtc.signal on another namespace is that namespace's, as any event
    sio.register_namespace(Namespace(other))
    await sio.manager.connect("eio1", other)
    await sio._handle_eio_message("eio1", f"2{other},5" + wirejson.dumps([events.RTC_SIGNAL, {"c": 3}]))
    await wait_until(lambda: len(sent) == 3, 5)  # an event of another namespace is handled in a task
    assert len(signals) == 3 and [event for event, *_ in seen] == [events.RTC_SIGNAL]
    assert sent[2] == f'43{other},5[{{"namespace":true}}]'

    sio.manager.pre_disconnect(sid, "/")  # leaving: nothing more of it is handled
    await sio._handle_eio_message("eio1", "28" + wirejson.dumps([events.RTC_SIGNAL, {"d": 4}]))
    assert len(signals) == 3


@pytest.mark.skipif(not REDIS_URL, reason="two processes relay through Redis: set FAYUAN_TEST_REDIS_URL")
async def test_signals_relay_between_two_processes_and_stay_in_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The kiosk on one process, the lawyer on another: the relay goes through Redis."""
    db_url = await fresh_postgres() if PG_URL else f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    first = ServerProcess(tmp_path / "a", database_url=db_url, redis_url=REDIS_URL).start()
    second = ServerProcess(tmp_path / "b", database_url=db_url, redis_url=REDIS_URL, migrate=False).start()
    admin, center, peers = Api(first.base_url), Api(second.base_url), []
    try:
        await admin.login("admin")
        await center.login("center")
        today = await open_all_day_today(admin, center)
        # all day: the servers run on the real clock, and 08:00-18:00 left the lawyer off duty at night
        lawyer = await lawyer_on_duty(second.base_url, center, "lawyer1", today, "00:00", "24:00")
        resident = await kiosk(first.base_url, first.demo_logins()["kiosks"][0]["token"])
        outsider = await kiosk(second.base_url, first.demo_logins()["kiosks"][1]["token"])
        peers += [lawyer, resident, outsider]
        cid = (await resident.call("consultation.start", {"category": "other"}))["consultation"]["id"]
        assert "consultation" in await lawyer.call("queue.take", {"consultation_id": cid})

        for n in range(20):
            ack = await resident.call("rtc.signal", {"consultation_id": cid, "type": "candidate",
                                                     "candidate": f"{CANDIDATE} {n}", "sdp_mline_index": 0})
            assert ack == {"ok": True}
        await wait_until(lambda: len(lawyer.received["rtc.signal"]) == 20, 5)
        assert [s["candidate"].split()[-1] for s in lawyer.received["rtc.signal"]] == [str(n) for n in range(20)]
        assert lawyer.received["rtc.signal"][0]["from"] == "device"
        assert (await lawyer.call("rtc.signal", {"consultation_id": cid, "type": "answer", "sdp": "v=0"})) == {"ok": True}
        assert (await resident.next("rtc.signal"))["sdp"] == "v=0"

        refused = await outsider.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "x"})
        assert refused["error"]["code"] == "forbidden"
        bad = await resident.call("rtc.signal", {"consultation_id": cid, "type": "bye"})
        assert bad["error"]["code"] == "invalid" and bad["error"]["message"].startswith("type: ")
    finally:
        for p in peers:
            await p.close()
        await admin.close()
        await center.close()
        first.stop()
        second.stop()
