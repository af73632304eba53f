"""The Context every application verb takes besides the session and the actor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from server.applications import numbering
from server.applications.deadlines import Deadlines
from server.hours.calendar import Schedule


@dataclass(frozen=True)
class Context:
    """What every verb needs besides the session and the actor."""

    now: datetime
    schedule: Schedule
    deadlines: Deadlines
    number_format: str = numbering.DEFAULT_FORMAT
    categories: tuple[str, ...] = ()
    client_addr: str = ""

    @property
    def today(self) -> date:
        return self.now.astimezone(self.schedule.tz).date()
