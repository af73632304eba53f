"""Retention with a moved clock: each kind is deleted once its period has passed since it was
finished, with everything hanging off it and one audit row each; a legal hold keeps its case
(and its files and chat) until released; open cases are never deleted; the audit log may be
trimmed only past 183 days, and the database itself refuses anything else."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.accounts.actor import SYSTEM
from server.accounts.models import Device, LawyerProfile
from server.applications.models import (Application, ApplicationDocument, ApplicationStep, LawyerConflict,
                                        ReturnVisit)
from server.audit.models import AuditEntry
from server.audit.service import record
from server.board.models import BoardMessage, BoardReply
from server.chat.models import ChatMessage, ChatRoom
from server.clock import FakeClock
from server.config import ConfigError
from server.consultations.models import Consultation, ConsultationEvent
from server.db import Database
from server.files.models import FileQuota, StoredFile
from server.org.models import Unit, UnitKind
from server.retention.job import run_once
from server.retention.models import LegalHold
from server.retention.policy import RetentionPolicy
from server.retention.purge import Places

DEFAULT = RetentionPolicy.from_env({})


def places(tmp_path: Path) -> Places:
    return Places(files_root=tmp_path / "files", recordings_root=tmp_path / "recordings")


async def attach_file(session, tmp_path: Path, kind: str, parent_id: int, at: datetime, tag: str) -> Path:  # type: ignore[no-untyped-def]
    key = f"{tag:0>32}"[-32:]
    path = tmp_path / "files" / key[:2] / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 " + tag.encode())
    session.add(StoredFile(key=key, parent_kind=kind, parent_id=parent_id, name=f"{tag}.pdf", type="pdf",
                           mime="application/pdf", size_bytes=path.stat().st_size, sha256="0" * 64, state="clean",
                           uploaded_by="device:1", uploaded_at=at))
    session.add(FileQuota(parent_kind=kind, parent_id=parent_id, file_count=1, size_bytes=path.stat().st_size))
    return path


async def consultation(session, tmp_path: Path, now: datetime, *, state: str = "ended", tag: str) -> tuple[int, Path]:  # type: ignore[no-untyped-def]
    """A finished consultation with an event, a chat message and a file."""
    device = await session.scalar(select(Device).order_by(Device.id))
    c = Consultation(device_id=device.id, unit_id=device.unit_id, target_unit_id=device.unit_id, category="other",
                     state=state, queued_at=now, ended_at=now if state == "ended" else None,
                     contact_phone="13812345678", resident_text="欠薪")
    session.add(c)
    await session.flush()
    session.add(ConsultationEvent(consultation_id=c.id, at=now, kind="ended"))
    room = ChatRoom(kind="consultation", ref_id=c.id, last_seq=1)
    session.add(room)
    await session.flush()
    session.add(ChatMessage(room_id=room.id, seq=1, sender="device:1", client_id=tag, text=f"chat {tag}", at=now))
    return c.id, await attach_file(session, tmp_path, "consultation", c.id, now, tag)


async def board_message(session, now: datetime, *, state: str = "closed") -> int:  # type: ignore[no-untyped-def]
    unit = await session.scalar(select(Unit).where(Unit.kind == UnitKind.station))
    m = BoardMessage(unit_id=unit.id, target_unit_id=unit.id, category="other", question="工資", source="staff",
                     state=state, created_at=now, closed_at=now if state == "closed" else None)
    session.add(m)
    await session.flush()
    account = await session.scalar(text("SELECT id FROM accounts ORDER BY id LIMIT 1"))
    session.add(BoardReply(message_id=m.id, account_id=account, author_name="x", unit_id=unit.id, body="答",
                           created_at=now))
    return m.id


async def application(session, now: datetime, *, state: str) -> int:  # type: ignore[no-untyped-def]
    center = await session.scalar(select(Unit).where(Unit.kind == UnitKind.center))
    a = Application(state=state, unit_id=center.id, review_unit_id=center.id, center_id=center.id,
                    created_by="account:1", created_at=now, updated_at=now, id_number="110101199001011234")
    session.add(a)
    await session.flush()
    step = ApplicationStep(application_id=a.id, at=now, action="decide", to_state=state, actor="account:1")
    session.add(step)
    await session.flush()
    # a document printed at that step, and a return visit: both go with the case file
    session.add(ApplicationDocument(application_id=a.id, kind="decision", step_id=step.id, issued_at=now,
                                    issued_by="account:1", content={}))
    session.add(ReturnVisit(application_id=a.id, visited_on=now.date(), channel="phone", outcome="满意",
                            recorded_at=now, recorded_by="account:1"))
    return a.id


async def conflict_declared(session, application_id: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """A lawyer's conflict of interest declared on an application: kept as long as its case file."""
    lawyer = await session.scalar(select(LawyerProfile.id).order_by(LawyerProfile.id))
    session.add(LawyerConflict(lawyer_id=lawyer, application_id=application_id, party="applicant",
                               party_name="王某", name_key="王某", id_number="110101199001011234", declared_at=now,
                               declared_by="account:1"))


