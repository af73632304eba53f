"""The demo organisation for `make run`: one center, two departments, two stations, four
communities, one login per role and a kiosk per community. Only seeded into an empty database."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import service as accounts
from server.accounts.permissions import Role
from server.org import service as org
from server.org.models import Unit, UnitKind

DEMO_PASSWORD = "fayuan-demo-2026"

UNITS = [
    # code, name, kind, parent code
    ("D-UNION", "區總工會法律援助聯絡中心", UnitKind.department, "CENTER"),
    ("D-WOMEN", "區婦聯法律援助聯絡中心", UnitKind.department, "CENTER"),
    ("S-EAST", "東城街道法律援助工作站", UnitKind.station, "CENTER"),
    ("S-WEST", "西城街道法律援助工作站", UnitKind.station, "CENTER"),
    ("C-EAST-1", "東城街道和平社區聯系點", UnitKind.community, "S-EAST"),
    ("C-EAST-2", "東城街道長安社區聯系點", UnitKind.community, "S-EAST"),
    ("C-WEST-1", "西城街道光明社區聯系點", UnitKind.community, "S-WEST"),
    ("C-WEST-2", "西城街道新華社區聯系點", UnitKind.community, "S-WEST"),
]

ACCOUNTS = [
    # username, display name, role, unit code
    ("admin", "系統管理員", Role.admin, "CENTER"),
    ("center", "中心工作人員 王芳", Role.center_staff, "CENTER"),
    ("lawyer1", "李明律師", Role.lawyer, "CENTER"),
    ("lawyer2", "張華律師", Role.lawyer, "CENTER"),
    ("union", "總工會 劉強", Role.department_staff, "D-UNION"),
    ("east", "東城工作站 陳靜", Role.station_staff, "S-EAST"),
    ("west", "西城工作站 趙磊", Role.station_staff, "S-WEST"),
    ("heping", "和平社區 孫麗", Role.community_staff, "C-EAST-1"),
    ("guangming", "光明社區 周敏", Role.community_staff, "C-WEST-1"),
]

LAWYERS = {
    "lawyer1": dict(name="李明", firm="明德律師事務所", specialties=["wages_labour", "injury_traffic"],
                    languages=["普通話", "粵語"], bio="十年勞動爭議代理經驗。"),
    "lawyer2": dict(name="張華", firm="正平律師事務所", specialties=["marriage_family", "elder_support"],
                    languages=["普通話"], bio="專注婚姻家庭與贍養糾紛。"),
}


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(Unit))


async def seed(session: AsyncSession, *, now: datetime, center_name: str = "示範區法律援助中心") -> dict:
    """Create the demo organisation; returns the logins and kiosk tokens to print."""
    center = await org.create_root(session, code="CENTER", name=center_name, now=now)
    by_code = {"CENTER": center}
    for code, name, kind, parent in UNITS:
        unit = Unit(code=code, name=name, kind=kind, parent_id=by_code[parent].id, path="", created_at=now,
                    contact_name="", contact_phone="", address="", active=True)
        session.add(unit)
        await session.flush()
        unit.path = f"{by_code[parent].path}{unit.id}/"
        by_code[code] = unit
    logins = []
    for username, display, role, unit_code in ACCOUNTS:
        account = await accounts.create_account(session, None, username=username, display_name=display, role=role,
                                                unit_id=by_code[unit_code].id, password=DEMO_PASSWORD, now=now,
                                                phone="13800138000")
        logins.append({"username": username, "password": DEMO_PASSWORD, "role": str(role), "unit": unit_code})
        if username in LAWYERS:
            await accounts.create_lawyer(session, None, account_id=account.id, **LAWYERS[username])
    kiosks = []
    for code, name, kind, _parent in UNITS:
        if kind == UnitKind.community:
            device, token = await accounts.register_device(session, None, name=f"{name} 終端", unit_id=by_code[code].id,
                                                           now=now)
            kiosks.append({"unit": code, "device": device.name, "token": token})
    return {"logins": logins, "kiosks": kiosks}


def save(info: dict, data_dir: Path) -> Path:
    path = data_dir / "demo-logins.json"
    path.write_text(json.dumps(info, ensure_ascii=False, indent=2))
    path.chmod(0o600)
    return path
