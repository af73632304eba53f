"""Who may read and add files of a board message (server/files/parents.py asks).

- staff who may see the message read its files: the board's own visibility rule
  (access.visible_condition), so a photo is as private as the question it came with;
- files are added while the message is not closed, by the community staff member who left it
  (a photo of a letter after the text is sent) and by the staff who act on it
  (access.handles: its target unit and above, lawyers for the center, its owner);
- the kiosk where it was left reads and adds files only while the resident who left it is
  still at the screen, for KIOSK_ATTACH_WINDOW after leaving it: the next person at a kiosk is
  a stranger.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.board.access import handles, visible_condition
from server.board.models import BoardMessage
from server.board.state import BoardState
from server.clock import Clock
from server.errors import NotFound
from server.files.parents import Parent
from server.org.models import Unit

PARENT_KIND = "board"
# The kiosk's "sent" screen goes home after 3 minutes untouched; a resident photographing a few
# pages keeps touching it. Past this, the kiosk is taken to be someone else's.
KIOSK_ATTACH_WINDOW = timedelta(minutes=15)


class BoardAttachments:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def resolve(self, session: AsyncSession, actor: Actor, parent_id: int) -> Parent:
        m = await session.get(BoardMessage, parent_id)
        if m is None:
            raise NotFound(f"there is no board message {parent_id}")
        if actor.kind == "device":
            just_left = (m.created_by == actor.ref and BoardState(m.state) != BoardState.closed
                         and self.clock.now() - m.created_at <= KIOSK_ATTACH_WINDOW)
            return Parent(kind=PARENT_KIND, id=m.id, unit_id=m.unit_id, may_read=just_left, may_upload=just_left)
        visible = await session.scalar(select(BoardMessage.id).where(BoardMessage.id == parent_id,
                                                                     visible_condition(actor)))
        may_upload = False
        if visible is not None and BoardState(m.state) != BoardState.closed:
            left_it = m.created_by == actor.ref  # community staff
            target_path = await session.scalar(select(Unit.path).where(Unit.id == m.target_unit_id)) or ""
            may_upload = left_it or handles(actor, m, target_path)
        return Parent(kind=PARENT_KIND, id=m.id, unit_id=m.unit_id, may_read=visible is not None,
                      may_upload=may_upload)
