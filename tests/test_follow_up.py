"""Issue 16, item 9: follow-up that lasts. Several return visits each with its date, channel and
outcome; instalments marked paid as they are paid (their reminder clears); the applicant's
satisfaction with a comment, recorded by staff with them and shown to the lawyer; the supervision
card's answers; who may do each, refusals as 4xx JSON, and an audited read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.audit.models import AuditEntry
from tests.conftest import SHANGHAI
from tests.test_applications import FOLLOW_UP, approved_application, form, lawyer_profile_id, staff  # noqa: F401

CARD = {"attitude": "satisfied", "quality": "basically_satisfied", "charged_fees": False, "comments": "希望更快"}


async def later(staff, clock, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Move the clock; the sessions ended with the jump in time, so everyone logs in again."""
    clock.set(when)
    for name, api in staff.items():
        await api.login(name)


async def closed_case(staff, db, clock, **form_changes: object) -> int:  # type: ignore[no-untyped-def]
    """A case taken to `closed` on Monday 30 November 2026 with lawyer1 assigned."""
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    aid = await approved_application(staff, **form_changes)
    lawyer = await lawyer_profile_id(db, "lawyer1")
    assert (await staff["center"].post(f"/api/applications/{aid}/assign",
                                       {"lawyer_id": lawyer, "mode": "designated"}))[0] == 200
    for suffix, body in [("confirm-assignment", {"no_conflict": True}), ("start", {}), ("close", {"outcome": "判決"})]:
        assert (await staff["lawyer1"].post(f"/api/applications/{aid}/{suffix}", body))[0] == 200
    return aid


async def test_several_visits_by_the_center_and_the_lawyer_with_refusals(staff, db, clock) -> None:  # type: ignore[no-untyped-def]
    aid = await closed_case(staff, db, clock)
    one = f"/api/applications/{aid}"
    status, fu = await staff["center"].post(f"{one}/visits", {"visited_on": "2026-11-30", "channel": "phone",
                                                              "outcome": "申請人表示判決已執行一半"})
    assert status == 201, fu
    assert fu["may"] == ["visit", "pay", "rate"]
    await later(staff, clock, datetime(2026, 12, 14, 15, 0, tzinfo=SHANGHAI))
    status, fu = await staff["lawyer1"].post(f"{one}/visits", {"visited_on": "2026-12-12", "channel": "in_person",
                                                               "outcome": "上門回訪，已收到第一期"})
    assert status == 201, fu
    assert fu["may"] == ["visit", "pay"]  # the lawyer does not record their own rating
    assert [(v["visited_on"], v["channel"], v["recorded_by_name"]) for v in fu["visits"]] == [
        ("2026-11-30", "phone", "中心工作人员 王芳"), ("2026-12-12", "in_person", "李明律师")]
    # the case moves on to follow-up: visits go on being recorded
    assert (await staff["center"].post(f"{one}/follow-up", FOLLOW_UP))[0] == 200
    status, fu = await staff["center"].post(f"{one}/visits", {"visited_on": "2026-12-14", "channel": "video",
                                                              "outcome": "視頻回訪"})
    assert status == 201 and len(fu["visits"]) == 3
    # refused: others' roles (403), outside the tree (404), bad input (400), a future date (400)
    body = {"visited_on": "2026-12-14", "channel": "phone", "outcome": "x"}
    for who, code in [("heping", 403), ("east", 403), ("lawyer2", 404), ("west", 404)]:
        status, refused = await staff[who].post(f"{one}/visits", body)
        assert status == code, (who, refused)
        assert refused["error"]["code"]
    for bad in [{**body, "channel": "pigeon"}, {**body, "outcome": ""}, {**body, "visited_on": "2026-02-30"},
                {**body, "extra": 1}, {"channel": "phone", "outcome": "x"}]:
        status, refused = await staff["center"].post(f"{one}/visits", bad)
        assert status == 400, (bad, refused)
    status, refused = await staff["center"].post(f"{one}/visits", {**body, "visited_on": "2026-12-15"})
    assert (status, refused["error"]["details"]["field"]) == (400, "visited_on")
    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.object == f"application:{aid}", AuditEntry.action == "application.visit")))
    assert len(audited) == 3


async def test_a_visit_before_the_case_is_closed_is_refused(staff, db, clock) -> None:  # type: ignore[no-untyped-def]
    aid = await approved_application(staff)
    status, refused = await staff["center"].post(f"/api/applications/{aid}/visits", {
        "visited_on": "2026-11-30", "channel": "phone", "outcome": "x"})
    assert (status, refused["error"]["code"]) == (409, "illegal_transition")


