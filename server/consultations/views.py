from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from server.accounts.models import Account
from server.accounts.permissions import Role
from server import notify
from server.audit.service import record
from server.chat import service as chat
from server.chat.schemas import ChatMessageOut
from server.consultations import guests, queue, recording, records
from server.consultations.models import Consultation, ConsultationEvent, ConsultationGuest, DutyShift
from server.consultations.schemas import (AdmissionOut, Categories, DutyNow, EventOut, GroupsIn, GuestIn, GuestOut,
                                          IceServersOut, InvitationOut, RecordDetail, RecordOut, RecordQuery,
                                          RedeemIn, RosterQuery, ShiftIn, ShiftOut)
from server.errors import InvalidInput, NotFound, PermissionDenied
from server.hours.schemas import hhmm, minutes
from server.privacy import mask_phone
from server.recordings import service as recordings
from server.recordings.schemas import RecordingOut
from server.ice import ice_servers
from server.web import keys
from server.web.api import Call, Router
from signaling.payloads import CONSENT_TEXT_VERSION, MAX_SYNC_MESSAGES

router = Router()


@router.get("/api/consultations/categories", summary="The consultation categories", tag="consultations",
            auth="any", response=Categories)
async def categories(call: Call) -> Categories:
    """The ones consultation.start accepts: FAYUAN_CATEGORIES when it is set."""
    return Categories(categories=list(call.app[keys.RULES].categories))


@router.get("/api/rtc/ice-servers", summary="ICE servers, with TURN credentials that expire with the session",
            tag="consultations", auth="any", response=IceServersOut)
async def get_ice_servers(call: Call) -> dict:
    # wall time, not the domain clock: coturn checks the expiry against its own clock
    return {"ice_servers": ice_servers(call.settings, call.actor.ref, call.app[keys.WALL_CLOCK].now())}


@router.get("/api/duty/now", summary="How many lawyers are on duty and available now", tag="duty", auth="any",
            response=DutyNow)
async def duty_now(call: Call) -> DutyNow:
    lawyers = await queue.on_duty_accounts(call.session, call.clock.now(), call.settings.timezone)
    return DutyNow(on_duty=len(lawyers), lawyers=lawyers)


def _shift_out(shift: DutyShift, name: str) -> ShiftOut:
    return ShiftOut(id=shift.id, account_id=shift.account_id, lawyer_name=name, day=shift.day,
                    start=hhmm(shift.start_minute), end=hhmm(shift.end_minute))


async def _roster_changed(call: Call) -> None:
    """Commit, then tell the center queue's waiting kiosks: who is on duty, or when the next
    duty starts, may have changed."""
    center = await queue.center_id(call.session)
    await call.session.commit()
    await call.app[keys.DELIVER]([notify.QueueChanged(center)])


def _require_roster_editor(call: Call) -> None:
    if call.actor.role not in (Role.center_staff, Role.admin) or not call.actor.at_center:
        raise PermissionDenied("only center staff edit the duty roster")


@router.get("/api/duty/roster", summary="The duty roster between two dates", tag="duty", query=RosterQuery,
            response=list[ShiftOut])
async def roster(call: Call) -> list[ShiftOut]:
    if call.actor.role not in (Role.center_staff, Role.admin, Role.lawyer) or not call.actor.at_center:
        raise PermissionDenied("the roster is for the center and its lawyers")
    if call.query.to < call.query.from_ or call.query.to - call.query.from_ > timedelta(days=366):
        raise InvalidInput("ask for at most a year, 'to' not before 'from'", field="to")
    rows = await call.session.execute(
        select(DutyShift, Account.display_name).join(Account, Account.id == DutyShift.account_id)
        .where(DutyShift.day >= call.query.from_, DutyShift.day <= call.query.to)
        .order_by(DutyShift.day, DutyShift.start_minute))
    return [_shift_out(shift, name) for shift, name in rows]


