"""Finding what is held about a person, exporting it, erasing it.

A person is found by the phone or ID number they gave: applications by either, consultations
and board messages by the contact phone. Phones are compared by their digits alone, as people
write them with spaces and dashes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.applications.models import Application, ApplicationStep, LawyerConflict
from server.audit.service import record
from server.board.models import BoardMessage, BoardReply
from server.board.state import BoardState
from server.chat.models import ChatMessage, ChatRoom
from server.consultations.models import Consultation, ConsultationEvent
from server.files.models import StoredFile
from server.retention import purge
from server.retention.policy import Kind, RetentionPolicy
from server.retention.service import HoldKind, held_ids, require_center_admin

PERMISSION = "personal_data.requests"
SECRET_COLUMNS = frozenset({"kiosk_resume", "taker_resume"})  # token digests: not the person's data


@dataclass(frozen=True)
class Person:
    phone: str | None = None
    id_number: str | None = None

    @property
    def phone_digits(self) -> str:
        return digits(self.phone or "")


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@dataclass
class Matches:
    consultations: list[int] = field(default_factory=list)
    board: list[int] = field(default_factory=list)
    applications: list[int] = field(default_factory=list)

    def counts(self) -> str:
        return f"{len(self.consultations)} consultations, {len(self.board)} board messages, " \
               f"{len(self.applications)} applications"


async def _by_phone(session: AsyncSession, column: Any, id_column: Any, phone_digits: str) -> list[int]:
    if not phone_digits:
        return []
    rows = await session.execute(select(id_column, column).where(column != "").order_by(id_column))
    return [row_id for row_id, phone in rows if digits(phone) == phone_digits]


async def find(session: AsyncSession, person: Person) -> Matches:
    found = Matches()
    found.consultations = await _by_phone(session, Consultation.contact_phone, Consultation.id, person.phone_digits)
    found.board = await _by_phone(session, BoardMessage.contact_phone, BoardMessage.id, person.phone_digits)
    if person.id_number:
        found.applications = list(await session.scalars(
            select(Application.id).where(or_(Application.id_number == person.id_number.upper(),
                                             Application.id_number == person.id_number.lower()))
            .order_by(Application.id)))
    else:
        found.applications = await _by_phone(session, Application.phone, Application.id, person.phone_digits)
    return found


def as_json(row: Any) -> dict[str, Any]:
    out = {}
    for column in row.__table__.columns:
        if column.key in SECRET_COLUMNS:
            continue
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, (datetime, date)) else value
    return out


@dataclass(frozen=True)
class Export:
    data: dict[str, Any]
    files: list[tuple[str, Path]]  # (name in the archive, bytes on disk)


async def _files_of(session: AsyncSession, kind: str, parent_id: int, files_root: Path,
                    files: list[tuple[str, Path]]) -> list[dict[str, Any]]:
    listed = []
    for f in await session.scalars(select(StoredFile).where(StoredFile.parent_kind == kind,
                                                            StoredFile.parent_id == parent_id)
                                   .order_by(StoredFile.id)):
        entry = as_json(f)
        entry["archive_path"] = f"files/{f.id}-{Path(f.name).name}"
        files.append((entry["archive_path"], files_root / f.key[:2] / f.key))
        listed.append(entry)
    return listed


async def export(session: AsyncSession, actor: Actor, person: Person, *, reason: str, files_root: Path,
                 now: datetime, client_addr: str = "") -> Export:
    require_center_admin(actor, PERMISSION)
    found = await find(session, person)
    files: list[tuple[str, Path]] = []
    consultations = []
    for cid in found.consultations:
        c = await session.get(Consultation, cid)
        room = await session.scalar(select(ChatRoom.id).where(ChatRoom.kind == "consultation", ChatRoom.ref_id == cid))
        chat = [] if room is None else [as_json(m) for m in await session.scalars(
            select(ChatMessage).where(ChatMessage.room_id == room).order_by(ChatMessage.seq))]
        events = [as_json(e) for e in await session.scalars(
            select(ConsultationEvent).where(ConsultationEvent.consultation_id == cid).order_by(ConsultationEvent.id))]
        consultations.append({**as_json(c), "events": events, "chat": chat,
                              "files": await _files_of(session, "consultation", cid, files_root, files)})
    board = []
    for mid in found.board:
        m = await session.get(BoardMessage, mid)
        replies = [as_json(r) for r in await session.scalars(
            select(BoardReply).where(BoardReply.message_id == mid).order_by(BoardReply.id))]
        board.append({**as_json(m), "replies": replies, "files": await _files_of(session, "board", mid, files_root,
                                                                                 files)})
    applications = []
    for aid in found.applications:
        a = await session.get(Application, aid)
        steps = [as_json(s) for s in await session.scalars(
            select(ApplicationStep).where(ApplicationStep.application_id == aid).order_by(ApplicationStep.id))]
        applications.append({**as_json(a), "steps": steps,
                             "files": await _files_of(session, "application", aid, files_root, files)})
    # conflicts of interest lawyers declared with the person (kept by the applicant's ID number)
    conflicts = [as_json(c) for c in await session.scalars(
        select(LawyerConflict).where(LawyerConflict.id_number == person.id_number.upper())
        .order_by(LawyerConflict.id))] if person.id_number else []
    record(session, at=now, actor=actor, action="privacy.export", object="person", client_addr=client_addr,
           detail=f"{reason}; {found.counts()}, {len(files)} files")
    data = {"exported_at": now.isoformat(), "consultations": consultations, "board_messages": board,
            "applications": applications, "lawyer_conflicts": conflicts}
    return Export(data, files)


@dataclass
class Erasure:
    erased: dict[str, int]
    kept: list[dict[str, Any]]


async def erase(session: AsyncSession, actor: Actor, person: Person, *, reason: str, policy: RetentionPolicy,
                places: purge.Places, now: datetime, client_addr: str = "") -> tuple[Erasure, purge.Purge]:
    """Delete the person's finished cases that no duty keeps; the rest is listed with why. The
    caller unlinks `Purge.paths` once the transaction has committed."""
    require_center_admin(actor, PERMISSION)
    found = await find(session, person)
    work = purge.Purge(now=now, policy=policy, places=places, actor=actor, action="privacy.erase",
                       why=f"erased on request: {reason}")
    kept: list[dict[str, Any]] = []
    held = {kind: await held_ids(session, kind) for kind in HoldKind}

    async def settle(kind: HoldKind, case_id: int, duty: str | None) -> None:
        """Erase the case unless a hold or `duty` (why it must stay) keeps it."""
        why = "under a legal hold" if case_id in held[kind] else duty
        if why:
            kept.append({"kind": kind.value, "id": case_id, "reason": why})
        else:
            await purge.drop_case(session, work, kind, case_id)

    # applications first: one erased frees the consultations it cited
    period = policy.period(Kind.applications)
    for aid in found.applications:
        a = await session.get_one(Application, aid)
        duty = None
        if a.state not in purge.FINISHED_APPLICATIONS:
            duty = f"the application is still {a.state}"
        elif a.updated_at >= now - period:
            duty = (f"a legal aid case file is kept {period.days} days after it is finished: until "
                    f"{(a.updated_at + period).date().isoformat()}")
        await settle(HoldKind.application, aid, duty)
    await session.flush()
    cited = {row for pair in (await session.execute(select(Application.consultation_id,
                                                           Application.review_consultation_id))).all()
             for row in pair if row is not None}
    for cid in found.consultations:
        c = await session.get_one(Consultation, cid)
        duty = None
        if c.state not in purge.FINISHED_CONSULTATIONS:
            duty = f"the consultation is still {c.state}"
        elif cid in cited:
            duty = "an application that is kept cites it"
        await settle(HoldKind.consultation, cid, duty)
    for mid in found.board:
        m = await session.get_one(BoardMessage, mid)
        await settle(HoldKind.board, mid, None if m.state == BoardState.closed else
                     f"the message is still {m.state}: close it first")
    erased = {kind.value: work.deleted.get(kind.value, 0) for kind in (Kind.consultations, Kind.board,
                                                                      Kind.applications)}
    record(session, at=now, actor=actor, action="privacy.erase", object="person", client_addr=client_addr,
           detail=f"{reason}; found {found.counts()}; erased {erased}; kept {len(kept)}")
    return Erasure(erased, kept), work
