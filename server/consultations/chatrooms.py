"""Who may read and write a consultation's chat (room `consultation:<id>`, registered with
server/chat/service.py's ChatRooms by app.py)."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import bindparam, select

from server.chat.service import ExecutesNow, Members
from server.consultations.models import Consultation
from server.consultations.state import ConsultationState as S

WRITABLE = (S.queued, S.live)

_CONSULTATIONS = select(Consultation.id, Consultation.device_id, Consultation.taker_account_id,
                        Consultation.state).where(Consultation.id.in_(bindparam("ids", expanding=True)))


def consultation_members(db: ExecutesNow, ids: Iterable[int]) -> dict[int, Members]:
    """Its current taker, and the kiosk that started it while it is queued or live; writable
    while queued or live. Once it is over the kiosk reads nothing of it: the next person at a
    kiosk is a stranger (the rating screen needs no chat)."""
    rows = db.execute(_CONSULTATIONS, {"ids": list(ids)})
    found = {}
    for cid, device_id, taker, state in rows:
        open_now = state in WRITABLE
        refs = {f"device:{device_id}"} if open_now else set()
        if taker is not None:
            refs.add(f"account:{taker}")
        found[cid] = Members(frozenset(refs), open_now, frozenset() if open_now else frozenset({f"device:{device_id}"}))
    return found