@router.post("/api/duty/roster", summary="Put a lawyer on duty", tag="duty", body=ShiftIn, response=ShiftOut)
async def add_shift(call: Call) -> ShiftOut:
    _require_roster_editor(call)
    b = call.body
    lawyer = await call.session.get(Account, b.account_id)
    if lawyer is None or lawyer.role != Role.lawyer or not lawyer.active:
        raise InvalidInput("only an active lawyer account can be on duty", field="account_id")
    start, end = minutes(b.start), minutes(b.end)
    if start >= end:
        raise InvalidInput("a shift must end after it starts", field="end")
    shift = DutyShift(account_id=b.account_id, day=b.day, start_minute=start, end_minute=end)
    call.session.add(shift)
    await call.session.flush()
    record(call.session, at=call.clock.now(), actor=call.actor, action="duty.add", object=f"shift:{shift.id}",
           client_addr=call.client_addr, detail=f"account {b.account_id} {b.day} {b.start}-{b.end}")
    out = _shift_out(shift, lawyer.display_name)
    await _roster_changed(call)
    return out


@router.delete("/api/duty/roster/{shift_id}", summary="Remove a shift", tag="duty", status=204)
async def remove_shift(call: Call) -> None:
    _require_roster_editor(call)
    shift = await call.session.get(DutyShift, call.path["shift_id"])
    if shift is None:
        raise NotFound("there is no such shift")
    await call.session.delete(shift)
    record(call.session, at=call.clock.now(), actor=call.actor, action="duty.remove", object=f"shift:{shift.id}",
           client_addr=call.client_addr)
    await _roster_changed(call)
    return None


def _record(c: Consultation) -> dict:
    return dict(id=c.id, state=c.state, category=c.category, unit_id=c.unit_id, target_unit_id=c.target_unit_id,
                chosen_lawyer_id=c.chosen_lawyer_id, taker_account_id=c.taker_account_id, queued_at=c.queued_at,
                taken_at=c.taken_at, ended_at=c.ended_at, ended_by=c.ended_by, end_reason=c.end_reason,
                wait_seconds=c.wait_seconds, talk_seconds=c.talk_seconds, rating=c.rating, note=c.note,
                advice=c.advice, resident_text=c.resident_text, contact_name=c.contact_name,
                contact_phone_masked=mask_phone(c.contact_phone), applicant_groups=list(c.applicant_groups or []))


@router.get("/api/consultations", summary="Consultation records you may see (contacts masked)",
            tag="consultations", query=RecordQuery, response=list[RecordOut])
async def list_records(call: Call) -> list[RecordOut]:
    query = select(Consultation).where(records.visible_condition(call.actor))
    if call.query.state:
        query = query.where(Consultation.state == call.query.state)
    rows = await call.session.scalars(query.order_by(Consultation.id.desc()).offset(call.query.offset)
                                      .limit(call.query.limit))
    return [RecordOut(**_record(c)) for c in rows]


@router.get("/api/consultations/{consultation_id}", summary="One consultation's record with its events "
            "(an audited read of personal data)", tag="consultations", response=RecordDetail)
async def get_record(call: Call) -> RecordDetail:
    cid = call.path["consultation_id"]
    c = await readable(call, cid)
    events = await call.session.scalars(select(ConsultationEvent).where(ConsultationEvent.consultation_id == cid)
                                        .order_by(ConsultationEvent.id))
    messages = await chat.since(call.session, chat.RoomKey("consultation", cid), 0, MAX_SYNC_MESSAGES + 1)
    recorded = await recordings.listed(call.session, "consultation", cid)
    record(call.session, at=call.clock.now(), actor=call.actor, action="personal_data.read",
           object=f"consultation:{cid}", client_addr=call.client_addr, detail="record")
    return RecordDetail(**_record(c), rating_comment=c.rating_comment, events=[EventOut(at=e.at, kind=e.kind, actor=e.actor, detail=e.detail)
                                              for e in events],
                        chat=[ChatMessageOut(**m) for m in messages[:MAX_SYNC_MESSAGES]],
                        chat_more=len(messages) > MAX_SYNC_MESSAGES,
                        recordings=[RecordingOut(**recordings.public(r)) for r in recorded])


