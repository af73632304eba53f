"""Guests in a live consultation (consultations/guests.py), the service against every database
kind of this run: one-time codes and links bound to the consultation and its taker, expiry,
withdrawal, the end of the consultation, the guard against guessing, consent to recording."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import select

from server import demo as demo_seed
from server.accounts.actor import AccountActor, Actor, DeviceActor
from server.accounts.models import Account, Device
from server.accounts.permissions import Role
from server.consultations import guests, recording
from server.consultations.models import Consultation, ConsultationEvent, ConsultationGuest
from server.consultations.state import ConsultationState as S
from server.db import Database, make_engine
from server.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied, RateLimited
from server.hours import service as hours
from server.org.models import Unit
from server.recordings.models import RecordingConsent
from signaling import events
from signaling.payloads import CONSENT_TEXT_VERSION
from tests.conftest import OPEN_MONDAY, SHANGHAI

NOW = OPEN_MONDAY
ADDRESS = "203.0.113.7"


@pytest.fixture
async def store(any_db_url: str) -> AsyncIterator[Database]:
    database = Database(make_engine(any_db_url))
    async with database.sessions.begin() as session:
        await hours.ensure_defaults(session, now=NOW, tz=SHANGHAI)
        await demo_seed.seed(session, now=NOW)
    yield database
    await database.dispose()


async def _account(session: Any, username: str) -> Actor:
    a = await session.scalar(select(Account).where(Account.username == username))
    unit = await session.get(Unit, a.unit_id)
    return AccountActor(id=a.id, role=Role(a.role), unit_id=a.unit_id, unit_path=unit.path, name=a.display_name)


async def live_call(store: Database, taker: str = "lawyer1") -> tuple[int, Actor]:
    """A consultation of the first demo kiosk, live with `taker`."""
    async with store.sessions.begin() as session:
        lawyer = await _account(session, taker)
        device = await session.scalar(select(Device).order_by(Device.id).limit(1))
        c = Consultation(device_id=device.id, unit_id=device.unit_id, category="wages_labour",
                         target_unit_id=lawyer.unit_id, state=S.live, queued_at=NOW, taken_at=NOW,
                         taker_account_id=lawyer.id)
        session.add(c)
        await session.flush()
        return c.id, lawyer


async def invite(store: Database, cid: int, lawyer: Actor, kind: str = "interpreter", name: str = "王某",
                 at: Any = NOW) -> guests.Invitation:
    async with store.sessions.begin() as session:
        return await guests.invite(session, lawyer, cid, kind, name, at)


async def redeem(store: Database, *, code: str | None = None, link: str | None = None, address: str = ADDRESS,
                 at: Any = NOW) -> guests.Admission | None:
    async with store.sessions.begin() as session:
        return await guests.redeem(session, code=code, link=link, client_addr=address, now=at)


async def resolve(store: Database, token: str, at: Any = NOW) -> Actor | None:
    async with store.sessions() as session:
        return await guests.resolve(session, token, at)


async def test_an_invitation_is_used_once_by_code_or_link_and_its_session_holds_while_the_call_does(
        store: Database) -> None:
    cid, lawyer = await live_call(store)
    made = await invite(store, cid, lawyer)
    assert len(made.code) == 6 and made.code.isdigit() and len(made.link_token) >= 40
    assert made.guest.state == "invited" and made.guest.expires_at == NOW + guests.INVITATION_TTL
    roster = next(n for n in made.notices if n.to == f"consultation:{cid}")
    assert roster.event == events.CONSULT_GUESTS and roster.data["guests"][0]["kind"] == "interpreter"
    assert "code" not in str(roster.data) and made.code not in str(roster.data)

    admitted = await redeem(store, code=f" {made.code[:3]}-{made.code[3:]} ")  # typed with a space and a dash
    assert admitted is not None and admitted.consultation.id == cid
    assert admitted.guest.state == "admitted"
    # one use: neither the code nor the link works again
    assert await redeem(store, code=made.code) is None
    assert await redeem(store, link=made.link_token) is None
    actor = await resolve(store, admitted.session_token)
    assert actor is not None and actor.kind == "guest" and actor.ref == f"guest:{made.guest.id}" and actor.name == "王某"
    assert await resolve(store, "x" * 43) is None

    # the session ends with the consultation
    async with store.sessions.begin() as session:
        c = await session.get(Consultation, cid)
        c.state = S.ended
    assert await resolve(store, admitted.session_token) is None
    async with store.sessions() as session:
        assert await guests.ended_guests(session, {made.guest.id}) == {made.guest.id: "consultation_ended"}
    async with store.sessions.begin() as session:
        assert await guests.consultation_over(session, cid, "hangup", NOW) == [made.guest.id]
    async with store.sessions() as session:
        assert (await session.get(ConsultationGuest, made.guest.id)).state == "left"
        kinds = [e.kind for e in await session.scalars(select(ConsultationEvent).where(
            ConsultationEvent.consultation_id == cid).order_by(ConsultationEvent.id))]
    assert kinds == ["guest_invited", "guest_admitted"]
    # nothing stored lets anyone rebuild the code, the link or the session
    async with store.sessions() as session:
        row = await session.get(ConsultationGuest, made.guest.id)
    assert made.code not in (row.code_hash, row.link_hash) and admitted.session_token != row.session_hash


async def test_a_link_works_too_but_not_after_expiry_withdrawal_transfer_or_for_another_call(store: Database) -> None:
    cid, lawyer = await live_call(store)
    by_link = await invite(store, cid, lawyer, "family", "")
    assert (await redeem(store, link=by_link.link_token)) is not None

    late = await invite(store, cid, lawyer, "lawyer", "")
    assert await redeem(store, code=late.code, at=NOW + guests.INVITATION_TTL) is None  # expired
    async with store.sessions.begin() as session:
        listed = await guests.listed(session, lawyer, cid, NOW + guests.INVITATION_TTL)
    assert [g.state for g in listed] == ["admitted", "expired"]

    revoked = await invite(store, cid, lawyer, at=NOW + guests.INVITATION_TTL)
    async with store.sessions.begin() as session:
        g, notices = await guests.withdraw(session, lawyer, cid, revoked.guest.id, NOW + guests.INVITATION_TTL)
    assert g.state == "revoked" and not any(n.event == events.SESSION_ENDED for n in notices)
    assert await redeem(store, link=revoked.link_token, at=NOW + guests.INVITATION_TTL) is None
    async with store.sessions.begin() as session:
        with pytest.raises(IllegalTransition):
            await guests.withdraw(session, lawyer, cid, revoked.guest.id, NOW + guests.INVITATION_TTL)

    # transferred: the taker changed, so the invitation (and a guest's session) is void
    second = await invite(store, cid, lawyer, at=NOW + guests.INVITATION_TTL)
    async with store.sessions.begin() as session:
        c = await session.get(Consultation, cid)
        c.taker_account_id = (await _account(session, "lawyer2")).id
    assert await redeem(store, code=second.code, at=NOW + guests.INVITATION_TTL) is None

    # a guest is bound to their own consultation
    other, other_lawyer = await live_call(store, "lawyer1")
    guest = await redeem(store, code=(await invite(store, other, other_lawyer)).code)
    assert guest is not None
    async with store.sessions.begin() as session:
        with pytest.raises(PermissionDenied):
            await guests.join(session, guests.actor_of(guest.guest), cid, consent=False,
                              text_version=CONSENT_TEXT_VERSION, now=NOW)


async def test_only_the_taker_invites_at_most_two_at_once_into_a_live_call(store: Database) -> None:
    cid, lawyer = await live_call(store)
    async with store.sessions.begin() as session:
        lawyer2 = await _account(session, "lawyer2")
    kiosk = DeviceActor(id=1, unit_id=1, unit_path="", name="kiosk")
    for outsider in (lawyer2, kiosk):
        async with store.sessions.begin() as session:
            with pytest.raises(PermissionDenied):
                await guests.invite(session, outsider, cid, "family", "", NOW)
    async with store.sessions.begin() as session:
        with pytest.raises(InvalidInput):
            await guests.invite(session, lawyer, cid, "friend", "", NOW)
        with pytest.raises(NotFound):
            await guests.invite(session, lawyer, 999_999, "family", "", NOW)
    first = await invite(store, cid, lawyer)
    await invite(store, cid, lawyer)
    async with store.sessions.begin() as session:
        with pytest.raises(Conflict) as too_many:
            await guests.invite(session, lawyer, cid, "family", "", NOW)
    assert too_many.value.details["reason"] == "too_many_guests"
    async with store.sessions.begin() as session:
        await guests.withdraw(session, lawyer, cid, first.guest.id, NOW)
        with pytest.raises(NotFound):
            await guests.withdraw(session, lawyer, cid + 1, first.guest.id, NOW)
    await invite(store, cid, lawyer)  # room again
    async with store.sessions.begin() as session:
        c = await session.get(Consultation, cid)
        c.state = S.ended
    async with store.sessions.begin() as session:
        with pytest.raises(Conflict):
            await guests.invite(session, lawyer, cid, "family", "", NOW)


async def test_wrong_codes_are_limited_per_address_and_overall(store: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    cid, lawyer = await live_call(store)
    made = await invite(store, cid, lawyer)
    wrong = f"{(int(made.code) + 1) % 1_000_000:06d}"
    for _ in range(guests.MAX_WRONG_PER_ADDRESS):
        assert await redeem(store, code=wrong) is None
    with pytest.raises(RateLimited):
        await redeem(store, code=made.code)  # even the right one, from this address, for a while
    with pytest.raises(RateLimited):
        await redeem(store, link=made.link_token)
    later = NOW + guests.TRY_WINDOW  # the window passed
    assert await redeem(store, code=(await invite(store, cid, lawyer, at=later)).code, at=later) is not None
    async with store.sessions.begin() as session:
        for g in await guests.listed(session, lawyer, cid, later):
            if g.state in ("invited", "admitted"):
                await guests.withdraw(session, lawyer, cid, g.id, later)

    # many addresses together: the codes stop for everyone; a link still works
    monkeypatch.setattr(guests, "MAX_WRONG_OVERALL", 3)
    other = await invite(store, cid, lawyer)
    for n in range(3):
        assert await redeem(store, code="000000" if other.code != "000000" else "111111", address=f"198.51.100.{n}") is None
    with pytest.raises(RateLimited):
        await redeem(store, code=other.code, address="192.0.2.1")
    assert await redeem(store, link=other.link_token, address="192.0.2.1") is not None
    async with store.sessions.begin() as session:
        with pytest.raises(InvalidInput):
            await guests.redeem(session, code=None, link=None, client_addr=ADDRESS, now=NOW)


async def test_two_uses_of_one_code_at_once_admit_one(store: Database) -> None:
    cid, lawyer = await live_call(store)
    made = await invite(store, cid, lawyer)
    results = await asyncio.gather(*(redeem(store, code=made.code, address=f"192.0.2.{n}") for n in range(4)),
                                   return_exceptions=True)
    admitted = [r for r in results if isinstance(r, guests.Admission)]
    assert len(admitted) == 1, results


async def test_joining_a_recorded_call_needs_consent_which_is_recorded(store: Database) -> None:
    cid, lawyer = await live_call(store)
    admitted = await redeem(store, code=(await invite(store, cid, lawyer)).code)
    assert admitted is not None
    guest = guests.actor_of(admitted.guest)
    async with store.sessions.begin() as session:
        recording.step(session, cid, NOW, "recording_requested", lawyer)
        c = await session.get(Consultation, cid)
        assert await recording.state_of(session, c) == "requested"
    async with store.sessions.begin() as session:
        with pytest.raises(Conflict) as refused:
            await guests.join(session, guest, cid, consent=False, text_version=CONSENT_TEXT_VERSION, now=NOW)
        assert refused.value.details["reason"] == "consent_required"
        with pytest.raises(InvalidInput):
            await guests.join(session, guest, cid, consent=True, text_version="2020-01", now=NOW)
    async with store.sessions.begin() as session:
        g, c, notices = await guests.join(session, guest, cid, consent=True, text_version=CONSENT_TEXT_VERSION,
                                          now=NOW)
        assert g.state == "present" and g.joined_at == NOW
        assert notices[1].to == f"call:{cid}:guests" and notices[1].data["guests"][0]["state"] == "present"
        # the kiosk and the taker have not consented; the guest has
        assert await recording.waiting_for(session, c) == ["kiosk", "taker"]
    async with store.sessions() as session:
        consent = await session.scalar(select(RecordingConsent).where(RecordingConsent.who == guest.ref))
    assert consent is not None and consent.text_version == CONSENT_TEXT_VERSION and consent.name == "王某"

    # out and back (a dropped connection), then gone for good
    async with store.sessions.begin() as session:
        assert await guests.dropped(session, guest.known_id, NOW)
        assert (await session.get(ConsultationGuest, guest.known_id)).state == "admitted"
        recording.step(session, cid, NOW + timedelta(seconds=1), "recording_stopped", detail="stopped")
    async with store.sessions.begin() as session:
        c = await session.get(Consultation, cid)
        assert await recording.state_of(session, c) == "off"
        await guests.join(session, guest, cid, consent=False, text_version=CONSENT_TEXT_VERSION, now=NOW)
    async with store.sessions.begin() as session:
        g, _ = await guests.leave(session, guest, cid, NOW)
        assert g.state == "left"
    assert await resolve(store, admitted.session_token) is None
    async with store.sessions.begin() as session:
        with pytest.raises(Conflict):
            await guests.join(session, guest, cid, consent=False, text_version=CONSENT_TEXT_VERSION, now=NOW)


# -- over HTTP and socket.io, through the real gateway ------------------------------------------
TODAY = "2026-11-30"


@pytest.fixture
async def base(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.make_url("")).rstrip("/")


@pytest.fixture
async def call(base, new_api, demo, peers) -> dict:  # type: ignore[no-untyped-def]
    """A live consultation: the kiosk and lawyer1 on sockets, lawyer1's HTTP session, and an outsider."""
    from tests.sockets import kiosk, lawyer_on_duty, login_cookie, staff

    center = new_api()
    await center.login("center")
    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, k]
    started = await k.call("consultation.start", {"category": "wages_labour"})
    cid = started["consultation"]["id"]
    assert (await lawyer.call("queue.take", {}))["consultation"]["id"] == cid
    lawyer_http = new_api()
    await lawyer_http.login("lawyer1")
    return {"cid": cid, "kiosk": k, "lawyer": lawyer, "http": lawyer_http, "anonymous": new_api(),
            "kiosk_id": (await k.next("hello"))["id"], "lawyer_id": (await lawyer.next("hello"))["id"],
            "kiosk_token": demo["kiosks"][0]["token"], "kiosk_resume": started["resume_token"]}


