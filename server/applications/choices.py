"""The applicant's choices on the form (issue 16, item 8): the lawyer they chose from the directory
(點援), and where the application goes for its preliminary review.

Where it may go is the plan's (item 5 (1)–(3)): a community point sends it to its own street
workstation (or the department it sits under), to a department liaison center, which "takes
preliminarily reviewed cases", or straight to the district center. A station or department
reviews what it files itself. The choice is the filer's, made when they submit; the unit
chosen reviews it (access.may_review) and is the one told (audience.py).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.models import Account, LawyerProfile
from server.accounts.permissions import Role
from server.applications.conflicts import warnings
from server.applications.models import Application, ApplicationStep
from server.errors import InvalidInput
from server.org.models import Unit, UnitKind


async def choosable_lawyer(session: AsyncSession, lawyer_id: int) -> LawyerProfile | None:
    """The directory entry if the applicant may choose it: listed, and its account an active lawyer's."""
    found = await session.execute(select(LawyerProfile, Account).join(Account, Account.id == LawyerProfile.account_id)
                                  .where(LawyerProfile.id == lawyer_id))
    row = found.first()
    if row is None:
        return None
    profile, account = row
    return profile if profile.listed and account.active and account.role == Role.lawyer else None


async def check_chosen_lawyer(session: AsyncSession, lawyer_id: int) -> LawyerProfile:
    profile = await choosable_lawyer(session, lawyer_id)
    if profile is None:
        raise InvalidInput("the applicant chooses an active lawyer listed in the directory", field="chosen_lawyer_id",
                           reason="not_choosable")
    return profile


async def destinations(session: AsyncSession, filed_at: Unit) -> list[Unit]:
    """Where an application filed at `filed_at` may go: for a community point its parent first
    (the default), then the center's active departments, then the center; else the filing unit."""
    if filed_at.kind != UnitKind.community:
        return [filed_at]
    parent = await session.get_one(Unit, filed_at.parent_id)
    center_id = int(filed_at.path.split("/")[1])
    departments = list(await session.scalars(select(Unit).where(
        Unit.kind == UnitKind.department, Unit.parent_id == center_id, Unit.active.is_(True),
        Unit.id != parent.id).order_by(Unit.name, Unit.id)))
    center = await session.get_one(Unit, center_id)
    return [parent, *departments, center]


async def check_destination(session: AsyncSession, filed_at: Unit, unit_id: int) -> Unit:
    """The unit chosen, if the plan lets this filing unit send there; InvalidInput (400) naming
    the allowed ones otherwise."""
    allowed = await destinations(session, filed_at)
    chosen = next((u for u in allowed if u.id == unit_id), None)
    if chosen is None:
        unit = await session.get(Unit, unit_id)
        what = "no such unit" if unit is None else f"a {unit.kind} that this application may not be sent to"
        raise InvalidInput(f"unit {unit_id} is {what}: send it to its station or department, a department "
                           "liaison center or the center", field="review_unit_id", reason="not_a_destination",
                           allowed=[u.id for u in allowed])
    if not chosen.active:
        raise InvalidInput(f"unit {unit_id} is deactivated", field="review_unit_id", reason="inactive")
    return chosen


def chosen_still_available(candidates: list[dict]) -> bool:
    """Whether the applicant's chosen lawyer could still be proposed: listed, active, and has not
    declined this application (otherwise the center need not say why another)."""
    return any(c["chosen"] and not c["declined_here"] for c in candidates)


async def lawyer_candidates(session: AsyncSession, app: Application) -> list[dict]:
    """The lawyers the center may propose, the applicant's chosen one first, each with the
    conflicts remembered with a party of this application and whether it declined this one."""
    listed = list((await session.execute(
        select(LawyerProfile).join(Account, Account.id == LawyerProfile.account_id)
        .where(LawyerProfile.listed.is_(True), Account.active.is_(True), Account.role == Role.lawyer)
        .order_by(LawyerProfile.id))).scalars())
    declined = set(await session.scalars(select(ApplicationStep.actor).where(
        ApplicationStep.application_id == app.id, ApplicationStep.action == "decline_assignment")))
    remembered = await warnings(session, app, [lawyer.id for lawyer in listed])
    listed.sort(key=lambda lawyer: lawyer.id != app.chosen_lawyer_id)  # stable: the chosen one first
    out = []
    for lawyer in listed:
        chosen = lawyer.id == app.chosen_lawyer_id
        declined_here = f"account:{lawyer.account_id}" in declined
        conflicts = remembered.get(lawyer.id, [])
        out.append(dict(lawyer_id=lawyer.id, name=lawyer.name, firm=lawyer.firm, chosen=chosen,
                        declined_here=declined_here, conflicts=conflicts, needs_reason=False))
    available = chosen_still_available(out)
    for c in out:
        c["needs_reason"] = bool(c["conflicts"]) or (app.chosen_lawyer_id is not None and not c["chosen"] and available)
    return out
