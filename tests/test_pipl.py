"""A resident's export and erasure (PIPL) over HTTP, with a moved clock: everything found by
phone or ID number is exported (JSON and the files' bytes) and erased where no retention duty
or hold applies; what is kept says why; both acts are audited with the reason, and the phone or
ID number asked about appears in no audit row."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from sqlalchemy import select

from server.applications.models import Application
from server.audit.models import AuditEntry
from server.board.models import BoardMessage
from server.chat.models import ChatMessage
from server.clock import FakeClock
from server.consultations.models import Consultation
from server.accounts.models import LawyerProfile
from server.applications.models import LawyerConflict
from server.db import Database
from server.retention.models import LegalHold
from tests.test_retention import application, board_message, consultation

PHONE, ID_NUMBER = "13812345678", "110101199001011234"


async def person_cases(db: Database, tmp_path: Path, clock: FakeClock) -> dict[str, int]:
    async with db.sessions.begin() as session:
        ended, file_path = await consultation(session, tmp_path, clock.now(), tag="resident")
        held, _ = await consultation(session, tmp_path, clock.now(), tag="heldcase")
        live, _ = await consultation(session, tmp_path, clock.now(), state="live", tag="livecase")
        other, _ = await consultation(session, tmp_path, clock.now(), tag="someoneelse")
        (await session.get(Consultation, other)).contact_phone = "13900000000"
        (await session.get(Consultation, ended)).contact_phone = "138-1234-5678"  # as people write it
        board = await board_message(session, clock.now())
        (await session.get(BoardMessage, board)).contact_phone = PHONE
        denied = await application(session, clock.now(), state="denied")
        session.add(LegalHold(kind="consultation", ref_id=held, reason="complaint", set_by="account:1",
                              set_at=clock.now()))
    return {"ended": ended, "held": held, "live": live, "other": other, "board": board, "denied": denied,
            "file": file_path}  # type: ignore[dict-item]


async def audit_text(db: Database) -> str:
    async with db.sessions() as session:
        rows = (await session.execute(select(AuditEntry.action, AuditEntry.object, AuditEntry.detail))).all()
    return json.dumps([list(r) for r in rows], ensure_ascii=False)


async def test_export_holds_everything_found_and_is_audited_without_the_identifier(
        db: Database, demo: dict, clock: FakeClock, new_api, tmp_path: Path) -> None:
    cases = await person_cases(db, tmp_path, clock)
    async with db.sessions.begin() as session:  # a lawyer declined the person's case for a conflict with them
        lawyer = await session.scalar(select(LawyerProfile.id).limit(1))
        session.add(LawyerConflict(lawyer_id=lawyer, application_id=cases["denied"], party="applicant",
                                   party_name="王秀英", name_key="王秀英", id_number=ID_NUMBER, declared_at=clock.now(),
                                   declared_by="account:3"))
    admin, staff = new_api(), new_api()
    await admin.login("admin")
    await staff.login("center")
    body = {"phone": PHONE, "reason": "本人申請查閱"}
    assert (await staff.post("/api/privacy/export", body))[0] == 403
    async with admin.client.post(admin.base_url + "/api/privacy/export", json=body,
                                 headers={"X-CSRF-Token": admin.csrf}) as resp:
        assert resp.status == 200 and resp.content_type == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(await resp.read()))
    person = json.loads(archive.read("person.json"))
    assert {c["id"] for c in person["consultations"]} == {cases["ended"], cases["held"], cases["live"]}
    assert [m["id"] for m in person["board_messages"]] == [cases["board"]]
    first = next(c for c in person["consultations"] if c["id"] == cases["ended"])
    assert [m["text"] for m in first["chat"]] == ["chat resident"] and "kiosk_resume" not in first
    assert archive.read(first["files"][0]["archive_path"]) == Path(cases["file"]).read_bytes()  # type: ignore[arg-type]

    async with admin.client.post(admin.base_url + "/api/privacy/export", headers={"X-CSRF-Token": admin.csrf},
                                 json={"id_number": ID_NUMBER, "reason": "本人申請查閱"}) as resp:
        by_id = json.loads(zipfile.ZipFile(io.BytesIO(await resp.read())).read("person.json"))
    assert [a["id"] for a in by_id["applications"]] == [cases["denied"]] and by_id["consultations"] == []
    assert [(c["application_id"], c["id_number"]) for c in by_id["lawyer_conflicts"]] == [(cases["denied"], ID_NUMBER)]
    assert person["lawyer_conflicts"] == []  # found by the ID number only
    for bad in ({"reason": "x1"}, {"phone": PHONE, "id_number": ID_NUMBER, "reason": "both"},
                {"phone": "not a phone", "reason": "bad"}, {"id_number": "12345", "reason": "bad"}):
        status, error = await admin.post("/api/privacy/export", bad)
        assert status == 400 and error["error"]["code"], bad
    logged = await audit_text(db)
    assert "本人申請查閱" in logged and "privacy.export" in logged
    assert PHONE not in logged and "1234-5678" not in logged and ID_NUMBER not in logged


async def test_erase_keeps_what_a_duty_or_hold_keeps_and_says_why(db: Database, demo: dict, clock: FakeClock,
                                                                  new_api, tmp_path: Path) -> None:
    cases = await person_cases(db, tmp_path, clock)
    admin = new_api()
    await admin.login("admin")
    status, done = await admin.post("/api/privacy/erase", {"phone": PHONE, "reason": "本人要求刪除"})
    assert status == 200, done
    assert done["erased"] == {"consultations": 1, "board": 1, "applications": 0}
    kept = {(k["kind"], k["id"]): k["reason"] for k in done["kept"]}
    assert set(kept) == {("consultation", cases["held"]), ("consultation", cases["live"])}
    assert "legal hold" in kept[("consultation", cases["held"])] and "live" in kept[("consultation", cases["live"])]
    async with db.sessions() as session:
        assert await session.get(Consultation, cases["ended"]) is None
        assert await session.get(BoardMessage, cases["board"]) is None
        assert await session.get(Consultation, cases["other"]) is not None
        assert "chat resident" not in set(await session.scalars(select(ChatMessage.text)))
    assert not Path(cases["file"]).exists()  # type: ignore[arg-type]

    # the denied application is a case file: kept for its period, then erasable on request
    status, done = await admin.post("/api/privacy/erase", {"id_number": ID_NUMBER, "reason": "本人要求刪除"})
    assert done["erased"]["applications"] == 0
    assert "kept 10950 days" in done["kept"][0]["reason"] and done["kept"][0]["id"] == cases["denied"]
    clock.advance(days=10951)
    await admin.login("admin")  # the session ended with the years
    status, done = await admin.post("/api/privacy/erase", {"id_number": ID_NUMBER, "reason": "本人要求刪除"})
    assert status == 200 and done == {"erased": {"consultations": 0, "board": 0, "applications": 1}, "kept": []}
    async with db.sessions() as session:
        assert await session.get(Application, cases["denied"]) is None
    logged = await audit_text(db)
    assert logged.count("erased on request: 本人要求刪除") == 3  # one row per erased case
    assert PHONE not in logged and ID_NUMBER not in logged
