"""Every HTTP route, who may use it, and how to build a valid request for it.

test_access.py tries each route as every actor against objects in several units;
test_bad_input.py breaks each route's valid request in every way it can think of. A route
missing from ROUTES fails both, so whoever adds a route adds one line here:

    ("POST", "/api/things/{thing_id}/close"): Spec(ADMINS, scoped=True, sample=close_thing),

`allowed` names the actors that may get a 2xx. `scoped=True` narrows that to actors whose
part of the unit tree holds the unit the object lives in. `sample(world, unit_code)` returns
the request for an object in that unit, or None when such a unit cannot hold one.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Awaitable, Callable

from server.accounts import service as accounts
from server.accounts.permissions import Role
from server.db import Database
from server.demo import DEMO_PASSWORD
from server.hours import service as hours
from server.org.models import UnitKind


@dataclass(frozen=True)
class Actor:
    name: str
    username: str | None = None  # a staff login
    kiosk_unit: str | None = None  # a kiosk device token of that community's demo kiosk
    unit: str | None = None  # the unit code its part of the tree starts at


ACTORS = [
    Actor("admin", "admin", unit="CENTER"),
    Actor("center_staff", "center", unit="CENTER"),
    Actor("lawyer", "lawyer1", unit="CENTER"),
    Actor("department_staff", "union", unit="D-UNION"),
    Actor("station_staff", "east", unit="S-EAST"),
    Actor("community_staff", "heping", unit="C-EAST-1"),
    Actor("station_admin", "east-admin", unit="S-EAST"),  # an admin whose subtree is one station
    Actor("kiosk", kiosk_unit="C-EAST-1", unit="C-EAST-1"),
    Actor("anonymous"),
]
# Units whose objects each actor is tried against: the center, siblings, parents, children, cousins.
TRIED_UNITS = ["CENTER", "D-UNION", "S-EAST", "S-WEST", "C-EAST-1", "C-EAST-2", "C-WEST-1"]

EVERYONE = frozenset(a.name for a in ACTORS)
STAFF = frozenset(a.name for a in ACTORS if a.username)
SIGNED_IN = STAFF | {"kiosk"}
ADMINS = frozenset({"admin", "station_admin"})
CENTER_ADMIN = frozenset({"admin"})
DIRECTORY_EDITORS = frozenset({"admin", "station_admin", "center_staff"})
CENTER_DESK = frozenset({"admin", "center_staff"})  # the center's own staff: its dashboard

# The role a spare account gets in each kind of unit.
STAFF_ROLE = {UnitKind.center: Role.center_staff, UnitKind.department: Role.department_staff,
              UnitKind.station: Role.station_staff, UnitKind.community: Role.community_staff}


@dataclass
class Request:
    path: str
    body: Any = None
    query: dict[str, str] | None = None
    data: bytes | None = None  # a raw body instead of JSON (file uploads)
    headers: dict[str, str] | None = None


@dataclass
class World:
    """The demo organisation plus a spare account per unit and a spare kiosk per station and
    community, so that routes that change an object never change the actors themselves."""

    db: Database
    now: Any
    unit_ids: dict[str, int]
    unit_paths: dict[str, str]
    unit_kinds: dict[str, UnitKind]
    kiosk_tokens: dict[str, str]
    spare_accounts: dict[str, int] = field(default_factory=dict)
    spare_devices: dict[str, int] = field(default_factory=dict)
    center_lawyer_profile: int = 0
    app: Any = None  # the app under test: file samples put their bytes in its store
    cache: dict[str, Any] = field(default_factory=dict)  # objects samples made once per world
    _counter: itertools.count = field(default_factory=itertools.count)

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter)}"

    def holds(self, outer: str, inner: str) -> bool:
        return self.unit_paths[inner].startswith(self.unit_paths[outer])


Sample = Callable[[World, str], Awaitable[Request | None]]


def fixed(path: str, body: Any = None, query: dict[str, str] | None = None) -> Sample:
    async def sample(world: World, unit: str) -> Request:
        return Request(path, body, query)

    return sample


async def account_in(world: World, unit: str) -> Request:
    return Request(f"/api/accounts/{world.spare_accounts[unit]}")


async def account_phone(world: World, unit: str) -> Request:
    return Request(f"/api/accounts/{world.spare_accounts[unit]}/phone")


async def new_account(world: World, unit: str) -> Request:
    return Request("/api/accounts", {"username": world.unique("matrix"), "display_name": "測試帳號",
                                     "role": STAFF_ROLE[world.unit_kinds[unit]], "unit_id": world.unit_ids[unit],
                                     "phone": "13900139000", "password": "long-enough-password"})


async def rename_account(world: World, unit: str) -> Request:
    return Request(f"/api/accounts/{world.spare_accounts[unit]}", {"display_name": "改名 測試"})


KIOSK_UNITS = (UnitKind.community, UnitKind.station)


async def new_device(world: World, unit: str) -> Request | None:
    if world.unit_kinds[unit] not in KIOSK_UNITS:
        return None
    return Request("/api/devices", {"name": world.unique("終端 "), "unit_id": world.unit_ids[unit]})


async def revoke_device(world: World, unit: str) -> Request | None:
    if world.unit_kinds[unit] not in KIOSK_UNITS:
        return None
    return Request(f"/api/devices/{world.spare_devices[unit]}/revoke")


async def new_lawyer(world: World, unit: str) -> Request | None:
    """Lawyers belong to the center; each call needs a lawyer account without an entry."""
    if world.unit_kinds[unit] != UnitKind.center:
        return None
    async with world.db.sessions.begin() as session:
        account = await accounts.create_account(session, None, username=world.unique("lawyer-"),
                                                display_name="新律師", role=Role.lawyer,
                                                unit_id=world.unit_ids[unit], password=DEMO_PASSWORD, now=world.now)
    return Request("/api/lawyers", {"account_id": account.id, "name": "新律師", "firm": "測試律所",
                                    "specialties": ["wages_labour"], "languages": ["普通话"]})


async def edit_lawyer(world: World, unit: str) -> Request | None:
    if world.unit_kinds[unit] != UnitKind.center:
        return None
    return Request(f"/api/lawyers/{world.center_lawyer_profile}", {"bio": "更新的簡介"})


async def new_unit(world: World, unit: str) -> Request | None:
    child = {UnitKind.center: UnitKind.station, UnitKind.station: UnitKind.community,
             UnitKind.department: UnitKind.community}.get(world.unit_kinds[unit])
    if child is None:
        return None
    return Request("/api/units", {"code": world.unique("U-"), "name": "新單位", "kind": child,
                                  "parent_id": world.unit_ids[unit]})


async def unit_itself(world: World, unit: str) -> Request:
    return Request(f"/api/units/{world.unit_ids[unit]}")


async def edit_unit(world: World, unit: str) -> Request:
    return Request(f"/api/units/{world.unit_ids[unit]}", {"contact_name": "聯系人"})


OVERRIDE_DAY = date(2026, 12, 24)


async def override_day(world: World, unit: str) -> Request:
    return Request(f"/api/service-hours/days/{OVERRIDE_DAY}", {"kind": "holiday", "name": "測試"})


async def existing_override(world: World, unit: str) -> Request:
    async with world.db.sessions.begin() as session:
        await hours.set_day(session, OVERRIDE_DAY, "holiday", "測試")
    return Request(f"/api/service-hours/days/{OVERRIDE_DAY}")


async def consultation_chat(world: World, unit: str) -> Request | None:
    """A consultation started at this unit's spare kiosk and queued there, with one message."""
    if world.unit_kinds[unit] not in KIOSK_UNITS:
        return None
    from server.chat.service import RoomKey
    from server.app import chat_rooms
    from server.chat.writer import ChatWriter
    from server.consultations.models import Consultation

    async with world.db.sessions.begin() as session:
        c = Consultation(device_id=world.spare_devices[unit], unit_id=world.unit_ids[unit], category="other",
                         target_unit_id=world.unit_ids[unit], state="queued", queued_at=world.now)
        session.add(c)
        await session.flush()
    writer = ChatWriter(world.db.engine, chat_rooms())
    await writer.start()
    await writer.send(RoomKey("consultation", c.id), sender=f"device:{c.device_id}", sender_name="終端",
                      client_id="matrix", text="您好", at=world.now)
    await writer.stop()
    return Request(f"/api/consultations/{c.id}/chat")


