"""Who may read and add files of an application (server/files/parents.py asks).

- whoever may see the application (its filing or reviewing unit's subtree, the lawyers on it)
  may read its files: ID card, proof of hardship, evidence; but a proposed lawyer only once they
  have confirmed no conflict of interest (access.may_read_personal);
- files are added while it is a draft or returned for correction, by whoever may fill in the
  form (access.may_file): after submission the papers reviewed are the papers kept.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.applications import reading
from server.applications.access import may_file, may_read_personal, visible_condition
from server.applications.form import PARENT_KIND
from server.applications.models import Application
from server.applications.state import EDITABLE, ApplicationState
from server.errors import NotFound
from server.files.parents import Parent


class ApplicationAttachments:
    async def resolve(self, session: AsyncSession, actor: Actor, parent_id: int) -> Parent:
        app = await session.get(Application, parent_id)
        if app is None:
            raise NotFound(f"there is no application {parent_id}")
        visible = await session.scalar(select(Application.id).where(Application.id == parent_id,
                                                                    visible_condition(actor)))
        may_read = may_upload = False
        if visible is not None:
            where = await reading.get(session, actor, parent_id)
            may_read = may_read_personal(actor, where)
            may_upload = ApplicationState(app.state) in EDITABLE and may_file(actor, where)
        return Parent(kind=PARENT_KIND, id=app.id, unit_id=app.unit_id, may_read=may_read,
                      may_upload=may_upload)
