"""Recording a consultation: who takes part, who may ask, and whose consent is missing.

Its participants are the kiosk (the resident in front of it), the current taker and the guests
in the call (consultations/guests.py: a guest joins a call being recorded only with consent).
Only the taker asks to record or stops it; each participant consents to the current consent text
(`signaling.payloads.CONSENT_TEXT_VERSION`) and may withdraw at any time. A consent counts for
the current taking only: after a transfer the next lawyer asks, and both consent, anew.
Consents and files are kept by server/recordings/; every step here is a ConsultationEvent of
the record and an audit row, in the caller's transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import SYSTEM, Actor
from server.accounts.models import Account, Device
from server.audit.service import record
from server.consultations.models import Consultation, ConsultationEvent, ConsultationGuest
from server.consultations.service import get
from server.consultations.state import ConsultationState as S, GuestState
from server.errors import Conflict, InvalidInput, PermissionDenied
from server.recordings import service as recordings
from server.recordings.models import Recording
from signaling.payloads import CONSENT_TEXT_VERSION

KIND = "consultation"
# the steps that say whether recording is asked for: the last of them since the taking decides
_ASKED, _NOT_ASKED = ("recording_requested", "recording_started"), ("recording_stopped", "recording_declined",
                                                                      "recording_withdrawn")


def participants(c: Consultation) -> dict[str, str]:
    """role → ref of the two sides of a live consultation."""
    return {"kiosk": f"device:{c.device_id}", "taker": f"account:{c.taker_account_id}"}


def role_of(actor: Actor, c: Consultation) -> str | None:
    return next((role for role, ref in participants(c).items() if ref == actor.ref), None)


async def guests_present(session: AsyncSession, consultation_id: int) -> list[str]:
    """The refs ("guest:<id>") of the guests in the call now."""
    ids = await session.scalars(select(ConsultationGuest.id).where(
        ConsultationGuest.consultation_id == consultation_id, ConsultationGuest.state == GuestState.present)
        .order_by(ConsultationGuest.id))
    return [f"guest:{gid}" for gid in ids]


async def state_of(session: AsyncSession, c: Consultation) -> str:
    """"off", "requested" or "recording" now, by the record's steps since the taking: the same
    answer on every server process, whichever one holds the recorder."""
    last = await session.scalar(select(ConsultationEvent.kind).where(
        ConsultationEvent.consultation_id == c.id, ConsultationEvent.kind.in_(_ASKED + _NOT_ASKED),
        *([ConsultationEvent.at >= c.taken_at] if c.taken_at else []))
        .order_by(ConsultationEvent.id.desc()).limit(1))
    return {"recording_requested": "requested", "recording_started": "recording"}.get(last or "", "off")


def step(session: AsyncSession, consultation_id: int, now: datetime, kind: str, actor: Actor = SYSTEM,
         detail: str = "") -> None:
    """A recording step (`recording_<what>`) in the consultation's record, and the audit row
    `recording.<what>` in the same transaction."""
    session.add(ConsultationEvent(consultation_id=consultation_id, at=now, kind=kind, actor=actor.ref,
                                  detail=detail[:500]))
    record(session, at=now, actor=actor, action=kind.replace("_", ".", 1), object=f"consultation:{consultation_id}",
           detail=detail)


def _require_live(c: Consultation) -> None:
    if c.state != S.live:
        raise Conflict("only a live consultation is recorded", state=c.state)


async def waiting_for(session: AsyncSession, c: Consultation) -> list[str]:
    """The roles (and the guests' refs) whose consent to the current text, since this taking, is missing."""
    refs = await recordings.consented(session, KIND, c.id, CONSENT_TEXT_VERSION, since=c.taken_at)
    sides = [role for role, ref in participants(c).items() if ref not in refs]
    return sides + [ref for ref in await guests_present(session, c.id) if ref not in refs]


async def check_taker(session: AsyncSession, actor: Actor, consultation_id: int) -> Consultation:
    c = await get(session, consultation_id)
    if actor.kind != "account" or actor.id != c.taker_account_id:
        raise PermissionDenied("only the lawyer or staff member who took this consultation asks to record it")
    return c


async def request(session: AsyncSession, actor: Actor, consultation_id: int,
                  now: datetime) -> tuple[Consultation, list[str]]:
    """The taker asks to record; returns whose consent is still missing."""
    c = await check_taker(session, actor, consultation_id)
    _require_live(c)
    step(session, c.id, now, "recording_requested", actor)
    return c, await waiting_for(session, c)


async def consent(session: AsyncSession, actor: Actor, consultation_id: int, given: bool, text_version: str,
                  now: datetime) -> tuple[Consultation, list[str]]:
    """A participant gives, declines or withdraws consent; returns whose consent is missing."""
    c = await get(session, consultation_id)
    guest = actor.kind == "guest" and actor.ref in await guests_present(session, c.id)
    if (role_of(actor, c) is None and not guest) or c.taker_account_id is None:
        raise PermissionDenied("only the kiosk, the lawyer and the guests in the call consent to its recording")
    if given:
        _require_live(c)
        if text_version != CONSENT_TEXT_VERSION:
            raise InvalidInput("the consent text has changed: show the current one", field="text_version",
                               current=CONSENT_TEXT_VERSION)
        if await recordings.give(session, KIND, c.id, who=actor.ref, name=actor.name, text_version=text_version,
                                 now=now):
            step(session, c.id, now, "recording_consent", actor, f"text {text_version}")
    elif await recordings.withdraw(session, KIND, c.id, who=actor.ref, now=now):
        step(session, c.id, now, "recording_withdrawn", actor)
    else:
        step(session, c.id, now, "recording_declined", actor)
    return c, await waiting_for(session, c)


async def subject(session: AsyncSession, ref: str) -> str:
    """Whose picture and voice a file holds: the kiosk's name (never the resident's), the taker's,
    or a guest's (the name the taker gave, else their kind)."""
    kind, _, number = ref.partition(":")
    if kind == "guest":
        guest = await session.get(ConsultationGuest, int(number or 0))
        return (guest.name or guest.kind) if guest else ref
    model, column = (Device, Device.name) if kind == "device" else (Account, Account.display_name)
    name = await session.scalar(select(column).where(model.id == int(number or 0)))
    return name or ref


async def add_file(session: AsyncSession, consultation_id: int, subject_ref: str, key: str,
                   now: datetime) -> Recording:
    """The row of a file the recorder starts writing for one side (filed under the kiosk's unit)."""
    c = await get(session, consultation_id)
    row = recordings.add(session, KIND, c.id, unit_id=c.unit_id, subject=await subject(session, subject_ref),
                         key=key, now=now)
    await session.flush()
    return row
