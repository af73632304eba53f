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
    ("D-UNION", "区总工会法律援助联络中心", UnitKind.department, "CENTER"),
    ("D-WOMEN", "区妇联法律援助联络中心", UnitKind.department, "CENTER"),
    ("S-EAST", "东城街道法律援助工作站", UnitKind.station, "CENTER"),
    ("S-WEST", "西城街道法律援助工作站", UnitKind.station, "CENTER"),
    ("C-EAST-1", "东城街道和平社区联系点", UnitKind.community, "S-EAST"),
    ("C-EAST-2", "东城街道长安社区联系点", UnitKind.community, "S-EAST"),
    ("C-WEST-1", "西城街道光明社区联系点", UnitKind.community, "S-WEST"),
    ("C-WEST-2", "西城街道新华社区联系点", UnitKind.community, "S-WEST"),
]

ACCOUNTS = [
    # username, display name, role, unit code
    ("admin", "系统管理员", Role.admin, "CENTER"),
    ("center", "中心工作人员 王芳", Role.center_staff, "CENTER"),
    ("lawyer1", "李明律师", Role.lawyer, "CENTER"),
    ("lawyer2", "张华律师", Role.lawyer, "CENTER"),
    ("union", "总工会 刘强", Role.department_staff, "D-UNION"),
    ("east", "东城工作站 陈静", Role.station_staff, "S-EAST"),
    ("west", "西城工作站 赵磊", Role.station_staff, "S-WEST"),
    ("heping", "和平社区 孙丽", Role.community_staff, "C-EAST-1"),
    ("guangming", "光明社区 周敏", Role.community_staff, "C-WEST-1"),
    ("bureau", "区司法局 吴刚", Role.bureau, "CENTER"),
]

LAWYERS = {
    "lawyer1": dict(name="李明", firm="明德律师事务所", specialties=["wages_labour", "injury_traffic"],
                    languages=["普通话", "粤语"], bio="十年劳动争议代理经验。"),
    "lawyer2": dict(name="张华", firm="正平律师事务所", specialties=["marriage_family", "elder_support"],
                    languages=["普通话"], bio="专注婚姻家庭与赡养纠纷。"),
}


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(Unit))


async def seed(session: AsyncSession, *, now: datetime, center_name: str = "示范区法律援助中心") -> dict:
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
            device, token = await accounts.register_device(session, None, name=f"{name} 终端", unit_id=by_code[code].id,
                                                           now=now)
            kiosks.append({"unit": code, "device": device.name, "token": token})
    return {"logins": logins, "kiosks": kiosks}


def save(info: dict, data_dir: Path) -> Path:
    path = data_dir / "demo-logins.json"
    path.write_text(json.dumps(info, ensure_ascii=False, indent=2))
    path.chmod(0o600)
    return path
