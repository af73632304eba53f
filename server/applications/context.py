"""The Context every application verb takes besides the session and the actor."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping

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


@dataclass(frozen=True)
class ApplicationSettings:
    """The applications' FAYUAN_* settings, parsed once at start-up (app[keys.APPLICATION_SETTINGS]):
    a bad value stops the start (ConfigError)."""

    deadlines: Deadlines = field(default_factory=Deadlines)
    number_format: str = numbering.DEFAULT_FORMAT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ApplicationSettings":
        return cls(deadlines=Deadlines.from_env(env), number_format=numbering.format_from_env(env))
