from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PersonRequest(BaseModel):
    """Exactly one of phone and id_number, and why the request is made."""

    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 \-]{5,23}$")
    id_number: str | None = Field(default=None, pattern=r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$")
    reason: str = Field(min_length=2, max_length=500)

    @model_validator(mode="after")
    def one_identifier(self) -> "PersonRequest":
        if (self.phone is None) == (self.id_number is None):
            raise ValueError("give exactly one of phone and id_number")
        return self


class KeptCase(BaseModel):
    kind: str
    id: int
    reason: str


class EraseOut(BaseModel):
    erased: dict[str, int]
    kept: list[KeptCase]
