"""The access matrix: every route × every actor × objects in its own unit, a sibling and other
levels of the tree. No actor gets a 2xx it should not; every actor that should, does."""
from __future__ import annotations

from server.app import make_router
from tests.route_table import ACTORS, ROUTES, TRIED_UNITS, Caller, World, missing_and_stale


def test_every_route_is_in_the_access_table() -> None:
    missing, stale = missing_and_stale(make_router().routes)
    assert not missing, (
        "these routes have no line in tests/route_table.py ROUTES; add one saying who may call them "
        f"and how to build a valid request: {missing}")
    assert not stale, f"tests/route_table.py ROUTES names routes the app no longer has: {stale}"


async def test_access_matrix(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """One test for all actors, so the organisation is seeded once; the message names each."""
    wrong: list[str] = []
    for actor in ACTORS:
        wrong += await _try_every_route(Caller(str(client.make_url("")), actor, world), world)
    assert not wrong, "\n".join(wrong)


async def _try_every_route(caller: Caller, world: World) -> list[str]:
    actor, wrong = caller.actor, []
    await caller.sign_in()
    try:
        for route in make_router().routes:
            spec = ROUTES.get((route.method, route.path))
            if spec is None:
                continue  # test_every_route_is_in_the_access_table names it
            for unit in TRIED_UNITS if spec.scoped else [None]:
                request = await spec.sample(world, unit or "CENTER")
                if request is None:
                    continue
                may = actor.name in spec.allowed and (not spec.scoped or world.holds(actor.unit, unit))
                status, body = await caller.send(route.method, request)
                where = f"{actor.name}: {route.method} {request.path} ({unit or 'no object'}) → {status}"
                if may and not 200 <= status < 300:
                    wrong.append(f"{where}: should be allowed: {body}")
                elif not may and status not in (401, 403, 404):
                    wrong.append(f"{where}: should be refused with 401/403/404")
                elif not may and actor.name == "anonymous" and status != 401:
                    wrong.append(f"{where}: anonymous should get 401")
                elif not may and not (isinstance(body, dict) and body.get("error", {}).get("code")):
                    wrong.append(f"{where}: a refusal needs a JSON error body, got {body!r}")
                if spec.ends_session and 200 <= status < 300:
                    await caller.sign_in()
    finally:
        await caller.close()
    return wrong


async def _visible_codes(api, world: World, username: str, path: str = "/api/units") -> set[str]:  # type: ignore[no-untyped-def]
    await api.login(username)
    status, units = await api.get(path)
    assert status == 200, units
    return {u["code"] for u in units}


async def test_each_unit_sees_its_own_subtree_of_units(new_api, world: World) -> None:  # type: ignore[no-untyped-def]
    everything = {code for code in world.unit_ids}
    assert await _visible_codes(new_api(), world, "heping") == {"C-EAST-1"}
    assert await _visible_codes(new_api(), world, "east") == {"S-EAST", "C-EAST-1", "C-EAST-2"}
    assert await _visible_codes(new_api(), world, "union") == {"D-UNION"}
    assert await _visible_codes(new_api(), world, "center") == everything
    assert await _visible_codes(new_api(), world, "admin") == everything


async def test_lists_of_accounts_and_devices_stay_in_the_subtree(new_api, world: World) -> None:  # type: ignore[no-untyped-def]
    sub_admin = new_api()
    await sub_admin.login("east-admin")
    east_tree = {world.unit_ids[c] for c in ("S-EAST", "C-EAST-1", "C-EAST-2")}
    _, found = await sub_admin.get("/api/accounts")
    assert found and {a["unit_id"] for a in found} <= east_tree
    _, devices = await sub_admin.get("/api/devices")
    assert devices and {d["unit_id"] for d in devices} <= east_tree
    _, rows = await sub_admin.get("/api/audit")
    assert {r["unit_id"] for r in rows["rows"]} <= east_tree
    admin = new_api()
    await admin.login("admin")
    _, found = await admin.get("/api/accounts")
    assert {a["unit_id"] for a in found} == set(world.unit_ids.values())


async def test_a_kiosk_cannot_act_as_staff(new_api, world: World) -> None:  # type: ignore[no-untyped-def]
    kiosk = new_api()
    kiosk.bearer = world.kiosk_tokens["C-EAST-1"]
    status, me = await kiosk.get("/api/auth/me")
    assert status == 200 and me["kind"] == "device" and me["role"] == "kiosk" and me["csrf_token"] is None
    status, body = await kiosk.get("/api/units")
    assert status == 403 and body["error"]["code"] == "forbidden"


async def test_an_account_of_a_deactivated_unit_sees_nothing(new_api, world: World) -> None:  # type: ignore[no-untyped-def]
    heping = new_api()
    await heping.login("heping")
    admin = new_api()
    await admin.login("admin")
    status, _ = await admin.patch(f"/api/units/{world.unit_ids['C-EAST-1']}", {"active": False})
    assert status == 200
    status, units = await heping.get("/api/units")
    assert status == 401 or (status == 200 and units == []), units
    status, _ = await new_api().post("/api/auth/login", {"username": "heping", "password": "fayuan-demo-2026"})
    assert status == 401