DEFAULT_WINDOWS = {"windows": [{"weekday": d, "start": s, "end": e}
                               for d in range(5) for s, e in (("09:30", "11:30"), ("14:00", "16:00"))]}


BOARD_LEAVERS = frozenset({"community_staff", "kiosk"})
BOARD_HANDLERS = frozenset({"admin", "center_staff", "lawyer", "department_staff", "station_staff", "station_admin"})
CENTER_BOARD = frozenset({"admin", "center_staff", "lawyer"})
BOARD_MESSAGE = {"category": "wages_labour", "question": "老闆拖欠三個月工資怎麼辦？", "contact_name": "張三",
                 "contact_phone": "13812345678", "target": "center"}


async def _board_message(world: World, left_at: str, **fields: Any) -> int:
    from server.board.models import BoardMessage, BoardReply

    async with world.db.sessions.begin() as session:
        m = BoardMessage(unit_id=world.unit_ids[left_at], target_unit_id=world.unit_ids["CENTER"],
                         category="wages_labour", question="工資被拖欠", contact_name="張三",
                         contact_phone="13812345678", source="kiosk", created_at=world.now,
                         **{"state": "open", **fields})
        session.add(m)
        await session.flush()
        if fields.get("state") == "answered":
            session.add(BoardReply(message_id=m.id, account_id=fields["owner_account_id"], author_name="中心",
                                   unit_id=world.unit_ids["CENTER"], body="可以申請勞動仲裁。", created_at=world.now))
        return m.id


def board_message_left_in(suffix: str = "") -> Sample:
    """A message left at a community or station kiosk, for the center: read by the unit tree."""
    async def sample(world: World, unit: str) -> Request | None:
        if world.unit_kinds[unit] not in KIOSK_UNITS:
            return None
        return Request(f"/api/board/messages/{await _board_message(world, unit)}{suffix}")

    return sample


async def board_receipt(world: World, unit: str) -> Request | None:
    """A message left at the kiosk actor's community, with a receipt code the sample knows."""
    from server.board import receipts

    code = receipts.new_code()
    await _board_message(world, "C-EAST-1", receipt_hash=receipts.digest(code))
    return Request("/api/board/receipt", {"receipt_code": code, "phone_last4": "5678"})


def board_action(action: str, body: Any = None) -> Sample:
    """An open message for the center: claimed, replied to, handed over or closed by the center."""
    async def sample(world: World, unit: str) -> Request | None:
        if world.unit_kinds[unit] != UnitKind.center:
            return None
        return Request(f"/api/board/messages/{await _board_message(world, 'C-EAST-1')}/{action}",
                       body(world) if callable(body) else body)

    return sample


async def board_publish(world: World, unit: str) -> Request | None:
    if world.unit_kinds[unit] != UnitKind.center:
        return None
    message_id = await _board_message(world, "C-EAST-1", state="answered", answered_at=world.now,
                                      owner_account_id=world.spare_accounts["CENTER"])
    return Request(f"/api/board/messages/{message_id}/publish",
                   {"question": "工資被拖欠怎麼辦？", "answer": "可以申請勞動仲裁。"})


@dataclass(frozen=True)
class Spec:
    allowed: frozenset[str]
    sample: Sample
    scoped: bool = False
    ends_session: bool = False  # the actor must log in again afterwards


