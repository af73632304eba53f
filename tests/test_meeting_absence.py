"""Issue 16, item 10: a meeting's attendance lists the invited units nobody came from, and its
CSV has its headings in the page's language and its times in China time."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from server.meetings.models import Attendance
from server.org.models import Unit
from tests.meetings_support import account_ids, schedule


async def test_invited_units_that_did_not_attend(new_api, db, clock) -> None:  # type: ignore[no-untyped-def]
    admin, host = new_api(), new_api()
    await admin.login("admin")
    ids = await account_ids(admin)
    await host.login("center")
    async with db.sessions() as session:
        units = {u.code: u.id for u in await session.scalars(select(Unit))}
    invited = [units["D-UNION"], units["D-WOMEN"]]  # mesh: at most 4 people with the host
    status, meeting = await schedule(host, clock.now(), unit_ids=invited, account_ids=[ids["heping"]])
    assert status == 201, meeting
    mid = meeting["id"]
    start = clock.now() + timedelta(minutes=5)  # 10:05 China time
    async with db.sessions.begin() as session:  # the union came, and 和平社区 (invited by name)
        session.add(Attendance(meeting_id=mid, account_id=ids["union"], name="总工会 刘强", unit_id=units["D-UNION"],
                               joined_at=start, left_at=start + timedelta(minutes=40)))
        session.add(Attendance(meeting_id=mid, account_id=ids["heping"], name="和平社区 孙丽",
                               unit_id=units["C-EAST-1"], joined_at=start, left_at=None))
    status, absent = await host.get(f"/api/meetings/{mid}/absent-units")
    assert status == 200, absent
    assert [a["unit_id"] for a in absent] == [units["D-WOMEN"]]
    tables = {}
    for lang in ("zh-CN", "en"):
        status, text = await host.get(f"/api/meetings/{mid}/attendance.csv", params={"lang": lang})
        assert status == 200, text
        tables[lang] = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    zh, en = tables["zh-CN"], tables["en"]
    assert zh[0] == ["姓名", "单位", "进入时间", "离开时间", "时长（秒）", "是否参加"]
    assert en[0] == ["Name", "Unit", "Joined", "Left", "Seconds", "Attended"]
    assert zh[1] == ["总工会 刘强", "区总工会法律援助联络中心", "2026-11-30T10:05:00+08:00", "2026-11-30T10:45:00+08:00",
                     "2400", "是"]
    assert [row[1] for row in zh[3:]] == [a["unit_name"] for a in absent] and {row[5] for row in zh[3:]} == {"否（未参加）"}
    assert en[3][5] == "No (did not attend)" and en[2][3] == ""  # 和平 is still in the room
    # another unit's staff may not read it; a bad language is refused
    west = new_api()
    await west.login("west")
    assert (await west.get(f"/api/meetings/{mid}/absent-units"))[0] in (403, 404)
    assert (await host.get(f"/api/meetings/{mid}/attendance.csv", params={"lang": "de"}))[0] == 400
