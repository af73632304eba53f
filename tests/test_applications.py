"""Legal aid applications: the whole path by the right roles, refusals, audit, deadlines on
the service calendar, ID numbers, masking, case numbers and the PDFs."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from server.applications import documents, idnumber, numbering, pdf
from server.applications.specimen import LONG_COMMUNITY, specimen
from server.applications.deadlines import Deadlines, due_for, enforcement_deadline, is_overdue
from server.applications.state import TRANSITIONS, ApplicationState as S
from server.audit.models import AuditEntry
from server.config import ConfigError
from server.errors import IllegalTransition, InvalidInput
from server.hours.calendar import HOLIDAY, Schedule
from server.hours.public_holidays import official_days
from tests.conftest import SHANGHAI

# 1950-03-07, sequence 123 (odd: a man), region 110105 (Beijing, Chaoyang)
FIRST17 = "11010519500307123"
VALID_ID = FIRST17 + idnumber.check_character(FIRST17)
WRONG_CHECK = FIRST17 + ("0" if VALID_ID[-1] != "0" else "1")


def form(**changes: object) -> dict:
    base = {
        "applicant_name": "王秀英", "applicant_sex": "male", "id_number": VALID_ID, "birth_date": "1950-03-07",
        "phone": "13812345678", "address": "東城街道和平社區3號樓", "household": "本市戶籍，獨居",
        "economic_situation": "每月養老金1200元", "hardship_grounds": ["elderly_without_support"],
        "category": "elder_support", "opposing_party": "王大明（兒子）", "amount_in_dispute": "36000.00",
        "summary": "子女拒絕支付贍養費。", "help_requested": "代理贍養糾紛訴訟",
    }
    return {**base, **changes}


FOLLOW_UP = {"visit_notes": "電話回訪，申請人表示滿意。", "satisfaction": 5,
             "supervision_card": {"attitude": "satisfied", "quality": "satisfied", "charged_fees": False},
             "instalments": [{"due": "2027-01-15", "amount": "12000.00"}, {"due": "2027-04-15", "amount": "12000.00"}]}


async def lawyer_profile_id(db, username: str) -> int:  # type: ignore[no-untyped-def]
    from server.accounts.models import Account, LawyerProfile

    async with db.sessions() as session:
        return int(await session.scalar(select(LawyerProfile.id).join(Account, Account.id == LawyerProfile.account_id)
                                        .where(Account.username == username)))


@pytest.fixture
async def staff(new_api):  # type: ignore[no-untyped-def]
    """A logged-in client per demo login used here."""
    clients = {}
    for name in ("heping", "guangming", "east", "west", "union", "center", "lawyer1", "lawyer2", "admin"):
        clients[name] = new_api()
        await clients[name].login(name)
    return clients


def action_requests(lawyer_id: int) -> dict[str, tuple[str, str, dict]]:
    """action → (route suffix, who may normally take it, body)."""
    return {
        "submit": ("submit", "heping", {}),
        "reopen": ("reopen", "heping", {}),
        "review": ("review", "east", {}),
        "return": ("return", "east", {"missing": "缺少低保證明"}),
        "reject": ("reject", "east", {"reason": "不符合經濟困難標準"}),
        "preliminary_approve": ("preliminary-approve", "east", {"opinion": "材料齊全，同意報送"}),
        "accept": ("accept", "east", {}),
        "center_review": ("center-review", "center", {}),
        "approve": ("approve", "center", {"opinion": "符合條件，給予法律援助"}),
        "deny": ("deny", "center", {"reason": "不屬於法律援助範圍"}),
        "assign": ("assign", "center", {"lawyer_id": lawyer_id, "mode": "picked"}),
        "confirm_assignment": ("confirm-assignment", "lawyer1", {"no_conflict": True}),
        "decline_assignment": ("decline-assignment", "lawyer1", {"reason": "曾代理對方"}),
        "start": ("start", "lawyer1", {}),
        "close": ("close", "lawyer1", {"outcome": "調解結案，每月支付贍養費1000元"}),
        "follow_up": ("follow-up", "center", FOLLOW_UP),
    }


# Who else tries each action and must be refused (403 for a wrong role, 404 outside their tree).
WRONG_ROLES = {
    "submit": ["guangming", "west", "union", "lawyer2"],
    "review": ["heping", "west", "union", "lawyer1", "guangming"],
    "preliminary_approve": ["heping", "west", "center", "lawyer1"],
    "accept": ["heping", "west", "center", "lawyer1"],
    "center_review": ["heping", "east", "west", "lawyer1"],
    "approve": ["heping", "east", "lawyer1", "union"],
    "assign": ["heping", "east", "lawyer1", "lawyer2"],
    "confirm_assignment": ["lawyer2", "center", "east", "heping"],
    "start": ["lawyer2", "center", "east", "heping"],
    "close": ["lawyer2", "east", "heping", "union"],
    "follow_up": ["lawyer1", "east", "heping", "west"],
}
PATH = ["submit", "review", "preliminary_approve", "accept", "center_review", "approve", "assign",
        "confirm_assignment", "start", "close", "follow_up"]


async def test_the_whole_path_by_the_right_roles_with_refusals_and_audit(staff, db) -> None:  # type: ignore[no-untyped-def]
    requests = action_requests(await lawyer_profile_id(db, "lawyer1"))
    status, app = await staff["heping"].post("/api/applications", form())
    assert status == 201, app
    aid = app["id"]
    assert app["state"] == "draft" and app["actions"] == ["edit", "submit"]
    assert app["id_number_masked"] == VALID_ID[:6] + "*" * 12
    taken = ["create"]
    for action in PATH:
        state_before = (await staff["center"].get(f"/api/applications/{aid}"))[1]["state"]
        # every action this state does not allow is refused with 409 by whoever could otherwise take it
        for other, (suffix, who, body) in requests.items():
            if other == action or S(state_before) in _states_of(other):
                continue
            status, refused = await staff[who].post(f"/api/applications/{aid}/{suffix}", body)
            assert status in (409, 403, 404), (state_before, other, status, refused)
            if status == 409:
                assert refused["error"]["code"] == "illegal_transition"
        for wrong in WRONG_ROLES.get(action, []):
            suffix, _who, body = requests[action]
            status, refused = await staff[wrong].post(f"/api/applications/{aid}/{suffix}", body)
            assert status in (403, 404), (action, wrong, status, refused)
        suffix, who, body = requests[action]
        status, app = await staff[who].post(f"/api/applications/{aid}/{suffix}", body)
        assert status == 200, (action, app)
        taken.append(action)
        assert (await staff["center"].get(f"/api/applications/{aid}"))[1]["state"] == app["state"]
    assert app["state"] == "follow_up" and app["actions"] == []
    assert [s["action"] for s in app["steps"]] == taken
    assert all(s["actor_name"] and s["at"] for s in app["steps"])
    assert app["case_number"] == "〔2026〕法援初字第0001号"
    assert app["enforcement_deadline"] == "2029-04-15"
    assert app["satisfaction"] == 5
    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.object == f"application:{aid}", AuditEntry.action.startswith("application."))
            .order_by(AuditEntry.id)))
    assert audited == [f"application.{a}" for a in taken]


def _states_of(action: str) -> frozenset[S]:
    from server.applications.access import ACTIONS

    return ACTIONS[action][0]


def test_every_transition_the_table_lacks_is_illegal() -> None:
    for source in S:
        for target in S:
            if target in TRANSITIONS[source]:
                source.check(target)
            else:
                with pytest.raises(IllegalTransition):
                    source.check(target)
    assert {s for s, targets in TRANSITIONS.items() if not targets} == {S.rejected, S.withdrawn, S.denial_upheld,
                                                                            S.termination_upheld, S.follow_up}


async def test_return_reopen_resubmit_reject_and_deny(staff) -> None:  # type: ignore[no-untyped-def]
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    await staff["heping"].post(f"/api/applications/{aid}/submit", {})
    await staff["east"].post(f"/api/applications/{aid}/review", {})
    status, app = await staff["east"].post(f"/api/applications/{aid}/return", {"missing": "缺少身份證複印件"})
    assert status == 200 and app["state"] == "returned" and app["missing"] == "缺少身份證複印件"
    status, app = await staff["heping"].patch(f"/api/applications/{aid}", {"household": "本市戶籍，與老伴同住"})
    assert status == 200 and app["household"] == "本市戶籍，與老伴同住"
    status, app = await staff["heping"].post(f"/api/applications/{aid}/reopen", {})
    assert app["state"] == "draft"
    await staff["heping"].post(f"/api/applications/{aid}/submit", {})
    await staff["east"].post(f"/api/applications/{aid}/review", {})
    status, app = await staff["east"].post(f"/api/applications/{aid}/reject", {"reason": "不符合條件"})
    assert app["state"] == "rejected" and app["actions"] == []
    status, body = await staff["heping"].patch(f"/api/applications/{aid}", {"household": "x"})
    assert status == 409
    # a denial by the center, with its written reason
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    for who, suffix, body in [("heping", "submit", {}), ("east", "review", {}), ("east", "preliminary-approve", {}),
                              ("east", "accept", {}), ("center", "center-review", {})]:
        assert (await staff[who].post(f"/api/applications/{aid}/{suffix}", body))[0] == 200
    status, app = await staff["center"].post(f"/api/applications/{aid}/deny", {"reason": "不屬於法律援助範圍"})
    assert app["state"] == "denied" and app["decision_opinion"] == "不屬於法律援助範圍"
    assert "approval_form" in app["documents"]


async def test_the_lawyer_confirms_no_conflict_before_the_assignment_stands(staff, db) -> None:  # type: ignore[no-untyped-def]
    aid = await approved_application(staff)
    lawyer1, lawyer2 = await lawyer_profile_id(db, "lawyer1"), await lawyer_profile_id(db, "lawyer2")
    status, app = await staff["center"].post(f"/api/applications/{aid}/assign",
                                             {"lawyer_id": lawyer1, "mode": "designated"})
    assert status == 200 and app["state"] == "approved" and app["proposed_lawyer_name"] == "李明"
    assert (await staff["lawyer2"].post(f"/api/applications/{aid}/confirm-assignment", {"no_conflict": True}))[0] == 404
    status, body = await staff["lawyer1"].post(f"/api/applications/{aid}/confirm-assignment", {"no_conflict": False})
    assert status == 400
    status, app = await staff["lawyer1"].post(f"/api/applications/{aid}/decline-assignment", {"reason": "曾代理對方"})
    assert status == 200 and app["state"] == "approved" and app["proposed_lawyer_id"] is None
    await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer2, "mode": "picked"})
    status, app = await staff["lawyer2"].post(f"/api/applications/{aid}/confirm-assignment", {"no_conflict": True})
    assert status == 200 and app["state"] == "lawyer_assigned" and app["lawyer_name"] == "张华"
    # the lawyer who declined can no longer act on it
    assert (await staff["lawyer1"].post(f"/api/applications/{aid}/start", {}))[0] == 403


def unaudited_text(payload: object) -> str:
    """Every value an unaudited read returned, as one string to search."""
    return str(payload).replace("-", "")


async def test_no_unaudited_read_lets_anyone_rebuild_the_id_number_or_phone(staff, db) -> None:  # type: ignore[no-untyped-def]
    """The detail once showed 1101**********1239 beside the birth date (digits 7–14): with the
    region from the address, the whole number. Now no unaudited read carries the birth date,
    the sequence (15–17) or the check character, nor more than 7 of a phone's 11 digits."""
    aid = await approved_application(staff)
    reads = [await staff["east"].get(f"/api/applications/{aid}"), await staff["east"].get("/api/applications"),
             await staff["center"].get("/api/applications/export"),
             await staff["center"].get(f"/api/applications/{aid}")]
    for status, payload in reads:
        assert status == 200
        text = unaudited_text(payload)
        assert "19500307" not in text and "1950" not in text  # the birth date, even its year
        assert VALID_ID[14:] not in text and VALID_ID[-4:] not in text  # sequence and check character
        assert "13812345678" not in text and "1234" not in text  # the phone's hidden middle
    _, detail = reads[0]
    assert "birth_date" not in detail and detail["id_number_masked"] == "110105************"


