"""Issue 16, item 10: the breakdowns the justice bureau asks for, each checked against counts
made here from the rows the test stored: by category, applicant group, lawyer and unit; the
satisfaction of consultations and applications (with the applicants' comments); a message handed
over counts for the unit that handled it; overdue work is grouped by the unit that is late; the
CSV has its headings in the page's language and its times in China time."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from server.accounts.models import Account, Device, LawyerProfile
from server.applications.models import Application
from server.board.models import BoardEvent, BoardMessage
from server.consultations.models import Consultation
from server.audit.models import AuditEntry
from server.org.models import Unit
from tests.test_reports import NOW

# (kiosk unit, category, groups, taker, rating, what the resident wrote beside it)
CONSULTATIONS = [("C-EAST-1", "wages_labour", ["elderly", "migrant_worker"], "lawyer1", 5, "讲得很清楚"),
                 ("C-EAST-1", "wages_labour", ["migrant_worker"], "lawyer1", 3, ""),
                 ("C-EAST-2", "elder_support", ["elderly", "woman"], "lawyer2", 4, "等得有点久"),
                 ("C-WEST-1", "marriage_family", ["woman"], "east", None, "")]  # taken by station staff: no lawyer
# (filed at, state, category, groups, lawyer, satisfaction, comment, due days before NOW or None)
APPLICATIONS = [("C-EAST-1", "follow_up", "wages_labour", ["migrant_worker"], "lawyer1", 4, "律师很耐心", None),
                ("C-EAST-1", "closed", "elder_support", ["elderly", "disabled"], "lawyer2", 2, "进度太慢", None),
                ("C-EAST-2", "submitted", "elder_support", ["minor"], None, None, "", 2),  # the station is late
                ("C-WEST-1", "center_review", "wages_labour", [], None, None, "", 1)]  # the center is late


async def seed(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with db.sessions.begin() as session:
        units = {u.code: u for u in await session.scalars(select(Unit))}
        accounts = {a.username: a.id for a in await session.scalars(select(Account))}
        devices = {d.unit_id: d.id for d in await session.scalars(select(Device))}
        station = {code: units[code].parent_id for code in ("C-EAST-1", "C-EAST-2", "C-WEST-1")}
        for i, (code, category, groups, taker, rating, said) in enumerate(CONSULTATIONS):
            queued = NOW - timedelta(days=i + 1)
            session.add(Consultation(device_id=devices[units[code].id], unit_id=units[code].id, category=category,
                                     target_unit_id=station[code], state="ended", queued_at=queued,
                                     taken_at=queued + timedelta(seconds=30), taker_account_id=accounts[taker],
                                     ended_at=queued + timedelta(minutes=10), rating=rating, rating_comment=said,
                                     applicant_groups=groups))
        # left at 和平 for the east station, which handed it over to the center, which answered it
        handed = BoardMessage(unit_id=units["C-EAST-1"].id, target_unit_id=units["CENTER"].id, category="housing",
                              question="?", source="kiosk", state="answered", created_at=NOW - timedelta(hours=3),
                              answered_at=NOW - timedelta(hours=1))
        # left at 光明 for the east station days ago, still open: the station is late
        late = BoardMessage(unit_id=units["C-EAST-2"].id, target_unit_id=station["C-EAST-2"], category="housing",
                            question="?", source="kiosk", state="open", created_at=NOW - timedelta(days=8))
        session.add_all([handed, late])
        await session.flush()
        session.add(BoardEvent(message_id=handed.id, at=NOW - timedelta(hours=2), kind="handed_over",
                               actor="account:0", detail=f"from unit {station['C-EAST-1']}, to the center"))
        lawyers = {p.account_id: p.id for p in await session.scalars(select(LawyerProfile))}
        for i, (code, state, category, groups, lawyer, score, comment, late_by) in enumerate(APPLICATIONS):
            created = NOW - timedelta(days=10 - i)
            account = accounts[lawyer] if lawyer else None
            session.add(Application(
                state=state, unit_id=units[code].id, review_unit_id=station[code], center_id=units["CENTER"].id,
                created_by="account:0", created_at=created, updated_at=created, hardship_grounds=[], attachments=[],
                supervision_card={}, instalments=[], category=category, applicant_groups=groups,
                case_number=f"〔2026〕法援初字第{i + 1:04d}号", lawyer_account_id=account,
                lawyer_id=lawyers.get(account) if account else None, satisfaction=score, satisfaction_comment=comment,
                satisfaction_on=date(2026, 11, 20 + i) if score else None,
                due_on=(NOW - timedelta(days=late_by)).date() if late_by else None))
        return {code: unit.id for code, unit in units.items()}


PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


async def test_breakdowns_by_category_group_lawyer_and_unit(new_api, db) -> None:  # type: ignore[no-untyped-def]
    ids = await seed(db)
    center = new_api()
    await center.login("center")
    status, r = await center.get("/api/reports", params={"unit_id": str(ids["CENTER"]), **PERIOD})
    assert status == 200, r
    c, a, b = r["consultations"], r["applications"], r["board"]
    assert c["by_category"] == {"elder_support": 1, "marriage_family": 1, "wages_labour": 2}
    assert c["by_group"] == {"elderly": 2, "disabled": 0, "migrant_worker": 2, "minor": 0, "woman": 2}
    assert c["satisfaction"] == {"rated": 3, "avg": 4.0, "by_score": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}}
    assert a["by_category"] == {"elder_support": 2, "wages_labour": 2}
    assert a["by_group"] == {"elderly": 1, "disabled": 1, "migrant_worker": 1, "minor": 1, "woman": 0}
    assert a["satisfaction"] == {"rated": 2, "avg": 3.0, "by_score": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}}
    assert [(x["case_number"], x["satisfaction"], x["comment"], x["lawyer_name"]) for x in a["comments"]] == [
        ("〔2026〕法援初字第0002号", 2, "进度太慢", "张华律师"), ("〔2026〕法援初字第0001号", 4, "律师很耐心", "李明律师")]
    # what residents wrote at the kiosk beside their rating, newest first, with the lawyer they rated
    assert [(x["rating"], x["comment"], x["lawyer_name"]) for x in c["comments"]] == [
        (5, "讲得很清楚", "李明律师"), (4, "等得有点久", "张华律师")]
    async with db.sessions() as session:  # their words were read: the read is on record
        reads = list(await session.execute(select(AuditEntry.object, AuditEntry.actor_name, AuditEntry.detail)
                                           .where(AuditEntry.action == "personal_data.read")))
    assert [tuple(r) for r in reads] == [
        (f"unit:{ids['CENTER']}", "中心工作人员 王芳", "report comments 2026-11-01..2026-11-30 (4)")]
    assert [(x["name"], x["consultations"], x["consultation_avg_rating"], x["applications"],
             x["application_avg_satisfaction"]) for x in r["by_lawyer"]] == [
        ("张华律师", 1, 4.0, 1, 2.0), ("李明律师", 2, 4.0, 1, 4.0)]
    # the handed-over message counts for the center that handled it, not the station that passed it on
    units = {u["unit_id"]: u for u in r["by_unit"]}
    assert units[ids["CENTER"]]["board_handled"] == 1 and units[ids["S-EAST"]]["board_handled"] == 1
    assert units[ids["C-EAST-1"]]["consultations"] == 2 and units[ids["C-EAST-1"]]["applications_filed"] == 2
    assert units[ids["S-EAST"]]["applications_reviewed"] == 3
    assert (b["count"], b["handled"], b["handed_over"]) == (2, 2, 1)
    # overdue: the station is late on an application and a message, the center on a decision
    assert [(x["unit_id"], x["applications"], x["board"]) for x in r["overdue_by_unit"]] == [
        (ids["S-EAST"], 1, 1), (ids["CENTER"], 1, 0)]
    # the east station's report: the message it handed on is no longer its to handle
    east = new_api()
    await east.login("east")
    _, r = await east.get("/api/reports", params={"unit_id": str(ids["S-EAST"]), **PERIOD})
    assert (r["board"]["count"], r["board"]["handled"], r["board"]["handed_over"]) == (2, 1, 1)
    assert ids["CENTER"] not in {u["unit_id"] for u in r["by_unit"]}
    assert [(x["unit_id"], x["applications"], x["board"]) for x in r["overdue_by_unit"]] == [(ids["S-EAST"], 1, 1)]
    assert [x["name"] for x in r["by_lawyer"]] == ["张华律师", "李明律师"]


async def test_the_csv_speaks_the_pages_language_and_china_time(new_api, db) -> None:  # type: ignore[no-untyped-def]
    ids = await seed(db)
    center = new_api()
    await center.login("center")
    tables = {}
    for lang in ("zh-CN", "en"):
        status, text = await center.get("/api/reports/export", params={"unit_id": str(ids["CENTER"]), "lang": lang,
                                                                         **PERIOD})
        assert status == 200, text
        tables[lang] = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    zh, en = tables["zh-CN"], tables["en"]
    assert zh[0] == ["部分", "项目", "代码", "数值"] and en[0] == ["Section", "Figure", "Code", "Value"]
    assert [row[2] for row in zh[1:]] == [row[2] for row in en[1:]]  # the same figures, the same codes
    by_code = {lang: {row[2]: row for row in rows[1:]} for lang, rows in tables.items()}
    assert by_code["zh-CN"]["generated_at"][1:] == ["生成时间", "generated_at", "2026-11-30T10:00:00+08:00"]
    assert by_code["en"]["generated_at"][3] == "2026-11-30T10:00:00+08:00"
    assert by_code["zh-CN"]["applications.by_group.elderly"][:2] == ["法律援助申请", "群体: 老年人"]
    assert by_code["en"]["applications.by_group.elderly"][:2] == ["Applications", "Group: Elderly"]
    assert by_code["zh-CN"]["consultations.by_state.ended"][1] == "咨询状态: 已结束"
    assert by_code["en"]["consultations.by_category.wages_labour"][1:] == [
        "Category: Wages and labour disputes", "consultations.by_category.wages_labour", "2"]
    assert by_code["zh-CN"]["applications.satisfaction.by_score.2"][1:] == [
        "满意度: 2分", "applications.satisfaction.by_score.2", "1"]
    assert by_code["zh-CN"][f"overdue_by_unit.{ids['S-EAST']}.board"][1:] == [
        "东城街道法律援助工作站: 留言", f"overdue_by_unit.{ids['S-EAST']}.board", "1"]
    assert by_code["en"][f"by_unit.{ids['CENTER']}.board_handled"][3] == "1"
    assert not any(said in cell for row in zh for cell in row for said in ("进度太慢", "讲得很清楚"))  # on the page only
    # a language the page does not have is refused
    status, refused = await center.get("/api/reports/export", params={"lang": "fr"})
    assert status == 400, refused


async def test_groups_are_recorded_on_a_consultation_by_those_who_keep_its_record(new_api, db) -> None:  # type: ignore[no-untyped-def]
    from server.audit.models import AuditEntry

    ids = await seed(db)
    async with db.sessions() as session:
        cid = await session.scalar(select(Consultation.id).where(Consultation.unit_id == ids["C-EAST-1"])
                                   .order_by(Consultation.id))
    path = f"/api/consultations/{cid}/groups"
    clients = {}
    for name in ("heping", "east", "west", "lawyer1", "lawyer2"):
        clients[name] = new_api()
        await clients[name].login(name)
    status, record = await clients["heping"].put(path, {"applicant_groups": ["woman", "elderly", "woman"]})
    assert status == 200, record
    assert record["applicant_groups"] == ["elderly", "woman"]
    status, record = await clients["lawyer1"].put(path, {"applicant_groups": ["migrant_worker"]})  # its taker
    assert (status, record["applicant_groups"]) == (200, ["migrant_worker"])
    for who in ("west", "lawyer2"):
        status, refused = await clients[who].put(path, {"applicant_groups": []})
        assert status == 403, (who, refused)
    for bad in [{"applicant_groups": ["rich"]}, {}, {"applicant_groups": "elderly"},
                {"applicant_groups": [], "extra": 1}]:
        status, refused = await clients["east"].put(path, bad)
        assert status == 400 and refused["error"]["code"], (bad, refused)
    assert (await clients["east"].put("/api/consultations/999999/groups", {"applicant_groups": []}))[0] == 404
    _, record = await clients["east"].get(f"/api/consultations/{cid}")
    assert record["applicant_groups"] == ["migrant_worker"]
    assert [e["kind"] for e in record["events"]] == ["groups", "groups"]
    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "consultation.groups", AuditEntry.object == f"consultation:{cid}")
            .order_by(AuditEntry.id)))
    assert audited == ["elderly,woman", "migrant_worker"]


async def test_the_applications_csv_speaks_the_pages_language_and_china_time(new_api, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.test_applications import form

    clock.set(NOW + timedelta(hours=13, minutes=30))  # 23:30 China time is 15:30 UTC: the CSV says 23:30+08:00
    heping = new_api()
    await heping.login("heping")
    status, app = await heping.post("/api/applications", form())
    assert status == 201, app
    tables = {}
    for lang in ("zh-CN", "en"):
        status, text = await heping.get("/api/applications/export", params={"lang": lang})
        assert status == 200, text
        tables[lang] = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    zh, en = tables["zh-CN"], tables["en"]
    assert zh[0][:4] == ["编号", "案号", "状态", "申请单位"] and en[0][:4] == ["ID", "Case number", "State", "Filed at"]
    zh_row, en_row = dict(zip(en[0], zh[1])), dict(zip(en[0], en[1]))
    assert (zh_row["State"], en_row["State"]) == ("草稿", "Draft")
    assert (zh_row["Category"], en_row["Category"]) == ("赡养", "Support of the elderly")
    assert zh_row["Created at"] == en_row["Created at"] == "2026-11-30T23:30:00+08:00"
