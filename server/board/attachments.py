"""Who may read and add files of a board message (server/files/parents.py asks).

- whoever may see the message reads its files: the board's own visibility rule
  (service.visible_condition), so a photo is as private as the question it came with;
- files are added while the message is not closed, by the kiosk or community staff member who
  left it (a photo of a letter after the text is sent) and by the staff who act on it
  (service._handles: its target unit and above, lawyers for the center, its owner).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.board import service
from server.board.models import BoardMessage
from server.board.state import BoardState
from server.errors import NotFound
from server.files.parents import Parent
from server.org.models import Unit

PARENT_KIND = "board"


class BoardAttachments:
    async def resolve(self, session: AsyncSession, actor: Actor, parent_id: int) -> Parent:
        m = await session.get(BoardMessage, parent_id)
        if m is None:
            raise NotFound(f"there is no board message {parent_id}")
        visible = await session.scalar(select(BoardMessage.id).where(BoardMessage.id == parent_id,
                                                                     service.visible_condition(actor)))
        may_upload = False
        if visible is not None and BoardState(m.state) != BoardState.closed:
            left_it = m.created_by == actor.ref
            target_path = await session.scalar(select(Unit.path).where(Unit.id == m.target_unit_id)) or ""
            may_upload = left_it or service._handles(actor, m, target_path)
        return Parent(kind=PARENT_KIND, id=m.id, unit_id=m.unit_id, may_read=visible is not None,
                      may_upload=may_upload)