async def test_a_proposed_lawyer_reads_personal_data_only_after_confirming_no_conflict(staff, db) -> None:  # type: ignore[no-untyped-def]
    from tests.route_table import TINY_PNG

    _, draft = await staff["heping"].post("/api/applications", form())
    upload = {"params": {"parent_kind": "application", "parent_id": str(draft["id"])}, "data": TINY_PNG,
              "headers": {"X-Filename": "id.png"}}
    status, stored = await staff["heping"].post("/api/files", **upload)
    assert status == 201
    await staff["heping"].patch(f"/api/applications/{draft['id']}",
                                {"attachments": [{"file_id": stored["id"], "kind": "id_card"}]})
    aid = await approved_application(staff, existing=draft["id"])
    lawyer1, lawyer2 = await lawyer_profile_id(db, "lawyer1"), await lawyer_profile_id(db, "lawyer2")
    await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer1, "mode": "designated"})
    lawyer = staff["lawyer1"]
    status, detail = await lawyer.get(f"/api/applications/{aid}")
    # what a conflict check needs: who applies, against whom, about what
    assert status == 200 and detail["applicant_name"] == "王秀英" and detail["opposing_party"] == "王大明（兒子）"
    refused = [f"/api/applications/{aid}/personal", f"/api/applications/{aid}/documents/application_form",
               f"/api/files/{stored['id']}/download", f"/api/files/{stored['id']}"]
    for path in refused:
        status, body = await lawyer.get(path)
        assert status == 403, (path, body)
    status, _ = await lawyer.get("/api/files", params={"parent_kind": "application", "parent_id": str(aid)})
    assert status == 403
    # declining does not open it either
    await lawyer.post(f"/api/applications/{aid}/decline-assignment", {"reason": "曾代理對方"})
    assert (await lawyer.get(f"/api/applications/{aid}/personal"))[0] == 403
    await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer2, "mode": "picked"})
    assert (await staff["lawyer2"].get(f"/api/applications/{aid}/personal"))[0] == 403
    await staff["lawyer2"].post(f"/api/applications/{aid}/confirm-assignment", {"no_conflict": True})
    status, personal = await staff["lawyer2"].get(f"/api/applications/{aid}/personal")
    assert status == 200 and personal["id_number"] == VALID_ID
    assert (await staff["lawyer2"].get(f"/api/files/{stored['id']}"))[0] == 200
    async with db.sessions() as session:
        reads = list(await session.scalars(select(AuditEntry.actor_name).where(
            AuditEntry.action == "personal_data.read", AuditEntry.object == f"application:{aid}")))
    assert reads == ["张华律师"]