ROUTES: dict[tuple[str, str], Spec] = {
    ("GET", "/healthz"): Spec(EVERYONE, fixed("/healthz")),
    ("GET", "/readyz"): Spec(EVERYONE, fixed("/readyz")),
    ("GET", "/api/openapi.json"): Spec(EVERYONE, fixed("/api/openapi.json")),
    ("POST", "/api/auth/login"): Spec(EVERYONE, fixed(
        "/api/auth/login", {"username": "guangming", "password": DEMO_PASSWORD})),
    ("POST", "/api/auth/logout"): Spec(STAFF, fixed("/api/auth/logout"), ends_session=True),
    ("GET", "/api/auth/me"): Spec(EVERYONE, fixed("/api/auth/me")),
    ("GET", "/api/me/counts"): Spec(STAFF, fixed("/api/me/counts")),
    ("GET", "/api/dashboard"): Spec(CENTER_DESK, fixed("/api/dashboard")),
    ("GET", "/api/accounts"): Spec(ADMINS, fixed("/api/accounts")),
    ("GET", "/api/accounts/{account_id}"): Spec(ADMINS, account_in, scoped=True),
    ("GET", "/api/accounts/{account_id}/phone"): Spec(ADMINS, account_phone, scoped=True),
    ("POST", "/api/accounts"): Spec(ADMINS, new_account, scoped=True),
    ("PATCH", "/api/accounts/{account_id}"): Spec(ADMINS, rename_account, scoped=True),
    ("GET", "/api/devices"): Spec(ADMINS, fixed("/api/devices")),
    ("POST", "/api/devices"): Spec(ADMINS, new_device, scoped=True),
    ("POST", "/api/devices/{device_id}/revoke"): Spec(ADMINS, revoke_device, scoped=True),
    ("GET", "/api/lawyers"): Spec(SIGNED_IN, fixed("/api/lawyers")),
    ("POST", "/api/lawyers"): Spec(DIRECTORY_EDITORS, new_lawyer, scoped=True),
    ("PATCH", "/api/lawyers/{lawyer_id}"): Spec(DIRECTORY_EDITORS, edit_lawyer, scoped=True),
    ("GET", "/api/units"): Spec(STAFF, fixed("/api/units")),
    ("POST", "/api/units"): Spec(ADMINS, new_unit, scoped=True),
    ("GET", "/api/units/{unit_id}"): Spec(STAFF, unit_itself, scoped=True),
    ("PATCH", "/api/units/{unit_id}"): Spec(ADMINS, edit_unit, scoped=True),
    ("GET", "/api/audit"): Spec(ADMINS, fixed("/api/audit")),
    ("GET", "/api/service-hours/status"): Spec(EVERYONE, fixed(
        "/api/service-hours/status", query={"at": "2026-11-30T10:00:00+08:00"})),
    ("GET", "/api/service-hours/calendar"): Spec(EVERYONE, fixed(
        "/api/service-hours/calendar", query={"from": "2026-10-01", "to": "2026-10-31"})),
    ("GET", "/api/service-hours/windows"): Spec(SIGNED_IN, fixed("/api/service-hours/windows")),
    ("GET", "/api/service-commitments"): Spec(EVERYONE, fixed("/api/service-commitments")),
    ("PUT", "/api/service-hours/windows"): Spec(CENTER_ADMIN, fixed("/api/service-hours/windows", DEFAULT_WINDOWS)),
    ("PUT", "/api/service-hours/days/{day}"): Spec(CENTER_ADMIN, override_day),
    ("DELETE", "/api/service-hours/days/{day}"): Spec(CENTER_ADMIN, existing_override),
    ("GET", "/api/consultations/{consultation_id}/chat"): Spec(STAFF - {"lawyer"}, consultation_chat, scoped=True),
    ("GET", "/api/board/targets"): Spec(BOARD_LEAVERS, fixed("/api/board/targets")),
    ("POST", "/api/board/messages"): Spec(BOARD_LEAVERS, fixed("/api/board/messages", BOARD_MESSAGE)),
    # A kiosk lists and reads no messages by id: a resident finds their own by its receipt code.
    ("GET", "/api/board/messages"): Spec(STAFF, fixed("/api/board/messages", query={"unanswered": "true"})),
    ("GET", "/api/board/messages/{message_id}"): Spec(STAFF, board_message_left_in(), scoped=True),
    ("POST", "/api/board/receipt"): Spec(frozenset({"kiosk"}), board_receipt),
    ("GET", "/api/board/messages/{message_id}/phone"): Spec(STAFF, board_message_left_in("/phone"), scoped=True),
    ("POST", "/api/board/messages/{message_id}/claim"): Spec(CENTER_BOARD, board_action("claim"), scoped=True),
    ("POST", "/api/board/messages/{message_id}/reply"): Spec(CENTER_BOARD, board_action(
        "reply", {"body": "請帶上勞動合同來諮詢。"}), scoped=True),
    ("POST", "/api/board/messages/{message_id}/handover"): Spec(CENTER_BOARD, board_action(
        "handover", lambda world: {"to_unit_id": world.unit_ids["S-EAST"], "note": "轄區事項"}), scoped=True),
    ("POST", "/api/board/messages/{message_id}/close"): Spec(CENTER_BOARD, board_action("close", {"note": ""}),
                                                           scoped=True),
    ("POST", "/api/board/messages/{message_id}/publish"): Spec(frozenset({"admin", "center_staff"}), board_publish,
                                                             scoped=True),
    ("GET", "/api/board/public"): Spec(EVERYONE, fixed("/api/board/public")),
    ("GET", "/api/board/handover-targets"): Spec(BOARD_HANDLERS, fixed("/api/board/handover-targets")),
}


# -- files (tests/test_files.py tries the same actors against files of every unit) ---------------
FILE_READERS = SIGNED_IN  # staff by the unit tree, the kiosk its own, the lawyer what they took (all)
FILE_UPLOADERS = frozenset({"kiosk", "lawyer"})  # the consultation's own kiosk, and its taker


def station_of(world: World, unit: str) -> str:
    """The station a kiosk of `unit` queues at: the unit itself, or the station above it."""
    if world.unit_kinds[unit] == UnitKind.station:
        return unit
    return next(code for code, kind in world.unit_kinds.items()
                if kind == UnitKind.station and world.holds(code, unit))


async def taken_by_lawyer1(session: Any, world: World, unit: str, state: str = "live", **extra: Any) -> Any:
    """A consultation started at `unit`'s first kiosk (the demo kiosk in C-EAST-1, so that the
    kiosk actor owns it), waiting at its station, taken by lawyer1, in `state`."""
    from sqlalchemy import select

    from server.accounts.models import Account, Device
    from server.consultations.models import Consultation

    device = await session.scalar(select(Device.id).where(Device.unit_id == world.unit_ids[unit]).order_by(Device.id))
    lawyer = await session.scalar(select(Account.id).where(Account.username == "lawyer1"))
    c = Consultation(device_id=device, unit_id=world.unit_ids[unit], category="wages_labour",
                     target_unit_id=world.unit_ids[station_of(world, unit)], taker_account_id=lawyer,
                     state=state, queued_at=world.now, taken_at=world.now, **extra)
    session.add(c)
    await session.flush()
    return c


async def consultation_in(world: World, unit: str) -> int | None:
    """A live consultation of `unit` (taken_by_lawyer1). One per unit."""
    if world.unit_kinds[unit] not in KIOSK_UNITS:
        return None
    cache = world.cache.setdefault("consultations", {})
    if unit not in cache:
        async with world.db.sessions.begin() as session:
            cache[unit] = (await taken_by_lawyer1(session, world, unit)).id
    return cache[unit]


