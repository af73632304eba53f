"""A third person in a live consultation: an interpreter (sign language, a dialect), a family
member or a second lawyer.

The taker invites them while the call is live: a one-time invitation with a 6-digit code (to
read out over the phone) and a link (to send), both good for INVITATION_TTL until used and
only for this consultation with this taker. Using either admits the guest: the invitation is
spent (a conditional UPDATE: one use wins, however many race) and the guest gets a session
token of their own, which their socket presents. Joining the call needs the guest's consent to
recording when the taker has asked to record (recording.asked). The guest sees the call and
nothing else: no chat, no files, no record, no resident's name (realtime/consultation_guests.py
lets a guest's socket send only the call's events).

The invitation is over when it is revoked, expires, or the consultation ends or is transferred;
a guest's session is over when they leave, are removed, or the consultation ends or is
transferred (resolve says so on every check: the state is the database's). Wrong codes and
links are counted per client address and overall (a wrong code names no consultation), so that
guessing 6 digits gets nowhere. Only SHA-256 digests of the code, the link token and the
session token are stored; none of them is logged.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import get_args

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import notify
from server.accounts.actor import Actor, GuestActor
from server.accounts.models import Account
from server.accounts.passwords import new_token, token_digest
from server.accounts.throttle import address_key
from server.consultations.models import Consultation, ConsultationGuest, GuestCodeTry
from server.consultations.recording import state_of as recording_state, step
from server.consultations.service import get
from server.consultations.state import ConsultationState as S, GuestState as G
from server.db import rows_changed
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from server.recordings import service as recordings
from signaling import events
from signaling.payloads import CONSENT_TEXT_VERSION, GuestKind

KINDS: tuple[str, ...] = get_args(GuestKind)
CODE_DIGITS = 6
INVITATION_TTL = timedelta(minutes=10)  # until the invitation is first used
MAX_GUESTS = 2  # open invitations and guests at once: the call stays a mesh of at most 4
OPEN = (G.invited, G.admitted, G.present)
IN_SESSION = (G.admitted, G.present)
# Someone mistyping gets several tries; someone guessing gets a handful per window per address,
# and all addresses together a bounded number, which against 10**6 codes, each open for 10
# minutes, finds nothing worth the trouble. The link (256 random bits) is never limited by it.
MAX_WRONG_PER_ADDRESS = 10
MAX_WRONG_OVERALL = 200
TRY_WINDOW = timedelta(minutes=15)
NO_SUCH = "this invitation code or link is not valid: it may be mistyped, used, expired or withdrawn"


@dataclass
class Invitation:
    """A new invitation: the code and the link token are returned this once."""

    guest: ConsultationGuest
    code: str
    link_token: str
    notices: list[notify.Push] = field(default_factory=list)


@dataclass
class Admission:
    guest: ConsultationGuest
    consultation: Consultation
    session_token: str


def ref(g: ConsultationGuest) -> str:
    return f"guest:{g.id}"


def public(g: ConsultationGuest, now: datetime | None = None) -> dict:
    """What the call's members (and the taker's console) see of a guest: no codes, no tokens."""
    state = G.expired if now is not None and g.state == G.invited and now >= g.expires_at else G(g.state)
    return {"id": g.id, "ref": ref(g), "kind": g.kind, "name": g.name, "state": state.value,
            "expires_at": g.expires_at.isoformat(), "joined_at": g.joined_at.isoformat() if g.joined_at else None}


def actor_of(g: ConsultationGuest) -> GuestActor:
    return GuestActor(id=g.id, name=g.name or g.kind)


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def normalise_code(code: str) -> str:
    """What someone types: spaces, dashes and full-width digits allowed, as plain digits."""
    return "".join(code.split()).replace("-", "").translate(str.maketrans("０１２３４５６７８９", "0123456789"))


def _taker_live(c: Consultation) -> bool:
    return c.state == S.live and c.taker_account_id is not None


async def _check_taker(session: AsyncSession, actor: Actor, consultation_id: int) -> Consultation:
    c = await get(session, consultation_id)
    if actor.kind != "account" or actor.id != c.taker_account_id:
        raise PermissionDenied("only the lawyer or staff member who took this consultation invites or removes guests")
    return c


async def _open(session: AsyncSession, consultation_id: int) -> list[ConsultationGuest]:
    return list(await session.scalars(select(ConsultationGuest).where(
        ConsultationGuest.consultation_id == consultation_id, ConsultationGuest.state.in_(OPEN))
        .order_by(ConsultationGuest.id)))


async def _expire(session: AsyncSession, guests: list[ConsultationGuest], now: datetime) -> list[ConsultationGuest]:
    """Unused invitations past their time become expired; the others are returned."""
    kept = []
    for g in guests:
        if g.state == G.invited and now >= g.expires_at:
            g.state, g.ended_at, g.end_reason = G.expired, now, "expired"
            step(session, g.consultation_id, now, "guest_expired", detail=f"guest {g.id}")
        else:
            kept.append(g)
    return kept


async def _code_in_use(session: AsyncSession, digest: str, now: datetime) -> bool:
    return await session.scalar(select(ConsultationGuest.id).where(
        ConsultationGuest.code_hash == digest, ConsultationGuest.state == G.invited,
        ConsultationGuest.expires_at > now).limit(1)) is not None


async def invite(session: AsyncSession, actor: Actor, consultation_id: int, kind: str, name: str,
                 now: datetime) -> Invitation:
    c = await _check_taker(session, actor, consultation_id)
    if c.state != S.live:
        raise Conflict("guests join a live consultation only", state=c.state)
    if kind not in KINDS:
        raise InvalidInput(f"a guest is one of {', '.join(KINDS)}", field="kind", allowed=list(KINDS))
    name = " ".join(name.split())
    if len(await _expire(session, await _open(session, c.id), now)) >= MAX_GUESTS:
        raise Conflict(f"at most {MAX_GUESTS} guests at once: withdraw an invitation or remove a guest first",
                       reason="too_many_guests", max_guests=MAX_GUESTS)
    while True:  # unique among the codes that work now (a code is all a typed join has)
        code = _new_code()
        if not await _code_in_use(session, token_digest(code), now):
            break
    link_token = new_token()
    g = ConsultationGuest(consultation_id=c.id, invited_by=actor.known_id, kind=kind, name=name, state=G.invited,
                          code_hash=token_digest(code), link_hash=token_digest(link_token), session_hash="",
                          created_at=now, expires_at=now + INVITATION_TTL, end_reason="")
    session.add(g)
    await session.flush()
    step(session, c.id, now, "guest_invited", actor, f"guest {g.id}: {kind} {name}".strip())
    return Invitation(g, code, link_token, await roster_notices(session, c, now))


async def listed(session: AsyncSession, actor: Actor, consultation_id: int, now: datetime) -> list[ConsultationGuest]:
    """The taker's view: every invitation and guest of this consultation, the newest last."""
    c = await _check_taker(session, actor, consultation_id)
    await _expire(session, await _open(session, c.id), now)
    return list(await session.scalars(select(ConsultationGuest).where(ConsultationGuest.consultation_id == c.id)
                                      .order_by(ConsultationGuest.id)))


