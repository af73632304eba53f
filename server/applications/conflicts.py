"""Conflicts of interest remembered (issue 16, item 8): a lawyer who declines an assignment for a
conflict with a party of the application has it kept (LawyerConflict); proposing that lawyer
again for an application with the same party warns the center, which may still assign them
with a recorded reason (service.propose_lawyer).

The same party: the same ID number when both sides have one (the applicant's: the form's only
ID number), else the same name once normalised (name_key). Two people of the same name with
different ID numbers are not the same party. A warning is a prompt to ask, not a refusal: a
common name may warn about a stranger.

The ID number is personal data: it is kept as applications keep it (normalised, upper-case X),
shown masked, and never put in a log, an audit detail or a step's note.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import get_args

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.actor import Actor
from server.applications.context import Context
from server.applications.models import Application, LawyerConflict
from server.applications.schemas import Party
from server.errors import InvalidInput
from server.privacy import mask_id_number

PARTIES: tuple[str, ...] = get_args(Party)
# A remark in brackets after a name, as forms write them: 王大明（兒子）, 某公司(被告)
BRACKETED = re.compile(r"[(（\[［【][^)）\]］】]*[)）\]］】]")


def name_key(name: str) -> str:
    """The name as compared: full-width folded to half-width (NFKC), any bracketed remark and
    every space and middle dot dropped, case folded."""
    folded = unicodedata.normalize("NFKC", name)
    folded = BRACKETED.sub("", folded)
    return "".join(c for c in folded if not c.isspace() and c not in "·・.").casefold()


def id_key(number: str) -> str:
    return number.strip().upper()


@dataclass(frozen=True)
class PartyOf:
    """One party of an application, as conflicts compare it."""

    role: str  # a PARTIES
    name: str
    key: str
    id_number: str  # "" when the form has none


def parties(app: Application) -> list[PartyOf]:
    found = [PartyOf("applicant", app.applicant_name, name_key(app.applicant_name), id_key(app.id_number or "")),
             PartyOf("opposing_party", app.opposing_party, name_key(app.opposing_party), "")]
    return [p for p in found if p.key or p.id_number]


def same_party(conflict: LawyerConflict, party: PartyOf) -> str | None:
    """How the conflict's party is this party: "id_number", "name", or None (not the same)."""
    if conflict.id_number and party.id_number:
        return "id_number" if conflict.id_number == party.id_number else None
    return "name" if conflict.name_key and conflict.name_key == party.key else None


async def remember(session: AsyncSession, actor: Actor, app: Application, lawyer_id: int, roles: list[str],
                   ctx: Context) -> list[LawyerConflict]:
    """Keep the conflicts the declining lawyer declared with these parties of `app`."""
    by_role = {p.role: p for p in parties(app)}
    missing = [role for role in roles if role not in by_role]
    if missing:
        raise InvalidInput(f"the form names no {missing[0].replace('_', ' ')} to have a conflict with",
                           field="conflict_with", reason="no_such_party")
    kept = []
    for role in dict.fromkeys(roles):
        party = by_role[role]
        kept.append(LawyerConflict(lawyer_id=lawyer_id, application_id=app.id, party=role,
                                   party_name=party.name[:200], name_key=party.key[:200], id_number=party.id_number,
                                   declared_at=ctx.now, declared_by=actor.ref))
    session.add_all(kept)
    return kept


async def warnings(session: AsyncSession, app: Application,
                   lawyer_ids: list[int] | None = None) -> dict[int, list[dict]]:
    """lawyer id → the remembered conflicts with a party of `app` (masked), oldest first."""
    ps = parties(app)
    if not ps:
        return {}
    keys = [p.key for p in ps if p.key]
    ids = [p.id_number for p in ps if p.id_number]
    query = select(LawyerConflict).where(or_(LawyerConflict.name_key.in_(keys), LawyerConflict.id_number.in_(ids)))
    if lawyer_ids is not None:
        query = query.where(LawyerConflict.lawyer_id.in_(lawyer_ids))
    found: dict[int, list[dict]] = {}
    for c in await session.scalars(query.order_by(LawyerConflict.id)):
        for party in ps:
            how = same_party(c, party)
            if how is None:
                continue
            found.setdefault(c.lawyer_id, []).append(dict(
                application_id=c.application_id, declared_at=c.declared_at, party=party.role,
                earlier_party=c.party, party_name=c.party_name,
                id_number_masked=mask_id_number(c.id_number) if c.id_number else "", matched_by=how))
            break
    return found
