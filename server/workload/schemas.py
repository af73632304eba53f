from __future__ import annotations

from pydantic import BaseModel, Field


class Counts(BaseModel):
    queue: int = Field(description="residents queued that you watch or may take")
    board: int = Field(description="unanswered board messages claimed by you, or free for you to claim")
    applications: int = Field(description="applications whose next step is yours (read-only views not counted)")
