"""The history beside a consultation being handled: the earlier consultations of the same kiosk
or contact phone, the board messages left at that kiosk or with that phone, and the applications
of that phone (and of the ID numbers those applications give). Phones are compared by their
digits: a resident types "138 1234 5678" at one kiosk and "13812345678" at the next.

It never widens what anyone may read: each kind is filtered by its own domain's visibility rule
(consultations/records.py, board/access.py, applications/access.py), and only someone who may
read the consultation's record may ask for its history — never a kiosk, whose next user is a
stranger. A kiosk is shared, so its earlier consultations are mostly other residents': the list
is masked like every unaudited read (server/privacy.py; the text's own numbers and the contact's
name redacted), and reading one item in full is an audited read of personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.applications.access import check_may_read_personal, visible_where
from server.applications.access import visible_condition as application_visible
from server.applications.models import Application
from server.audit.service import record
from server.board.access import visible_condition as board_visible
from server.board.anonymise import anonymise, mask_name
from server.board.models import BoardMessage, BoardReply
from server.consultations import records
from server.consultations.models import Consultation
from server.errors import NotFound
from server.history.schemas import HistoryDetail, HistoryKind, HistoryOut, HistoryRow, Match
from server.org.models import Unit
from server.privacy import mask_id_number, mask_phone

HISTORY_ROWS = 20  # of each kind, newest first: enough for a call, and a list the reader can take in
SUMMARY_CHARS = 60
# Fewer digits than a landline without its area code are not a phone to look a person up by
MIN_PHONE_DIGITS = 7
PHONE_SEPARATORS = (" ", "-")  # what people type inside a phone number (and the board's 0xx-xxxxxxxx)


def phone_digits(phone: str) -> str:
    """The digits a phone is compared by: "138-1234 5678" and "13812345678" are one phone."""
    found = "".join(ch for ch in phone if "0" <= ch <= "9")
    return found if len(found) >= MIN_PHONE_DIGITS else ""


def same_phone(column: Any, digits: str) -> ColumnElement[bool]:
    """The column's phone, its separators removed in the database, is `digits`."""
    bare = column
    for separator in PHONE_SEPARATORS:
        bare = func.replace(bare, separator, "")
    return bare == digits


@dataclass(frozen=True)
class Context:
    now: datetime
    client_addr: str = ""


@dataclass(frozen=True)
class Resident:
    """What ties earlier items to the consultation: its kiosk and the phone it was given."""

    consultation_id: int
    device_id: int
    phone: str  # its digits (phone_digits); "" when the resident gave none

    @classmethod
    def of(cls, c: Consultation) -> "Resident":
        return cls(c.id, c.device_id, phone_digits(c.contact_phone))


def consultations_of(r: Resident, actor: Actor) -> Select[Consultation]:
    same: list[ColumnElement[bool]] = [Consultation.device_id == r.device_id]
    if r.phone:
        same.append(same_phone(Consultation.contact_phone, r.phone))
    # ids grow with time, and queued_at may tie (a frozen clock, a busy second)
    return select(Consultation).where(Consultation.id < r.consultation_id, or_(*same),
                                      records.visible_condition(actor))


def board_of(r: Resident, actor: Actor) -> Select[BoardMessage]:
    same: list[ColumnElement[bool]] = [BoardMessage.device_id == r.device_id]
    if r.phone:
        same.append(same_phone(BoardMessage.contact_phone, r.phone))
    return select(BoardMessage).where(or_(*same), board_visible(actor))


def applications_of(r: Resident, actor: Actor) -> Select[Application] | None:
    """Applications name no kiosk: only the phone leads to them, and from them the ID number."""
    if not r.phone:
        return None
    visible = application_visible(actor)
    phone = same_phone(Application.phone, r.phone)
    ids_given = select(Application.id_number).where(phone, Application.id_number != "", visible)
    return select(Application).where(visible, or_(phone, Application.id_number.in_(ids_given)))


def _matched(r: Resident, *, device_id: int | None, phone: str, by_id: bool = False) -> list[Match]:
    found: list[Match] = []
    if device_id == r.device_id:
        found.append("kiosk")
    if r.phone and phone_digits(phone) == r.phone:
        found.append("phone")
    if by_id and not found:
        found.append("id_number")
    return found


def summary(text: str, name: str) -> str:
    short = anonymise(" ".join(text.split()), [name] if name else [])
    return short if len(short) <= SUMMARY_CHARS else short[:SUMMARY_CHARS - 1] + "…"


def _row(kind: HistoryKind, **fields: Any) -> HistoryRow:
    name = fields.pop("contact_name")
    return HistoryRow(kind=kind, summary=summary(fields.pop("text"), name), contact_name_masked=mask_name(name),
                      **fields)


def consultation_row(r: Resident, c: Consultation) -> HistoryRow:
    return _row(HistoryKind.consultation, id=c.id, at=c.queued_at, state=c.state, category=c.category,
                text=c.note or c.resident_text, rating=c.rating, contact_name=c.contact_name,
                phone_masked=mask_phone(c.contact_phone) if c.contact_phone else "", id_number_masked="",
                matched=_matched(r, device_id=c.device_id, phone=c.contact_phone))


def board_row(r: Resident, m: BoardMessage) -> HistoryRow:
    return _row(HistoryKind.board, id=m.id, at=m.created_at, state=m.state, category=m.category, text=m.question,
                rating=None, contact_name=m.contact_name,
                phone_masked=mask_phone(m.contact_phone) if m.contact_phone else "", id_number_masked="",
                matched=_matched(r, device_id=m.device_id, phone=m.contact_phone))