async def guest_in(base: str, call: dict, peers: list, kind: str = "interpreter", name: str = "王某",
                   consent: bool = False) -> tuple[Any, dict, dict]:
    """Invited by the lawyer, admitted by code, connected and in the call: (socket, admission, join ack)."""
    from tests.sockets import Peer

    status, made = await call["http"].post(f"/api/consultations/{call['cid']}/guests", {"kind": kind, "name": name})
    assert status == 201, made
    status, admitted = await call["anonymous"].post("/api/guests/redeem", {"code": made["code"]})
    assert status == 200, admitted
    guest = await Peer().connect(base, guest=admitted["token"])
    peers.append(guest)
    hello = await guest.next("hello")
    assert hello["kind"] == "guest" and hello["role"] is None and hello["unit_id"] is None
    joined = await guest.call(events.CONSULT_GUEST_JOIN, {"consultation_id": call["cid"], "consent": consent})
    assert "error" not in joined, joined
    call.setdefault("secrets", []).extend([made["code"], made["link"].split("=", 1)[1], admitted["token"]])
    return guest, admitted, joined


async def test_a_guest_joins_by_code_signals_each_member_and_is_shown_to_the_kiosk(base, call, peers, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    cid, k, lawyer = call["cid"], call["kiosk"], call["lawyer"]
    guest, admitted, joined = await guest_in(base, call, peers)
    me = admitted["guest"]["ref"]
    assert admitted["consultation_id"] == cid and admitted["lawyer_name"] == "李明律师"
    assert admitted["recording"] == "off" and admitted["guest"]["state"] == "admitted"
    assert {m["ref"]: m["role"] for m in joined["members"]} == {
        f"device:{call['kiosk_id']}": "kiosk", f"account:{call['lawyer_id']}": "taker"}
    assert joined["guest"]["state"] == "present" and isinstance(joined["ice_servers"], list)
    assert joined["recording"]["state"] == "off"

    async def shows_present(peer: Any) -> bool:
        rosters = [r for r in peer.received[events.CONSULT_GUESTS] if r["consultation_id"] == cid]
        return bool(rosters) and [(g["ref"], g["state"], g["name"]) for g in rosters[-1]["guests"]] == [(me, "present", "王某")]
    from tests.support import wait_until
    await wait_until(lambda: shows_present(k))
    await wait_until(lambda: shows_present(lawyer))

    # the mesh: each pair signals only between themselves
    ack = await guest.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "v=0 guest",
                                          "to": f"device:{call['kiosk_id']}"})
    assert ack == {"ok": True}
    got = await k.next("rtc.signal")
    assert got["sdp"] == "v=0 guest" and got["from_ref"] == me and got["from"] == "guest" and "to" not in got
    assert lawyer.received["rtc.signal"] == []
    assert await k.call("rtc.signal", {"consultation_id": cid, "type": "answer", "sdp": "v=0 kiosk", "to": me}) == {"ok": True}
    assert (await guest.next("rtc.signal"))["from_ref"] == f"device:{call['kiosk_id']}"
    await lawyer.call("rtc.signal", {"consultation_id": cid, "type": "candidate", "candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host", "to": me})
    await wait_until(lambda: len(guest.received["rtc.signal"]) == 2)
    assert guest.received["rtc.signal"][1]["from_ref"] == f"account:{call['lawyer_id']}"
    # the kiosk and the lawyer still talk as before; the guest does not hear it
    assert (await k.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "v=0 two"}))["ok"]
    await lawyer.next("rtc.signal")
    assert len(guest.received["rtc.signal"]) == 2

    # the guest may not speak to the room untargeted, nor into another call, nor do anything else
    refused = [("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "x"}),
               ("rtc.signal", {"consultation_id": cid + 1, "type": "offer", "sdp": "x", "to": f"device:{call['kiosk_id']}"}),
               ("chat.send", {"room": f"consultation:{cid}", "client_id": "g1", "text": "hello"}),
               ("chat.sync", {"room": f"consultation:{cid}"}), ("queue.watch", {}), ("queue.take", {}),
               ("consultation.hangup", {"consultation_id": cid}), ("consultation.record", {"consultation_id": cid, "on": True}),
               ("dashboard.watch", {}), ("meeting.join", {"meeting_id": 1}),
               ("consultation.start", {"category": "other"})]
    for event, data in refused:
        ack = await guest.call(event, data)
        assert ack["error"]["code"] == "forbidden", (event, ack)
    # an outsider cannot reach the guest either
    from tests.sockets import staff
    outsider = await staff(base, "lawyer2")
    peers.append(outsider)
    ack = await outsider.call("rtc.signal", {"consultation_id": cid, "type": "offer", "sdp": "x", "to": me})
    assert ack["error"]["code"] == "forbidden"
    for bad in ({"consultation_id": cid, "type": "offer", "sdp": "x", "to": "guest:01"},
                {"consultation_id": cid, "type": "offer", "sdp": "x", "to": "everyone"},
                {"consultation_id": cid, "type": "offer", "sdp": "x", "to": 5}):
        assert (await k.call("rtc.signal", bad))["error"]["code"] == "invalid", bad
    for bad in (None, {}, {"consultation_id": "x"}, {"consultation_id": cid, "consent": "maybe"},
                {"consultation_id": cid, "text_version": "x y"}, {"consultation_id": cid, "extra": 1}):
        assert (await guest.sio.call(events.CONSULT_GUEST_JOIN, bad, timeout=5))["error"]["code"] == "invalid", bad
    assert len(guest.received["rtc.signal"]) == 2
    # the kiosk page reloads mid-call: its resume names who else is in the call
    from tests.sockets import kiosk
    again = await kiosk(base, call["kiosk_token"])
    peers.append(again)
    resumed = await again.call("consultation.resume", {"resume_token": call["kiosk_resume"]})
    assert resumed["state"] == "live" and resumed["guests"]["consultation_id"] == cid
    assert [(g["ref"], g["state"], g["name"]) for g in resumed["guests"]["guests"]] == [(me, "present", "王某")]
    # no code, link or session token in any log line of the whole exchange
    assert caplog.records and not [secret for secret in call["secrets"] if secret in caplog.text]


async def test_the_lawyer_removes_a_guest_and_the_end_of_the_call_ends_every_guest(base, call, peers, client) -> None:
    from server.realtime import liveness
    from server.realtime.setup import GATEWAY
    from tests.support import wait_until

    cid, k = call["cid"], call["kiosk"]
    first, first_admitted, _ = await guest_in(base, call, peers, "family", "")
    second, _, joined = await guest_in(base, call, peers, "lawyer", "赵律师")
    assert first_admitted["guest"]["ref"] in {m["ref"] for m in joined["members"]}  # the newcomer offers to both
    status, body = await call["http"].post(f"/api/consultations/{cid}/guests", {"kind": "family"})
    assert status == 409 and body["error"]["details"]["reason"] == "too_many_guests"

    status, removed = await call["http"].delete(f"/api/consultations/{cid}/guests/{first_admitted['guest']['id']}")
    assert status == 200 and removed["state"] == "removed"
    assert (await first.next(events.SESSION_ENDED))["reason"] == "removed"
    gateway = client.server.app[GATEWAY]
    assert "removed" in (await liveness.check(gateway)).values()
    await wait_until(lambda: not first.sio.connected)
    status, listed = await call["http"].get(f"/api/consultations/{cid}/guests")
    assert status == 200 and [g["state"] for g in listed] == ["removed", "present"]
    assert [g["state"] for g in (await k.next(events.CONSULT_GUESTS))["guests"]] == ["present"]

    assert (await k.call("consultation.hangup", {"consultation_id": cid}))["consultation"]["state"] == "ended"
    ended = await second.next(events.CONSULT_ENDED)
    assert ended == {"consultation_id": cid, "reason": "hangup"}
    assert "consultation_ended" in (await liveness.check(gateway)).values() or not second.sio.connected
    await wait_until(lambda: not second.sio.connected)
    status, body = await call["anonymous"].post("/api/guests/redeem", {"code": "123456"})
    assert status == 404 and body["error"]["code"] == "not_found"
    status, record = await call["http"].get(f"/api/consultations/{cid}")
    kinds = [e["kind"] for e in record["events"] if e["kind"].startswith("guest")]
    assert kinds == ["guest_invited", "guest_admitted", "guest_joined", "guest_invited", "guest_admitted",
                     "guest_joined", "guest_removed"], kinds


async def test_bad_http_input_is_a_4xx_and_nobody_else_invites(base, call, new_api, demo) -> None:
    cid, http, anonymous = call["cid"], call["http"], call["anonymous"]
    for body in ({}, {"kind": "friend"}, {"kind": "family", "name": "x" * 51}, {"kind": "family", "extra": 1}, []):
        status, answer = await http.post(f"/api/consultations/{cid}/guests", body)
        assert status == 400 and answer["error"]["code"] == "invalid", (body, answer)
    assert (await http.post("/api/consultations/999999/guests", {"kind": "family"}))[0] == 404
    assert (await http.delete(f"/api/consultations/{cid}/guests/999999"))[0] == 404
    lawyer2 = new_api()
    await lawyer2.login("lawyer2")
    assert (await lawyer2.post(f"/api/consultations/{cid}/guests", {"kind": "family"}))[0] == 403
    assert (await lawyer2.get(f"/api/consultations/{cid}/guests"))[0] == 403
    assert (await anonymous.post(f"/api/consultations/{cid}/guests", {"kind": "family"}))[0] == 401
    kiosk_http = new_api()
    kiosk_http.bearer = demo["kiosks"][0]["token"]
    assert (await kiosk_http.post(f"/api/consultations/{cid}/guests", {"kind": "family"}))[0] == 403
    for body in ({}, {"code": "123456", "invite": "x" * 20}, {"code": ""}, {"invite": "short"}, {"code": 123456},
                 {"code": "1" * 21}):
        status, answer = await anonymous.post("/api/guests/redeem", body)
        assert status == 400, (body, status, answer)
    status, answer = await anonymous.post("/api/guests/redeem", {"invite": "y" * 43})
    assert status == 404
    # a guest's token is no key to the HTTP API
    status, made = await http.post(f"/api/consultations/{cid}/guests", {"kind": "family"})
    status, admitted = await anonymous.post("/api/guests/redeem", {"invite": made["link"].split("=", 1)[1]})
    assert status == 200
    guest_http = new_api()
    guest_http.bearer = admitted["token"]
    assert (await guest_http.get(f"/api/consultations/{cid}"))[0] == 401


async def test_a_guest_joins_a_recorded_call_only_with_consent_and_the_kiosk_hears_who_is_missing(base, call,
                                                                                                 peers) -> None:
    from tests.sockets import Peer

    cid, lawyer, k = call["cid"], call["lawyer"], call["kiosk"]
    asked = await lawyer.call("consultation.record", {"consultation_id": cid, "on": True})
    assert asked["state"] == "requested"
    status, made = await call["http"].post(f"/api/consultations/{cid}/guests", {"kind": "interpreter"})
    status, admitted = await call["anonymous"].post("/api/guests/redeem", {"code": made["code"]})
    assert admitted["recording"] == "requested"
    guest = await Peer().connect(base, guest=admitted["token"])
    peers.append(guest)
    refused = await guest.call(events.CONSULT_GUEST_JOIN, {"consultation_id": cid})
    assert refused["error"]["code"] == "conflict" and refused["error"]["details"]["reason"] == "consent_required"
    joined = await guest.call(events.CONSULT_GUEST_JOIN, {"consultation_id": cid, "consent": True})
    assert joined["recording"]["state"] == "requested" and joined["recording"]["waiting_for"] == ["kiosk", "taker"]
    # the lawyer's consent: still the kiosk's missing, and everyone in the call hears it
    status_ack = await lawyer.call("consultation.consent", {"consultation_id": cid, "consent": True})
    assert status_ack["waiting_for"] == ["kiosk"]
    # the guest withdraws: the request is over
    withdrawn = await guest.call("consultation.consent", {"consultation_id": cid, "consent": False})
    assert withdrawn["state"] == "off" and withdrawn["reason"] == "declined"
    heard = await guest.next(events.CONSULT_RECORDING)
    assert heard["state"] == "off"
    assert (await k.next(events.CONSULT_RECORDING))["state"] == "off"