async def approved_application(staff, existing: int | None = None, **changes: object) -> int:  # type: ignore[no-untyped-def]
    if existing is None:
        _, app = await staff["heping"].post("/api/applications", form(**changes))
        existing = app["id"]
    aid = existing
    for who, suffix, body in [("heping", "submit", {}), ("east", "review", {}), ("east", "preliminary-approve", {}),
                              ("east", "accept", {}), ("center", "center-review", {}), ("center", "approve", {})]:
        status, body = await staff[who].post(f"/api/applications/{aid}/{suffix}", body)
        assert status == 200, (suffix, body)
    return aid


async def test_submitting_needs_a_complete_consistent_form(staff) -> None:  # type: ignore[no-untyped-def]
    _, app = await staff["heping"].post("/api/applications", form(summary="", birth_date="1950-03-08"))
    status, body = await staff["heping"].post(f"/api/applications/{app['id']}/submit", {})
    assert status == 400 and body["error"]["details"]["missing"] == ["summary"]
    await staff["heping"].patch(f"/api/applications/{app['id']}", {"summary": "拒付贍養費"})
    status, body = await staff["heping"].post(f"/api/applications/{app['id']}/submit", {})
    assert status == 400 and body["error"]["details"]["field"] == "birth_date"


# -- ID numbers and masking ---------------------------------------------------------------------
def test_id_numbers() -> None:
    person = idnumber.parse(VALID_ID)
    assert person.birth_date == date(1950, 3, 7) and person.sex == "male" and person.region == "110105"
    assert idnumber.parse("11010519491231002X").number == "11010519491231002X"  # a check digit of X
    assert idnumber.parse("11010519491231002x").number == "11010519491231002X"
    for bad, problem in [(WRONG_CHECK, "check_digit"), (VALID_ID[:17], "length"), (VALID_ID + "1", "length"),
                         ("110105195002301234", "birth_date"), ("990105195003071234", "region"),
                         ("1101051950030712a4", "characters")]:
        with pytest.raises(InvalidInput) as caught:
            idnumber.parse(bad)
        assert caught.value.details["problem"] == problem, bad
    with pytest.raises(InvalidInput):
        idnumber.parse(VALID_ID, today=date(1949, 1, 1))