async def deletions(session) -> set[str]:  # type: ignore[no-untyped-def]
    rows = await session.scalars(select(AuditEntry.object).where(AuditEntry.action == "retention.delete"))
    return set(rows)


async def test_each_kind_goes_after_its_period_unless_held_or_open(db: Database, demo: dict, clock: FakeClock,
                                                                  tmp_path: Path) -> None:
    start = clock.now()
    async with db.sessions.begin() as session:
        old, old_file = await consultation(session, tmp_path, start, tag="old")
        held, held_file = await consultation(session, tmp_path, start, tag="held")
        live, live_file = await consultation(session, tmp_path, start, state="live", tag="live")
        closed_board = await board_message(session, start)
        open_board = await board_message(session, start, state="open")
        denied = await application(session, start, state="denied")
        in_progress = await application(session, start, state="in_progress")
        for case in (denied, in_progress):
            await conflict_declared(session, case, start)
        session.add(LegalHold(kind="consultation", ref_id=held, reason="complaint pending", set_by="account:1",
                              set_at=start))
    clock.advance(days=3 * 365 - 1)
    async with db.sessions.begin() as session:
        late, late_file = await consultation(session, tmp_path, clock.now(), tag="late")

    assert await run_once(db.sessions, policy=DEFAULT, places=places(tmp_path), now=clock.now()) == {}
    clock.advance(days=2)  # 3 years and a day after the first ones ended
    deleted = await run_once(db.sessions, policy=DEFAULT, places=places(tmp_path), now=clock.now())
    # the denied application has 30 years; the live consultation stays, but its file's period
    # counts from its upload
    assert deleted == {"consultations": 1, "board": 1, "files": 1}

    async with db.sessions() as session:
        assert await session.get(Consultation, old) is None
        assert await session.scalar(select(func.count()).select_from(ConsultationEvent)
                                    .where(ConsultationEvent.consultation_id == old)) == 0
        assert await session.scalar(select(func.count()).select_from(ChatRoom).where(ChatRoom.ref_id == old)) == 0
        assert set(await session.scalars(select(ChatMessage.text))) == {"chat held", "chat live", "chat late"}
        assert await session.scalar(select(func.count()).select_from(StoredFile)
                                    .where(StoredFile.parent_id == old, StoredFile.parent_kind == "consultation")) == 0
        for kept in (held, live, late):
            assert await session.get(Consultation, kept) is not None
        assert await session.get(BoardMessage, closed_board) is None
        assert await session.scalar(select(func.count()).select_from(BoardReply)
                                    .where(BoardReply.message_id == closed_board)) == 0
        assert await session.get(BoardMessage, open_board) is not None
        assert await session.get(Application, denied) is not None
        live_file_id = await session.scalar(select(func.min(AuditEntry.object)).where(AuditEntry.object.startswith("file:")))
        assert await deletions(session) == {f"consultation:{old}", f"board:{closed_board}", live_file_id}
    assert not old_file.exists() and not live_file.exists() and held_file.exists() and late_file.exists()

    # the hold released: the next round takes it; the application's period ends 30 years on
    async with db.sessions.begin() as session:
        hold = await session.scalar(select(LegalHold))
        hold.released_at = clock.now()
    shorter = RetentionPolicy.from_env({"FAYUAN_RETENTION_DAYS_APPLICATIONS": "1000"})
    deleted = await run_once(db.sessions, policy=shorter, places=places(tmp_path), now=clock.now())
    assert deleted == {"consultations": 1, "applications": 1}
    async with db.sessions() as session:
        assert await session.get(Consultation, held) is None and not held_file.exists()
        assert await session.get(Application, denied) is None
        assert await session.get(Application, in_progress) is not None
        for part in (ApplicationStep, ApplicationDocument, ReturnVisit, LawyerConflict):
            assert await session.scalar(select(func.count()).select_from(part)
                                        .where(part.application_id == denied)) == 0, part
            assert await session.scalar(select(func.count()).select_from(part)
                                        .where(part.application_id == in_progress)) == 1, part


