"""Bad input on every route gives a 4xx with a JSON error body, never a 500, and changes nothing.

The cases are generated from the route table (tests/route_table.py) and the routes' pydantic
models: each valid sample request is broken one way at a time, and sent as the center's admin,
who may call every route."""
from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Iterator

import pytest
from pydantic import BaseModel

from server.app import make_router
from server.web.api import Route
from tests.route_table import ACTORS, ROUTES, TRIED_UNITS, Caller, Request, World
from tests.support import PG_URL

NOT_AN_ID = ["abc", "-1", "1.5", "1e3", "%00", "²", "١", "999999999999999999", "9" * 30, "2147483648"]
WRONG_VALUES = [{"nested": "object"}, ["a", "list"], 2**40, 10**30, -1, 1.5, True, None, "x" * 200_000,
                "nul\x00byte", ""]
BAD_DATES = ["2026-02-30", "tomorrow", "2026-13-01", "99999-01-01", "0000-01-01"]


def _breakages(route: Route, good: Request) -> Iterator[tuple[str, Request, dict[str, Any]]]:
    """(what is wrong, request, extra send arguments) for one route's valid sample."""
    for name in _path_params(route.path):
        kind = route.path_types.get(name, int)
        for value in NOT_AN_ID if kind is int else BAD_DATES + ["%00", "x" * 5000]:
            yield f"path {name}={value[:20]}", Request(_with_path(route, good.path, name, value), good.body,
                                                       good.query), {}
    yield "unknown query parameter", Request(good.path, good.body, {**(good.query or {}), "bogus": "1"}), {}
    if route.query is not None:
        for field in route.query.model_fields.values():
            key = field.alias or next(k for k, f in route.query.model_fields.items() if f is field)
            # a date where a time with its offset is wanted, and years at the ends of Python's range
            for value in ["", "nul\x00", "x" * 5000, "2026-02-30", "-1", "[]", "9" * 40, "2026-12-07", "0001-01-01",
                          "9999-12-31"]:
                query = {**(good.query or {}), key: value}
                if _accepts(route.query, good.query or {}, key, value):
                    continue
                yield f"query {key}={value[:10]!r}", Request(good.path, good.body, query), {}
    if route.body is None:
        return
    yield "malformed JSON", good, {"data": b"{not json", "headers": {"Content-Type": "application/json"}}
    yield "empty body", good, {"data": b"", "headers": {"Content-Type": "application/json"}}
    yield "invalid UTF-8", good, {"data": b'{"a": "\xff\xfe"}', "headers": {"Content-Type": "application/json"}}
    yield "body too large", good, {"data": b"[" + b"1," * 600_000 + b"1]"}
    for depth in (990, 100_000):
        yield f"nested {depth} deep", good, {"data": b"[" * depth + b"]" * depth}
    for whole in ([], "text", 1, None):
        yield f"body is {json.dumps(whole)}", Request(good.path, None, good.query), {
            "data": json.dumps(whole), "headers": {"Content-Type": "application/json"}}
    yield "extra field", Request(good.path, {**good.body, "bogus": 1}, good.query), {}
    for name in _required(route.body):
        body = {k: v for k, v in good.body.items() if k != name}
        yield f"missing {name}", Request(good.path, body, good.query), {}
    for name in route.body.model_fields:
        for value in WRONG_VALUES:
            if _accepts(route.body, good.body, name, value):
                continue
            yield f"{name}={str(value)[:20]!r}", Request(good.path, {**good.body, name: value}, good.query), {}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _with_path(route: Route, real: str, name: str, value: str) -> str:
    parts = real.split("/")
    parts[route.path.split("/").index("{" + name + "}")] = value
    return "/".join(parts)


def _required(model: type[BaseModel]) -> list[str]:
    return [name for name, field in model.model_fields.items() if field.is_required()]


def _accepts(model: type[BaseModel], good: dict, name: str, value: Any) -> bool:
    """Skip values the model itself accepts (a None for an optional field, an empty bio)."""
    try:
        model.model_validate({**good, name: value})
    except ValueError:
        return False
    return not (isinstance(value, str) and "\x00" in value) and not (isinstance(value, int) and value > 2**31)


async def _sample(world: World, route: Route) -> Request:
    spec = ROUTES[(route.method, route.path)]
    for unit in TRIED_UNITS:
        request = await spec.sample(world, unit)
        if request is not None:
            return request
    raise AssertionError(f"no sample for {route.method} {route.path}")


async def test_bad_input_never_gives_a_500_or_a_2xx(client, world: World) -> None:
    admin = Caller(str(client.make_url("")), ACTORS[0], world)
    await admin.sign_in()
    wrong: list[str] = []
    tried = 0
    try:
        for route in make_router().routes:
            if (route.method, route.path) not in ROUTES:
                continue  # test_access.py names routes missing from the table
            good = await _sample(world, route)
            for what, request, extra in _breakages(route, good):
                tried += 1
                status, body = await admin.send(route.method, request, **extra)
                if not 400 <= status < 500:
                    wrong.append(f"{route.method} {route.path} with {what}: {status} {str(body)[:200]}")
                elif not (isinstance(body, dict) and body.get("error", {}).get("code")
                          and body["error"].get("message")):
                    wrong.append(f"{route.method} {route.path} with {what}: no JSON error body: {body!r}")
                if ROUTES[(route.method, route.path)].ends_session and status < 300:
                    await admin.sign_in()
    finally:
        await admin.close()
    assert tried > 500
    assert not wrong, f"{len(wrong)} of {tried} bad requests were not refused cleanly:\n" + "\n".join(wrong)