async def file_in(world: World, unit: str) -> int | None:
    """A clean PNG with a thumbnail in `unit`'s consultation, stored as an upload would be."""
    from server.files.models import StoredFile
    from server.files.views import FILES

    consultation = await consultation_in(world, unit)
    if consultation is None:
        return None
    cache = world.cache.setdefault("files", {})
    if unit not in cache:
        store = world.app[FILES].store
        key = store.new_key()
        store.path(key).parent.mkdir(parents=True, exist_ok=True)
        store.path(key).write_bytes(TINY_PNG)
        store.thumbnail_path(key).write_bytes(TINY_PNG)
        async with world.db.sessions.begin() as session:
            f = StoredFile(key=key, parent_kind="consultation", parent_id=consultation,
                           unit_id=world.unit_ids[unit], name="證據 照片.png", type="png", mime="image/png",
                           size_bytes=len(TINY_PNG), sha256="0" * 64, width=1, height=1, has_thumbnail=True,
                           state="clean", scan_detail="", uploaded_by="device:0", uploaded_at=world.now)
            session.add(f)
            await session.flush()
            cache[unit] = f.id
    return cache[unit]


# the smallest PNG: 1×1, one grey pixel
TINY_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                         "3a7e9b550000000a49444154789c63680000008200814cf2bb2f0000000049454e44ae426082")


async def file_upload(world: World, unit: str) -> Request | None:
    consultation = await consultation_in(world, unit)
    if consultation is None:
        return None
    return Request("/api/files", query={"parent_kind": "consultation", "parent_id": str(consultation)},
                   data=TINY_PNG, headers={"X-Filename": "%E8%AD%89%E6%93%9A.png"})


async def file_list(world: World, unit: str) -> Request | None:
    consultation = await consultation_in(world, unit)
    if consultation is None:
        return None
    return Request("/api/files", query={"parent_kind": "consultation", "parent_id": str(consultation)})


def file_path(suffix: str = "") -> Sample:
    async def sample(world: World, unit: str) -> Request | None:
        file_id = await file_in(world, unit)
        return None if file_id is None else Request(f"/api/files/{file_id}{suffix}")

    return sample


ROUTES.update({
    ("POST", "/api/files"): Spec(FILE_UPLOADERS, file_upload, scoped=True),
    ("GET", "/api/files"): Spec(FILE_READERS, file_list, scoped=True),
    ("GET", "/api/files/{file_id}"): Spec(FILE_READERS, file_path(), scoped=True),
    ("GET", "/api/files/{file_id}/download"): Spec(FILE_READERS, file_path("/download"), scoped=True),
    ("GET", "/api/files/{file_id}/thumbnail"): Spec(FILE_READERS, file_path("/thumbnail"), scoped=True),
})


# -- consultations and duty -------------------------------------------------------------------
ROSTER_EDITORS = frozenset({"admin", "center_staff"})
ROSTER_READERS = ROSTER_EDITORS | {"lawyer"}


async def consultation_record(world: World, unit: str) -> Request | None:
    consultation = await consultation_in(world, unit)
    return None if consultation is None else Request(f"/api/consultations/{consultation}")


async def consultation_history(world: World, unit: str) -> Request | None:
    consultation = await consultation_in(world, unit)
    return None if consultation is None else Request(f"/api/consultations/{consultation}/history")


async def consultation_history_item(world: World, unit: str) -> Request | None:
    """An ended consultation at `unit`'s demo kiosk, read through the history of a later one
    there; both taken by lawyer1 and waiting at the unit's station. One pair per unit."""
    if world.unit_kinds[unit] not in KIOSK_UNITS:
        return None
    cache = world.cache.setdefault("histories", {})
    if unit not in cache:
        async with world.db.sessions.begin() as session:
            pair = [await taken_by_lawyer1(session, world, unit, state, contact_phone="13812345678")
                    for state in ("ended", "live")]
            cache[unit] = f"/api/consultations/{pair[1].id}/history/consultation/{pair[0].id}"
    return Request(cache[unit])


async def consultation_groups(world: World, unit: str) -> Request | None:
    consultation = await consultation_in(world, unit)
    return None if consultation is None else Request(f"/api/consultations/{consultation}/groups",
                                                     {"applicant_groups": ["elderly", "migrant_worker"]})


GUEST_INVITERS = frozenset({"lawyer"})  # the consultation's taker only


async def _invited(world: World, unit: str) -> tuple[int, int, str] | None:
    """A fresh live consultation at `unit` taken by lawyer1 (each invitation request its own: a
    call holds at most 2 guests), with one unused invitation: (consultation, guest, code)."""
    from server.accounts.actor import AccountActor
    from server.accounts.permissions import Role
    from server.consultations import guests

    if world.unit_kinds[unit] not in KIOSK_UNITS:
        return None
    async with world.db.sessions.begin() as session:
        c = await taken_by_lawyer1(session, world, unit)
        lawyer1 = AccountActor(id=c.taker_account_id, role=Role.lawyer, unit_id=world.unit_ids["CENTER"],
                               unit_path=world.unit_paths["CENTER"], name="lawyer1")
        made = await guests.invite(session, lawyer1, c.id, "family", "", world.now)
        return c.id, made.guest.id, made.code


async def guest_invitation(world: World, unit: str) -> Request | None:
    invited = await _invited(world, unit)
    return None if invited is None else Request(f"/api/consultations/{invited[0]}/guests",
                                                {"kind": "interpreter", "name": "王某"})


async def guest_list(world: World, unit: str) -> Request | None:
    invited = await _invited(world, unit)
    return None if invited is None else Request(f"/api/consultations/{invited[0]}/guests")


async def guest_withdrawal(world: World, unit: str) -> Request | None:
    invited = await _invited(world, unit)
    return None if invited is None else Request(f"/api/consultations/{invited[0]}/guests/{invited[1]}")


async def guest_redemption(world: World, unit: str) -> Request | None:
    invited = await _invited(world, "C-EAST-1")
    assert invited is not None
    return Request("/api/guests/redeem", {"code": invited[2]})


async def _lawyer_id(world: World) -> int:
    from sqlalchemy import select

    from server.accounts.models import Account

    async with world.db.sessions() as session:
        return int(await session.scalar(select(Account.id).where(Account.username == "lawyer2")))


async def new_shift(world: World, unit: str) -> Request:
    return Request("/api/duty/roster", {"account_id": await _lawyer_id(world), "day": "2026-11-30",
                                        "start": "09:00", "end": "12:00"})


