"""Filling in the application form: checking and applying its fields, and whether it is complete."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.applications import idnumber
from server.applications.choices import check_chosen_lawyer
from server.applications.context import Context
from server.applications.models import Application
from server.errors import InvalidInput
from server.files.models import StoredFile

PARENT_KIND = "application"  # files attached to an application: ("application", id)


def as_yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{Decimal(fen) / 100:.2f}"


def _fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


async def _check_fields(session: AsyncSession, app: Application, values: dict[str, Any], ctx: Context) -> None:
    """Check what was given, whatever the state: a bad ID number or category is refused even
    in a draft, so a mistake is shown while the applicant is still at the kiosk."""
    if values.get("id_number"):
        values["id_number"] = idnumber.parse(values["id_number"], today=ctx.today).number
    category = values.get("category")
    if category and ctx.categories and category not in ctx.categories:
        raise InvalidInput(f"unknown category {category!r}", field="category", allowed=list(ctx.categories))
    if values.get("chosen_lawyer_id") is not None:
        await check_chosen_lawyer(session, values["chosen_lawyer_id"])
    if values.get("hardship_grounds") is not None:
        values["hardship_grounds"] = sorted(set(values["hardship_grounds"]))
    if values.get("attachments") is not None:
        attachments = [dict(a) for a in values["attachments"]]
        ids = [a["file_id"] for a in attachments]
        if len(set(ids)) != len(ids):
            raise InvalidInput("a file is listed twice", field="attachments")
        if ids:
            found = set(await session.scalars(select(StoredFile.id).where(
                StoredFile.id.in_(ids), StoredFile.parent_kind == PARENT_KIND, StoredFile.parent_id == app.id)))
            stray = sorted(set(ids) - found)
            if stray:
                raise InvalidInput(f"files {stray} are not attached to this application; upload them with "
                                   f"parent_kind={PARENT_KIND} and parent_id={app.id}", field="attachments")
        values["attachments"] = attachments


async def fill_in(session: AsyncSession, app: Application, values: dict[str, Any], ctx: Context) -> None:
    await _check_fields(session, app, values, ctx)
    if "amount_in_dispute" in values:
        app.amount_fen = _fen(values.pop("amount_in_dispute"))
    for name, value in values.items():
        setattr(app, name, value)


def check_complete(app: Application, ctx: Context) -> None:
    """Everything the form needs before it goes to the preliminary review."""
    required = ("applicant_name", "applicant_sex", "id_number", "birth_date", "phone", "address", "category",
                "summary", "help_requested")
    missing = [name for name in required if not getattr(app, name)]
    if not app.hardship_grounds:
        missing.append("hardship_grounds")
    elif "other" in app.hardship_grounds and not app.hardship_other.strip():
        missing.append("hardship_other")
    if missing:
        raise InvalidInput(f"fill in {', '.join(missing)} before submitting", field=missing[0], missing=missing,
                           reason="incomplete")
    person = idnumber.parse(app.id_number, today=ctx.today)
    if app.birth_date != person.birth_date:
        raise InvalidInput("the birth date differs from the one in the ID number", field="birth_date",
                           reason="birth_date_differs_from_id")
    if app.applicant_sex != person.sex:
        raise InvalidInput("the sex differs from the one the ID number gives", field="applicant_sex",
                           reason="sex_differs_from_id")
