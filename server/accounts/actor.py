"""Who is asking: a staff account, a kiosk device, a consultation's guest (socket only), nobody,
or the service itself.

Five kinds, one class each, told apart by `kind` (a literal, so that a check such as
`actor.kind == "account"` narrows the type: an account's id, role and unit are then known).
What the kinds share (their reference in records, the unit-tree rule) is in `_Who`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from server.accounts.permissions import Role


class _Who:
    kind: str
    id: int | None
    unit_path: str

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind

    @property
    def known_id(self) -> int:
        """The id of an account or a device, where the caller knows the actor is one (a socket's
        peer, a checked kind): anonymous and system actors have none."""
        if self.id is None:
            raise TypeError(f"the {self.kind} actor has no id")
        return self.id

    @property
    def at_center(self) -> bool:
        """Belongs to the root of the unit tree (paths look like "/1/")."""
        return self.unit_path.count("/") == 2

    def sees_unit(self, path: str) -> bool:
        """The unit tree rule: a unit sees itself and everything below it."""
        return bool(self.unit_path) and path.startswith(self.unit_path)


@dataclass(frozen=True, kw_only=True)
class AccountActor(_Who):
    """A logged-in staff member, with the browser session it acts through."""
    id: int
    role: Role
    unit_id: int
    unit_path: str
    name: str
    session_id: str | None = None
    csrf_token: str | None = None
    kind: Literal["account"] = field(default="account", init=False)


@dataclass(frozen=True, kw_only=True)
class DeviceActor(_Who):
    """A registered kiosk at a community contact point."""
    id: int
    unit_id: int
    unit_path: str
    name: str
    role: Literal[Role.kiosk] = field(default=Role.kiosk, init=False)
    session_id: None = field(default=None, init=False)
    csrf_token: None = field(default=None, init=False)
    kind: Literal["device"] = field(default="device", init=False)


@dataclass(frozen=True, kw_only=True)
class GuestActor(_Who):
    """A third person a lawyer invited into one live consultation (an interpreter, a family
    member, a second lawyer): on the socket only, for that call's events (consultations/guests.py)."""
    id: int  # the consultation_guests row
    name: str
    role: None = field(default=None, init=False)
    unit_id: None = field(default=None, init=False)
    unit_path: str = field(default="", init=False)
    session_id: None = field(default=None, init=False)
    csrf_token: None = field(default=None, init=False)
    kind: Literal["guest"] = field(default="guest", init=False)


@dataclass(frozen=True)
class _Unplaced(_Who):
    """No account, no device, no unit: sees no unit and holds no personal data."""
    name: str = ""
    id: None = field(default=None, init=False)
    role: None = field(default=None, init=False)
    unit_id: None = field(default=None, init=False)
    unit_path: str = field(default="", init=False)
    session_id: None = field(default=None, init=False)
    csrf_token: None = field(default=None, init=False)


@dataclass(frozen=True)
class AnonymousActor(_Unplaced):
    kind: Literal["anonymous"] = field(default="anonymous", init=False)


@dataclass(frozen=True)
class SystemActor(_Unplaced):
    """The sweep and other jobs acting on their own."""
    kind: Literal["system"] = field(default="system", init=False)


Actor = AccountActor | DeviceActor | GuestActor | AnonymousActor | SystemActor

ANONYMOUS = AnonymousActor()
SYSTEM = SystemActor(name="system")
