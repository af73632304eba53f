"""Who is asking: a staff account, a kiosk device, a consultation's guest (socket only), or nobody."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.accounts.permissions import Role


@dataclass(frozen=True)
class Actor:
    kind: Literal["account", "device", "guest", "anonymous", "system"]
    id: int | None = None
    role: Role | None = None
    unit_id: int | None = None
    unit_path: str = ""
    name: str = ""
    session_id: str | None = None
    csrf_token: str | None = None

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


ANONYMOUS = Actor(kind="anonymous")
SYSTEM = Actor(kind="system", name="system")  # the sweep and other jobs acting on their own