async def _guest_of(session: AsyncSession, consultation_id: int, guest_id: int) -> ConsultationGuest:
    g = await session.get(ConsultationGuest, guest_id)
    if g is None or g.consultation_id != consultation_id:
        raise NotFound(f"consultation {consultation_id} has no guest {guest_id}")
    return g


async def withdraw(session: AsyncSession, actor: Actor, consultation_id: int, guest_id: int,
                   now: datetime) -> tuple[ConsultationGuest, list[notify.Push]]:
    """The taker revokes an unused invitation, or removes a guest (in the call or not yet)."""
    c = await _check_taker(session, actor, consultation_id)
    g = await _guest_of(session, c.id, guest_id)
    await _expire(session, [g], now)
    target = G.revoked if g.state == G.invited else G.removed
    G(g.state).check(target)
    g.state, g.ended_at, g.end_reason = target, now, target.value
    step(session, c.id, now, f"guest_{target.value}", actor, f"guest {g.id}")
    told: list[notify.Push] = []
    if target == G.removed:
        told.append(notify.Notice(notify.guest(g.id), events.SESSION_ENDED, {"reason": "removed"}))
    return g, told + await roster_notices(session, c, now)


async def _wrong_tries(session: AsyncSession, since: datetime, client_addr: str | None = None) -> int:
    query = select(func.count()).select_from(GuestCodeTry).where(GuestCodeTry.at > since)
    if client_addr is not None:
        query = query.where(GuestCodeTry.client_addr == client_addr)
    return int(await session.scalar(query) or 0)


