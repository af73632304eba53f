"""The org and accounts services against every database kind of this run."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from server.accounts import service as accounts
from server.accounts import sessions
from server.accounts.actor import AccountActor, Actor
from server.accounts.models import AuthSession
from server.accounts.permissions import Role
from server.db import Database, make_engine
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.org import service as org
from server.org.models import Unit, UnitKind

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
PASSWORD = "long-enough-password"


@pytest.fixture
async def store(any_db_url: str):  # type: ignore[no-untyped-def]
    database = Database(make_engine(any_db_url))
    yield database
    await database.dispose()


async def _tree(session) -> tuple[Actor, dict[str, Unit]]:  # type: ignore[no-untyped-def]
    """center → station east (communities e1, e2), station west (community w1), department d."""
    center = await org.create_root(session, code="C", name="中心", now=NOW)
    admin = AccountActor(id=1, role=Role.admin, unit_id=center.id, unit_path=center.path, name="admin")
    units = {"center": center}
    for code, kind, parent in [("east", UnitKind.station, "center"), ("west", UnitKind.station, "center"),
                               ("d", UnitKind.department, "center"), ("e1", UnitKind.community, "east"),
                               ("e2", UnitKind.community, "east"), ("w1", UnitKind.community, "west")]:
        units[code] = await org.create(session, admin, code=code, name=code, kind=kind,
                                       parent_id=units[parent].id, now=NOW)
    return admin, units


def _actor(role: Role, unit: Unit) -> Actor:
    return AccountActor(id=99, role=role, unit_id=unit.id, unit_path=unit.path, name=str(role))


async def test_units_are_created_with_paths_and_kind_rules(store: Database) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        assert units["e1"].path == f"/{units['center'].id}/{units['east'].id}/{units['e1'].id}/"
        with pytest.raises(Conflict):
            await org.create(session, admin, code="east", name="again", kind=UnitKind.station,
                             parent_id=units["center"].id, now=NOW)
        with pytest.raises(InvalidInput):
            await org.create(session, admin, code="c9", name="x", kind=UnitKind.community,
                             parent_id=units["center"].id, now=NOW)
        with pytest.raises(InvalidInput):
            await org.create(session, admin, code="c9", name="x", kind=UnitKind.community,
                             parent_id=units["e1"].id, now=NOW)
        with pytest.raises(NotFound):
            await org.create(session, admin, code="c9", name="x", kind=UnitKind.community, parent_id=10_000, now=NOW)
        east = _actor(Role.admin, units["east"])
        with pytest.raises(PermissionDenied):
            await org.create(session, east, code="c9", name="x", kind=UnitKind.community,
                             parent_id=units["west"].id, now=NOW)
        seen = {u.code for u in await org.visible(session, _actor(Role.station_staff, units["east"]))}
        assert seen == {"east", "e1", "e2"}


async def test_moving_a_unit_moves_its_path_and_what_it_sees(store: Database) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        await org.change(session, admin, units["e1"].id, parent_id=units["west"].id)
        assert units["e1"].parent_id == units["west"].id
        assert units["e1"].path == f"{units['west'].path}{units['e1'].id}/"
    async with store.sessions() as session:
        west = await session.get(Unit, units["west"].id)
        seen = {u.code for u in await org.visible(session, _actor(Role.station_staff, west))}  # type: ignore[arg-type]
        assert seen == {"west", "e1", "w1"}
        stored = await session.get(Unit, units["e1"].id)
        assert stored is not None and stored.path.startswith(units["west"].path)


async def test_moves_that_break_the_tree_are_refused(store: Database) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        for unit, parent in [("east", "e1"), ("east", "east"), ("center", "east"), ("east", "d"), ("e1", "e2")]:
            with pytest.raises(InvalidInput):
                await org.change(session, admin, units[unit].id, parent_id=units[parent].id)
        assert units["east"].path == f"{units['center'].path}{units['east'].id}/"
        with pytest.raises(PermissionDenied):
            await org.change(session, _actor(Role.admin, units["east"]), units["e1"].id, parent_id=units["west"].id)


async def test_deactivating_hides_a_unit_and_refuses_children(store: Database) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        await org.change(session, admin, units["w1"].id, active=False)
        assert "w1" not in {u.code for u in await org.visible(session, admin)}
        assert "w1" in {u.code for u in await org.visible(session, admin, include_inactive=True)}
        with pytest.raises(InvalidInput):
            await org.change(session, admin, units["center"].id, active=False)
        await org.change(session, admin, units["west"].id, active=False)
        with pytest.raises(InvalidInput):
            await org.create(session, admin, code="w2", name="x", kind=UnitKind.community,
                             parent_id=units["west"].id, now=NOW)


@pytest.mark.parametrize("role, unit, ok", [
    (Role.admin, "center", True), (Role.admin, "east", True), (Role.center_staff, "center", True),
    (Role.lawyer, "center", True), (Role.lawyer, "east", False), (Role.station_staff, "east", True),
    (Role.station_staff, "e1", False), (Role.department_staff, "d", True), (Role.department_staff, "east", False),
    (Role.community_staff, "e1", True), (Role.community_staff, "center", False), (Role.kiosk, "e1", False),
])
async def test_account_roles_fit_their_unit_kind(store: Database, role: Role, unit: str, ok: bool) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        if ok:
            made = await accounts.create_account(session, admin, username="someone", display_name="x", role=role,
                                                 unit_id=units[unit].id, password=PASSWORD, now=NOW)
            assert (made.role, made.unit_id, made.active) == (role, units[unit].id, True)
        else:
            with pytest.raises(InvalidInput):
                await accounts.create_account(session, admin, username="someone", display_name="x", role=role,
                                              unit_id=units[unit].id, password=PASSWORD, now=NOW)


async def test_account_rules_for_names_and_subtrees(store: Database) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        await accounts.create_account(session, admin, username="wang", display_name="x", role=Role.station_staff,
                                      unit_id=units["east"].id, password=PASSWORD, now=NOW)
        with pytest.raises(Conflict):
            await accounts.create_account(session, admin, username="wang", display_name="y", role=Role.station_staff,
                                          unit_id=units["west"].id, password=PASSWORD, now=NOW)
        with pytest.raises(PermissionDenied):
            await accounts.create_account(session, _actor(Role.admin, units["east"]), username="li",
                                          display_name="x", role=Role.station_staff, unit_id=units["west"].id,
                                          password=PASSWORD, now=NOW)
        with pytest.raises(PermissionDenied):
            await accounts.create_account(session, _actor(Role.station_staff, units["east"]), username="li",
                                          display_name="x", role=Role.community_staff, unit_id=units["e1"].id,
                                          password=PASSWORD, now=NOW)


@pytest.mark.parametrize("change, ends", [
    ({"display_name": "趙"}, False), ({"phone": "13900000000"}, False), ({"role": Role.lawyer}, True),
    ({"password": "another-long-one"}, True), ({"active": False}, True),
])
async def test_changes_to_role_password_or_activity_end_sessions(store: Database, change: dict, ends: bool) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        person = await accounts.create_account(session, None, username="zhao", display_name="x",
                                               role=Role.center_staff, unit_id=units["center"].id,
                                               password=PASSWORD, now=NOW)
        token, _row, _account = await sessions.login(session, username="zhao", password=PASSWORD, now=NOW,
                                                     client_addr="test")
    async with store.sessions.begin() as session:
        await accounts.update_account(session, admin, person.id, now=NOW, **change)
    async with store.sessions() as session:
        assert (await sessions.resolve_session(session, token, NOW) is None) is ends


async def test_devices_register_and_revoke(store: Database) -> None:
    async with store.sessions.begin() as session:
        admin, units = await _tree(session)
        device, token = await accounts.register_device(session, admin, name="終端", unit_id=units["e1"].id, now=NOW)
        assert token.endswith(device.token_hint) and device.token_hash != token
        for wrong in ("center", "d"):
            with pytest.raises(InvalidInput):
                await accounts.register_device(session, admin, name="x", unit_id=units[wrong].id, now=NOW)
        with pytest.raises(PermissionDenied):
            await accounts.register_device(session, _actor(Role.admin, units["west"]), name="x",
                                           unit_id=units["e1"].id, now=NOW)
    async with store.sessions() as session:
        kiosk = await sessions.resolve_device(session, token, NOW)
        assert kiosk is not None and (kiosk.kind, kiosk.role, kiosk.unit_id) == ("device", Role.kiosk, units["e1"].id)
    async with store.sessions.begin() as session:
        with pytest.raises(PermissionDenied):
            await accounts.revoke_device(session, _actor(Role.admin, units["west"]), device.id, NOW)
    async with store.sessions.begin() as session:
        revoked = await accounts.revoke_device(session, admin, device.id, NOW)
        assert revoked.revoked_at == NOW
    async with store.sessions() as session:
        assert await sessions.resolve_device(session, token, NOW) is None
        assert [d.id for d in await accounts.list_devices(session, admin)] == [device.id]
        assert await accounts.list_devices(session, _actor(Role.admin, units["west"])) == []
        assert await session.scalar(select(AuthSession.id)) is None
