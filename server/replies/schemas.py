from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from signaling.payloads import RowId

Language = Literal["zh-CN", "en"]


class ReplyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Language | None = Field(default=None, description="only the replies in this language")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Language
    title: str = Field(min_length=1, max_length=60, pattern=r"\S")
    body: str = Field(min_length=1, max_length=1000, pattern=r"\S")
    unit_id: RowId | None = Field(default=None, description="the unit that keeps it; default your own")


class ReplyPatch(BaseModel):
    """Only the fields given change; position moves it among its unit's replies in its language."""

    model_config = ConfigDict(extra="forbid")
    language: Language | None = None
    title: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"\S")
    body: str | None = Field(default=None, min_length=1, max_length=1000, pattern=r"\S")
    position: int | None = Field(default=None, ge=0, le=10_000)


class ReplyOut(BaseModel):
    id: int
    unit_id: int
    unit_name: str
    language: str
    title: str
    body: str
    position: int
    editable: bool = Field(description="you may change or delete it")
