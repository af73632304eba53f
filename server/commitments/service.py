"""服務承諾 (service commitments): what the center publicly promises residents, built from the
values the service runs on — the service hours, the consultation rules, the board's reply
deadline and the application deadlines — so the published promise and what the system holds
itself to cannot drift apart."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from server.applications.deadlines import Deadlines
from server.consultations.rules import Rules
from server.hours.calendar import Schedule
from server.hours.schemas import weekly_windows


def _whole_minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def commitments(schedule: Schedule, rules: Rules, board_reply_working_days: int, deadlines: Deadlines,
                timezone: str) -> dict:
    steps = asdict(deadlines)
    steps["enforcement_reminder_days"] = steps.pop("reminder_days")
    return {
        "timezone": timezone,
        "hours": weekly_windows(schedule.windows),
        "consultation": {"chosen_lawyer_wait_minutes": _whole_minutes(rules.chosen_lawyer_wait),
                         "closing_cutoff_minutes": _whole_minutes(rules.closing_cutoff),
                         "grace_minutes": _whole_minutes(rules.grace_after_close)},
        "board_reply_working_days": board_reply_working_days,
        "application_working_days": steps,
    }