async def test_bad_id_numbers_are_refused_by_the_api(staff) -> None:  # type: ignore[no-untyped-def]
    for bad in (WRONG_CHECK, VALID_ID[:17]):
        status, body = await staff["heping"].post("/api/applications", form(id_number=bad))
        assert status == 400 and body["error"]["details"]["field"] == "id_number", body
    status, body = await staff["heping"].post("/api/applications", form(id_number="1" * 19))
    assert status == 400


async def test_id_numbers_and_phones_are_masked_in_lists_and_exports(staff, db) -> None:  # type: ignore[no-untyped-def]
    _, app = await staff["heping"].post("/api/applications", form())
    for who in ("heping", "east", "center"):
        status, rows = await staff[who].get("/api/applications")
        assert status == 200 and [r["id"] for r in rows] == [app["id"]]
        assert VALID_ID not in str(rows) and "13812345678" not in str(rows)
        assert rows[0]["id_number_masked"] == "110105************"
        assert rows[0]["phone_masked"] == "138****5678"
        status, text = await staff[who].get("/api/applications/export")
        assert status == 200 and "110105************" in text and VALID_ID not in text and "13812345678" not in text
    status, detail = await staff["east"].get(f"/api/applications/{app['id']}")
    assert VALID_ID not in str(detail)
    assert (await staff["west"].get("/api/applications"))[1] == []
    assert (await staff["west"].get(f"/api/applications/{app['id']}"))[0] == 404
    status, personal = await staff["east"].get(f"/api/applications/{app['id']}/personal")
    assert personal == {"id_number": VALID_ID, "birth_date": "1950-03-07", "phone": "13812345678"}
    async with db.sessions() as session:
        reads = list(await session.scalars(select(AuditEntry.actor_name).where(
            AuditEntry.action == "personal_data.read", AuditEntry.object == f"application:{app['id']}")))
    assert reads == ["东城工作站 陈静"]