async def test_instalments_marked_paid_clear_their_reminder(staff, db, clock) -> None:  # type: ignore[no-untyped-def]
    aid = await closed_case(staff, db, clock)
    one = f"/api/applications/{aid}"
    status, _ = await staff["center"].post(f"{one}/follow-up", FOLLOW_UP)  # instalments due 15 Jan and 15 Apr 2027
    assert status == 200
    await later(staff, clock, datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    assert [r["on"] for r in (await staff["center"].get("/api/applications/reminders"))[1]] == ["2027-01-15"]
    status, refused = await staff["heping"].post(f"{one}/instalments/1/paid", {"paid_on": "2027-01-09"})
    assert status == 403, refused
    status, refused = await staff["center"].post(f"{one}/instalments/1/paid", {"paid_on": "2027-01-11"})
    assert (status, refused["error"]["details"]["field"]) == (400, "paid_on")  # tomorrow
    status, refused = await staff["center"].post(f"{one}/instalments/3/paid", {"paid_on": "2027-01-09"})
    assert status == 404, refused
    status, fu = await staff["lawyer1"].post(f"{one}/instalments/1/paid", {"paid_on": "2027-01-09"})
    assert status == 200, fu
    assert [(i["number"], i["paid"], i["paid_on"], i["paid_recorded_by"]) for i in fu["instalments"]] == [
        (1, True, "2027-01-09", "李明律师"), (2, False, None, "")]
    assert (await staff["center"].get("/api/applications/reminders"))[1] == []  # cleared
    status, refused = await staff["center"].post(f"{one}/instalments/1/paid", {"paid_on": "2027-01-09"})
    assert (status, refused["error"]["details"]["reason"]) == (409, "already_paid")
    # the second falls due in April: reminded a week before, unless paid
    await later(staff, clock, datetime(2027, 4, 9, 10, 0, tzinfo=SHANGHAI))
    assert [r["on"] for r in (await staff["center"].get("/api/applications/reminders"))[1]] == ["2027-04-15"]
    assert (await staff["center"].post(f"{one}/instalments/2/paid", {"paid_on": "2027-04-09"}))[0] == 200
    assert (await staff["center"].get("/api/applications/reminders"))[1] == []


async def test_satisfaction_with_a_comment_and_the_card_recorded_by_staff_shown_to_the_lawyer(staff, db, clock) -> None:  # type: ignore[no-untyped-def]
    aid = await closed_case(staff, db, clock)
    one = f"/api/applications/{aid}"
    body = {"satisfaction": 4, "comment": "律师很耐心，但进度慢", "supervision_card": CARD}
    status, refused = await staff["lawyer1"].put(f"{one}/satisfaction", body)
    assert status == 403, refused  # the lawyer being rated does not record it
    assert (await staff["west"].put(f"{one}/satisfaction", body))[0] == 404
    for bad in [{**body, "satisfaction": 6}, {**body, "supervision_card": {**CARD, "attitude": "meh"}},
                {**body, "comment": "x" * 2001}]:
        assert (await staff["heping"].put(f"{one}/satisfaction", bad))[0] == 400
    status, fu = await staff["heping"].put(f"{one}/satisfaction", body)  # the community staff with the applicant
    assert status == 200, fu
    assert (fu["satisfaction"], fu["satisfaction_comment"], fu["satisfaction_on"], fu["satisfaction_by"]) == (
        4, "律师很耐心，但进度慢", "2026-11-30", "和平社区 孙丽")
    assert fu["supervision_card"] == CARD
    # the lawyer reads it, and the read is audited
    status, seen = await staff["lawyer1"].get(f"{one}/follow-up")
    assert status == 200 and seen["satisfaction_comment"] == "律师很耐心，但进度慢" and seen["may"] == ["visit", "pay"]
    assert (await staff["lawyer2"].get(f"{one}/follow-up"))[0] == 404
    async with db.sessions() as session:
        reads = list(await session.scalars(select(AuditEntry.actor_name).where(
            AuditEntry.action == "personal_data.read", AuditEntry.object == f"application:{aid}",
            AuditEntry.detail == "follow-up")))
    assert "李明律师" in reads
    # corrected later by the center, without the card: the card's answers stay
    status, fu = await staff["center"].put(f"{one}/satisfaction", {"satisfaction": 5, "comment": ""})
    assert (status, fu["satisfaction"], fu["supervision_card"]) == (200, 5, CARD)


async def test_applicant_groups_on_the_application_and_the_consultation(staff, db, clock) -> None:  # type: ignore[no-untyped-def]
    status, app = await staff["heping"].post("/api/applications", form(applicant_groups=["woman", "elderly",
                                                                                         "woman"]))
    assert status == 201 and app["applicant_groups"] == ["elderly", "woman"]
    status, app = await staff["heping"].patch(f"/api/applications/{app['id']}", {"applicant_groups": ["disabled"]})
    assert app["applicant_groups"] == ["disabled"]
    status, refused = await staff["heping"].patch(f"/api/applications/{app['id']}", {"applicant_groups": ["rich"]})
    assert status == 400, refused
