"""What the retention job deletes, kind by kind: the cases finished longer ago than their
period and not under a legal hold, with everything that hangs off them, one audit row each.

Bytes on disk are removed only after the transaction that deleted their rows commits
(`Purge.paths`): a rolled-back batch then leaves rows with their files, never rows without."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Awaitable, Callable

from sqlalchemy import Select, delete, func, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import SYSTEM, Actor
from server.applications.models import (Application, ApplicationDocument, ApplicationStep, LawyerConflict,
                                        ReturnVisit)
from server.applications.state import ApplicationState
from server.audit.models import AuditEntry
from server.audit.service import record
from server.board.models import BoardEvent, BoardMessage, BoardReply, PublicAnswer
from server.board.state import BoardState
from server.chat.models import ChatMessage, ChatRoom
from server.consultations.models import Consultation, ConsultationEvent, ConsultationGuest
from server.consultations.state import ConsultationState
from server.files.models import FileQuota, StoredFile
from server.recordings.models import Recording
from server.retention.policy import Kind, RetentionPolicy
from server.retention.service import HoldKind, held_ids

BATCH_CASES = 200  # per kind and transaction: a long backlog is worked off in short transactions
FINISHED_CONSULTATIONS = (ConsultationState.ended, ConsultationState.cancelled, ConsultationState.moved_to_board)
FINISHED_APPLICATIONS = (ApplicationState.rejected, ApplicationState.denied, ApplicationState.closed,
                         ApplicationState.follow_up)
FILE_KINDS = (HoldKind.consultation, HoldKind.board)  # an application's files go with the application


@dataclass(frozen=True)
class Places:
    files_root: Path  # <data dir>/files
    recordings_root: Path  # <data dir>/recordings

    @classmethod
    def under(cls, data_dir: Path) -> Places:
        return cls(files_root=data_dir / "files", recordings_root=data_dir / "recordings")


@dataclass
class Purge:
    """One transaction's work: what was deleted, and the files to unlink once it commits."""

    now: datetime
    policy: RetentionPolicy
    places: Places
    deleted: dict[str, int] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)
    actor: Actor = SYSTEM
    action: str = "retention.delete"
    why: str = ""  # the reason given, when a person (not the clock) asked

    def cutoff(self, kind: Kind) -> datetime:
        return self.now - self.policy.period(kind)

    def audit(self, session: AsyncSession, kind: Kind, obj: str, detail: str) -> None:
        self.deleted[kind.value] = self.deleted.get(kind.value, 0) + 1
        because = self.why or f"kept {self.policy.period(kind).days} days"
        record(session, at=self.now, actor=self.actor, action=self.action, object=obj, detail=f"{detail}; {because}")

    def unlink_all(self) -> None:
        for path in self.paths:
            path.unlink(missing_ok=True)


async def drop_files(session: AsyncSession, purge: Purge, kind: str, parent_id: int) -> None:
    """A deleted case's files, rows and quota; their bytes once the transaction commits."""
    for f in await session.scalars(select(StoredFile).where(StoredFile.parent_kind == kind,
                                                            StoredFile.parent_id == parent_id)):
        purge.paths += file_paths(purge.places, f)
    await session.execute(delete(StoredFile).where(StoredFile.parent_kind == kind, StoredFile.parent_id == parent_id))
    await session.execute(delete(FileQuota).where(FileQuota.parent_kind == kind, FileQuota.parent_id == parent_id))


def file_paths(places: Places, f: StoredFile) -> list[Path]:
    folder = places.files_root / f.key[:2]
    return [folder / f.key] + ([folder / f"{f.key}.thumb.jpg"] if f.has_thumbnail else [])


async def drop_chat(session: AsyncSession, kind: str, ref_id: int) -> None:
    room = select(ChatRoom.id).where(ChatRoom.kind == kind, ChatRoom.ref_id == ref_id).scalar_subquery()
    await session.execute(delete(ChatMessage).where(ChatMessage.room_id == room))
    await session.execute(delete(ChatRoom).where(ChatRoom.kind == kind, ChatRoom.ref_id == ref_id))


async def drop_consultation(session: AsyncSession, purge: Purge, cid: int) -> None:
    """A consultation and what hangs off it: events, chat, files, recordings. A board message
    made from it stays (it has its own period) and forgets where it came from."""
    await drop_files(session, purge, HoldKind.consultation, cid)
    await drop_chat(session, HoldKind.consultation, cid)
    for r in await session.scalars(select(Recording).where(Recording.parent_kind == HoldKind.consultation,
                                                           Recording.parent_id == cid)):
        purge.paths.append(purge.places.recordings_root / r.key)
    await session.execute(delete(Recording).where(Recording.parent_kind == HoldKind.consultation,
                                                  Recording.parent_id == cid))
    await session.execute(update(BoardMessage).where(BoardMessage.consultation_id == cid).values(consultation_id=None))
    await session.execute(delete(ConsultationEvent).where(ConsultationEvent.consultation_id == cid))
    await session.execute(delete(ConsultationGuest).where(ConsultationGuest.consultation_id == cid))
    await session.execute(delete(Consultation).where(Consultation.id == cid))


