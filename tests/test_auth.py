"""Logins, sessions, CSRF, device tokens and the audit log (issue #2's rules)."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from ipaddress import ip_network

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from yarl import URL

from server.accounts.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
from server.accounts.throttle import FREE_FAILURES_PER_ADDRESS, FREE_FAILURES_PER_NAME
from server.app import init_app
from server.audit.models import AuditEntry
from server.clock import FakeClock
from server.db import Database
from server.web.client_addr import client_address
from tests.support import settings_for, start_client

WRONG = {"username": "heping", "password": "not-the-password"}
RIGHT = {"username": "heping", "password": "fayuan-demo-2026"}


@pytest.fixture
async def app(db_url, tmp_path, clock, demo):  # type: ignore[no-untyped-def]
    """Behind a proxy it trusts (the test client at 127.0.0.1), so that each test picks its
    client's address with X-Forwarded-For."""
    settings = settings_for(db_url, tmp_path, trusted_proxies=(ip_network("127.0.0.1/32"),))
    return init_app(settings, clock=clock, run_sweeper=False)


async def audit_rows(db: Database, action: str) -> list[AuditEntry]:
    async with db.sessions() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def from_addr(addr: str) -> dict:
    """The app trusts the test client at 127.0.0.1 as its proxy: this picks the client's address."""
    return {"headers": {"X-Forwarded-For": addr}}


async def login_from(api, addr: str, body: dict) -> tuple[int, dict, str | None]:  # type: ignore[no-untyped-def]
    async with api.client.post(api.base_url + "/api/auth/login", json=body, **from_addr(addr)) as resp:
        return resp.status, await resp.json(), resp.headers.get("Retry-After")


async def test_failures_make_that_address_wait_ever_longer_while_others_log_in(new_api, db, clock) -> None:  # type: ignore[no-untyped-def]
    """Five wrong passwords from anywhere once locked the account for everyone."""
    api = new_api()
    for attempt in range(FREE_FAILURES_PER_NAME):
        status, body, _ = await login_from(api, "203.0.113.5", WRONG)
        assert (status, body["error"]["code"]) == (401, "login_failed"), attempt
    status, body, retry = await login_from(api, "203.0.113.5", RIGHT)
    assert (status, body["error"]["code"], retry) == (429, "login_wait", "60")
    assert body["error"]["details"]["retry_after_seconds"] == 60
    # the owner, from an address that has not failed, is not held up
    assert (await login_from(new_api(), "198.51.100.7", RIGHT))[0] == 200
    clock.advance(59)
    assert (await login_from(api, "203.0.113.5", RIGHT))[2] == "1"
    clock.advance(1)
    assert (await login_from(api, "203.0.113.5", WRONG))[0] == 401
    status, _, retry = await login_from(api, "203.0.113.5", RIGHT)
    assert (status, retry) == (429, "120")  # each further failure doubles the wait
    clock.advance(120)
    assert (await login_from(api, "203.0.113.5", RIGHT))[0] == 200
    assert (await login_from(new_api(), "203.0.113.5", WRONG))[0] == 401  # a success ended the count
    assert len(await audit_rows(db, "auth.login_failed")) == FREE_FAILURES_PER_NAME + 2
    assert len(await audit_rows(db, "auth.login_wait")) == 3  # one row per refused attempt


async def test_unknown_and_throttled_names_answer_alike(new_api) -> None:  # type: ignore[no-untyped-def]
    answers = {}
    for name in ("heping", "nobody-here"):
        api, seen = new_api(), []
        for _ in range(FREE_FAILURES_PER_NAME + 2):
            status, body, retry = await login_from(api, "203.0.113.9", {"username": name, "password": "wrong-pass"})
            seen.append((status, body, retry))
        answers[name] = seen
    assert answers["heping"] == answers["nobody-here"]
    assert [status for status, _, _ in answers["heping"]] == [401] * FREE_FAILURES_PER_NAME + [429, 429]


async def test_parallel_guesses_get_only_the_free_password_checks(new_api) -> None:  # type: ignore[no-untyped-def]
    api = new_api()
    results = await asyncio.gather(*(login_from(api, "203.0.113.20", WRONG) for _ in range(30)))
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [401] * FREE_FAILURES_PER_NAME + [429] * (30 - FREE_FAILURES_PER_NAME)


