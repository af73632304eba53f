"""What a file can be attached to, and who may read or add to it there.

A parent is (`parent_kind`, `parent_id`). Each domain that takes files supplies one
ParentKind for its kind, which answers for one actor and one parent; files/ itself knows no
domain's rules. app.py registers the kinds in use (`file_parents`):

- `consultation`: server/consultations/attachments.py
- `board`: server/board/attachments.py (its read rule is the board's own visibility rule)
- `application`: server/applications/attachments.py
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.errors import InvalidInput, PermissionDenied


@dataclass(frozen=True)
class Parent:
    kind: str
    id: int
    unit_id: int | None  # where it lives in the unit tree (for the audit log)
    may_read: bool
    may_upload: bool
    room: str | None = None  # the socket room told about new files, while the parent is live


class ParentKind(Protocol):
    async def resolve(self, session: AsyncSession, actor: Actor, parent_id: int) -> Parent:
        """The parent as `actor` may use it; NotFound when there is no such parent."""


class Parents:
    def __init__(self, kinds: dict[str, ParentKind]) -> None:
        self.kinds = kinds

    async def resolve(self, session: AsyncSession, actor: Actor, kind: str, parent_id: int) -> Parent:
        handler = self.kinds.get(kind)
        if handler is None:
            raise InvalidInput(f"files cannot be attached to a {kind!r}", field="parent_kind",
                               allowed=sorted(self.kinds))
        return await handler.resolve(session, actor, parent_id)

    async def readable(self, session: AsyncSession, actor: Actor, kind: str, parent_id: int) -> Parent:
        parent = await self.resolve(session, actor, kind, parent_id)
        if not parent.may_read:
            raise PermissionDenied(f"you may not see the files of this {kind}")
        return parent

    async def writable(self, session: AsyncSession, actor: Actor, kind: str, parent_id: int) -> Parent:
        parent = await self.resolve(session, actor, kind, parent_id)
        if not parent.may_upload:
            raise PermissionDenied(f"you may not add files to this {kind}")
        return parent

