from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from server.accounts.permissions import Role
from server.ids import RowId

Phone = Field(default="", max_length=32, pattern=r"^(|\+?[0-9][0-9 -]{4,30})$")


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class MeOut(BaseModel):
    kind: str
    id: int | None
    name: str
    role: Role | None
    unit_id: int | None
    at_center: bool = Field(default=False, description="belongs to the district center, the root of the unit tree")
    csrf_token: str | None = None
    permissions: list[str] = []


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    role: Role
    unit_id: RowId
    phone: str = Phone
    password: str = Field(min_length=10, max_length=200)


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    role: Role | None = None
    unit_id: RowId | None = None
    phone: str | None = Phone
    password: str | None = Field(default=None, min_length=10, max_length=200)
    active: bool | None = None
    unlock: bool | None = Field(default=None, description="let every address that failed try this name again now")


class AccountOut(BaseModel):
    """In lists the phone is masked; GET /api/accounts/{id}/phone reads it in full, audited."""

    id: int
    username: str
    display_name: str
    role: Role
    unit_id: int
    phone_masked: str
    active: bool
    locked_until: datetime | None = Field(description="until when some address that failed to log in as this "
                                                      "name must wait (others are not held up)")


class PhoneOut(BaseModel):
    phone: str


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    unit_id: RowId


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    unit_id: int
    token_hint: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None


class DeviceCreated(DeviceOut):
    token: str = Field(description="shown once: configure the kiosk with it")


class LawyerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: RowId
    name: str = Field(min_length=1, max_length=100)
    firm: str = Field(default="", max_length=200)
    specialties: list[str] = Field(default_factory=list, max_length=20)
    languages: list[str] = Field(default_factory=list, max_length=20)
    bio: str = Field(default="", max_length=2000)
    photo_url: str = Field(default="", max_length=500, pattern=r"^(|/[^\s]*|https://[^\s]+)$")
    listed: bool = True


class LawyerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    firm: str | None = Field(default=None, max_length=200)
    specialties: list[str] | None = Field(default=None, max_length=20)
    languages: list[str] | None = Field(default=None, max_length=20)
    bio: str | None = Field(default=None, max_length=2000)
    photo_url: str | None = Field(default=None, max_length=500, pattern=r"^(|/[^\s]*|https://[^\s]+)$")
    listed: bool | None = None


class LawyerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    account_id: int
    name: str
    firm: str
    specialties: list[str]
    languages: list[str]
    bio: str
    photo_url: str
    listed: bool


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)