async def test_one_address_trying_many_names_waits_too(new_api) -> None:  # type: ignore[no-untyped-def]
    api = new_api()
    for i in range(FREE_FAILURES_PER_ADDRESS):
        assert (await login_from(api, "2001:db8:1:2::5", {"username": f"guess{i}", "password": "123456"}))[0] == 401
    # another host of the same /64 is the same client
    status, _, retry = await login_from(api, "2001:db8:1:2::99", RIGHT)
    assert (status, retry) == (429, "60")
    assert (await login_from(new_api(), "2001:db8:1:3::5", RIGHT))[0] == 200


async def test_a_success_takes_back_its_own_count(new_api) -> None:  # type: ignore[no-untyped-def]
    stranger = new_api()
    for _ in range(FREE_FAILURES_PER_NAME - 1):
        await login_from(stranger, "203.0.113.30", WRONG)
    assert (await login_from(new_api(), "203.0.113.30", RIGHT))[0] == 200
    for _ in range(FREE_FAILURES_PER_NAME - 1):
        assert (await login_from(stranger, "203.0.113.30", WRONG))[0] == 401


async def test_the_admin_sees_who_waits_and_lets_them_try_again(new_api, clock) -> None:  # type: ignore[no-untyped-def]
    api = new_api()
    for _ in range(FREE_FAILURES_PER_NAME):
        await login_from(api, "203.0.113.40", WRONG)
    admin = new_api()
    await admin.login("admin")
    _, accounts = await admin.get("/api/accounts")
    heping = next(a for a in accounts if a["username"] == "heping")
    assert heping["locked_until"] is not None
    assert all(a["locked_until"] is None for a in accounts if a["username"] != "heping")
    assert (await login_from(api, "203.0.113.40", RIGHT))[0] == 429
    status, heping = await admin.patch(f"/api/accounts/{heping['id']}", {"unlock": True})
    assert status == 200 and heping["locked_until"] is None
    assert (await login_from(api, "203.0.113.40", RIGHT))[0] == 200


async def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() -> None:
    proxies = [ip_network("10.0.0.0/8")]
    assert client_address("203.0.113.5", "1.2.3.4", []) == "203.0.113.5"
    assert client_address("203.0.113.5", "1.2.3.4", proxies) == "203.0.113.5"  # the peer is no proxy of ours
    assert client_address("10.0.0.2", "1.2.3.4", proxies) == "1.2.3.4"
    # what the client wrote itself stands left of what our proxies added
    assert client_address("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.3", proxies) == "198.51.100.7"
    assert client_address("10.0.0.2", "not-an-address", proxies) == "10.0.0.2"


async def test_login_takes_only_a_json_body(api) -> None:
    """A cross-site form can post text/plain without a preflight: it logged a browser in."""
    body = '{"username": "heping", "password": "fayuan-demo-2026"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        async with api.client.post(api.base_url + "/api/auth/login", data=body,
                                   headers={"Content-Type": content_type}) as resp:
            assert resp.status == 415, content_type
            assert (await resp.json())["error"]["code"] == "unsupported_type"
            assert "fayuan_session" not in resp.cookies
    assert (await api.get("/api/auth/me"))[1]["kind"] == "anonymous"


async def test_responses_carry_no_store_and_no_server_version(api) -> None:
    await api.login("admin")
    for path in ("/api/auth/me", "/api/accounts", "/api/accounts/1/phone", "/api/nowhere", "/login"):
        async with api.client.get(api.base_url + path) as resp:
            assert resp.headers["Server"] == "fayuan", path
            assert "Strict-Transport-Security" not in resp.headers  # the public origin is not https here
            if path.startswith("/api/"):
                assert resp.headers["Cache-Control"] == "no-store", path


async def test_hsts_and_secure_cookies_when_the_public_origin_is_https(db_url, tmp_path, clock, demo) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(db_url, tmp_path, public_origins=("https://fayuan.example.org",))
    client = await start_client(init_app(settings, clock=clock, run_sweeper=False))
    try:
        async with client.post("/api/auth/login", json=RIGHT) as resp:
            assert resp.status == 200
            assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
            assert resp.cookies["fayuan_session"]["secure"]
        async with client.get("/login") as resp:
            assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        await client.close()


async def test_a_session_ends_after_thirty_idle_minutes(api, clock: FakeClock) -> None:
    await api.login("heping")
    clock.advance(IDLE_TIMEOUT.total_seconds() - 1)
    assert (await api.get("/api/auth/me"))[1]["kind"] == "account"
    clock.advance(IDLE_TIMEOUT.total_seconds() + 1)
    status, body = await api.get("/api/units")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert (await api.get("/api/auth/me"))[1] == {"kind": "anonymous", "id": None, "name": "", "role": None,
                                                   "unit_id": None, "at_center": False, "csrf_token": None,
                                                   "permissions": []}
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