async def existing_shift(world: World, unit: str) -> Request:
    from server.consultations.models import DutyShift

    async with world.db.sessions.begin() as session:
        shift = DutyShift(account_id=await _lawyer_id(world), day=date(2026, 12, 1), start_minute=540,
                          end_minute=720)
        session.add(shift)
        await session.flush()
    return Request(f"/api/duty/roster/{shift.id}")


ROUTES.update({
    ("GET", "/api/consultations/categories"): Spec(SIGNED_IN, fixed("/api/consultations/categories")),
    ("GET", "/api/rtc/ice-servers"): Spec(SIGNED_IN, fixed("/api/rtc/ice-servers")),
    ("GET", "/api/duty/now"): Spec(SIGNED_IN, fixed("/api/duty/now")),
    ("GET", "/api/duty/roster"): Spec(ROSTER_READERS, fixed("/api/duty/roster",
                                                            query={"from": "2026-11-30", "to": "2026-12-06"})),
    ("POST", "/api/duty/roster"): Spec(ROSTER_EDITORS, new_shift),
    ("DELETE", "/api/duty/roster/{shift_id}"): Spec(ROSTER_EDITORS, existing_shift),
    ("GET", "/api/consultations"): Spec(STAFF, fixed("/api/consultations")),
    ("GET", "/api/consultations/{consultation_id}"): Spec(STAFF, consultation_record, scoped=True),
    # the history beside a consultation: whoever reads its record (server/history), never a kiosk
    ("GET", "/api/consultations/{consultation_id}/history"): Spec(STAFF, consultation_history, scoped=True),
    ("GET", "/api/consultations/{consultation_id}/history/{kind}/{item_id}"): Spec(
        STAFF, consultation_history_item, scoped=True),
    ("PUT", "/api/consultations/{consultation_id}/groups"): Spec(STAFF, consultation_groups, scoped=True),
    # guests in a live call: its taker (lawyer1) invites, lists and withdraws; anyone uses an invitation
    ("POST", "/api/consultations/{consultation_id}/guests"): Spec(GUEST_INVITERS, guest_invitation, scoped=True),
    ("GET", "/api/consultations/{consultation_id}/guests"): Spec(GUEST_INVITERS, guest_list, scoped=True),
    ("DELETE", "/api/consultations/{consultation_id}/guests/{guest_id}"): Spec(GUEST_INVITERS, guest_withdrawal,
                                                                              scoped=True),
    ("POST", "/api/guests/redeem"): Spec(EVERYONE, guest_redemption),
})


# -- applications (tests/test_applications.py walks the whole path) ------------------------------
APPLICATION_FILERS = frozenset({"admin", "station_admin", "center_staff", "department_staff", "station_staff",
                                "community_staff"})
APPLICATION_READERS = APPLICATION_FILERS
APPLICATION_REVIEWERS = frozenset({"admin", "station_admin", "department_staff", "station_staff"})
APPLICATION_CENTER = frozenset({"admin", "center_staff"})
APPLICATION_ID = "110105195003071230"  # valid: born 1950-03-07, a man, check digit 0


async def application_in(world: World, unit: str, state: str = "draft") -> int | None:
    """A fresh application filed at `unit` (not the center) and brought to `state`, with lawyer1
    proposed when approved and assigned after that."""
    from sqlalchemy import select

    from server.accounts.models import Account
    from server.applications.models import Application

    if world.unit_kinds[unit] == UnitKind.center:
        return None
    review = unit
    if world.unit_kinds[unit] == UnitKind.community:
        review = next(code for code, kind in world.unit_kinds.items()
                      if kind != UnitKind.center and code != unit and world.holds(code, unit))
    later = state not in ("draft", "submitted", "returned", "preliminary_review")
    async with world.db.sessions.begin() as session:
        lawyer = await session.scalar(select(Account.id).where(Account.username == "lawyer1"))
        assigned = state in ("lawyer_assigned", "in_progress", "closed")
        app = Application(
            state=state, unit_id=world.unit_ids[unit], review_unit_id=world.unit_ids[review],
            center_id=world.unit_ids["CENTER"], created_by="account:0", created_by_name="測試", created_at=world.now,
            updated_at=world.now, applicant_name="王秀英", applicant_sex="male", id_number=APPLICATION_ID,
            birth_date=date(1950, 3, 7), phone="13812345678", address="和平社區3號樓", household="本市",
            economic_situation="低保", hardship_grounds=["minimum_living_allowance"], category="elder_support",
            summary="拒付贍養費", help_requested="代理訴訟", attachments=[], supervision_card={}, instalments=[],
            case_number=world.unique("〔2026〕法援初字第") if later else "",
            accepted_on=world.now.date() if later and state != "preliminarily_approved" else None,
            proposed_lawyer_id=world.center_lawyer_profile if state == "approved" else None,
            lawyer_id=world.center_lawyer_profile if assigned else None,
            lawyer_account_id=lawyer if assigned else None)
        session.add(app)
        await session.flush()
        return app.id


def application_path(suffix: str = "", state: str = "draft", body: Any = None,
                     units: tuple[str, ...] | None = None) -> Sample:
    async def sample(world: World, unit: str) -> Request | None:
        if units is not None and unit not in units:
            return None
        application_id = await application_in(world, unit, state)
        if application_id is None:
            return None
        return Request(f"/api/applications/{application_id}{suffix}", body(world) if callable(body) else body)

    return sample


async def new_application(world: World, unit: str) -> Request | None:
    if world.unit_kinds[unit] == UnitKind.center:
        return None
    return Request("/api/applications", {"unit_id": world.unit_ids[unit], "applicant_name": "王秀英",
                                         "category": "elder_support", "hardship_grounds": ["disability"]})


def application_action(action: str, state: str, body: Any = None) -> Sample:
    return application_path(f"/{action}", state, {} if body is None else body)


FOLLOW_UP_BODY = {"visit_notes": "電話回訪", "satisfaction": 4, "supervision_card": {
    "attitude": "satisfied", "quality": "basically_satisfied", "charged_fees": False}}