async def test_files_may_go_before_their_case_and_give_back_their_quota(db: Database, demo: dict,
                                                                       clock: FakeClock, tmp_path: Path) -> None:
    async with db.sessions.begin() as session:
        cid, path = await consultation(session, tmp_path, clock.now(), tag="evidence")
        held, held_path = await consultation(session, tmp_path, clock.now(), tag="heldfile")
        session.add(LegalHold(kind="consultation", ref_id=held, reason="court order", set_by="account:1",
                              set_at=clock.now()))
    policy = RetentionPolicy.from_env({"FAYUAN_RETENTION_DAYS_FILES": "30"})
    clock.advance(days=31)
    assert await run_once(db.sessions, policy=policy, places=places(tmp_path), now=clock.now()) == {"files": 1}
    async with db.sessions() as session:
        assert await session.get(Consultation, cid) is not None  # the record has its own period
        quota = await session.get(FileQuota, ("consultation", cid))
        assert (quota.file_count, quota.size_bytes) == (0, 0)
        assert any(o.startswith("file:") for o in await deletions(session))
    assert not path.exists() and held_path.exists()


@pytest.fixture
async def long_ago_clock(db: Database) -> FakeClock:
    """Audit rows the database's own clock sees as older than 183 days: 400 days before the
    database's now (its server need not share this process's clock: under faketime it does not)."""
    async with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            now = (await conn.execute(text("SELECT now()"))).scalar_one()
        else:
            now = datetime.fromisoformat((await conn.execute(text("SELECT datetime('now')"))).scalar_one())
    return FakeClock(now.replace(tzinfo=now.tzinfo or timezone.utc) - timedelta(days=400))


async def test_the_audit_log_is_trimmed_only_past_its_period(db: Database, long_ago_clock: FakeClock,
                                                             tmp_path: Path) -> None:
    clock = long_ago_clock
    async with db.sessions.begin() as session:
        record(session, at=clock.now(), actor=SYSTEM, action="test.old")
        record(session, at=clock.now() + timedelta(days=100), actor=SYSTEM, action="test.newer")
    clock.advance(days=200)
    policy = RetentionPolicy.from_env({"FAYUAN_RETENTION_DAYS_AUDIT": "183"})
    assert await run_once(db.sessions, policy=policy, places=places(tmp_path), now=clock.now()) == {"audit": 1}
    async with db.sessions() as session:
        actions = set(await session.scalars(select(AuditEntry.action)))
        assert actions == {"test.newer", "retention.delete"}
        detail = await session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "retention.delete"))
        assert detail.startswith("1 rows older than")


async def test_the_database_refuses_deleting_young_audit_rows_and_any_update(db: Database, clock: FakeClock,
                                                                            long_ago_clock: FakeClock) -> None:
    async with db.sessions.begin() as session:
        record(session, at=datetime.now(timezone.utc), actor=SYSTEM, action="test.young")
        record(session, at=long_ago_clock.now(), actor=SYSTEM, action="test.old")
    for statement in ("DELETE FROM audit_log WHERE action = 'test.young'", "DELETE FROM audit_log",
                      "UPDATE audit_log SET detail = 'x' WHERE action = 'test.old'"):
        with pytest.raises((DBAPIError, IntegrityError)):
            async with db.sessions.begin() as session:
                await session.execute(text(statement))
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 2


