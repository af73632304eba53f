"""The breakdowns the justice bureau asks for (issue 16, item 10), from the rows service.build
selected for a unit's subtree and period: by category, by applicant group, by lawyer, by unit;
the satisfaction of consultations and applications; overdue work grouped by the unit that is late.

Attribution: a consultation counts for the unit whose kiosk it came from; a board message for the
unit that handled it (its target unit, which a hand-over moves, so a message handed on counts for
the unit it was handed to, not the one that passed it); an application for the unit it was filed
at; an overdue step for the unit whose step it is (applications.audience.late_unit_id), an
overdue board message for its handling unit.
"""
from __future__ import annotations

from collections import Counter
from statistics import mean
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.models import Account
from server.accounts.permissions import Role
from server.applicant_groups import GROUPS
from server.applications.audience import late_unit_id
from server.applications.models import Application
from server.board.models import BoardMessage
from server.consultations.models import Consultation
from server.org.models import Unit

SCORES = ("1", "2", "3", "4", "5")


def _avg(values: Sequence[float]) -> float | None:
    return round(mean(values), 2) if values else None


def counted(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(v for v in values if v).items()))


def by_group(groups_of_rows: Iterable[list[str] | None]) -> dict[str, int]:
    """Every group, 0 included: a missing one would read as "not asked"."""
    counts = Counter(g for groups in groups_of_rows for g in groups or [])
    return {g: counts[g] for g in GROUPS}


def satisfaction(scores: Sequence[int]) -> dict[str, Any]:
    counts = Counter(str(s) for s in scores)
    return {"rated": len(scores), "avg": _avg([float(s) for s in scores]), "by_score": {s: counts[s] for s in SCORES}}


def application_comments(apps: Sequence[Application], lawyer_names: dict[int, str]) -> list[dict[str, Any]]:
    """What applicants said with their rating, newest first: shown on the report page."""
    rated = [a for a in apps if a.satisfaction is not None and a.satisfaction_comment]
    rated.sort(key=lambda a: (a.satisfaction_on is None, a.satisfaction_on), reverse=True)
    return [{"application_id": a.id, "case_number": a.case_number, "satisfaction": a.satisfaction,
             "comment": a.satisfaction_comment, "lawyer_name": lawyer_names.get(a.lawyer_account_id or 0, "")}
            for a in rated]


def consultation_comments(rows: Sequence[Consultation], lawyer_names: dict[int, str]) -> list[dict[str, Any]]:
    """What residents wrote beside their rating at the kiosk, newest first: shown on the report page."""
    rated = [c for c in rows if c.rating is not None and c.rating_comment]
    rated.sort(key=lambda c: (c.ended_at is None, c.ended_at), reverse=True)
    return [{"consultation_id": c.id, "rating": c.rating, "comment": c.rating_comment,
             "lawyer_name": lawyer_names.get(c.taker_account_id or 0, "")} for c in rated]


async def names_of_accounts(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict((await session.execute(select(Account.id, Account.display_name).where(Account.id.in_(ids)))).all())


async def by_lawyer(session: AsyncSession, consultations: Sequence[Consultation],
                    apps: Sequence[Application]) -> list[dict[str, Any]]:
    """Per lawyer: consultations they took (and their residents' ratings), cases assigned to them
    (and their applicants' satisfaction). Staff who took consultations are not lawyers: left out."""
    ids = {c.taker_account_id for c in consultations if c.taker_account_id} | {
        a.lawyer_account_id for a in apps if a.lawyer_account_id}
    lawyers = dict((await session.execute(select(Account.id, Account.display_name).where(
        Account.role == Role.lawyer.value, Account.id.in_(ids)))).all())
    out = []
    for account_id, name in sorted(lawyers.items(), key=lambda item: item[1]):
        taken = [c for c in consultations if c.taker_account_id == account_id]
        cases = [a for a in apps if a.lawyer_account_id == account_id]
        out.append({"account_id": account_id, "name": name, "consultations": len(taken),
                    "consultation_avg_rating": _avg([float(c.rating) for c in taken if c.rating is not None]),
                    "applications": len(cases),
                    "application_avg_satisfaction": _avg([float(a.satisfaction) for a in cases
                                                          if a.satisfaction is not None])})
    return out


async def _units(session: AsyncSession, ids: set[int]) -> dict[int, Unit]:
    if not ids:
        return {}
    return {u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(ids)))}


async def by_unit(session: AsyncSession, subtree_ids: set[int], consultations: Sequence[Consultation],
                  board: Sequence[BoardMessage], apps: Sequence[Application]) -> list[dict[str, Any]]:
    """Per unit of the subtree with anything to count, in the tree's order."""
    made = Counter(c.unit_id for c in consultations)
    answered_here = Counter(c.target_unit_id for c in consultations if c.taken_at is not None)
    handled = Counter(m.target_unit_id for m in board)
    filed = Counter(a.unit_id for a in apps)
    reviewed = Counter(a.review_unit_id for a in apps)
    ids = (set(made) | set(answered_here) | set(handled) | set(filed) | set(reviewed)) & subtree_ids
    units = await _units(session, ids)
    return [{"unit_id": u.id, "name": u.name, "kind": u.kind, "consultations": made[u.id],
             "consultations_answered": answered_here[u.id], "board_handled": handled[u.id],
             "applications_filed": filed[u.id], "applications_reviewed": reviewed[u.id]}
            for u in sorted(units.values(), key=lambda u: u.path)]


async def overdue_by_unit(session: AsyncSession, apps: Sequence[Application], today: Any,
                          board_overdue: Sequence[BoardMessage]) -> list[dict[str, Any]]:
    """Overdue applications and board messages grouped by the unit that is late (which may lie
    outside the subtree: a station's report shows the center late on its applications)."""
    late_apps = Counter(late_unit_id(a) for a in apps if a.due_on is not None and a.due_on < today)
    late_board = Counter(m.target_unit_id for m in board_overdue)
    units = await _units(session, set(late_apps) | set(late_board))
    return [{"unit_id": u.id, "name": u.name, "kind": u.kind, "applications": late_apps[u.id],
             "board": late_board[u.id]}
            for u in sorted(units.values(), key=lambda u: (-(late_apps[u.id] + late_board[u.id]), u.path))]