def application_row(r: Resident, a: Application) -> HistoryRow:
    return _row(HistoryKind.application, id=a.id, at=a.created_at, state=a.state, category=a.category,
                text=a.summary, rating=a.satisfaction, contact_name=a.applicant_name,
                phone_masked=mask_phone(a.phone) if a.phone else "",
                id_number_masked=mask_id_number(a.id_number) if a.id_number else "",
                matched=_matched(r, device_id=None, phone=a.phone, by_id=True))


async def resident(session: AsyncSession, actor: Actor, consultation_id: int) -> Resident:
    """The consultation's ties, if `actor` may read its record (PermissionDenied for a kiosk)."""
    return Resident.of(await records.readable(session, actor, consultation_id))


async def listing(session: AsyncSession, actor: Actor, consultation_id: int) -> HistoryOut:
    r = await resident(session, actor, consultation_id)
    found = await session.scalars(consultations_of(r, actor).order_by(Consultation.id.desc()).limit(HISTORY_ROWS))
    consultations = [consultation_row(r, c) for c in found]
    left = await session.scalars(board_of(r, actor).order_by(BoardMessage.created_at.desc(), BoardMessage.id.desc())
                                 .limit(HISTORY_ROWS))
    board = [board_row(r, m) for m in left]
    applications: list[HistoryRow] = []
    filed = applications_of(r, actor)
    if filed is not None:
        applications = [application_row(r, a) for a in await session.scalars(
            filed.order_by(Application.created_at.desc(), Application.id.desc()).limit(HISTORY_ROWS))]
    return HistoryOut(consultation_id=consultation_id, consultations=consultations, board=board,
                      applications=applications)


async def read(session: AsyncSession, actor: Actor, consultation_id: int, kind: HistoryKind, item_id: int,
               ctx: Context) -> HistoryDetail:
    """One item of the consultation's history in full, audited. An item outside the history (or
    outside what `actor` may see) is not found, whether or not it exists."""
    r = await resident(session, actor, consultation_id)
    detail, audited = await _READERS[kind](session, actor, r, item_id)
    record(session, at=ctx.now, actor=actor, action="personal_data.read", object=audited,
           client_addr=ctx.client_addr, detail=f"history of consultation:{consultation_id}")
    return detail


def _not_in_history(kind: HistoryKind, item_id: int, r: Resident) -> NotFound:
    return NotFound(f"there is no {kind.value} {item_id} in the history of consultation {r.consultation_id} "
                    "that you may see")


async def _unit_name(session: AsyncSession, unit_id: int) -> str:
    return await session.scalar(select(Unit.name).where(Unit.id == unit_id)) or ""


async def _read_consultation(session: AsyncSession, actor: Actor, r: Resident,
                             item_id: int) -> tuple[HistoryDetail, str]:
    c = await session.scalar(consultations_of(r, actor).where(Consultation.id == item_id))
    if c is None:
        raise _not_in_history(HistoryKind.consultation, item_id, r)
    return HistoryDetail(
        kind=HistoryKind.consultation, id=c.id, at=c.queued_at, state=c.state, category=c.category,
        unit_name=await _unit_name(session, c.unit_id), contact_name=c.contact_name, phone=c.contact_phone,
        id_number="", text=c.resident_text, note=c.note, answer=c.advice, rating=c.rating,
        rating_comment=c.rating_comment), f"consultation:{c.id}"


async def _read_board(session: AsyncSession, actor: Actor, r: Resident, item_id: int) -> tuple[HistoryDetail, str]:
    m = await session.scalar(board_of(r, actor).where(BoardMessage.id == item_id))
    if m is None:
        raise _not_in_history(HistoryKind.board, item_id, r)
    replies = await session.scalars(select(BoardReply.body).where(BoardReply.message_id == m.id)
                                    .order_by(BoardReply.id))
    return HistoryDetail(
        kind=HistoryKind.board, id=m.id, at=m.created_at, state=m.state, category=m.category,
        unit_name=await _unit_name(session, m.unit_id), contact_name=m.contact_name, phone=m.contact_phone,
        id_number="", text=m.question, note="", answer="\n\n".join(replies), rating=None,
        rating_comment=""), f"board_message:{m.id}"


async def _read_application(session: AsyncSession, actor: Actor, r: Resident,
                            item_id: int) -> tuple[HistoryDetail, str]:
    filed = applications_of(r, actor)
    a = None if filed is None else await session.scalar(filed.where(Application.id == item_id))
    if a is None:
        raise _not_in_history(HistoryKind.application, item_id, r)
    # a proposed lawyer reads the applicant's personal data only once they have confirmed no conflict
    check_may_read_personal(actor, await visible_where(session, actor, a.id))
    return HistoryDetail(
        kind=HistoryKind.application, id=a.id, at=a.created_at, state=a.state, category=a.category,
        unit_name=await _unit_name(session, a.unit_id), contact_name=a.applicant_name, phone=a.phone,
        id_number=a.id_number, text=a.summary, note="", answer=a.decision_opinion, rating=a.satisfaction,
        rating_comment=""), f"application:{a.id}"


_READERS = {HistoryKind.consultation: _read_consultation, HistoryKind.board: _read_board,
            HistoryKind.application: _read_application}