@router.put("/api/consultations/{consultation_id}/groups", summary="Record the applicant groups of the resident "
            "(elderly, disabled, migrant worker, minor, woman) for the bureau's reports", tag="consultations",
            body=GroupsIn, response=RecordOut)
async def set_groups(call: Call) -> RecordOut:
    c = await records.set_groups(call.session, call.actor, call.path["consultation_id"],
                                 call.body.applicant_groups, call.clock.now(), call.client_addr)
    return RecordOut(**_record(c))


async def readable(call: Call, consultation_id: int) -> Consultation:
    """The consultation, if the caller may read its record (its chat and recordings too)."""
    return await records.readable(call.session, call.actor, consultation_id)


# -- guests in a live consultation (consultations/guests.py; their socket: realtime/consultation_guests.py) --
def _guest_out(g: ConsultationGuest, now: datetime) -> GuestOut:
    return GuestOut(**guests.public(g, now))


@router.post("/api/consultations/{consultation_id}/guests", summary="Invite a third person (interpreter, family "
             "member, second lawyer) into the live call: a one-time 6-digit code and link", tag="consultations",
             body=GuestIn, response=InvitationOut)
async def invite_guest(call: Call) -> InvitationOut:
    now = call.clock.now()
    made = await guests.invite(call.session, call.actor, call.path["consultation_id"], call.body.kind,
                               call.body.name, now)
    out = InvitationOut(guest=_guest_out(made.guest, now), code=made.code, link=f"/join#invite={made.link_token}",
                        expires_at=made.guest.expires_at)
    await call.session.commit()
    await call.app[keys.DELIVER](made.notices)
    return out


@router.get("/api/consultations/{consultation_id}/guests", summary="The call's invitations and guests (its taker)",
            tag="consultations", response=list[GuestOut])
async def list_guests(call: Call) -> list[GuestOut]:
    now = call.clock.now()
    return [_guest_out(g, now) for g in await guests.listed(call.session, call.actor, call.path["consultation_id"], now)]


@router.delete("/api/consultations/{consultation_id}/guests/{guest_id}", summary="Withdraw an unused invitation, "
               "or remove a guest from the call", tag="consultations", response=GuestOut)
async def withdraw_guest(call: Call) -> GuestOut:
    now = call.clock.now()
    g, notices = await guests.withdraw(call.session, call.actor, call.path["consultation_id"], call.path["guest_id"],
                                       now)
    out = _guest_out(g, now)
    await call.session.commit()
    await call.app[keys.DELIVER](notices)
    return out


@router.post("/api/guests/redeem", summary="Use an invitation (its code or its link's token) once: the guest's "
             "session for the call (wrong ones are counted per address and overall)", tag="consultations",
             auth="public", body=RedeemIn, response=AdmissionOut, status=200)
async def redeem_invitation(call: Call) -> AdmissionOut:
    now = call.clock.now()
    admitted = await guests.redeem(call.session, code=call.body.code, link=call.body.invite,
                                   client_addr=call.client_addr, now=now)
    if admitted is None:
        await call.session.commit()  # the wrong try counts even though the request is refused
        raise NotFound(guests.NO_SUCH)
    c = admitted.consultation
    lawyer = await call.session.get(Account, c.taker_account_id)
    return AdmissionOut(token=admitted.session_token, guest=_guest_out(admitted.guest, now), consultation_id=c.id,
                        lawyer_name=lawyer.display_name if lawyer else "",
                        recording=await recording.state_of(call.session, c),  # type: ignore[arg-type]
                        consent_text_version=CONSENT_TEXT_VERSION)