async def test_a_failed_change_keeps_what_was_saved(api, world: World) -> None:
    await api.login("admin")
    center, community = world.unit_ids["CENTER"], world.unit_ids["C-EAST-1"]
    _, before = await api.get(f"/api/units/{community}")
    _, center_before = await api.get(f"/api/units/{center}")
    attempts = [
        (community, {"name": "新名字", "parent_id": world.unit_ids["C-WEST-1"]}),  # a community under a community
        (community, {"name": "新名字", "parent_id": 999_999}),
        (community, {"name": "新名字", "bogus": True}),
        (community, {"name": "", "address": "somewhere"}),
        (center, {"name": "新名字", "active": False}),
        (center, {"name": "新名字", "parent_id": world.unit_ids["S-EAST"]}),
    ]
    for unit_id, body in attempts:
        status, _ = await api.patch(f"/api/units/{unit_id}", body)
        assert 400 <= status < 500, body
    assert (await api.get(f"/api/units/{community}"))[1] == before
    assert (await api.get(f"/api/units/{center}"))[1] == center_before
    account = world.spare_accounts["S-WEST"]
    _, account_before = await api.get(f"/api/accounts/{account}")
    status, _ = await api.patch(f"/api/accounts/{account}", {"display_name": "新", "role": "community_staff"})
    assert status == 400  # a community role in a station
    assert (await api.get(f"/api/accounts/{account}"))[1] == account_before


async def test_what_fuzzing_found_is_refused_by_name(client, world: World) -> None:
    """schemathesis's finds (issue 11), each once a 500: a null for a form field the database keeps
    as text, a time without its offset, a year at the end of Python's range."""
    from server.applications.schemas import ApplicationPatch

    admin = Caller(str(client.make_url("")), ACTORS[0], world)
    await admin.sign_in()
    routes = {(r.method, r.path): r for r in make_router().routes}
    nullable = {"birth_date", "amount_in_dispute", "chosen_lawyer_id"}
    edit = await _sample(world, routes[("PATCH", "/api/applications/{application_id}")])
    cases = [("PATCH", Request(edit.path, {name: None}), name) for name in ApplicationPatch.model_fields
             if name not in nullable]
    cases += [("GET", Request("/api/audit", query={"since": "2026-12-07"}), "since"),
              ("GET", Request("/api/audit", query={"until": "0001-01-01T00:00:00+08:00"}), "until"),
              ("GET", Request("/api/reports/export", query={"to": "0001-01-01"}), "to"),
              ("GET", Request("/api/reports", query={"from": "9999-12-31"}), "from")]
    try:
        wrong = []
        for method, request, field in cases:
            status, body = await admin.send(method, request)
            if status != 400 or field not in body["error"]["message"]:
                wrong.append(f"{method} {request.path} {request.body or request.query}: {status} {body}")
        status, body = await admin.send("PATCH", Request(edit.path, {name: None for name in nullable}))
        assert status == 200, body
        status, personal = await admin.send("GET", Request(edit.path + "/personal"))  # the audited read has it
        assert status == 200 and personal["birth_date"] is None, personal
    finally:
        await admin.close()
    assert not wrong, "\n".join(wrong)


class Forwarder:
    """A TCP path to PostgreSQL that the test can cut: the database going away under the server."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.AbstractServer | None = None
        self.pipes: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes += [writer, up_writer]

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for pipe in self.pipes:
            pipe.transport.abort()


@pytest.mark.skipif(not PG_URL, reason="cuts the way to the run's PostgreSQL (FAYUAN_TEST_DATABASE_URL)")
async def test_a_database_that_goes_away_is_a_503_not_a_500(tmp_path) -> None:
    """D6 of issue 14: a dropped or refused database connection is the database's fault of the
    moment: 503 with Retry-After and a JSON body, never a 500 (a read is tried once more)."""
    from sqlalchemy.engine import make_url

    from server.app import init_app
    from tests.support import fresh_postgres, settings_for, start_client

    url = make_url(await fresh_postgres())
    forwarder = Forwarder(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=await forwarder.start()).render_as_string(hide_password=False)
    served = await start_client(init_app(settings_for(through, tmp_path), run_sweeper=False))
    try:
        assert (await served.get("/api/board/public")).status == 200
        await forwarder.cut()
        for method, path, body in (("GET", "/api/board/public", None),
                                   ("POST", "/api/auth/login", {"username": "admin", "password": "x" * 12})):
            response = await served.request(method, path, json=body)
            assert response.status == 503, (path, response.status, await response.text())
            assert (await response.json())["error"]["code"] == "unavailable"
            assert response.headers["Retry-After"].isdigit()
        assert (await served.get("/healthz")).status == 200
    finally:
        await served.close()