# -- deadlines ----------------------------------------------------------------------------------
def schedule_2026() -> Schedule:
    days = {day: kind for day, (kind, _name) in (official_days(2026) or {}).items()}
    assert days[date(2026, 10, 1)] == HOLIDAY and days[date(2026, 10, 10)] == "makeup_workday"
    return Schedule.default(SHANGHAI, days)


def test_deadlines_count_working_days_across_national_day_and_a_makeup_saturday() -> None:
    schedule, deadlines = schedule_2026(), Deadlines()
    accepted = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)  # Wednesday before the holiday
    # Oct 1-7 off (the 3rd/4th a weekend); 8, 9, Saturday 10 (make-up), 12, 13, 14, 15
    assert due_for(schedule, deadlines, S.accepted, accepted) == ("decision", date(2026, 10, 15))
    approved = datetime(2026, 10, 9, 11, 0, tzinfo=SHANGHAI)  # Friday: Saturday 10 counts
    assert due_for(schedule, deadlines, S.approved, approved) == ("assignment", date(2026, 10, 13))
    submitted = datetime(2026, 9, 29, 9, 45, tzinfo=SHANGHAI)
    # Tuesday 29 September: the 30th, then the holiday, then Thursday 8 October
    assert due_for(schedule, deadlines, S.submitted, submitted) == ("first_response", date(2026, 10, 8))
    assert due_for(schedule, deadlines, S.in_progress, submitted) is None
    assert not is_overdue(date(2026, 10, 15), datetime(2026, 10, 15, 23, 59, tzinfo=SHANGHAI), schedule)
    assert is_overdue(date(2026, 10, 15), datetime(2026, 10, 16, 0, 1, tzinfo=SHANGHAI), schedule)
    assert enforcement_deadline(date(2028, 2, 29)) == date(2030, 2, 28)


def test_deadlines_are_configurable_and_checked() -> None:
    custom = Deadlines.from_env({"FAYUAN_APPLICATION_DEADLINES": "decision=5, assignment=2"})
    assert (custom.decision, custom.assignment, custom.first_response) == (5, 2, 2)
    for bad in ("decision=0", "decision=x", "nonsense=3"):
        with pytest.raises(ConfigError):
            Deadlines.from_env({"FAYUAN_APPLICATION_DEADLINES": bad})
    with pytest.raises(ConfigError):
        numbering.check_format("〔{year}〕第號")


