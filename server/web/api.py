"""Declaring HTTP routes once: the pydantic models that validate a request also describe it
in the OpenAPI document, so the two cannot drift apart.

A view is `async def view(call: Call) -> BaseModel | dict | list | None`; it parses nothing
itself (Router did), calls a service with `call.session` and `call.actor`, and returns.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Literal

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.json_schema import CoreModeRef, DefsRef, GenerateJsonSchema
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import InvalidInput, NotAuthenticated, PermissionDenied, TooLarge, UnsupportedType
from server.ids import MAX_ROW_ID
from server.logs import context as log_context
from server.web import keys
from server.web.client_addr import client_addr

if TYPE_CHECKING:
    from server.accounts.actor import Actor
    from server.clock import Clock
    from server.config import Settings

Auth = Literal["public", "account", "device", "any"]
View = Callable[["Call"], Awaitable[Any]]
MAX_JSON_BYTES = 1_000_000


@dataclass
class Call:
    request: web.Request
    body: Any = None
    query: Any = None
    path: dict[str, int] = field(default_factory=dict)  # the path's whole numbers (row ids)
    path_text: dict[str, str] = field(default_factory=dict)  # the ones a route declares `str`
    _session: AsyncSession | None = None

    @property
    def actor(self) -> Actor:
        return self.request[keys.ACTOR]

    @property
    def app(self) -> web.Application:
        return self.request.app

    @property
    def clock(self) -> Clock:
        return self.request.app[keys.CLOCK]

    @property
    def settings(self) -> Settings:
        return self.request.app[keys.SETTINGS]

    @property
    def session(self) -> AsyncSession:
        """One transaction per request, committed when the view returns without error."""
        if self._session is None:
            self._session = self.request.app[keys.DB].sessions()
        return self._session

    @property
    def client_addr(self) -> str:
        return client_addr(self.request)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    view: View
    auth: Auth
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    path_types: dict[str, type]
    media: tuple[str, ...] = ()  # the media types of a response that is not JSON (a CSV, a PDF, a file)
    ranges: bool = False  # a file served whole or, for a Range header, in part (206): seeking in a video
    upload: str | None = None  # the media type of a raw request body the view streams itself (a file)
    headers: dict[str, str] = field(default_factory=dict)  # request headers the view reads: name -> meaning


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        auth: Auth = "account",
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        path_types: dict[str, type] | None = None,
        media: str | tuple[str, ...] = (),
        ranges: bool = False,
        upload: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Callable[[View], View]:
        def register(view: View) -> View:
            self.routes.append(Route(method, path, view, auth, summary, tag, body, query, response, status,
                                     path_types or {}, (media,) if isinstance(media, str) else media, ranges,
                                     upload, headers or {}))
            return view

        return register

    def get(self, path: str, **kw: Any) -> Callable[[View], View]:
        return self.route("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Callable[[View], View]:
        return self.route("POST", path, status=kw.pop("status", 201), **kw)

    def put(self, path: str, **kw: Any) -> Callable[[View], View]:
        return self.route("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Callable[[View], View]:
        return self.route("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Callable[[View], View]:
        return self.route("DELETE", path, **kw)

    def include(self, other: "Router") -> None:
        self.routes.extend(other.routes)

    def install(self, app: web.Application) -> None:
        for route in self.routes:
            app.router.add_route(route.method, route.path, _handler(route))


def _handler(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        actor = request[keys.ACTOR]
        log_context.actor.set(actor.ref)
        _check_auth(route.auth, actor)
        call = Call(request)
        call.path, call.path_text = _parse_path(request, route)
        if route.query is not None:
            call.query = _validate(route.query, dict(request.query), "query")
        elif request.query:
            raise InvalidInput(f"this route takes no query parameters, got {sorted(request.query)[:5]}")
        if route.body is not None:
            call.body = _validate(route.body, await _read_json(request), "body")
        try:
            result = await route.view(call)
            if call._session is not None:
                await call._session.commit()
        finally:
            if call._session is not None:
                await call._session.close()
        if isinstance(result, web.StreamResponse):
            return result
        return json_response(result, status=route.status if result is not None else 204)

    handle.__name__ = route.view.__name__
    return handle


def _check_auth(auth: Auth, actor: Any) -> None:
    if auth == "public":
        return
    if actor.kind == "anonymous":
        raise NotAuthenticated("log in first")
    if auth == "account" and actor.kind != "account":
        raise PermissionDenied("this needs a staff login, not a device")
    if auth == "device" and actor.kind != "device":
        raise PermissionDenied("this is for kiosk devices")


def _parse_path(request: web.Request, route: Route) -> tuple[dict[str, int], dict[str, str]]:
    values: dict[str, int] = {}
    texts: dict[str, str] = {}
    for name, raw in request.match_info.items():
        kind = route.path_types.get(name, int)
        if kind is int:
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) > MAX_ROW_ID:
                raise InvalidInput(f"path parameter {name!r} must be a whole number up to {MAX_ROW_ID}", field=name)
            values[name] = int(raw)
        else:
            texts[name] = raw
    return values, texts


async def _read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        # a cross-site form can send text/plain without a preflight (and logged a browser into
        # someone else's account); only JSON that a page sends with fetch counts
        raise UnsupportedType(f"send the body as application/json, not {request.content_type[:60]!r}",
                              reason="content_type")
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise TooLarge(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    raw = await request.content.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise TooLarge(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    if not raw.strip():
        raise InvalidInput("the request needs a JSON body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidInput("the body is nested too deeply") from None


def _refuse_nul(data: Any, where: str) -> None:
    """PostgreSQL cannot store NUL in text, and no form needs one: refuse it in every string.
    A loop, not recursion, so deeply nested input cannot exhaust the stack."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise InvalidInput(f"the {where} contains a NUL character")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _validate(model: type[BaseModel], data: Any, where: str) -> Any:
    _refuse_nul(data, where)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]) or where, "problem": err["msg"]}
            for err in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        first = problems[0]
        raise InvalidInput(f"{where} field {first['field']!r}: {first['problem']}", problems=problems) from None


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204:
        return web.Response(status=204, headers=headers)
    if isinstance(data, BaseModel):
        text = data.model_dump_json()
    elif isinstance(data, list) and data and isinstance(data[0], BaseModel):
        text = "[" + ",".join(item.model_dump_json() for item in data) + "]"
    else:
        text = json.dumps(data, default=_default, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json", headers=headers)


class ComponentNameClash(ValueError):
    """Two different models would be published under one component name."""


class _ComponentNames(GenerateJsonSchema):
    """Names each model's component `<domain>.<Class>` (`board.CloseIn`, `applications.CloseIn`)
    whether or not another model shares its class name, so a name never depends on what else the
    document holds; two models that would still share one (the same class name in one domain's
    schemas.py and views.py) stop the build instead of one silently replacing the other.

    get_defs_ref is pydantic's documented hook for naming; the name must also be entered in
    `_prioritized_defsref_choices`, a private table pydantic reads when it finishes (tested
    with pydantic 2.14; tests/test_openapi.py fails if that changes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners: dict[str, str] = {}

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        core_ref, _mode = core_mode_ref
        name = component_name(core_ref)
        owner = self.owners.setdefault(name, core_ref)
        if owner != core_ref:
            raise ComponentNameClash(f"two models would share the OpenAPI component name {name!r}: "
                                     f"{_without_ids(owner)} and {_without_ids(core_ref)}; rename one")
        choices = getattr(self, "_prioritized_defsref_choices", None)
        if choices is None:
            raise RuntimeError("pydantic's GenerateJsonSchema no longer has _prioritized_defsref_choices; "
                               "see _ComponentNames in server/web/api.py")
        choices[DefsRef(name)] = [DefsRef(name)]
        return DefsRef(name)


def _without_ids(core_ref: str) -> str:
    return re.sub(r":\d+", "", core_ref)


def component_name(core_ref: str) -> str:
    """`server.board.schemas.CloseIn:1403…` -> `board.CloseIn`; outside server/ the top package
    stands for the domain (`signaling.Hello`)."""
    dotted = _without_ids(core_ref)
    qualified = dotted.split("[", 1)[0]
    parts = qualified.split(".")
    domain = parts[1] if parts[0] == "server" and len(parts) > 2 else parts[0]
    tail = dotted[len(qualified):]  # a generic model's arguments, rare
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{domain}.{parts[-1]}{tail}")


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
        }
    },
}
BINARY = {"type": "string", "format": "binary"}


def openapi(router: Router, title: str = "fayuan", version: str = "0.1.0") -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from the registered routes and their models, all in one
    schema generation so that every model lands in components under one name (_ComponentNames)."""
    inputs: list[tuple[tuple[int, str], Literal["validation"], TypeAdapter[Any]]] = []
    for index, route in enumerate(router.routes):
        for part, model in (("body", route.body), ("query", route.query), ("response", route.response)):
            if model is not None:
                inputs.append(((index, part), "validation", TypeAdapter(model)))
    by_part, defs = TypeAdapter.json_schemas(inputs, ref_template="#/components/schemas/{model}",
                                             schema_generator=_ComponentNames)
    schemas: dict[str, Any] = {**defs.get("$defs", {}), "Error": ERROR_SCHEMA}
    schema_of = {key: value for (key, _mode), value in by_part.items()}
    error = {"description": "error",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    paths: dict[str, Any] = {}
    for index, route in enumerate(router.routes):
        op: dict[str, Any] = {
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": route.view.__name__,
            "responses": {"4XX": error},
        }
        if route.auth != "public":
            op["security"] = [{"session": []}] if route.auth == "account" else [{"session": []}, {"device": []}]
        params = []
        for name in _path_names(route.path):
            kind = route.path_types.get(name, int)
            schema = {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID} if kind is int else {"type": "string"}
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        if route.query is not None:
            qschema = _resolve(schema_of[(index, "query")], schemas)
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
        for name, meaning in route.headers.items():
            params.append({"name": name, "in": "header", "required": True, "schema": {"type": "string"},
                           "description": meaning})
        if route.ranges:
            params.append({"name": "Range", "in": "header", "required": False, "schema": {"type": "string"},
                           "description": "bytes=START-END, for part of the file (206)"})
        if params:
            op["parameters"] = params
        if route.upload is not None:
            op["requestBody"] = {"required": True, "content": {route.upload: {"schema": BINARY}}}
        if route.body is not None:
            op["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": schema_of[(index, "body")]}}}
        ok: dict[str, Any] = {"description": "ok"}
        if route.response is not None:
            ok["content"] = {"application/json": {"schema": schema_of[(index, "response")]}}
        elif route.media:
            ok["content"] = {media: {"schema": BINARY} for media in route.media}
        op["responses"][str(route.status)] = ok
        if route.ranges:
            op["responses"]["206"] = {**ok, "description": "the part the Range header asked for"}
        paths.setdefault(route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": _referenced(schemas, paths),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "fayuan_session"},
                "device": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _referenced(schemas: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """The components that paths use, directly or through another component: a query model's
    fields became parameters, so the model itself is left out."""
    kept: dict[str, Any] = {}
    pending = [paths]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.rsplit("/", 1)[-1] not in kept:
                name = ref.rsplit("/", 1)[-1]
                kept[name] = schemas[name]
                pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return dict(sorted(kept.items()))


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return schemas[ref.rsplit("/", 1)[-1]] if ref else schema


def _path_names(path: str) -> list[str]:
    names = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            names.append(part[1:-1].split(":")[0])
    return names