async def drop_board_message(session: AsyncSession, purge: Purge, mid: int) -> None:
    await drop_files(session, purge, HoldKind.board, mid)
    for model in (BoardReply, BoardEvent, PublicAnswer):
        await session.execute(delete(model).where(model.message_id == mid))
    await session.execute(delete(BoardMessage).where(BoardMessage.id == mid))


async def drop_application(session: AsyncSession, purge: Purge, aid: int) -> None:
    await drop_files(session, purge, HoldKind.application, aid)
    # the documents as issued point at their steps: they go first
    for part in (ApplicationDocument, ReturnVisit, ApplicationStep):
        await session.execute(delete(part).where(part.application_id == aid))
    # a conflict of interest declared on it is remembered as long as the case file is kept
    await session.execute(delete(LawyerConflict).where(LawyerConflict.application_id == aid))
    await session.execute(delete(Application).where(Application.id == aid))


Drop = Callable[[AsyncSession, "Purge", int], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    """How one kind of case is deleted, and what its audit row says went with it."""

    kind: Kind
    drop: Drop
    what: str


CASES = {
    HoldKind.consultation: Case(Kind.consultations, drop_consultation, "record, events, chat, files, recordings"),
    HoldKind.board: Case(Kind.board, drop_board_message, "message, replies, events, public answer, files"),
    HoldKind.application: Case(Kind.applications, drop_application, "form, steps, documents issued, return visits, files, conflicts declared on it"),
}


async def drop_case(session: AsyncSession, purge: Purge, hold: HoldKind, case_id: int) -> None:
    case = CASES[hold]
    await case.drop(session, purge, case_id)
    purge.audit(session, case.kind, f"{hold.value}:{case_id}", case.what)


async def finished_cases(session: AsyncSession, purge: Purge, hold: HoldKind, ids: Select[int]) -> int:
    """Delete up to a batch of the cases `ids` selects, skipping held ones, one audit row each."""
    held = await held_ids(session, hold)
    done = 0
    for case_id in [i for i in await session.scalars(ids) if i not in held][:BATCH_CASES]:
        await drop_case(session, purge, hold, case_id)
        done += 1
    return done


async def consultations(session: AsyncSession, purge: Purge) -> int:
    """Finished consultations past their period; one an application still cites is kept as long
    as the application (its evidence), and a held one until its hold is released."""
    cited = union(select(Application.consultation_id).where(Application.consultation_id.is_not(None)),
                  select(Application.review_consultation_id).where(Application.review_consultation_id.is_not(None)))
    finished_at = func.coalesce(Consultation.ended_at, Consultation.queued_at)
    ids = (select(Consultation.id)
           .where(Consultation.state.in_(FINISHED_CONSULTATIONS), finished_at < purge.cutoff(Kind.consultations),
                  Consultation.id.not_in(select(cited.subquery().c[0])))
           .order_by(Consultation.id))
    return await finished_cases(session, purge, HoldKind.consultation, ids)


async def board_messages(session: AsyncSession, purge: Purge) -> int:
    ids = select(BoardMessage.id).where(BoardMessage.state == BoardState.closed,
                                        BoardMessage.closed_at < purge.cutoff(Kind.board)).order_by(BoardMessage.id)
    return await finished_cases(session, purge, HoldKind.board, ids)


async def applications(session: AsyncSession, purge: Purge) -> int:
    ids = select(Application.id).where(Application.state.in_(FINISHED_APPLICATIONS),
                                       Application.updated_at < purge.cutoff(Kind.applications)).order_by(Application.id)
    return await finished_cases(session, purge, HoldKind.application, ids)


async def files(session: AsyncSession, purge: Purge) -> int:
    """Files of consultations and board messages past the files period, even while their case
    is kept longer (each place given back to the parent's quota)."""
    held = {kind: await held_ids(session, kind) for kind in FILE_KINDS}
    candidates = await session.scalars(
        select(StoredFile).where(StoredFile.parent_kind.in_(FILE_KINDS),
                                 StoredFile.uploaded_at < purge.cutoff(Kind.files)).order_by(StoredFile.id))
    done = 0
    for f in [f for f in candidates if f.parent_id not in held[HoldKind(f.parent_kind)]][:BATCH_CASES]:
        purge.paths += file_paths(purge.places, f)
        await session.execute(update(FileQuota).where(FileQuota.parent_kind == f.parent_kind,
                                                      FileQuota.parent_id == f.parent_id)
                              .values(file_count=FileQuota.file_count - 1,
                                      size_bytes=FileQuota.size_bytes - f.size_bytes))
        await session.execute(delete(StoredFile).where(StoredFile.id == f.id))
        purge.audit(session, Kind.files, f"file:{f.id}", f"of {f.parent_kind}:{f.parent_id}")
        done += 1
    return done


async def audit_log(session: AsyncSession, purge: Purge) -> int:
    """Audit rows past their period, in one statement, and one row that says so."""
    cutoff = purge.cutoff(Kind.audit)
    count = await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff))
    if not count:
        return 0
    # written first: the database lets a row go only 183 days behind the log's newest one
    purge.audit(session, Kind.audit, "audit_log", f"{count} rows older than {cutoff.isoformat()}")
    await session.flush()
    await session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    purge.deleted[Kind.audit.value] = int(count)
    return int(count)


PURGES = {Kind.consultations: consultations, Kind.board: board_messages, Kind.applications: applications,
          Kind.files: files, Kind.audit: audit_log}