async def test_due_dates_and_overdue_lists_with_a_fake_clock(staff, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    for who, suffix in [("heping", "submit"), ("east", "review"), ("east", "preliminary-approve"), ("east", "accept")]:
        status, app = await staff[who].post(f"/api/applications/{aid}/{suffix}", {})
    assert (app["due_step"], app["due_on"], app["overdue"]) == ("decision", "2026-10-15", False)
    status, app = await staff["center"].post(f"/api/applications/{aid}/center-review", {})
    assert app["due_on"] == "2026-10-15"  # the decision clock runs from acceptance
    clock.set(datetime(2026, 10, 15, 16, 0, tzinfo=SHANGHAI))
    assert (await staff["center"].get("/api/applications/overdue"))[1] == []
    clock.set(datetime(2026, 10, 16, 9, 30, tzinfo=SHANGHAI))
    status, groups = await staff["center"].get("/api/applications/overdue")
    # grouped by the unit that is late: the decision is the center's
    assert [(g["unit_name"], g["count"]) for g in groups] == [("示范区法律援助中心", 1)]
    assert (await staff["east"].get("/api/applications/overdue"))[1][0]["applications"][0]["id"] == aid
    assert (await staff["west"].get("/api/applications/overdue"))[1] == []
    assert [r["id"] for r in (await staff["center"].get("/api/applications", params={"overdue": "true"}))[1]] == [aid]
    # approved on Friday 9 October... here on the 16th: three working days on is the 21st
    status, app = await staff["center"].post(f"/api/applications/{aid}/approve", {})
    assert (app["due_step"], app["due_on"], app["overdue"]) == ("assignment", "2026-10-21", False)


async def test_follow_up_reminders(staff, db, clock) -> None:  # type: ignore[no-untyped-def]
    aid = await approved_application(staff)
    lawyer = await lawyer_profile_id(db, "lawyer1")
    await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer, "mode": "designated"})
    for suffix, body in [("confirm-assignment", {"no_conflict": True}), ("start", {}), ("close", {"outcome": "判決"})]:
        assert (await staff["lawyer1"].post(f"/api/applications/{aid}/{suffix}", body))[0] == 200
    status, app = await staff["center"].post(f"/api/applications/{aid}/follow-up", FOLLOW_UP)
    assert app["enforcement_reminder_on"] == "2029-03-16"
    clock.set(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    await staff["center"].login("center")  # the old session ended with the jump in time
    _, due = await staff["center"].get("/api/applications/reminders")
    assert [(r["kind"], r["on"]) for r in due] == [("instalment", "2027-01-15")]
    clock.set(datetime(2029, 3, 20, 10, 0, tzinfo=SHANGHAI))
    await staff["center"].login("center")
    _, due = await staff["center"].get("/api/applications/reminders")
    assert ("enforcement", "2029-04-15") in [(r["kind"], r["on"]) for r in due]


# -- case numbers -------------------------------------------------------------------------------
async def test_case_numbers_are_unique_under_concurrency(db, demo) -> None:  # type: ignore[no-untyped-def]
    from server.org.models import Unit

    async with db.sessions() as session:
        center = int(await session.scalar(select(Unit.id).where(Unit.code == "CENTER")))

    async def one() -> int:
        async with db.sessions.begin() as session:
            return await numbering.allocate(session, center, 2026)

    numbers = await asyncio.gather(*(one() for _ in range(12)))
    assert sorted(numbers) == list(range(1, 13))
    async with db.sessions.begin() as session:
        assert await numbering.allocate(session, center, 2027) == 1
    assert numbering.format_number(numbering.DEFAULT_FORMAT, 2026, 7) == "〔2026〕法援初字第0007号"


# -- documents ------------------------------------------------------------------------------------
A4_MM, PRINTABLE_MARGIN_MM, PT_PER_MM = (210.0, 297.0), 15.0, 72 / 25.4
TRADITIONAL = set("請號簽蓋單聯係戶審書決議經濟歲絕給與對應當辦證據")


def text_lines(pdf_bytes: bytes, tmp_path) -> list[tuple[int, str, tuple[float, float, float, float]]]:  # type: ignore[no-untyped-def]
    """(page, text, bbox in mm) of every line poppler finds in the PDF."""
    import xml.etree.ElementTree as ET

    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_bytes)
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    lines = []
    for page_no, page in enumerate(ET.fromstring(xhtml).iter("{http://www.w3.org/1999/xhtml}page"), 1):
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")]
            box = tuple(float(line.get(k)) / PT_PER_MM for k in ("xMin", "yMin", "xMax", "yMax"))  # type: ignore[arg-type]
            lines.append((page_no, "".join(words), box))
    return lines  # type: ignore[return-value]


def assert_on_the_page(lines: list[tuple[int, str, tuple[float, float, float, float]]]) -> None:
    """Every glyph inside A4's printable area, and no line starting with closing punctuation."""
    from server.applications.layout import NO_LINE_START

    low, (right, bottom) = PRINTABLE_MARGIN_MM, (A4_MM[0] - PRINTABLE_MARGIN_MM, A4_MM[1] - PRINTABLE_MARGIN_MM)
    for page, text, (x0, y0, x1, y1) in lines:
        assert low <= x0 and x1 <= right and low <= y0 and y1 <= bottom, (page, text, (x0, y0, x1, y1))
        assert text[:1] not in NO_LINE_START, (page, text)


def test_lines_break_between_characters_and_never_start_with_closing_punctuation() -> None:
    from server.applications.layout import NO_LINE_END, NO_LINE_START, break_lines

    text = "甲乙丙丁，戊己。（庚辛）壬癸「子丑」寅卯，辰巳。\n午未"
    for width in range(2, 12):
        lines = break_lines(text, width, len)
        assert "".join(lines) == text.replace("\n", ""), width
        assert all(len(line) <= width or len(line) <= 3 for line in lines), (width, lines)
        assert not any(line[:1] in NO_LINE_START for line in lines), (width, lines)
        assert not any(line[-1:] in NO_LINE_END for line in lines), (width, lines)
    assert break_lines("午未", 10, len) == ["午未"] and break_lines("", 10, len) == [""]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