ROUTES.update({
    ("GET", "/api/applications"): Spec(STAFF, fixed("/api/applications", query={"state": "draft"})),
    ("GET", "/api/applications/overdue"): Spec(STAFF, fixed("/api/applications/overdue")),
    ("GET", "/api/applications/reminders"): Spec(STAFF, fixed("/api/applications/reminders")),
    ("GET", "/api/applications/export"): Spec(STAFF, fixed("/api/applications/export")),
    ("POST", "/api/applications"): Spec(APPLICATION_FILERS, new_application, scoped=True),
    ("GET", "/api/applications/{application_id}"): Spec(APPLICATION_READERS, application_path(), scoped=True),
    ("GET", "/api/applications/{application_id}/personal"): Spec(APPLICATION_READERS, application_path("/personal"),
                                                                 scoped=True),
    ("DELETE", "/api/applications/{application_id}"): Spec(APPLICATION_FILERS, application_path(), scoped=True),
    ("PATCH", "/api/applications/{application_id}"): Spec(APPLICATION_FILERS, application_path(
        body={"household": "本市戶籍"}), scoped=True),
    # PDFs take seconds each: tried in one community and one department only
    ("GET", "/api/applications/{application_id}/documents/{kind}"): Spec(APPLICATION_READERS, application_path(
        "/documents/application_form", units=("C-EAST-1", "D-UNION")), scoped=True),
    ("POST", "/api/applications/{application_id}/submit"): Spec(APPLICATION_FILERS, application_path(
        "/submit", "draft", {}), scoped=True),
    ("POST", "/api/applications/{application_id}/reopen"): Spec(APPLICATION_FILERS, application_action(
        "reopen", "returned"), scoped=True),
    ("POST", "/api/applications/{application_id}/review"): Spec(APPLICATION_REVIEWERS, application_action(
        "review", "submitted"), scoped=True),
    ("POST", "/api/applications/{application_id}/return"): Spec(APPLICATION_REVIEWERS, application_action(
        "return", "preliminary_review", {"missing": "缺少低保證明"}), scoped=True),
    ("POST", "/api/applications/{application_id}/reject"): Spec(APPLICATION_REVIEWERS, application_action(
        "reject", "preliminary_review", {"reason": "不符合條件"}), scoped=True),
    ("POST", "/api/applications/{application_id}/preliminary-approve"): Spec(APPLICATION_REVIEWERS,
                                                                             application_action(
        "preliminary-approve", "preliminary_review", {"opinion": "同意"}), scoped=True),
    ("POST", "/api/applications/{application_id}/accept"): Spec(APPLICATION_REVIEWERS, application_action(
        "accept", "preliminarily_approved"), scoped=True),
    ("POST", "/api/applications/{application_id}/center-review"): Spec(APPLICATION_CENTER, application_action(
        "center-review", "accepted"), scoped=True),
    ("POST", "/api/applications/{application_id}/approve"): Spec(APPLICATION_CENTER, application_action(
        "approve", "center_review", {"opinion": "同意"}), scoped=True),
    ("POST", "/api/applications/{application_id}/deny"): Spec(APPLICATION_CENTER, application_action(
        "deny", "center_review", {"reason": "不屬於援助範圍"}), scoped=True),
    ("POST", "/api/applications/{application_id}/request-materials"): Spec(APPLICATION_CENTER, application_action(
        "request-materials", "center_review", {"missing": "低保證明", "working_days": 5}), scoped=True),
    ("POST", "/api/applications/{application_id}/materials-received"): Spec(APPLICATION_CENTER, application_action(
        "materials-received", "awaiting_materials"), scoped=True),
    ("POST", "/api/applications/{application_id}/terminate"): Spec(APPLICATION_CENTER, application_action(
        "terminate", "in_progress", {"reason": "隱瞞收入"}), scoped=True),
    ("POST", "/api/applications/{application_id}/object"): Spec(APPLICATION_FILERS, application_action(
        "object", "denied", {"reason": "經濟困難屬實"}), scoped=True),
    # the justice bureau's role only (tests/test_application_workflow.py): none of these actors
    ("POST", "/api/applications/{application_id}/uphold-denial"): Spec(frozenset(), application_action(
        "uphold-denial", "objection_review", {"reason": "維持"}), scoped=True),
    ("POST", "/api/applications/{application_id}/order-correction"): Spec(frozenset(), application_action(
        "order-correction", "objection_review", {"reason": "責令改正"}), scoped=True),
    ("POST", "/api/applications/{application_id}/assign"): Spec(APPLICATION_CENTER, application_action(
        "assign", "approved", lambda world: {"lawyer_id": world.center_lawyer_profile, "mode": "designated"}),
        scoped=True),
    ("GET", "/api/applications/{application_id}/lawyer-candidates"): Spec(APPLICATION_CENTER, application_path(
        "/lawyer-candidates", "approved"), scoped=True),
    ("POST", "/api/applications/{application_id}/confirm-assignment"): Spec(frozenset({"lawyer"}), application_action(
        "confirm-assignment", "approved", {"no_conflict": True}), scoped=True),
    ("POST", "/api/applications/{application_id}/decline-assignment"): Spec(frozenset({"lawyer"}), application_action(
        "decline-assignment", "approved", {"reason": "利益衝突", "conflict_with": ["applicant"]}), scoped=True),
    ("POST", "/api/applications/{application_id}/start"): Spec(frozenset({"lawyer"}), application_action(
        "start", "lawyer_assigned"), scoped=True),
    ("POST", "/api/applications/{application_id}/close"): Spec(APPLICATION_CENTER | {"lawyer"}, application_action(
        "close", "in_progress", {"outcome": "調解結案"}), scoped=True),
    ("POST", "/api/applications/{application_id}/follow-up"): Spec(APPLICATION_CENTER, application_action(
        "follow-up", "closed", FOLLOW_UP_BODY), scoped=True),
})



async def instalment_paid(world: World, unit: str) -> Request | None:
    """A closed case of `unit` with an unpaid instalment due today."""
    from server.applications.models import Application

    application_id = await application_in(world, unit, "closed")
    if application_id is None:
        return None
    async with world.db.sessions.begin() as session:
        app = await session.get(Application, application_id)
        assert app is not None
        app.instalments = [{"due": world.now.date().isoformat(), "amount": "100.00", "paid": False}]
    return Request(f"/api/applications/{application_id}/instalments/1/paid", {"paid_on": world.now.date().isoformat()})


def today_visit(world: World) -> dict:
    return {"visited_on": world.now.date().isoformat(), "channel": "phone", "outcome": "電話回訪"}


ROUTES.update({
    ("GET", "/api/applications/{application_id}/follow-up"): Spec(APPLICATION_READERS | {"lawyer"},
                                                                   application_path("/follow-up", "closed"),
                                                                   scoped=True),
    ("POST", "/api/applications/{application_id}/visits"): Spec(APPLICATION_CENTER | {"lawyer"}, application_action(
        "visits", "closed", today_visit), scoped=True),
    ("POST", "/api/applications/{application_id}/instalments/{number}/paid"): Spec(APPLICATION_CENTER | {"lawyer"},
                                                                                   instalment_paid, scoped=True),
    ("PUT", "/api/applications/{application_id}/satisfaction"): Spec(APPLICATION_FILERS, application_path(
        "/satisfaction", "closed", {"satisfaction": 4, "comment": "滿意"}), scoped=True),
})

