"""Who may read and add files of a consultation (server/files/parents.py asks).

- the kiosk that started it, while it is queued or live: the next resident at the same kiosk
  must not see the last one's papers;
- the lawyer or staff member who took it, at any time;
- other staff may read (not add) when the kiosk's unit or the target unit lies in their part
  of the unit tree, as for the consultation record; a lawyer reads only what they took.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.permissions import Role
from server import notify
from server.consultations.models import Consultation
from server.consultations.state import ConsultationState as S
from server.errors import NotFound
from server.files.parents import Parent
from server.org.models import Unit

KIOSK_MAY_USE = (S.queued, S.live)


class ConsultationAttachments:
    async def resolve(self, session: AsyncSession, actor: Actor, parent_id: int) -> Parent:
        c = await session.get(Consultation, parent_id)
        if c is None:
            raise NotFound(f"there is no consultation {parent_id}")
        own_kiosk = actor.kind == "device" and actor.id == c.device_id and c.state in KIOSK_MAY_USE
        taker = actor.kind == "account" and actor.id == c.taker_account_id
        in_tree = False
        if actor.kind == "account" and actor.role != Role.lawyer and not taker:
            paths = await session.scalars(select(Unit.path).where(Unit.id.in_((c.unit_id, c.target_unit_id))))
            in_tree = any(actor.sees_unit(path) for path in paths)
        return Parent(kind="consultation", id=c.id, unit_id=c.unit_id, may_read=own_kiosk or taker or in_tree,
                      may_upload=own_kiosk or taker,
                      room=notify.consultation(c.id) if c.state == S.live else None)
