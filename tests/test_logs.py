"""Logs: one JSON object per line with the request's context (FAYUAN_LOG_FORMAT=json), readable
text by default, request ids echoed, and no token, password, phone or ID number in any line of a
whole server run that used them (tests/processes.py: a real `fayuan serve`)."""
from __future__ import annotations

import io
import json
import logging

import pytest
from yarl import URL

from server.logs import context
from server.logs.formatting import DemoteToDebug, JsonFormatter, TextFormatter
from server.logs.redaction import redact
from tests.processes import ServerProcess
from tests.sockets import Peer
from tests.support import Api

PASSWORD = "Wolke-Sieben-2026-xyz"
WRONG_PASSWORD = "Falsch-Passwort-99-abc"
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"
SEARCH_PHONE = "13787654321"
REQUEST_ID = "trace-4711.abc"
UNKNOWN_CONSULTATION = 424242


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    process = ServerProcess(tmp_path_factory.mktemp("logs"))
    process.env["FAYUAN_LOG_FORMAT"] = "json"
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def used() -> dict[str, str]:
    """Every secret and personal value the run sends, filled in as the run makes them."""
    return {"password": PASSWORD, "wrong password": WRONG_PASSWORD, "phone": PHONE, "id number": ID_NUMBER,
            "searched phone": SEARCH_PHONE}


async def test_a_run_with_personal_data(server: ServerProcess, used: dict[str, str]) -> None:
    admin = Api(server.base_url)
    staff = Api(server.base_url)
    peers: list[Peer] = []
    try:
        me = await admin.login("admin")
        used["admin session"] = admin.client.cookie_jar.filter_cookies(URL(server.base_url))["fayuan_session"].value
        used["admin csrf"] = me["csrf_token"]
        status, devices = await admin.get("/api/devices")
        assert status == 200 and devices, devices
        status, device = await admin.post("/api/devices", {"name": "測試亭", "unit_id": devices[0]["unit_id"]})
        assert status == 201, device
        used["kiosk token"] = device["token"]
        status, account = await admin.post("/api/accounts", {
            "username": "logtest", "display_name": "測試員", "role": "center_staff", "unit_id": me["unit_id"],
            "phone": PHONE, "password": PASSWORD})
        assert status == 201, account
        status, _ = await staff.post("/api/auth/login", {"username": "logtest", "password": WRONG_PASSWORD})
        assert status == 401
        mine = await staff.login("logtest", PASSWORD)
        used["staff session"] = staff.client.cookie_jar.filter_cookies(URL(server.base_url))["fayuan_session"].value
        used["staff csrf"] = mine["csrf_token"]

        kiosk = await Peer().connect(server.base_url, token=device["token"])
        peers.append(kiosk)
        started = await kiosk.call("consultation.start", {
            "category": "wages_labour", "text": f"我的身份證是{ID_NUMBER}，電話{PHONE}",
            "contact_name": "王小明", "contact_phone": PHONE})
        # open or closed (the run's real clock decides), the values went through the gateway
        assert "consultation" in started or started["error"]["code"] == "service_closed", started
        if "resume_token" in started:
            used["resume token"] = started["resume_token"]
        kiosk_api = Api(server.base_url)
        kiosk_api.bearer = device["token"]
        status, message = await kiosk_api.post("/api/board/messages", {
            "category": "wages_labour", "question": f"老板欠薪，身份證{ID_NUMBER}", "contact_name": "王小明",
            "contact_phone": PHONE})
        await kiosk_api.close()
        assert status == 201, message
        status, page = await admin.get("/api/board/messages", params={"q": SEARCH_PHONE})
        assert status == 200, page
        status, _ = await admin.get(f"/api/board/messages/{message['id']}", headers={"X-Request-ID": REQUEST_ID})
        assert status == 200
        status, _ = await admin.get(f"/api/consultations/{UNKNOWN_CONSULTATION}")
        assert status == 404
        staff_peer = await Peer().connect(server.base_url, cookie=used["staff session"])
        peers.append(staff_peer)
        assert "queues" in await staff_peer.call("queue.watch")
    finally:
        for peer in peers:
            await peer.close()
        await admin.close()
        await staff.close()


def _lines(server: ServerProcess) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if line.strip()]


