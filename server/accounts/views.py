from __future__ import annotations

from typing import Sequence

from aiohttp import web

from server.accounts import service, sessions, throttle
from server.accounts.actor import Actor
from server.accounts.models import Account
from server.accounts.permissions import PERMISSIONS, Role, allowed
from server.accounts.schemas import (AccountCreate, AccountOut, AccountUpdate, DeviceCreate, DeviceCreated,
                                     DeviceOut, LawyerIn, LawyerOut, LawyerUpdate, LoginIn, MeOut, PhoneOut)
from server.audit.service import record
from server.errors import FayuanError
from server.privacy import mask_phone
from server.web import keys
from server.web.api import Call, Router, json_response
from server.web.client_addr import is_https
from signaling import SESSION_COOKIE

router = Router()


def _audit(call: Call, action: str, obj: str = "", outcome: str = "ok", detail: str = "", actor=None) -> None:
    record(call.session, at=call.clock.now(), actor=actor or call.actor, action=action, object=obj,
           outcome=outcome, client_addr=call.client_addr, detail=detail)


def _me(actor: Actor) -> MeOut:
    return MeOut(kind=actor.kind, id=actor.id, name=actor.name, role=actor.role, unit_id=actor.unit_id,
                 at_center=actor.kind == "account" and actor.at_center, csrf_token=actor.csrf_token,
                 permissions=sorted(p for p in PERMISSIONS if allowed(actor.role, p)))


@router.post("/api/auth/login", summary="Log in with username and password; sets the session cookie",
             tag="auth", auth="public", body=LoginIn, response=MeOut, status=200)
async def login(call: Call) -> web.Response:
    now, username = call.clock.now(), call.body.username
    try:
        # counted, and committed, before the password is checked: parallel guesses queue here
        async with call.app[keys.DB].sessions() as counting:
            await throttle.claim(counting, username, call.client_addr, now)
            await counting.commit()
        token, row, account = await sessions.login(call.session, username=username, password=call.body.password,
                                                   now=now, client_addr=call.client_addr)
    except FayuanError as exc:
        _audit(call, f"auth.{exc.code}", f"username:{call.body.username[:64]}", outcome="refused")
        await call.session.commit()
        exc.audited = True
        raise
    actor = await sessions.resolve_session(call.session, token, now)
    assert actor is not None  # the session was made a moment ago, in this transaction
    _audit(call, "auth.login", f"account:{account.id}", actor=actor)
    response = json_response(_me(actor))
    secure = is_https(call.request) or call.settings.public_https
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", secure=secure, path="/",
                        max_age=int(sessions.ABSOLUTE_TIMEOUT.total_seconds()))
    return response


@router.post("/api/auth/logout", summary="End this session on the server", tag="auth", status=204)
async def logout(call: Call) -> web.Response:
    if call.actor.session_id:
        await sessions.logout(call.session, call.actor.session_id, call.clock.now())
    _audit(call, "auth.logout", call.actor.ref)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/auth/me", summary="Who is asking: the account (with the CSRF token for writes) or the kiosk; "
            "kind `anonymous` when nobody is logged in, so a page may ask before its login", tag="auth",
            auth="public", response=MeOut)
async def me(call: Call) -> MeOut:
    return _me(call.actor)


async def _accounts_out(call: Call, accounts: Sequence[Account]) -> list[AccountOut]:
    waiting = await throttle.waiting_until(call.session, [a.username for a in accounts], call.clock.now())
    return [AccountOut(id=a.id, username=a.username, display_name=a.display_name, role=Role(a.role), unit_id=a.unit_id,
                       phone_masked=mask_phone(a.phone), active=a.active, locked_until=waiting.get(a.username))
            for a in accounts]


async def _account_out(call: Call, account: Account) -> AccountOut:
    (out,) = await _accounts_out(call, [account])
    return out


@router.get("/api/accounts", summary="Accounts in your part of the unit tree (phones masked)", tag="accounts",
            response=list[AccountOut])
async def list_accounts(call: Call) -> list[AccountOut]:
    return await _accounts_out(call, await service.list_accounts(call.session, call.actor))


