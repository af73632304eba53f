"""What services say must be told, and to whom: Notices addressed to socket rooms, and the
names of those rooms. Services of every domain return them; after the commit the one
delivery path (app[keys.DELIVER], the gateway's deliver) sends them, so services never
import socketio and no domain imports another's just to be heard."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    to: str
    event: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueChanged:
    """A unit's queue changed. Once the change is committed, the realtime layer tells the
    queue's watchers and every kiosk waiting in it (queue.notices_for): read after the
    commit, the positions are the committed ones, and the write lock is not held meanwhile."""

    unit_id: int


Push = Notice | QueueChanged  # what services hand the realtime layer


def kiosk(device_id: int) -> str:
    return f"kiosk:{device_id}"


def account(account_id: int) -> str:
    return f"account:{account_id}"


def consultation(consultation_id: int) -> str:
    return f"consultation:{consultation_id}"


def guest(guest_id: int) -> str:
    """A guest's own room (consultations/guests.py): every socket of their session."""
    return f"guest:{guest_id}"


def call_member(consultation_id: int, ref: str) -> str:
    """One member of a consultation's call (kiosk, taker or guest): signals addressed to them."""
    return f"call:{consultation_id}:{ref}"


def call_guests(consultation_id: int) -> str:
    """The guests in a consultation's call: what they hear of it (never its chat or files)."""
    return f"call:{consultation_id}:guests"


def queue(unit_id: int) -> str:
    return f"queue:{unit_id}"


DASHBOARD = "dashboard"  # the center's wall displays (server/dashboard)

