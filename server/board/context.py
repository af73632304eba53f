"""What every board verb takes (Context) and returns (Outcome), and the reply deadline's setting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from server.board.models import BoardMessage
from server.notify import Notice
from server.hours.calendar import Schedule
from server.config import ConfigError

DEFAULT_REPLY_WORKING_DAYS = 2
MAX_REPLY_WORKING_DAYS = 60


@dataclass(frozen=True)
class Context:
    """What every verb needs besides the session and the actor."""

    now: datetime
    schedule: Schedule
    reply_working_days: int = DEFAULT_REPLY_WORKING_DAYS
    categories: tuple[str, ...] = ()


@dataclass
class Outcome:
    message: BoardMessage
    notices: list[Notice]
    detail: str = ""  # for the audit row
    receipt_code: str = ""  # leave: the code the resident is given, shown once


@dataclass(frozen=True)
class BoardSettings:
    """The board's FAYUAN_* settings, parsed once at start-up (app[keys.BOARD_SETTINGS])."""

    reply_working_days: int = DEFAULT_REPLY_WORKING_DAYS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "BoardSettings":
        return cls(reply_working_days=reply_working_days(env))


def reply_working_days(env: Mapping[str, str]) -> int:
    """FAYUAN_BOARD_REPLY_DAYS: working days a message may wait for its first reply."""
    text = env.get("FAYUAN_BOARD_REPLY_DAYS", "").strip()
    if not text:
        return DEFAULT_REPLY_WORKING_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPLY_WORKING_DAYS:
        raise ConfigError("FAYUAN_BOARD_REPLY_DAYS", f"{text!r} is not a whole number of working days "
                                                     f"from 1 to {MAX_REPLY_WORKING_DAYS}")
    return int(text)