@pytest.mark.parametrize("kind", pdf.KINDS)
def test_every_document_stays_on_the_page_in_simplified_chinese(kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert pdf.KINDS == documents.KINDS

    lines = text_lines(pdf.render(specimen(kind)), tmp_path)
    assert_on_the_page(lines)
    text = "".join(t for _, t, _ in lines)
    assert pdf.TITLES[kind] in text and "王秀英" in text, kind
    assert not TRADITIONAL & set(text), (kind, TRADITIONAL & set(text))
    assert "法援在线" not in text and "法援在線" not in text
    if kind in ("application_form", "supplement_notice", "preliminary_approval", "approval_form"):
        assert LONG_COMMUNITY in text, kind  # wrapped inside its box, never cut off
    if kind == "application_form":  # the long summary goes on from page 1, which it fills
        page_1 = [box for page, _, box in lines if page == 1]
        assert max(y1 for _, _, _, y1 in page_1) > A4_MM[1] * 0.85
        assert "受理单位东城街道法律援助工作站" in text and "接收单位" + LONG_COMMUNITY in text
    if kind == "denial_decision":
        assert "其名下有房产两处" in text and "第四十九条" in text and "司法行政部门" in text


def test_documents_are_set_from_the_working_face_unless_a_character_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from server.applications.fonts import find_font

    font = find_font({})
    assert "SC" in Path(font.path).name or font.index == 2  # Noto Sans CJK's SC face
    working = pdf.FACES.face_for(font, pdf.text_of(specimen("application_form")))
    assert working != font and Path(working.path).stat().st_size < Path(font.path).stat().st_size / 5
    assert pdf.FACES.face_for(font, "𠮷") == font  # outside the working face: the full face
    sample = dict(specimen("acceptance_notice"), applicant_name="王𠮷")
    assert "王𠮷" in "".join(t for _, t, _ in text_lines(pdf.render(sample), tmp_path))


async def test_documents_render_in_a_worker_process_off_the_event_loop() -> None:
    import os

    from server.applications.printer import Printer

    printer = Printer({})
    try:
        body = await printer.render(specimen("grant_decision"))
        assert body.startswith(b"%PDF")
        assert printer.pool is not None
        assert await asyncio.get_running_loop().run_in_executor(printer.pool, os.getpid) != os.getpid()
    finally:
        printer.close()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
async def test_every_document_prints_through_the_api_and_reprints_as_issued(staff, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from server.applications.models import Application
    from server.org.models import Unit

    async def print_text(who: str, aid: int, kind: str) -> str:
        async with staff[who].client.get(f"{staff[who].base_url}/api/applications/{aid}/documents/{kind}") as r:
            assert r.status == 200 and r.content_type == "application/pdf", (kind, r.status)
            body = await r.read()
        (tmp_path / f"{aid}-{kind}.pdf").write_bytes(body)
        # off the loop: the server under test runs on it
        await asyncio.to_thread(subprocess.run, ["pdftoppm", "-r", "40", "-png", str(tmp_path / f"{aid}-{kind}.pdf"),
                                                 str(tmp_path / f"{aid}-{kind}")], check=True)
        lines = await asyncio.to_thread(text_lines, body, tmp_path)
        assert_on_the_page(lines)
        return "".join(t for _, t, _ in lines)

    async def rename_community(aid: int, name: str) -> None:
        async with db.sessions.begin() as session:
            unit_id = await session.scalar(select(Application.unit_id).where(Application.id == aid))
            await session.execute(update(Unit).where(Unit.id == unit_id).values(name=name))

    lawyer = await lawyer_profile_id(db, "lawyer1")
    granted = await approved_application(staff)
    await rename_community(granted, LONG_COMMUNITY)
    for who, suffix, body in [("center", "assign", {"lawyer_id": lawyer, "mode": "designated"}),
                              ("lawyer1", "confirm-assignment", {"no_conflict": True})]:
        assert (await staff[who].post(f"/api/applications/{granted}/{suffix}", body))[0] == 200
    _, app = await staff["center"].get(f"/api/applications/{granted}")
    assert app["documents"] == ["application_form", "preliminary_approval", "acceptance_notice", "approval_form",
                                "grant_decision", "assignment_notice", "supervision_card"]
    texts = {kind: await print_text("center", granted, kind) for kind in app["documents"]}
    # the form's own wording is Simplified (the test's form data is not)
    assert all("王秀英" in t and "申请" in t and not {"請", "簽", "蓋", "審", "單"} & set(t) for t in texts.values())
    assert "〔2026〕法援初字第0001号" in texts["acceptance_notice"] and LONG_COMMUNITY in texts["application_form"]
    # the acceptance notice, first printed after the decision, still gives the decision's due date
    assert "个工作日内（" in texts["acceptance_notice"]
    assert "李明" in texts["assignment_notice"] and "明德律师事务所" in texts["assignment_notice"]
    # printed again after the community was renamed, every document shows what it showed first
    await rename_community(granted, "东城街道新名称联系点")
    for kind, first in texts.items():
        assert await print_text("east" if kind != "supervision_card" else "center", granted, kind) == first, kind

    # a return asks for materials, a rejection is explained: each with its own notice
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    for who, suffix, body in [("heping", "submit", {}), ("east", "review", {}),
                              ("east", "return", {"missing": "缺少户口簿复印件"})]:
        assert (await staff[who].post(f"/api/applications/{aid}/{suffix}", body))[0] == 200
    assert "缺少户口簿复印件" in await print_text("heping", aid, "supplement_notice")
    for who, suffix, body in [("heping", "reopen", {}), ("heping", "submit", {}), ("east", "review", {}),
                              ("east", "reject", {"reason": "不符合经济困难标准"})]:
        assert (await staff[who].post(f"/api/applications/{aid}/{suffix}", body))[0] == 200
    _, app = await staff["east"].get(f"/api/applications/{aid}")
    assert app["documents"] == ["application_form", "supplement_notice", "non_acceptance_notice"]
    assert "不符合经济困难标准" in await print_text("east", aid, "non_acceptance_notice")
    assert "缺少户口簿复印件" in await print_text("east", aid, "supplement_notice")

    # a denial states its reason and where to object
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    for who, suffix, body in [("heping", "submit", {}), ("east", "review", {}), ("east", "preliminary-approve", {}),
                              ("east", "accept", {}), ("center", "center-review", {}),
                              ("center", "deny", {"reason": "不属于法律援助事项范围"})]:
        assert (await staff[who].post(f"/api/applications/{aid}/{suffix}", body))[0] == 200
    denial = await print_text("heping", aid, "denial_decision")
    assert "不属于法律援助事项范围" in denial and "司法行政部门" in denial
    status, body = await staff["east"].get(f"/api/applications/{aid}/documents/nonsense")
    assert status == 404 and body["error"]["code"]
    status, body = await staff["east"].get(f"/api/applications/{aid}/documents/grant_decision")
    assert status == 404
    _, draft = await staff["heping"].post("/api/applications", form())
    assert (await staff["heping"].get(f"/api/applications/{draft['id']}/documents/acceptance_notice"))[0] == 404
    assert list(tmp_path.glob("*.png"))


# -- attachments (server/files/ with parent kind "application") -----------------------------------
async def test_attachments_are_uploaded_to_the_application_and_listed_on_it(staff) -> None:  # type: ignore[no-untyped-def]
    from tests.route_table import TINY_PNG

    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    upload = {"params": {"parent_kind": "application", "parent_id": str(aid)}, "data": TINY_PNG,
              "headers": {"X-Filename": "%E8%BA%AB%E4%BB%BD%E8%AD%89.png"}}
    status, stored = await staff["heping"].post("/api/files", **upload)
    assert status == 201, stored
    assert (await staff["guangming"].post("/api/files", **upload))[0] in (403, 404)
    status, app = await staff["heping"].patch(f"/api/applications/{aid}",
                                              {"attachments": [{"file_id": stored["id"], "kind": "id_card"}]})
    assert status == 200 and app["attachments"] == [{"file_id": stored["id"], "kind": "id_card"}]
    assert (await staff["heping"].patch(f"/api/applications/{aid}", {"attachments": [
        {"file_id": stored["id"] + 1000, "kind": "evidence"}]}))[0] == 400
    status, files = await staff["east"].get("/api/files", params={"parent_kind": "application",
                                                                  "parent_id": str(aid)})
    assert status == 200 and [f["id"] for f in files] == [stored["id"]]
    assert (await staff["west"].get("/api/files", params={"parent_kind": "application",
                                                          "parent_id": str(aid)}))[0] in (403, 404)
    await staff["heping"].post(f"/api/applications/{aid}/submit", {})
    assert (await staff["heping"].post("/api/files", **upload))[0] == 403  # the papers reviewed are kept


async def test_an_empty_form_is_no_draft_and_a_draft_can_be_deleted(staff) -> None:  # type: ignore[no-untyped-def]
    heping = staff["heping"]
    status, body = await heping.post("/api/applications", {"applicant_name": "  "})
    assert status == 400 and body["error"]["details"]["field"] == "applicant_name"
    _, draft = await heping.post("/api/applications", {"applicant_name": "王秀英"})
    assert (await heping.delete(f"/api/applications/{draft['id']}"))[0] == 204
    status, body = await heping.get(f"/api/applications/{draft['id']}")
    assert status == 404
    status, audit = await staff["admin"].get("/api/audit", params={"action": "application.delete"})
    assert status == 200 and any(e["object"] == f"application:{draft['id']}" for e in audit["rows"]), audit

    _, sent = await heping.post("/api/applications", form())
    status, body = await heping.post(f"/api/applications/{sent['id']}/submit", {})
    assert status == 200, body
    status, body = await heping.delete(f"/api/applications/{sent['id']}")
    assert status == 409 and body["error"]["code"] == "illegal_transition"