async def redeem(session: AsyncSession, *, code: str | None, link: str | None, client_addr: str,
                 now: datetime) -> Admission | None:
    """Use an invitation by its code or its link; None for a wrong one, which is counted (the
    caller commits that, then refuses). A used, expired or withdrawn one counts as wrong too:
    the answer does not tell which codes exist."""
    if (code is None) == (link is None):
        raise InvalidInput("give the invitation code or the link's token", field="code")
    address = address_key(client_addr)
    since = now - TRY_WINDOW
    if await _wrong_tries(session, since, address) >= MAX_WRONG_PER_ADDRESS:
        raise RateLimited("too many wrong invitation codes from this address; ask the lawyer for the link",
                          retry_after_seconds=int(TRY_WINDOW.total_seconds()))
    if code is not None and await _wrong_tries(session, since) >= MAX_WRONG_OVERALL:
        raise RateLimited("too many wrong invitation codes just now; ask the lawyer for the link",
                          retry_after_seconds=int(TRY_WINDOW.total_seconds()))
    await session.execute(delete(GuestCodeTry).where(GuestCodeTry.at <= since))  # only the window counts
    g = None
    if code is not None:
        code = normalise_code(code)
        if code.isascii() and code.isdigit() and len(code) == CODE_DIGITS:
            g = await session.scalar(select(ConsultationGuest).where(
                ConsultationGuest.code_hash == token_digest(code), ConsultationGuest.state == G.invited,
                ConsultationGuest.expires_at > now).order_by(ConsultationGuest.id.desc()).limit(1))
    elif link:
        g = await session.scalar(select(ConsultationGuest).where(ConsultationGuest.link_hash == token_digest(link)))
    c = await session.get(Consultation, g.consultation_id) if g is not None else None
    usable = (g is not None and c is not None and g.state == G.invited and now < g.expires_at
              and _taker_live(c) and c.taker_account_id == g.invited_by)
    if not usable:
        session.add(GuestCodeTry(client_addr=address, at=now))
        return None
    assert g is not None and c is not None
    token = new_token()
    won = await session.execute(update(ConsultationGuest).where(
        ConsultationGuest.id == g.id, ConsultationGuest.state == G.invited)
        .values(state=G.admitted, used_at=now, session_hash=token_digest(token))
        .execution_options(synchronize_session=False))
    if rows_changed(won) != 1:  # the other use of a code typed twice at once
        session.add(GuestCodeTry(client_addr=address, at=now))
        return None
    await session.refresh(g)
    step(session, c.id, now, "guest_admitted", actor_of(g), "by code" if code is not None else "by link")
    return Admission(g, c, token)


async def resolve(session: AsyncSession, token: str, now: datetime) -> GuestActor | None:
    """The guest behind a session token, while their session holds (for the socket)."""
    g = await session.scalar(select(ConsultationGuest).where(ConsultationGuest.session_hash == token_digest(token)))
    if g is None or g.state not in IN_SESSION:
        return None
    c = await session.get(Consultation, g.consultation_id)
    if c is None or not _taker_live(c) or c.taker_account_id != g.invited_by:
        return None
    return actor_of(g)


async def ended_guests(session: AsyncSession, guest_ids: set[int]) -> dict[int, str]:
    """Of these guests, those whose session no longer holds, with why (for liveness)."""
    if not guest_ids:
        return {}
    rows = await session.execute(
        select(ConsultationGuest.id, ConsultationGuest.state, ConsultationGuest.invited_by, Consultation.state,
               Consultation.taker_account_id)
        .join(Consultation, Consultation.id == ConsultationGuest.consultation_id)
        .where(ConsultationGuest.id.in_(sorted(guest_ids))))
    found = {gid: "removed" for gid in guest_ids}  # a guest row that is gone
    for gid, state, invited_by, c_state, taker in rows:
        if state not in IN_SESSION:
            found[gid] = "removed" if state == G.removed else "left"
        elif c_state != S.live or taker != invited_by:
            found[gid] = "consultation_ended"
        else:
            found.pop(gid)
    return found


