from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from server.accounts.permissions import require
from server.audit import service
from server.dates import Moment
from server.org import service as org
from server.web.api import Call, Router

router = Router()


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str | None = Field(default=None, max_length=100)
    action: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, pattern=r"^(ok|refused|failed)$")
    since: Moment | None = Field(default=None, description="with its offset, e.g. 2026-12-07T00:00:00+08:00")
    until: Moment | None = None
    offset: int = Field(default=0, ge=0, le=10_000_000)
    limit: int = Field(default=50, ge=1, le=200)


class AuditRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: str
    actor_name: str
    role: str
    unit_id: int | None
    action: str
    object: str
    outcome: str
    client_addr: str
    detail: str


class AuditPage(BaseModel):
    total: int
    rows: list[AuditRow]


@router.get("/api/audit", summary="Page and filter the audit log (read-only: no API edits or deletes)",
            tag="audit", query=AuditQuery, response=AuditPage)
async def list_audit(call: Call) -> AuditPage:
    require(call.actor, "audit.read")
    q = call.query
    # Rows of unit-less actors (anonymous login failures) are visible to admins of the whole tree.
    unit_ids = None if call.actor.at_center else await org.visible_ids(call.session, call.actor)
    total, rows = await service.page(call.session, unit_ids=unit_ids, actor=q.actor, action=q.action,
                                     outcome=q.outcome, since=q.since, until=q.until, offset=q.offset,
                                     limit=q.limit)
    return AuditPage(total=total, rows=[AuditRow.model_validate(r) for r in rows])
