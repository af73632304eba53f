"""How long each kind of record is kept, from FAYUAN_RETENTION_DAYS_<KIND>, parsed once.

The periods count from when a record is finished: a consultation's end, a board message's
closing, an application's last change in a final state, a file's upload, an audit row's time.
Open records are never deleted, whatever their age."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Mapping

from server.config import ConfigError

# The audit log must answer for at least six months (網絡安全法 art. 21: logs kept no less
# than six months); the database's own trigger refuses deleting anything younger than this.
AUDIT_MINIMUM_DAYS = 183


class Kind(StrEnum):
    consultations = "consultations"  # the record, its events, its chat and its files
    board = "board"  # a message, its replies, events, public answer and files
    files = "files"  # files of consultations and board messages (an application keeps its own)
    applications = "applications"  # a finished application, its steps and its files
    audit = "audit"


DEFAULT_DAYS: dict[Kind, int] = {
    Kind.consultations: 3 * 365,
    Kind.board: 3 * 365,
    Kind.files: 3 * 365,
    # legal aid case files are archives: kept long after the case closed
    Kind.applications: 30 * 365,
    Kind.audit: 3 * 365,
}
MINIMUM_DAYS: dict[Kind, int] = {kind: 1 for kind in Kind} | {Kind.audit: AUDIT_MINIMUM_DAYS}


def variable(kind: Kind) -> str:
    return f"FAYUAN_RETENTION_DAYS_{kind.name.upper()}"


@dataclass(frozen=True)
class RetentionPolicy:
    periods: dict[Kind, timedelta]

    def period(self, kind: Kind) -> timedelta:
        return self.periods[kind]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RetentionPolicy":
        periods = {}
        for kind in Kind:
            name = variable(kind)
            text = env.get(name, str(DEFAULT_DAYS[kind])).strip()
            try:
                days = int(text)
            except ValueError:
                raise ConfigError(name, f"{text!r} is not a whole number of days") from None
            if days < MINIMUM_DAYS[kind]:
                raise ConfigError(name, f"keep {kind.value} at least {MINIMUM_DAYS[kind]} days")
            periods[kind] = timedelta(days=days)
        return cls(periods)