async def _check_guest(session: AsyncSession, actor: Actor, consultation_id: int) -> tuple[ConsultationGuest, Consultation]:
    g = await session.get(ConsultationGuest, actor.id) if actor.kind == "guest" else None
    if g is None or g.consultation_id != consultation_id:
        raise PermissionDenied("this invitation is for another consultation")
    c = await get(session, consultation_id)
    if g.state not in IN_SESSION or not _taker_live(c) or c.taker_account_id != g.invited_by:
        raise Conflict("this invitation is over: the consultation has ended, or you left or were removed",
                       reason="guest_over")
    return g, c


async def join(session: AsyncSession, actor: Actor, consultation_id: int, *, consent: bool, text_version: str,
               now: datetime) -> tuple[ConsultationGuest, Consultation, list[notify.Push]]:
    """The guest enters the call. While the taker has asked to record, only with consent to
    the current text, which is recorded like the kiosk's and the taker's."""
    g, c = await _check_guest(session, actor, consultation_id)
    if consent:
        if text_version != CONSENT_TEXT_VERSION:
            raise InvalidInput("the consent text has changed: show the current one", field="text_version",
                               current=CONSENT_TEXT_VERSION)
        if await recordings.give(session, "consultation", c.id, who=actor.ref, name=actor.name,
                                 text_version=text_version, now=now):
            step(session, c.id, now, "recording_consent", actor, f"text {text_version}")
    elif await recording_state(session, c) != "off" and ref(g) not in await recordings.consented(
            session, "consultation", c.id, CONSENT_TEXT_VERSION, since=c.taken_at):
        raise Conflict("this consultation is being recorded: agree to the recording to join",
                       reason="consent_required", text_version=CONSENT_TEXT_VERSION)
    if g.state == G.admitted:
        g.state = G.present
        if g.joined_at is None:
            g.joined_at = now
        step(session, c.id, now, "guest_joined", actor, f"guest {g.id}: {g.kind} {g.name}".strip())
    return g, c, await roster_notices(session, c, now)


async def leave(session: AsyncSession, actor: Actor, consultation_id: int,
                now: datetime) -> tuple[ConsultationGuest, list[notify.Push]]:
    """The guest leaves for good: their session ends."""
    g, c = await _check_guest(session, actor, consultation_id)
    g.state, g.ended_at, g.end_reason = G.left, now, "left"
    step(session, c.id, now, "guest_left", actor, f"guest {g.id}")
    return g, await roster_notices(session, c, now)


async def dropped(session: AsyncSession, guest_id: int, now: datetime) -> list[notify.Push]:
    """A guest's connection is gone: out of the call until they join again (their session holds)."""
    g = await session.get(ConsultationGuest, guest_id)
    if g is None or g.state != G.present:
        return []
    g.state = G.admitted
    c = await get(session, g.consultation_id)
    step(session, c.id, now, "guest_away", actor_of(g), f"guest {g.id}")
    return await roster_notices(session, c, now) if c.state == S.live else []


async def consultation_over(session: AsyncSession, consultation_id: int, reason: str, now: datetime) -> list[int]:
    """The consultation ended or was transferred: every open invitation and guest session ends.
    Returns the guests' ids."""
    guests = await _open(session, consultation_id)
    for g in guests:
        g.state, g.ended_at, g.end_reason = G.left, now, reason[:40]
    return [g.id for g in guests]


async def members(session: AsyncSession, c: Consultation) -> list[dict]:
    """Who is in the call besides the guests: the kiosk (never the resident's name) and the taker."""
    taker = await session.get(Account, c.taker_account_id) if c.taker_account_id else None
    return [{"ref": f"device:{c.device_id}", "role": "kiosk", "name": ""},
            {"ref": f"account:{c.taker_account_id}", "role": "taker", "name": taker.display_name if taker else ""}]


async def roster(session: AsyncSession, c: Consultation, now: datetime) -> dict:
    """A `consultation.guests` push: the open invitations and the guests, in or out of the call."""
    guests = await _expire(session, await _open(session, c.id), now)
    return {"consultation_id": c.id, "guests": [public(g, now) for g in guests]}


async def roster_notices(session: AsyncSession, c: Consultation, now: datetime) -> list[notify.Push]:
    """The roster to the kiosk and the taker, and to the guests."""
    data = await roster(session, c, now)
    return [notify.Notice(notify.consultation(c.id), events.CONSULT_GUESTS, data),
            notify.Notice(notify.call_guests(c.id), events.CONSULT_GUESTS, data)]
