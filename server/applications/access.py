"""Who may see an application and which steps of the workflow each actor may take now."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import LawyerProfile
from server.accounts.permissions import Role
from server.applications.models import Application, ApplicationStep
from server.applications.state import EDITABLE, ApplicationState as S
from server.errors import NotFound, PermissionDenied
from server.org.models import Unit, UnitKind

FILER_ROLES = frozenset({Role.community_staff, Role.station_staff, Role.department_staff, Role.center_staff,
                         Role.admin})
REVIEWER_ROLES = frozenset({Role.station_staff, Role.department_staff, Role.admin})
CENTER_ROLES = frozenset({Role.center_staff, Role.admin})
BUREAU_ROLES = frozenset({Role.bureau})


@dataclass(frozen=True)
class Where:
    """An application with the tree paths its permissions depend on."""

    app: Application
    unit: Unit
    review_unit: Unit
    proposed_account_id: int | None


def visible_condition(actor: Actor) -> ColumnElement[bool]:
    """Applications the actor may see: filed at or reviewed by a unit of its subtree; a lawyer
    sees those they started, were proposed for, were assigned or acted on (a declined one)."""
    if actor.kind != "account":
        return false()
    if actor.role == Role.lawyer:
        proposed = select(LawyerProfile.id).where(LawyerProfile.account_id == actor.id)
        acted = select(ApplicationStep.application_id).where(ApplicationStep.actor == actor.ref)
        return or_(Application.created_by == actor.ref, Application.lawyer_account_id == actor.id,
                   Application.proposed_lawyer_id.in_(proposed), Application.id.in_(acted))
    subtree = select(Unit.id).where(Unit.path.startswith(actor.unit_path))
    return or_(Application.unit_id.in_(subtree), Application.review_unit_id.in_(subtree))


def may_file(actor: Actor, w: Where) -> bool:
    if actor.role == Role.lawyer:
        return w.app.created_by == actor.ref
    return actor.role in FILER_ROLES and actor.sees_unit(w.unit.path)


def reviewer_roles(review_unit_kind: str) -> frozenset[Role]:
    """Who reviews at a unit: a station's or department's staff; the center's own staff when a
    community sent the application straight to the center (choices.py)."""
    return REVIEWER_ROLES | CENTER_ROLES if review_unit_kind == UnitKind.center else REVIEWER_ROLES


def may_review(actor: Actor, w: Where) -> bool:
    return actor.role in reviewer_roles(w.review_unit.kind) and actor.sees_unit(w.review_unit.path)


def is_center(actor: Actor) -> bool:
    return actor.role in CENTER_ROLES and actor.at_center


def is_bureau(actor: Actor, w: Where) -> bool:
    """The justice bureau over the application's center (its accounts sit at the center)."""
    return actor.role in BUREAU_ROLES and actor.sees_unit(f"/{w.app.center_id}/")


def may_ask_materials(actor: Actor, w: Where) -> bool:
    """补充材料 is asked and received by whoever is reviewing: the center once it has accepted the
    case, the station or department before."""
    return is_center(actor) if w.app.accepted_on is not None else may_review(actor, w)


def is_proposed_lawyer(actor: Actor, w: Where) -> bool:
    return actor.role == Role.lawyer and w.proposed_account_id is not None and w.proposed_account_id == actor.id


def is_assigned_lawyer(actor: Actor, w: Where) -> bool:
    return actor.role == Role.lawyer and w.app.lawyer_account_id == actor.id


def may_read_personal(actor: Actor, w: Where) -> bool:
    """The full ID number, phone and birth date, the PDFs and the attached papers (an ID card's
    photo among them): staff who see the application; of the lawyers, the one who started it
    and the assigned one. A proposed lawyer judges a conflict of interest from the names and
    the case, and reads the rest only once they have confirmed there is none."""
    if actor.role != Role.lawyer:
        return True
    return w.app.created_by == actor.ref or is_assigned_lawyer(actor, w)


def check_may_read_personal(actor: Actor, w: Where) -> None:
    if not may_read_personal(actor, w):
        raise PermissionDenied("a proposed lawyer reads the applicant's personal data once they have confirmed "
                               "no conflict of interest", reason="not_assigned")


# action name → (states it starts from, who may take it)
ACTIONS: dict[str, tuple[frozenset[S], Any]] = {
    "edit": (EDITABLE, may_file),
    "submit": (frozenset({S.draft, S.returned}), may_file),
    "reopen": (frozenset({S.returned}), may_file),
    "review": (frozenset({S.submitted}), may_review),
    "return": (frozenset({S.preliminary_review}), may_review),
    "reject": (frozenset({S.preliminary_review}), may_review),
    "preliminary_approve": (frozenset({S.preliminary_review}), may_review),
    "accept": (frozenset({S.preliminarily_approved}), may_review),
    "center_review": (frozenset({S.accepted}), lambda actor, w: is_center(actor)),
    "approve": (frozenset({S.center_review}), lambda actor, w: is_center(actor)),
    "deny": (frozenset({S.center_review}), lambda actor, w: is_center(actor)),
    "request_materials": (frozenset({S.preliminary_review, S.center_review}), may_ask_materials),
    "materials_received": (frozenset({S.awaiting_materials}), may_ask_materials),
    # the sweep, when the stated time has passed without the materials
    "withdraw": (frozenset({S.awaiting_materials}), lambda actor, w: actor.kind == "system"),
    "terminate": (frozenset({S.lawyer_assigned, S.in_progress}), lambda actor, w: is_center(actor)),
    "object": (frozenset({S.denied, S.terminated}), may_file),
    "uphold_denial": (frozenset({S.objection_review}), is_bureau),
    "order_correction": (frozenset({S.objection_review}), is_bureau),
    "assign": (frozenset({S.approved}), lambda actor, w: is_center(actor)),
    "confirm_assignment": (frozenset({S.approved}), is_proposed_lawyer),
    "decline_assignment": (frozenset({S.approved}), is_proposed_lawyer),
    "start": (frozenset({S.lawyer_assigned}), is_assigned_lawyer),
    "close": (frozenset({S.in_progress}), lambda actor, w: is_assigned_lawyer(actor, w) or is_center(actor)),
    "follow_up": (frozenset({S.closed}), lambda actor, w: is_center(actor)),
}


def actions(actor: Actor, w: Where) -> list[str]:
    """What the actor may do with the application now: the page shows these buttons."""
    state = S(w.app.state)
    return [name for name, (states, who) in ACTIONS.items() if state in states and who(actor, w)]


def check_may(actor: Actor, w: Where, action: str) -> None:
    """The role first (403), then the state (409)."""
    states, who = ACTIONS[action]
    if not who(actor, w):
        raise PermissionDenied(f"your role or unit may not {action.replace('_', ' ')} this application",
                               action=action)
    S(w.app.state).check_in(states, action.replace("_", " "))


async def visible_where(session: AsyncSession, actor: Actor, application_id: int, *, lock: bool = False) -> Where:
    if actor.kind != "account":
        raise PermissionDenied("applications are for staff")
    query = select(Application).where(Application.id == application_id, visible_condition(actor))
    app = await session.scalar(query)
    if app is None:
        raise NotFound(f"there is no application {application_id} that you may see")
    unit = await session.get(Unit, app.unit_id)
    review_unit = await session.get(Unit, app.review_unit_id)
    assert unit is not None and review_unit is not None
    proposed = None
    if app.proposed_lawyer_id is not None:
        proposed = await session.scalar(select(LawyerProfile.account_id)
                                        .where(LawyerProfile.id == app.proposed_lawyer_id))
    return Where(app, unit, review_unit, proposed)