def test_json_log_lines_carry_their_context(server: ServerProcess) -> None:
    records = []
    for line in _lines(server):
        record = json.loads(line)  # fails on any line that is not one JSON object
        assert {"time", "level", "logger", "message"} <= record.keys(), record
        records.append(record)
    # socket.io's long-lived requests skip the middlewares (server/web/middleware.py, sockets)
    access = [r for r in records if r["logger"] == "aiohttp.access" and "/socket.io/" not in r["message"]]
    assert access and all(len(r["request_id"]) >= 8 for r in access)
    traced = [r for r in access if r.get("request_id") == REQUEST_ID]
    assert len(traced) == 1 and "/api/board/messages/" in traced[0]["message"]
    assert traced[0]["actor"].startswith("account:")
    named = [r for r in access if r.get("consultation_id") == UNKNOWN_CONSULTATION]
    assert len(named) == 1 and named[0]["actor"].startswith("account:"), named
    assert not [r for r in records if r["logger"] == "alembic.runtime.plugins"]
    assert [r for r in records if r["logger"] == "alembic.runtime.migration"]  # the rest of Alembic stays


def test_no_line_carries_a_secret_or_personal_data(server: ServerProcess, used: dict[str, str]) -> None:
    log = server.log.read_text()
    assert "/api/board/messages" in log and "?" not in "".join(
        json.loads(line)["message"] for line in _lines(server) if '"aiohttp.access"' in line)
    assert len(used) >= 10, used
    leaked = {what: value for what, value in used.items() if value and value in log}
    assert not leaked, f"found in the server's log: {sorted(leaked)}"


async def test_the_request_id_is_echoed_or_made(server: ServerProcess) -> None:
    api = Api(server.base_url)
    try:
        async with api.client.get(server.base_url + "/healthz", headers={"X-Request-ID": REQUEST_ID}) as resp:
            assert resp.headers["X-Request-ID"] == REQUEST_ID
        async with api.client.get(server.base_url + "/api/nothing-here", headers={"X-Request-ID": "a b;c"}) as resp:
            assert resp.status == 404
            made = resp.headers["X-Request-ID"]
            assert made != "a b;c" and context.SANE_REQUEST_ID.fullmatch(made)
        async with api.client.get(server.base_url + "/healthz", headers={"X-Request-ID": "x" * 65}) as resp:
            assert resp.headers["X-Request-ID"] != "x" * 65
    finally:
        await api.close()


@pytest.fixture
def clean_context():  # type: ignore[no-untyped-def]
    yield
    context.start(None)  # the ids a test set must not reach later tests' log lines


def _record(message: str, *args: object, name: str = "server.test", level: int = logging.INFO) -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, message, args, None)
    context.ContextFilter().filter(record)
    return record


def test_text_format_is_readable_with_the_known_ids(clean_context) -> None:
    context.start("req-1", "account:7")
    context.note_ids({"consultation_id": "42", "meeting_id": True})
    line = TextFormatter().format(_record("taken by %s", "someone"))
    assert line.endswith("INFO server.test: taken by someone [request_id=req-1 actor=account:7 consultation_id=42]")
    context.start(None)
    assert TextFormatter().format(_record("plain")).endswith("server.test: plain")


def test_json_format_and_redaction_as_a_last_resort(clean_context) -> None:
    context.start("req-2", "device:3")
    context.note_ids({"application_id": 9})
    token = "Zx9" + "kQ2_vB7-" * 5
    out = json.loads(JsonFormatter().format(_record("phone %s id %s token %s", PHONE, ID_NUMBER, token)))
    assert out["message"] == "phone [phone] id [id-number] token [token]"
    assert out["request_id"] == "req-2" and out["actor"] == "device:3" and out["application_id"] == 9
    assert "consultation_id" not in out
    # long identifiers without digits, short numbers and timestamps stay
    kept = "consultation_recording_handlers_for_the_gateway 2026-12-07T05:00:00 case 2026-0001 room 12345"
    assert redact(kept) == kept


def test_alembic_plugin_chatter_goes_to_debug() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    chatty = logging.getLogger("test.demoted")
    chatty.addFilter(DemoteToDebug())
    chatty.addHandler(handler)
    root = logging.getLogger()
    old_level = root.level
    try:
        root.setLevel(logging.INFO)
        chatty.info("setup plugin x")
        assert stream.getvalue() == ""
        root.setLevel(logging.DEBUG)
        chatty.info("setup plugin y")
        assert "setup plugin y" in stream.getvalue()
    finally:
        root.setLevel(old_level)
        chatty.removeHandler(handler)
