"""The OpenAPI document tells the truth: one component per model, every response's media type
declared, and real responses to the route table's valid requests match what it says."""
from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from pydantic import BaseModel, create_model

from server.app import make_router
from server.applications.schemas import CloseIn as ApplicationCloseIn
from server.board.schemas import CloseIn as BoardCloseIn
from server.web.api import ComponentNameClash, Router, openapi
from tests.route_table import ACTORS, ROUTES, TRIED_UNITS, Caller, World


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_reference_names_a_component_of_its_own() -> None:
    doc = openapi(make_router())
    schemas = doc["components"]["schemas"]
    missing = {ref for ref in _refs(doc) if ref.removeprefix("#/components/schemas/") not in schemas}
    assert not missing
    paths = doc["paths"]

    def component(content: dict) -> dict:
        return schemas[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]

    board_close = paths["/api/board/messages/{message_id}/close"]["post"]["requestBody"]["content"]
    app_close = paths["/api/applications/{application_id}/close"]["post"]["requestBody"]["content"]
    assert component(board_close)["properties"].keys() == {"note"}
    assert component(app_close)["properties"].keys() == {"outcome"}
    phone = paths["/api/accounts/{account_id}/phone"]["get"]["responses"]["200"]["content"]
    assert component(phone)["required"] == ["phone"]
    upload = paths["/api/files"]["post"]
    assert upload["requestBody"]["content"].keys() == {"application/octet-stream"}
    assert {"name": "X-Filename", "in": "header", "required": True} | {"schema": {"type": "string"}} in [
        {k: p[k] for k in ("name", "in", "required", "schema")} for p in upload["parameters"]]


def _router_with(*bodies: type[BaseModel]) -> Router:
    router = Router()
    for index, body in enumerate(bodies):
        async def view(call: Any) -> None:
            return None

        view.__name__ = f"view{index}"
        router.post(f"/api/x{index}", summary="x", tag="x", body=body)(view)
    return router


def test_two_models_that_would_share_a_name_stop_the_build() -> None:
    # same class name in two domains: two components
    doc = openapi(_router_with(BoardCloseIn, ApplicationCloseIn))
    assert {"board.CloseIn", "applications.CloseIn"} <= doc["components"]["schemas"].keys()
    # same class name twice in one domain (its schemas.py and views.py): refused, naming both
    twin = create_model("CloseIn", __module__="server.board.views", reason=(str, ...))
    with pytest.raises(ComponentNameClash, match=r"board\.CloseIn.*server\.board\.schemas\.CloseIn"):
        openapi(_router_with(BoardCloseIn, twin))


def test_every_success_declares_its_content_or_none() -> None:
    doc = openapi(make_router())
    undeclared = []
    for route in make_router().routes:
        ok = doc["paths"][route.path][route.method.lower()]["responses"][str(route.status)]
        if route.status != 204 and not ok.get("content"):
            undeclared.append(f"{route.method} {route.path}")
    assert not undeclared, f"declare response= (JSON) or media= (anything else) on: {undeclared}"


def _success_schema(doc: dict, method: str, path: str, status: int, media: str) -> dict | None:
    responses = doc["paths"][path][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}; the document lists {sorted(responses)}"
    content = responses[str(status)].get("content", {})
    if status == 204:
        return None
    assert media in content, f"{method} {path} answered {media}; the document lists {sorted(content)}"
    return content[media]["schema"]


async def test_real_responses_match_the_document(client, world: World) -> None:
    """Each route's valid sample request (tests/route_table.py), sent as the first actor that may
    call it: the status, media type and JSON body are the ones the document gives."""
    doc = openapi(make_router())
    base_url = str(client.make_url(""))
    callers: dict[str, Caller] = {}
    wrong: list[str] = []
    checked = skipped = 0
    try:
        for route in make_router().routes:
            spec = ROUTES[(route.method, route.path)]
            actor = next((a for a in ACTORS if a.name in spec.allowed), None)
            if actor is None:
                skipped += 1  # only a role none of the tried actors has (the bureau: test_application_workflow)
                continue
            units = [u for u in TRIED_UNITS if not spec.scoped or world.holds(actor.unit, u)]
            request = None
            for unit in units:
                request = await spec.sample(world, unit)
                if request is not None:
                    break
            assert request is not None, f"no sample for {route.method} {route.path}"
            if actor.name not in callers:
                callers[actor.name] = Caller(base_url, actor, world)
                await callers[actor.name].sign_in()
            caller = callers[actor.name]
            kw: dict[str, Any] = {"params": request.query}
            if request.data is not None:
                kw["data"] = request.data
            elif request.body is not None:
                kw["json"] = request.body
            headers = {**caller.headers, **(request.headers or {})}
            async with caller.http.request(route.method, caller.base_url + request.path, headers=headers, **kw) as resp:
                status, media, raw = resp.status, resp.content_type, await resp.read()
            if spec.ends_session:
                await caller.sign_in()
            where = f"{actor.name}: {route.method} {request.path}"
            try:
                schema = _success_schema(doc, route.method, route.path, status, media)
            except AssertionError as exc:
                wrong.append(f"{where}: {exc}")
                continue
            checked += 1
            if schema is None:
                if raw:
                    wrong.append(f"{where}: a 204 with a body")
            elif media == "application/json":
                validator = jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]})
                errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
                          for e in validator.iter_errors(json.loads(raw))]
                if errors:
                    wrong.append(f"{where}: the body contradicts the document: {errors[:3]}")
            elif not raw:
                wrong.append(f"{where}: an empty {media}")
    finally:
        for caller in callers.values():
            await caller.close()
    assert not wrong, "\n".join(wrong)
    assert checked + skipped == len(make_router().routes) and skipped <= 2


async def test_a_range_request_gets_the_partial_answer_the_document_gives(client, world: World) -> None:
    doc = openapi(make_router())
    request = await ROUTES[("GET", "/api/recordings/{recording_id}/media")].sample(world, "C-EAST-1")
    admin = Caller(str(client.make_url("")), ACTORS[0], world)
    await admin.sign_in()
    try:
        async with admin.http.get(admin.base_url + request.path, headers={**admin.headers, "Range": "bytes=0-3"}) as resp:
            status, media, raw = resp.status, resp.content_type, await resp.read()
    finally:
        await admin.close()
    assert (status, raw) == (206, b"\0\0\0\x18")
    assert _success_schema(doc, "GET", "/api/recordings/{recording_id}/media", status, media) is not None
