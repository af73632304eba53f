"""Who must act next on an application, and the Notices that tell them (issue 16, item 7): each
step pushes application.changed to the accounts whose turn it now is, so their page shows a
badge and the list updates without polling; the sweep flags an overdue step to the late unit."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.models import Account, LawyerProfile
from server.applications.access import BUREAU_ROLES, CENTER_ROLES, FILER_ROLES, reviewer_roles
from server.applications.models import Application
from server.applications.state import ApplicationState as S
from server.notify import Notice, account
from server.org.models import Unit
from signaling.events import APPLICATION_CHANGED

# whose turn it is in each state: the unit the application was filed at, the reviewing station
# or department, or the center (the lawyers are added by name). Waiting for materials concerns the filing unit,
# which helps the applicant bring them, and whoever asked for them.
FILER_NEXT = frozenset({S.draft, S.returned, S.rejected, S.denied, S.withdrawn, S.preliminarily_approved,
                        S.denial_upheld, S.awaiting_materials, S.terminated, S.termination_upheld})
REVIEWER_NEXT = frozenset({S.submitted, S.preliminary_review, S.preliminarily_approved})
CENTER_NEXT = frozenset({S.accepted, S.center_review, S.approved, S.in_progress, S.closed})


# whose deadline runs in each state with one (deadlines.STEP_OF): once it has passed, that unit is late
REVIEWER_DUE = frozenset({S.submitted, S.preliminary_review, S.preliminarily_approved})
CENTER_DUE = frozenset({S.accepted, S.center_review, S.approved, S.lawyer_assigned, S.objection_review})


def late_unit_id(app: Application) -> int:
    """The unit whose step is running (and late once its due date has passed): the reviewing
    station or department, the center (its lawyers' first contact and the bureau's answer to an
    objection included: both sit at the center), or for missing materials the filing unit, which
    helps the applicant bring them."""
    state = S(app.state)
    if state in REVIEWER_DUE:
        return app.review_unit_id
    if state in CENTER_DUE:
        return app.center_id
    return app.unit_id


async def _staff(session: AsyncSession, unit_id: int, roles: frozenset) -> set[int]:
    found = await session.scalars(select(Account.id).where(Account.active.is_(True), Account.unit_id == unit_id,
                                                           Account.role.in_([r.value for r in roles])))
    return set(found)


async def next_actors(session: AsyncSession, app: Application) -> set[int]:
    """The accounts whose turn it is now. A denial or a withdrawal goes back to the filing unit:
    it tells the applicant (and helps with an objection)."""
    state = S(app.state)
    people: set[int] = set()
    if state in FILER_NEXT:
        people |= await _staff(session, app.unit_id, FILER_ROLES)
    asked_by_center = state == S.awaiting_materials and app.accepted_on is not None
    if state in REVIEWER_NEXT or (state == S.awaiting_materials and not asked_by_center):
        review_kind = await session.scalar(select(Unit.kind).where(Unit.id == app.review_unit_id))
        people |= await _staff(session, app.review_unit_id, reviewer_roles(review_kind or ""))
    if state in CENTER_NEXT or asked_by_center:
        people |= await _staff(session, app.center_id, CENTER_ROLES)
    if state == S.objection_review:
        people |= await _staff(session, app.center_id, BUREAU_ROLES)
    if state == S.approved and app.proposed_lawyer_id is not None:
        lawyer = await session.scalar(select(LawyerProfile.account_id)
                                      .where(LawyerProfile.id == app.proposed_lawyer_id))
        people |= {lawyer} if lawyer else set()
    if state in (S.lawyer_assigned, S.in_progress, S.terminated) and app.lawyer_account_id is not None:
        people.add(app.lawyer_account_id)
    return people


async def notices(session: AsyncSession, app: Application, change: str, *, skip: int | None = None) -> list[Notice]:
    """application.changed to everyone who must act next (not the one who just acted)."""
    data = {"application_id": app.id, "state": app.state, "change": change,
            "due_on": app.due_on.isoformat() if app.due_on else None, "case_number": app.case_number}
    return [Notice(account(a), APPLICATION_CHANGED, data) for a in sorted(await next_actors(session, app) - {skip})]
