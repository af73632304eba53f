from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.ids import RowId
from server.org.models import UnitKind

Code = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
Name = Field(min_length=1, max_length=200)


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Code
    name: str = Name
    kind: UnitKind
    parent_id: RowId
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=300)


class UnitUpdate(BaseModel):
    """Rename, move (new parent) or deactivate/reactivate; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: RowId | None = None
    active: bool | None = None
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=300)


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    path: str
    contact_name: str
    contact_phone: str
    address: str
    active: bool


class UnitListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: UnitKind | None = None
    include_inactive: bool = False
