"""A resident's history beside the consultation being handled (issue 17, item 4): earlier
consultations, board messages and applications of the same kiosk or contact, as far as the
reader's part of the unit tree allows, masked in the list, each full read audited, never for a
kiosk. Through the real gateway and HTTP API, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.audit.models import AuditEntry
from tests.sockets import kiosk, staff
from tests.support import Api

PHONE = "13812345678"
ID_NUMBER = "110105195003071230"  # valid: born 1950-03-07, a man


@pytest.fixture
async def base(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.make_url("")).rstrip("/")


async def consult(base: str, token: str, taker: str, peers: list, **start: str) -> tuple:  # type: ignore[type-arg]
    """A consultation from the kiosk to its station, taken by `taker`: (consultation id, kiosk, taker)."""
    k = await kiosk(base, token)
    t = await staff(base, taker)
    peers += [k, t]
    started = await k.call("consultation.start", {"category": "wages_labour", "target": "station", **start})
    cid = started["consultation"]["id"]
    took = await t.call("queue.take", {"consultation_id": cid})
    assert took["consultation"]["state"] == "live", took
    return cid, k, t


async def earlier_consultation(base: str, token: str, peers: list) -> int:  # type: ignore[type-arg]
    """Consulted, noted, hung up and rated with a comment, as the resident of the history."""
    cid, k, t = await consult(base, token, "east", peers, text=f"老板欠薪三个月，我的电话{PHONE}",
                              contact_name="王秀英", contact_phone=PHONE)
    await t.call("consultation.note", {"consultation_id": cid, "note": "欠薪三个月", "advice": "申请劳动仲裁"})
    await t.call("consultation.hangup", {"consultation_id": cid})
    rated = await k.call("consultation.rate", {"consultation_id": cid, "rating": 4, "comment": "律师很耐心"})
    assert rated["consultation"]["rating"] == 4
    told = await t.next("consultation.rated")
    assert told == {"consultation_id": cid}  # the id only: the comment comes with the audited read
    await k.close()
    await t.close()
    return cid


async def leave_board_message(base: str, token: str) -> int:
    k = Api(base)
    k.bearer = token
    status, left = await k.post("/api/board/messages", {
        "category": "wages_labour", "question": "工资还是没有发，怎么办？", "contact_name": "王秀英",
        "contact_phone": PHONE, "target": "station"})
    assert status == 201, left
    await k.close()
    return left["id"]


async def file_application(new_api, unit_id: int) -> int:  # type: ignore[no-untyped-def]
    heping = new_api()
    await heping.login("heping")
    status, filed = await heping.post("/api/applications", {
        "unit_id": unit_id, "applicant_name": "王秀英", "applicant_sex": "male", "id_number": ID_NUMBER,
        "phone": PHONE, "category": "wages_labour", "summary": f"讨要工资，身份证{ID_NUMBER}",
        "hardship_grounds": ["disability"]})
    assert status == 201, filed
    return filed["id"]


async def test_the_taker_sees_the_kiosks_and_the_contacts_history_masked_and_reads_it_audited(
        base, demo, peers, new_api, db) -> None:  # type: ignore[no-untyped-def]
    token = demo["kiosks"][0]["token"]  # C-EAST-1, whose station is S-EAST
    before = await earlier_consultation(base, token, peers)
    message = await leave_board_message(base, token)
    east = new_api()
    await east.login("east")
    _, units = await east.get("/api/units")
    application = await file_application(new_api, next(u["id"] for u in units if u["code"] == "C-EAST-1"))

    now, _, taker = await consult(base, token, "east", peers)  # the same kiosk; this resident gave no phone
    status, history = await east.get(f"/api/consultations/{now}/history")
    assert status == 200, history
    assert [c["id"] for c in history["consultations"]] == [before]
    row = history["consultations"][0]
    assert row["matched"] == ["kiosk"] and row["rating"] == 4 and row["state"] == "ended"
    assert row["phone_masked"] == "138****5678" and row["contact_name_masked"] == "王**"
    assert row["summary"] == "欠薪三个月"  # the note, where the taker wrote one
    assert [m["id"] for m in history["board"]] == [message]
    assert history["applications"] == []  # applications name no kiosk: only a phone leads to them
    assert PHONE not in str(history) and "王秀英" not in str(history)
    await taker.call("consultation.hangup", {"consultation_id": now})

    # the same phone, typed with separators this time
    again, _, _ = await consult(base, token, "east", peers, contact_phone="138-1234 5678", text="还是工资的事")
    status, history = await east.get(f"/api/consultations/{again}/history")
    assert status == 200, history
    assert [c["id"] for c in history["consultations"]] == [now, before]
    assert history["consultations"][1]["matched"] == ["kiosk", "phone"]
    (filed,) = history["applications"]
    assert filed["id"] == application and filed["matched"] == ["phone"]
    assert filed["id_number_masked"] == "110105************" and filed["summary"] == "讨要工资，身份证***"
    assert PHONE not in str(history) and ID_NUMBER not in str(history)

    status, full = await east.get(f"/api/consultations/{again}/history/consultation/{before}")
    assert status == 200, full
    assert full["phone"] == PHONE and full["contact_name"] == "王秀英" and full["rating_comment"] == "律师很耐心"
    assert full["text"].endswith(PHONE) and full["answer"] == "申请劳动仲裁" and full["rating"] == 4
    status, full_application = await east.get(f"/api/consultations/{again}/history/application/{application}")
    assert status == 200 and full_application["id_number"] == ID_NUMBER
    status, full_message = await east.get(f"/api/consultations/{again}/history/board/{message}")
    assert status == 200 and full_message["phone"] == PHONE

    async with db.sessions() as session:
        reads = list(await session.execute(
            select(AuditEntry.object, AuditEntry.actor_name, AuditEntry.detail)
            .where(AuditEntry.action == "personal_data.read", AuditEntry.detail.startswith("history"))
            .order_by(AuditEntry.id)))
    assert [tuple(r) for r in reads] == [
        (f"consultation:{before}", "东城工作站 陈静", f"history of consultation:{again}"),
        (f"application:{application}", "东城工作站 陈静", f"history of consultation:{again}"),
        (f"board_message:{message}", "东城工作站 陈静", f"history of consultation:{again}")]

    # an item that exists but is not this resident's history is not found through it
    status, _ = await east.get(f"/api/consultations/{before}/history/consultation/{again}")
    assert status == 404
    status, _ = await east.get(f"/api/consultations/{again}/history/other/{before}")
    assert status == 404


async def test_another_unit_tree_sees_none_of_this_trees_history(base, demo, peers, new_api) -> None:  # type: ignore[no-untyped-def]
    token = demo["kiosks"][0]["token"]  # C-EAST-1
    before = await earlier_consultation(base, token, peers)
    message = await leave_board_message(base, token)
    east = new_api()
    await east.login("east")
    _, units = await east.get("/api/units")
    east_unit = {u["code"]: u["id"] for u in units}
    await file_application(new_api, east_unit["C-EAST-1"])

    # handed over to the west station, whose staff take it there
    now, _, t = await consult(base, token, "east", peers, contact_phone=PHONE)
    west_id = (await staff_units(new_api))["S-WEST"]
    moved = await t.call("consultation.transfer", {"consultation_id": now, "unit_id": west_id, "reason": "管辖"})
    assert moved["consultation"]["state"] == "queued", moved
    west_socket = await staff(base, "west")
    peers.append(west_socket)
    took = await west_socket.call("queue.take", {"consultation_id": now})
    assert took["consultation"]["state"] == "live", took

    west = new_api()
    await west.login("west")
    status, history = await west.get(f"/api/consultations/{now}/history")
    assert status == 200, history
    assert history == {"consultation_id": now, "consultations": [], "board": [], "applications": []}
    for path in (f"consultation/{before}", f"board/{message}"):
        status, body = await west.get(f"/api/consultations/{now}/history/{path}")
        assert status == 404, body
    # nor may the west ask for the history of a consultation of the east's
    status, _ = await west.get(f"/api/consultations/{before}/history")
    assert status == 403
    # a center lawyer reads only what they took: none of this
    lawyer = new_api()
    await lawyer.login("lawyer1")
    status, _ = await lawyer.get(f"/api/consultations/{now}/history")
    assert status == 403


async def staff_units(new_api) -> dict[str, int]:  # type: ignore[no-untyped-def]
    center = new_api()
    await center.login("center")
    _, units = await center.get("/api/units")
    return {u["code"]: u["id"] for u in units}


async def test_a_kiosk_gets_no_history(base, demo, peers, new_api) -> None:  # type: ignore[no-untyped-def]
    token = demo["kiosks"][0]["token"]
    before = await earlier_consultation(base, token, peers)
    now, _, _ = await consult(base, token, "east", peers)
    k = new_api()
    k.bearer = token
    for path in (f"/api/consultations/{now}/history", f"/api/consultations/{now}/history/consultation/{before}"):
        status, body = await k.get(path)
        assert status == 403 and body["error"]["code"] == "forbidden", body


async def test_a_proposed_lawyer_sees_the_application_listed_but_not_its_personal_data(
        base, world, peers, new_api) -> None:  # type: ignore[no-untyped-def]
    """A lawyer sees the applications they were proposed for; the applicant's ID number and
    phone only once they have confirmed no conflict — through the history too."""
    from tests.route_table import application_in
    from tests.sockets import lawyer_on_duty

    proposed = await application_in(world, "C-EAST-1", "approved")  # phone 13812345678, lawyer1 proposed
    filed_elsewhere = await application_in(world, "C-WEST-1", "draft")  # the same phone: lawyer1 is not on it
    center = new_api()
    await center.login("center")
    lawyer = await lawyer_on_duty(base, center, "lawyer1", "2026-11-30")
    k = await kiosk(base, world.kiosk_tokens["C-EAST-1"])
    peers += [lawyer, k]
    started = await k.call("consultation.start", {"category": "elder_support", "contact_phone": PHONE})
    took = await lawyer.call("queue.take", {"consultation_id": started["consultation"]["id"]})
    cid = took["consultation"]["id"]

    api = new_api()
    await api.login("lawyer1")
    status, history = await api.get(f"/api/consultations/{cid}/history")
    assert status == 200, history
    assert [a["id"] for a in history["applications"]] == [proposed] and filed_elsewhere != proposed
    assert history["applications"][0]["id_number_masked"] == "110105************"
    status, body = await api.get(f"/api/consultations/{cid}/history/application/{proposed}")
    assert status == 403 and body["error"]["details"]["reason"] == "not_assigned", body