REPORT_READERS = STAFF - {"lawyer"}


def report_of(path: str) -> Sample:
    async def sample(world: World, unit: str) -> Request:
        return Request(path, query={"unit_id": str(world.unit_ids[unit]), "from": "2026-11-01", "to": "2026-11-30"})

    return sample


ROUTES.update({
    ("GET", "/api/reports"): Spec(REPORT_READERS, report_of("/api/reports"), scoped=True),
    ("GET", "/api/reports/export"): Spec(REPORT_READERS, report_of("/api/reports/export"), scoped=True),
})


# -- meetings and recordings (tests/test_meetings.py, test_meetings_janus.py, test_recording*.py) ---------
async def new_meeting(world: World, unit: str) -> Request:
    from datetime import timedelta

    starts = world.now + timedelta(hours=1)
    return Request("/api/meetings", {"title": world.unique("會議 "), "starts_at": starts.isoformat(),
                                     "ends_at": (starts + timedelta(hours=1)).isoformat()})


async def _new_meeting_in(world: World, unit: str) -> int:
    """A scheduled meeting hosted by the unit's spare account."""
    from datetime import timedelta

    from server.meetings.models import Meeting

    async with world.db.sessions.begin() as session:
        meeting = Meeting(title="單位會議", agenda="", kind="meeting", unit_id=world.unit_ids[unit],
                          host_account_id=world.spare_accounts[unit], starts_at=world.now + timedelta(hours=1),
                          ends_at=world.now + timedelta(hours=2), state="scheduled", locked=False, topology="",
                          janus_secret="", janus_pin="", created_at=world.now)
        session.add(meeting)
        await session.flush()
        return meeting.id


async def _meeting_in(world: World, unit: str) -> int:
    """A meeting hosted by the unit's spare account, made once per unit."""
    key = f"meeting:{unit}"
    if key not in world.cache:
        world.cache[key] = await _new_meeting_in(world, unit)
    return world.cache[key]


async def meeting_to_cancel(world: World, unit: str) -> Request:
    """A fresh scheduled meeting each time: a cancelled one cannot be cancelled again."""
    return Request(f"/api/meetings/{await _new_meeting_in(world, unit)}/cancel")


def meeting_path(suffix: str = "") -> Sample:
    async def sample(world: World, unit: str) -> Request:
        return Request(f"/api/meetings/{await _meeting_in(world, unit)}{suffix}")

    return sample


