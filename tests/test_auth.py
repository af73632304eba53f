"""Logins, sessions, CSRF, device tokens and the audit log (issue #2's rules)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from yarl import URL

from server.accounts.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, LOCKOUT_DURATION, LOCKOUT_THRESHOLD
from server.audit.models import AuditEntry
from server.clock import FakeClock
from server.db import Database

WRONG = {"username": "heping", "password": "not-the-password"}
RIGHT = {"username": "heping", "password": "fayuan-demo-2026"}


async def audit_rows(db: Database, action: str) -> list[AuditEntry]:
    async with db.sessions() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


async def test_lockout_after_five_failures_and_unlock_after_fifteen_minutes(api, db, clock: FakeClock) -> None:
    for attempt in range(1, LOCKOUT_THRESHOLD):
        status, body = await api.post("/api/auth/login", WRONG)
        assert (status, body["error"]["code"]) == (401, "login_failed"), attempt
    status, body = await api.post("/api/auth/login", WRONG)
    assert (status, body["error"]["code"]) == (403, "account_locked")
    status, body = await api.post("/api/auth/login", RIGHT)
    assert (status, body["error"]["code"]) == (403, "account_locked")
    clock.advance(LOCKOUT_DURATION.total_seconds() - 1)
    status, _ = await api.post("/api/auth/login", RIGHT)
    assert status == 403
    clock.advance(1)
    status, _ = await api.post("/api/auth/login", RIGHT)
    assert status == 200
    assert len(await audit_rows(db, "auth.login_failed")) == LOCKOUT_THRESHOLD - 1
    assert len(await audit_rows(db, "auth.account_locked")) == 3  # one row per refused attempt, not two
    assert len(await audit_rows(db, "auth.login")) == 1


async def test_a_success_resets_the_failure_count(new_api) -> None:
    stranger = new_api()
    for _ in range(LOCKOUT_THRESHOLD - 1):
        await stranger.post("/api/auth/login", WRONG)
    assert (await new_api().post("/api/auth/login", RIGHT))[0] == 200
    for _ in range(LOCKOUT_THRESHOLD - 1):
        assert (await stranger.post("/api/auth/login", WRONG))[0] == 401


async def test_unknown_usernames_fail_like_wrong_passwords(api) -> None:
    status, body = await api.post("/api/auth/login", {"username": "nobody", "password": "whatever"})
    assert (status, body["error"]["code"]) == (401, "login_failed")


async def test_a_session_ends_after_thirty_idle_minutes(api, clock: FakeClock) -> None:
    await api.login("heping")
    clock.advance(IDLE_TIMEOUT.total_seconds() - 1)
    assert (await api.get("/api/auth/me"))[1]["kind"] == "account"
    clock.advance(IDLE_TIMEOUT.total_seconds() + 1)
    status, body = await api.get("/api/units")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert (await api.get("/api/auth/me"))[1] == {"kind": "anonymous", "id": None, "name": "", "role": None,
                                                   "unit_id": None, "csrf_token": None, "permissions": []}
    clock.advance(-IDLE_TIMEOUT.total_seconds())  # an ended session stays ended
    assert (await api.get("/api/units"))[0] == 401


async def test_a_session_ends_twelve_hours_after_login_however_busy(api, clock: FakeClock) -> None:
    await api.login("heping")
    step = timedelta(minutes=20)
    elapsed = timedelta()
    while elapsed + step < ABSOLUTE_TIMEOUT:
        clock.advance(step.total_seconds())
        elapsed += step
        assert (await api.get("/api/units"))[0] == 200, elapsed
    clock.advance((ABSOLUTE_TIMEOUT - elapsed).total_seconds() + 1)
    assert (await api.get("/api/units"))[0] == 401


async def test_logout_ends_the_session_on_the_server(api, new_api) -> None:
    await api.login("heping")
    cookie = api.client.cookie_jar.filter_cookies(URL(api.base_url))["fayuan_session"].value
    status, _ = await api.post("/api/auth/logout")
    assert status == 204
    replay = new_api()
    status, body = await replay.get("/api/units", headers={"Cookie": f"fayuan_session={cookie}"})
    assert status == 401, body
    status, body = await replay.get("/api/auth/me", headers={"Cookie": f"fayuan_session={cookie}"})
    assert (status, body["kind"]) == (200, "anonymous")


async def test_cookie_flags(api) -> None:
    async with api.client.post(api.base_url + "/api/auth/login", json=RIGHT) as resp:
        assert resp.status == 200
        cookie = resp.cookies["fayuan_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http in tests; https sets it


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
async def test_writes_without_the_csrf_token_are_refused(api, db, token) -> None:
    await api.login("admin")
    headers = {} if token is None else {"X-CSRF-Token": token}
    api.csrf = None
    status, body = await api.patch("/api/units/1", {"contact_name": "x"}, headers=headers)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert "CSRF" in body["error"]["message"]
    _, unit = await api.get("/api/units/1")
    assert unit["contact_name"] == ""
    assert await audit_rows(db, "auth.forbidden") or await audit_rows(db, "permission.refused")


async def test_a_revoked_device_token_is_refused(api, new_api, demo) -> None:
    token = demo["kiosks"][0]["token"]
    kiosk = new_api()
    kiosk.bearer = token
    assert (await kiosk.get("/api/lawyers"))[0] == 200
    await api.login("admin")
    _, devices = await api.get("/api/devices")
    device = next(d for d in devices if token.endswith(d["token_hint"]))
    assert (await api.post(f"/api/devices/{device['id']}/revoke"))[0] == 200
    status, body = await kiosk.get("/api/lawyers")
    assert (status, body["error"]["code"]) == (401, "unauthenticated")
    assert (await kiosk.get("/api/auth/me"))[0] == 401  # not "anonymous": the kiosk page shows its set-up screen
    kiosk.bearer = "made-up"
    assert (await kiosk.get("/api/lawyers"))[0] == 401


async def test_refusals_and_personal_data_reads_are_audited(api, db) -> None:
    await api.login("heping")
    assert (await api.get("/api/accounts"))[0] == 403
    refused = await audit_rows(db, "permission.refused")
    assert refused and refused[-1].outcome == "refused" and refused[-1].object == "GET /api/accounts"
    assert refused[-1].role == "community_staff"
    admin = api
    await admin.login("admin")
    _, accounts = await admin.get("/api/accounts")
    target = next(a for a in accounts if a["username"] == "heping")
    status, phone = await admin.get(f"/api/accounts/{target['id']}/phone")
    assert status == 200 and phone == {"phone": "13800138000"}
    reads = await audit_rows(db, "personal_data.read")
    assert [(r.object, r.detail, r.role) for r in reads] == [(f"account:{target['id']}", "phone", "admin")]


async def test_phones_are_masked_in_lists(api) -> None:
    await api.login("admin")
    _, accounts = await api.get("/api/accounts")
    assert accounts and all(a["phone_masked"] == "138****8000" for a in accounts)
    assert all("phone" not in a for a in accounts)
    _, one = await api.get(f"/api/accounts/{accounts[0]['id']}")
    assert one["phone_masked"] == "138****8000" and "phone" not in one


async def test_the_audit_log_cannot_be_changed_through_the_database(api, db) -> None:
    await api.login("heping")
    async with db.sessions() as session:
        assert await session.scalar(select(AuditEntry.id).limit(1)) is not None
    for statement in (update(AuditEntry).values(detail="changed"), delete(AuditEntry)):
        async with db.sessions() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(statement)
                await session.commit()
    async with db.sessions() as session:
        rows = list(await session.scalars(select(AuditEntry)))
    assert rows and all(r.detail != "changed" for r in rows)


async def test_the_audit_log_cannot_be_rewritten_by_replacing_a_row(api, db) -> None:
    """SQLite's REPLACE deletes the old row without a DELETE trigger; PostgreSQL's upsert is an
    UPDATE: each is refused."""
    await api.login("heping")
    async with db.sessions() as session:
        first = await session.get(AuditEntry, await session.scalar(select(func.min(AuditEntry.id))))
        assert first is not None
        before = (first.id, first.action, first.detail)
        count = await session.scalar(select(func.count(AuditEntry.id)))
    columns = "id, at, actor, actor_name, role, action, object, outcome, client_addr, detail"
    values = f"{first.id}, :at, 'anonymous', '', '', 'forged', '', 'ok', '', 'rewritten'"
    if db.engine.dialect.name == "sqlite":
        statements = [f"INSERT OR REPLACE INTO audit_log ({columns}) VALUES ({values})",
                      f"REPLACE INTO audit_log ({columns}) VALUES ({values})"]
    else:
        statements = [f"INSERT INTO audit_log ({columns}) VALUES ({values}) "
                      "ON CONFLICT (id) DO UPDATE SET detail = excluded.detail"]
    for statement in statements:
        async with db.sessions() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(statement), {"at": first.at})
                await session.commit()
    async with db.sessions() as session:
        again = await session.get(AuditEntry, first.id)
        assert again is not None and (again.id, again.action, again.detail) == before
        assert await session.scalar(select(func.count(AuditEntry.id))) == count
    async with db.sessions() as session:  # a new row still goes in
        session.add(AuditEntry(at=first.at, actor="anonymous", action="test.append", outcome="ok"))
        await session.commit()
