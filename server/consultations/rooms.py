"""Names of the socket rooms that notices are addressed to. Services return Notices; the
realtime layer delivers them, so services never import socketio."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    to: str
    event: str
    data: dict[str, Any] = field(default_factory=dict)


def kiosk(device_id: int) -> str:
    return f"kiosk:{device_id}"


def account(account_id: int) -> str:
    return f"account:{account_id}"


def consultation(consultation_id: int) -> str:
    return f"consultation:{consultation_id}"


def queue(unit_id: int) -> str:
    return f"queue:{unit_id}"
