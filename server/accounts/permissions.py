"""What each role may do. The unit tree (Actor.sees_unit) then narrows where it may do it."""
from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from server.errors import PermissionDenied

if TYPE_CHECKING:
    from server.accounts.actor import Actor


class Role(StrEnum):
    admin = "admin"  # runs the system for its unit's subtree (normally the center)
    center_staff = "center_staff"  # 中心工作人員: roster, decisions, reports
    lawyer = "lawyer"  # duty / public-interest lawyer, listed in the directory
    station_staff = "station_staff"  # 工作站: answers its communities, preliminary review
    department_staff = "department_staff"  # 部門聯絡中心
    community_staff = "community_staff"  # 聯系點: helps residents at the kiosk
    # 司法局: the justice bureau that set up the center. Its accounts sit at the center (the root
    # of the unit tree, so they see every application) and decide objections (異議) to its denials
    bureau = "bureau"
    kiosk = "kiosk"  # a device, not a person


STAFF = frozenset(Role) - {Role.kiosk}
EVERYONE = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    "units.read": STAFF,
    "units.write": frozenset({Role.admin}),
    "accounts.read": frozenset({Role.admin}),
    "accounts.write": frozenset({Role.admin}),
    "devices.read": frozenset({Role.admin}),
    "devices.write": frozenset({Role.admin}),
    "lawyers.read": EVERYONE,
    "lawyers.write": frozenset({Role.admin, Role.center_staff}),
    "audit.read": frozenset({Role.admin}),
    "hours.read": EVERYONE,
    "hours.write": frozenset({Role.admin}),
    # retention and the residents' rights: acts on the whole tree (server/retention, server/privacy)
    "legal_holds.write": frozenset({Role.admin}),
    "personal_data.requests": frozenset({Role.admin}),  # a resident's export and erasure (PIPL)
    "replies.read": STAFF,
    "dashboard.read": frozenset({Role.admin, Role.center_staff}),  # and only at the center (server/dashboard)  # who keeps which: server/replies/service.py
}


def allowed(role: Role | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS[permission]


def require(actor: Actor, permission: str, *, unit_path: str | None = None) -> None:
    """Raise PermissionDenied unless the actor's role has the permission and, when a unit is
    named, the unit lies in the actor's subtree."""
    role = getattr(actor, "role", None)
    if not allowed(role, permission):
        raise PermissionDenied(f"role {role or 'anonymous'} may not {permission}", permission=permission)
    if unit_path is not None and not actor.sees_unit(unit_path):
        raise PermissionDenied("that unit is outside your part of the unit tree", permission=permission)