async def test_the_database_keeps_183_days_behind_the_newest_audit_row_whatever_the_clock(
        db: Database, long_ago_clock: FakeClock) -> None:
    """Rows old by the wall clock but within 183 days of the log's newest row stay: a machine
    whose clock jumped ahead cannot open the recent history."""
    async with db.sessions.begin() as session:
        record(session, at=long_ago_clock.now(), actor=SYSTEM, action="test.oldest")
        record(session, at=long_ago_clock.now() + timedelta(days=100), actor=SYSTEM, action="test.newest")
    with pytest.raises((DBAPIError, IntegrityError), match="append-only"):
        async with db.sessions.begin() as session:
            await session.execute(text("DELETE FROM audit_log WHERE action = 'test.oldest'"))
    async with db.sessions.begin() as session:
        record(session, at=long_ago_clock.now() + timedelta(days=200), actor=SYSTEM, action="test.later")
    async with db.sessions.begin() as session:  # now 200 days behind the newest: it may go
        await session.execute(text("DELETE FROM audit_log WHERE action = 'test.oldest'"))
    async with db.sessions() as session:
        assert set(await session.scalars(select(AuditEntry.action))) == {"test.newest", "test.later"}


@pytest.mark.parametrize("env, variable", [
    ({"FAYUAN_RETENTION_DAYS_AUDIT": "182"}, "FAYUAN_RETENTION_DAYS_AUDIT"),
    ({"FAYUAN_RETENTION_DAYS_FILES": "0"}, "FAYUAN_RETENTION_DAYS_FILES"),
    ({"FAYUAN_RETENTION_DAYS_BOARD": "two years"}, "FAYUAN_RETENTION_DAYS_BOARD"),
])
def test_bad_retention_settings_name_their_variable(env: dict, variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RetentionPolicy.from_env(env)
    assert caught.value.variable == variable


async def test_legal_holds_over_http_are_admin_only_and_audited(db: Database, demo: dict, clock: FakeClock,
                                                                new_api, tmp_path: Path) -> None:
    async with db.sessions.begin() as session:
        cid, _ = await consultation(session, tmp_path, clock.now(), tag="http")
    admin, staff = new_api(), new_api()
    await admin.login("admin")
    await staff.login("center")
    body = {"kind": "consultation", "ref_id": cid, "reason": "投訴處理中"}
    status, refused = await staff.post("/api/legal-holds", body)
    assert status == 403 and refused["error"]["code"]
    status, hold = await admin.post("/api/legal-holds", body)
    assert status == 201 and hold["kind"] == "consultation" and hold["released_at"] is None
    assert (await admin.post("/api/legal-holds", body))[0] == 409
    assert (await admin.post("/api/legal-holds", {**body, "ref_id": 999_999}))[0] == 404
    assert (await admin.post("/api/legal-holds", {**body, "kind": "meeting"}))[0] == 400
    status, listed = await admin.get("/api/legal-holds")
    assert status == 200 and [h["id"] for h in listed] == [hold["id"]]
    status, released = await admin.post(f"/api/legal-holds/{hold['id']}/release", {"reason": "已結案"})
    assert status == 200 and released["released_at"]
    assert (await admin.get("/api/legal-holds"))[1] == []
    assert (await admin.post(f"/api/legal-holds/{hold['id']}/release", {"reason": "again"}))[0] == 409
    async with db.sessions() as session:
        rows = (await session.execute(select(AuditEntry.action, AuditEntry.object, AuditEntry.detail)
                                      .where(AuditEntry.action.startswith("legal_hold.")))).all()
    assert {(a, o) for a, o, _ in rows} == {("legal_hold.set", f"consultation:{cid}"),
                                           ("legal_hold.release", f"consultation:{cid}")}
    assert any("投訴處理中" in d for _, _, d in rows)
