from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from server.retention.service import HoldKind


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: HoldKind
    ref_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=2, max_length=500)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=500)


class HoldQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool = True


class HoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: HoldKind
    ref_id: int
    reason: str
    set_by: str
    set_at: datetime
    released_by: str
    released_at: datetime | None