async def recording_in(world: World, unit: str) -> Request:
    """A ready recording, its file in the app's data directory: of the unit's consultation where
    a kiosk can be (read by the consultation record's rule), else of the unit's meeting."""
    key = f"recording:{unit}"
    if key not in world.cache:
        from server.recordings.models import Recording
        from server.recordings.recorder import recordings_folder
        from server.web import keys

        consultation = await consultation_in(world, unit)
        kind, parent_id = "consultation", consultation
        if consultation is None:
            kind, parent_id = "meeting", await _meeting_in(world, unit)
        folder = recordings_folder(world.app[keys.SETTINGS].data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"matrix-{unit.lower()}.mp4"
        (folder / name).write_bytes(b"\0\0\0\x18ftypmp42")
        async with world.db.sessions.begin() as session:
            recording = Recording(parent_kind=kind, parent_id=parent_id, unit_id=world.unit_ids[unit],
                                  subject="備用", key=name, state="ready", started_at=world.now, bytes=12)
            session.add(recording)
            await session.flush()
            world.cache[key] = recording.id
    return Request(f"/api/recordings/{world.cache[key]}/media")


async def consultation_recordings(world: World, unit: str) -> Request | None:
    consultation = await consultation_in(world, unit)
    return None if consultation is None else Request(f"/api/consultations/{consultation}/recordings")


ROUTES.update({
    ("GET", "/api/meetings"): Spec(STAFF, fixed("/api/meetings")),
    ("POST", "/api/meetings"): Spec(STAFF, new_meeting),
    ("GET", "/api/meetings/video-server"): Spec(STAFF, fixed("/api/meetings/video-server")),
    ("GET", "/api/meetings/{meeting_id}"): Spec(STAFF, meeting_path(), scoped=True),
    # the host (a spare account, not one of the actors) or staff of the center
    ("POST", "/api/meetings/{meeting_id}/cancel"): Spec(frozenset({"admin", "center_staff"}), meeting_to_cancel),
    ("GET", "/api/meetings/{meeting_id}/attendance"): Spec(STAFF, meeting_path("/attendance"), scoped=True),
    ("GET", "/api/meetings/{meeting_id}/attendance.csv"): Spec(STAFF, meeting_path("/attendance.csv"), scoped=True),
    ("GET", "/api/meetings/{meeting_id}/absent-units"): Spec(STAFF, meeting_path("/absent-units"), scoped=True),
    ("GET", "/api/meetings/{meeting_id}/recordings"): Spec(STAFF, meeting_path("/recordings"), scoped=True),
    ("GET", "/api/recordings/{recording_id}/media"): Spec(STAFF, recording_in, scoped=True),
    ("GET", "/api/consultations/{consultation_id}/recordings"): Spec(STAFF, consultation_recordings, scoped=True),
})


# -- legal holds (tests/test_retention.py): the center's admins only ---------------------------
CENTER_ADMINS = frozenset({"admin"})


async def unheld_consultation(world: World, unit: str) -> int | None:
    """The unit's consultation with no active hold on it, so that every try may set one."""
    from sqlalchemy import update

    from server.retention.models import LegalHold

    consultation = await consultation_in(world, unit)
    if consultation is not None:
        async with world.db.sessions.begin() as session:
            await session.execute(update(LegalHold).where(LegalHold.ref_id == consultation,
                                                          LegalHold.released_at.is_(None))
                                  .values(released_at=world.now, released_by="test"))
    return consultation


async def new_hold(world: World, unit: str) -> Request | None:
    consultation = await unheld_consultation(world, unit)
    return None if consultation is None else Request("/api/legal-holds", {
        "kind": "consultation", "ref_id": consultation, "reason": "投訴處理中"})


async def hold_to_release(world: World, unit: str) -> Request | None:
    from server.retention.models import LegalHold

    consultation = await unheld_consultation(world, unit)
    if consultation is None:
        return None
    async with world.db.sessions.begin() as session:
        hold = LegalHold(kind="consultation", ref_id=consultation, reason="test", set_by="test", set_at=world.now)
        session.add(hold)
        await session.flush()
    return Request(f"/api/legal-holds/{hold.id}/release", {"reason": "已結案"})


ROUTES.update({
    ("GET", "/api/legal-holds"): Spec(CENTER_ADMINS, fixed("/api/legal-holds")),
    ("POST", "/api/legal-holds"): Spec(CENTER_ADMINS, new_hold),
    ("POST", "/api/legal-holds/{hold_id}/release"): Spec(CENTER_ADMINS, hold_to_release),
})

# a resident's export and erasure (tests/test_pipl.py): a phone nobody in the world gave
PERSON = {"phone": "13800001111", "reason": "本人申請"}
ROUTES.update({
    ("POST", "/api/privacy/export"): Spec(CENTER_ADMINS, fixed("/api/privacy/export", PERSON)),
    ("POST", "/api/privacy/erase"): Spec(CENTER_ADMINS, fixed("/api/privacy/erase", PERSON)),
})


def missing_and_stale(
routes: list[Any]) -> tuple[list[str], list[str]]:
    """Routes the app has that ROUTES lacks, and ROUTES entries the app no longer has."""
    present = {(r.method, r.path) for r in routes}
    missing = sorted(f"{m} {p}" for m, p in present - ROUTES.keys())
    stale = sorted(f"{m} {p}" for m, p in ROUTES.keys() - present)
    return missing, stale


async def build_world(db: Database, demo: dict, now: Any) -> World:
    from sqlalchemy import select

    from server.accounts.models import LawyerProfile
    from server.org.models import Unit

    async with db.sessions.begin() as session:
        units = list(await session.scalars(select(Unit)))
        world = World(db=db, now=now, unit_ids={u.code: u.id for u in units},
                      unit_paths={u.code: u.path for u in units},
                      unit_kinds={u.code: UnitKind(u.kind) for u in units},
                      kiosk_tokens={k["unit"]: k["token"] for k in demo["kiosks"]})
        for unit in units:
            account = await accounts.create_account(
                session, None, username=f"spare-{unit.code.lower()}", display_name=f"備用 {unit.code}",
                role=STAFF_ROLE[UnitKind(unit.kind)], unit_id=unit.id, password=DEMO_PASSWORD, now=now,
                phone="13700137000")
            world.spare_accounts[unit.code] = account.id
            if UnitKind(unit.kind) in KIOSK_UNITS:
                device, _token = await accounts.register_device(session, None, name=f"備用終端 {unit.code}",
                                                                unit_id=unit.id, now=now)
                world.spare_devices[unit.code] = device.id
        await accounts.create_account(session, None, username="east-admin", display_name="東城管理員",
                                      role=Role.admin, unit_id=world.unit_ids["S-EAST"], password=DEMO_PASSWORD,
                                      now=now)
        world.center_lawyer_profile = await session.scalar(select(LawyerProfile.id).order_by(LawyerProfile.id))
    return world


class Caller:
    """One actor's HTTP client. It keeps no cookie jar, so a login sent as part of the matrix
    does not change who the actor is."""

    def __init__(self, base_url: str, actor: Actor, world: World) -> None:
        from aiohttp import ClientSession, DummyCookieJar

        self.base_url = base_url.rstrip("/")
        self.actor = actor
        self.world = world
        self.http = ClientSession(cookie_jar=DummyCookieJar())
        self.headers: dict[str, str] = {}

    async def sign_in(self) -> None:
        if self.actor.username:
            async with self.http.post(self.base_url + "/api/auth/login",
                                      json={"username": self.actor.username, "password": DEMO_PASSWORD}) as resp:
                assert resp.status == 200, await resp.text()
                me = await resp.json()
                token = resp.cookies["fayuan_session"].value
            self.headers = {"Cookie": f"fayuan_session={token}", "X-CSRF-Token": me["csrf_token"]}
        elif self.actor.kiosk_unit:
            self.headers = {"Authorization": f"Bearer {self.world.kiosk_tokens[self.actor.kiosk_unit]}"}

    async def send(self, method: str, request: Request, *, data: Any = None,
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        kw: dict[str, Any] = {"params": request.query}
        if data is not None:
            kw["data"] = data
        elif request.data is not None:
            kw["data"] = request.data
        elif request.body is not None:
            kw["json"] = request.body
        headers = {**self.headers, **(request.headers or {}), **(headers or {})}
        async with self.http.request(method, self.base_url + request.path, headers=headers, **kw) as resp:
            if resp.content_type == "application/json":
                return resp.status, await resp.json()
            if not resp.content_type.startswith("text/"):
                return resp.status, await resp.read()  # a downloaded file
            return resp.status, await resp.text()

    async def close(self) -> None:
        await self.http.close()


# -- canned replies (server/replies) ------------------------------------------------------------
REPLY_KEEPERS = STAFF - {"lawyer"}


async def reply_in(world: World, unit: str) -> int:
    from server.replies.models import CannedReply

    async with world.db.sessions.begin() as session:
        reply = CannedReply(unit_id=world.unit_ids[unit], language="zh-CN", title="帶上材料",
                            body="請帶上身份證和勞動合同。", position=99, updated_at=world.now)
        session.add(reply)
        await session.flush()
        return reply.id


def reply_path(body: Any = None) -> Sample:
    async def sample(world: World, unit: str) -> Request:
        return Request(f"/api/replies/{await reply_in(world, unit)}", body)

    return sample


async def new_reply(world: World, unit: str) -> Request:
    return Request("/api/replies", {"language": "en", "title": "Bring papers", "body": "Bring your ID card.",
                                    "unit_id": world.unit_ids[unit]})


ROUTES.update({
    ("GET", "/api/replies"): Spec(STAFF, fixed("/api/replies", query={"language": "zh-CN"})),
    ("POST", "/api/replies"): Spec(REPLY_KEEPERS, new_reply, scoped=True),
    ("PATCH", "/api/replies/{reply_id}"): Spec(REPLY_KEEPERS, reply_path({"title": "帶齊材料", "position": 0}),
                                               scoped=True),
    ("DELETE", "/api/replies/{reply_id}"): Spec(REPLY_KEEPERS, reply_path(), scoped=True),
})
