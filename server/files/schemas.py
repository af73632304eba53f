from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from server.ids import RowId


class ParentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_kind: str = Field(min_length=1, max_length=20, pattern=r"^[a-z_]+$")
    parent_id: RowId


class FileOut(BaseModel):
    id: int
    parent_kind: str
    parent_id: int
    name: str
    type: str
    mime: str
    size_bytes: int
    sha256: str
    width: int | None
    height: int | None
    state: str
    uploaded_by: str
    uploaded_at: datetime
    download_url: str
    thumbnail_url: str | None
