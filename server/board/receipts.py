"""Receipt codes: how a resident finds their own message again at a kiosk, and nobody else's.

A kiosk is shared by strangers, so it lists no messages. Leaving one gives a receipt code
(shown and printable once); the resident comes back with it and the last four digits of the
contact phone. Only the code's SHA-256 is stored. Codes are 8 random digits, so a guess is
worth little, and wrong tries are counted in the database: per kiosk (someone trying codes)
and per message (someone holding a code but not the phone), each over a window.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.accounts.actor import Actor
from server.board.models import BoardMessage, ReceiptTry
from server.errors import PermissionDenied, RateLimited

RECEIPT_DIGITS = 8
PHONE_TAIL_DIGITS = 4
# A resident mistyping gets several tries; someone trying codes gets a handful an hour, which
# against 10**8 codes finds nothing.
MAX_WRONG_PER_KIOSK = 10
KIOSK_WINDOW = timedelta(hours=1)
MAX_WRONG_PER_MESSAGE = 5
MESSAGE_WINDOW = timedelta(days=1)
NO_SUCH = "no message has this receipt code and phone number"


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise(code: str) -> str:
    """What a resident types, spaces and dashes and full-width digits allowed, as plain digits."""
    return re.sub(r"[\s\-－—]", "", code).translate(str.maketrans("０１２３４５６７８９", "0123456789"))


async def give(session: AsyncSession, m: BoardMessage) -> str:
    """A fresh code for the message (its hash stored on it); the code is returned once."""
    while True:
        code = new_code()
        if await session.scalar(select(BoardMessage.id).where(BoardMessage.receipt_hash == digest(code))) is None:
            m.receipt_hash = digest(code)
            return code


async def _wrong_tries(session: AsyncSession, column: InstrumentedAttribute[int | None], value: int,
                       since: datetime) -> int:
    return int(await session.scalar(select(func.count()).select_from(ReceiptTry).where(
        column == value, ReceiptTry.at >= since)) or 0)


async def find(session: AsyncSession, actor: Actor, code: str, phone_tail: str, now: datetime) -> BoardMessage | None:
    """The message left in this kiosk's community with this code and phone ending; None for a
    wrong try, which is recorded (the caller commits it, then refuses)."""
    if actor.kind != "device":
        raise PermissionDenied("receipt codes are for kiosks; staff find messages in the board's list")
    if await _wrong_tries(session, ReceiptTry.device_id, actor.id, now - KIOSK_WINDOW) >= MAX_WRONG_PER_KIOSK:
        raise RateLimited("too many wrong receipt codes at this kiosk; try again later or ask community staff",
                          retry_after_seconds=int(KIOSK_WINDOW.total_seconds()))
    code = normalise(code)
    m = None
    if code.isascii() and code.isdigit() and len(code) == RECEIPT_DIGITS:
        m = await session.scalar(select(BoardMessage).where(BoardMessage.receipt_hash == digest(code),
                                                            BoardMessage.unit_id == actor.unit_id))
    if m is not None and await _wrong_tries(session, ReceiptTry.message_id, m.id,
                                            now - MESSAGE_WINDOW) >= MAX_WRONG_PER_MESSAGE:
        raise RateLimited("too many wrong phone numbers for this receipt; ask community staff",
                          retry_after_seconds=int(MESSAGE_WINDOW.total_seconds()))
    if m is None or len(phone_tail) != PHONE_TAIL_DIGITS or not m.contact_phone.endswith(phone_tail):
        session.add(ReceiptTry(device_id=actor.id, message_id=m.id if m else None, at=now))
        return None
    return m