@router.get("/api/accounts/{account_id}", summary="One account (phone masked)", tag="accounts",
            response=AccountOut)
async def get_account(call: Call) -> AccountOut:
    return await _account_out(call, await service.get_account(call.session, call.actor, call.path["account_id"]))


@router.get("/api/accounts/{account_id}/phone", summary="An account's full phone number (audited read)",
            tag="accounts", response=PhoneOut)
async def get_account_phone(call: Call) -> PhoneOut:
    account = await service.get_account(call.session, call.actor, call.path["account_id"])
    _audit(call, "personal_data.read", f"account:{account.id}", detail="phone")
    return PhoneOut(phone=account.phone)


@router.post("/api/accounts", summary="Create a staff or lawyer account", tag="accounts",
             body=AccountCreate, response=AccountOut)
async def create_account(call: Call) -> AccountOut:
    account = await service.create_account(call.session, call.actor, now=call.clock.now(), **call.body.model_dump())
    _audit(call, "account.create", f"account:{account.id}", detail=f"{account.username} {account.role}")
    return await _account_out(call, account)


@router.patch("/api/accounts/{account_id}", summary="Change, deactivate, unlock or reset an account",
              tag="accounts", body=AccountUpdate, response=AccountOut)
async def update_account(call: Call) -> AccountOut:
    changes = call.body.model_dump(exclude_unset=True)
    account = await service.update_account(call.session, call.actor, call.path["account_id"],
                                           now=call.clock.now(), **changes)
    _audit(call, "account.update", f"account:{account.id}", detail=",".join(sorted(changes)))
    return await _account_out(call, account)


@router.get("/api/devices", summary="Kiosk devices in your part of the unit tree", tag="devices",
            response=list[DeviceOut])
async def list_devices(call: Call) -> list[DeviceOut]:
    return [DeviceOut.model_validate(d) for d in await service.list_devices(call.session, call.actor)]


@router.post("/api/devices", summary="Register a kiosk for a community point; returns its token once",
             tag="devices", body=DeviceCreate, response=DeviceCreated)
async def register_device(call: Call) -> DeviceCreated:
    device, token = await service.register_device(call.session, call.actor, now=call.clock.now(),
                                                  **call.body.model_dump())
    _audit(call, "device.register", f"device:{device.id}", detail=device.name)
    return DeviceCreated(**DeviceOut.model_validate(device).model_dump(), token=token)


@router.post("/api/devices/{device_id}/revoke", summary="Revoke a kiosk's token", tag="devices",
             response=DeviceOut, status=200)
async def revoke_device(call: Call) -> DeviceOut:
    device = await service.revoke_device(call.session, call.actor, call.path["device_id"], call.clock.now())
    _audit(call, "device.revoke", f"device:{device.id}")
    return DeviceOut.model_validate(device)


@router.get("/api/lawyers", summary="The lawyer directory (點援制)", tag="lawyers", auth="any",
            response=list[LawyerOut])
async def list_lawyers(call: Call) -> list[LawyerOut]:
    include = call.actor.role is not None and allowed(call.actor.role, "lawyers.write")
    lawyers = await service.list_lawyers(call.session, call.actor, include_unlisted=include)
    return [LawyerOut.model_validate(p) for p in lawyers]


@router.post("/api/lawyers", summary="Add a lawyer to the directory", tag="lawyers", body=LawyerIn,
             response=LawyerOut)
async def create_lawyer(call: Call) -> LawyerOut:
    profile = await service.create_lawyer(call.session, call.actor, **call.body.model_dump())
    _audit(call, "lawyer.create", f"lawyer:{profile.id}")
    return LawyerOut.model_validate(profile)


@router.patch("/api/lawyers/{lawyer_id}", summary="Edit a directory entry", tag="lawyers", body=LawyerUpdate,
              response=LawyerOut)
async def update_lawyer(call: Call) -> LawyerOut:
    changes = call.body.model_dump(exclude_unset=True)
    profile = await service.update_lawyer(call.session, call.actor, call.path["lawyer_id"], **changes)
    _audit(call, "lawyer.update", f"lawyer:{profile.id}", detail=",".join(sorted(changes)))
    return LawyerOut.model_validate(profile)
