"""Issue 16, items 5 and 7: 补充材料 pauses the decision clock on the service calendar, materials
that never come withdraw the application, and each step is pushed to whoever must act next (an
overdue one to the late unit, once)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.audit.models import AuditEntry
from server.realtime.setup import GATEWAY
from tests.conftest import SHANGHAI
from tests.sockets import staff as staff_peer
from tests.test_applications import form, lawyer_profile_id, staff  # noqa: F401 - the fixture

CHANGED = "application.changed"


async def to_center_review(staff, clock, accepted_at: datetime) -> int:  # type: ignore[no-untyped-def]
    clock.set(accepted_at)
    _, app = await staff["heping"].post("/api/applications", form())
    for who, suffix in [("heping", "submit"), ("east", "review"), ("east", "preliminary-approve"), ("east", "accept"),
                        ("center", "center-review")]:
        status, app = await staff[who].post(f"/api/applications/{app['id']}/{suffix}", {})
        assert status == 200, app
    return int(app["id"])


async def test_asking_for_materials_pauses_the_decision_clock_by_the_working_days_taken(staff, clock, db) -> None:  # type: ignore[no-untyped-def]
    # accepted on 30 September: 7 working days across National Day end on 15 October
    aid = await to_center_review(staff, clock, datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    assert (await staff["center"].get(f"/api/applications/{aid}"))[1]["due_on"] == "2026-10-15"
    # the second working day of the clock (Friday 9 October): the center asks for materials
    clock.set(datetime(2026, 10, 9, 11, 0, tzinfo=SHANGHAI))
    status, refused = await staff["east"].post(f"/api/applications/{aid}/request-materials", {"missing": "低保證明"})
    assert status == 403, refused
    status, app = await staff["center"].post(f"/api/applications/{aid}/request-materials",
                                             {"missing": "低保證明原件", "working_days": 10})
    assert status == 200, app
    assert app["state"] == "awaiting_materials" and app["missing"] == "低保證明原件"
    assert (app["due_step"], app["paused_on"]) == ("supplement", "2026-10-09")
    assert app["due_on"] == "2026-10-22"  # ten working days: Saturday 10 October is a make-up working day
    assert app["actions"] == ["materials_received"]
    # on the sixth (Wednesday 14 October) they come: the 10th and 12th–14th were the applicant's
    clock.set(datetime(2026, 10, 14, 15, 0, tzinfo=SHANGHAI))
    status, app = await staff["center"].post(f"/api/applications/{aid}/materials-received", {"note": "已補交"})
    assert status == 200, app
    assert app["state"] == "center_review" and app["paused_working_days"] == 4 and app["paused_on"] is None
    assert (app["due_step"], app["due_on"], app["overdue"]) == ("decision", "2026-10-21", False)  # 15th + 4
    assert [s["action"] for s in app["steps"]][-2:] == ["request_materials", "materials_received"]
    assert app["steps"][-1]["note"].startswith("paused 4 working days")
    # a second request pauses again, and the days add up
    clock.set(datetime(2026, 10, 19, 9, 0, tzinfo=SHANGHAI))
    await staff["center"].post(f"/api/applications/{aid}/request-materials", {"missing": "證據清單"})
    clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    _, app = await staff["center"].post(f"/api/applications/{aid}/materials-received", {})
    assert (app["due_on"], app["paused_working_days"]) == ("2026-10-22", 5)
    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.object == f"application:{aid}", AuditEntry.action.like("application.%materials%")).order_by(AuditEntry.id)))
    assert audited == ["application.request_materials", "application.materials_received"] * 2


async def test_the_station_may_ask_for_materials_during_the_preliminary_review(staff, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))  # Monday
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    await staff["heping"].post(f"/api/applications/{aid}/submit", {})
    _, app = await staff["east"].post(f"/api/applications/{aid}/review", {})
    assert (app["due_step"], app["due_on"]) == ("preliminary", "2026-11-05")
    status, refused = await staff["center"].post(f"/api/applications/{aid}/request-materials", {"missing": "證據"})
    assert status == 403, refused  # not the center's review yet
    clock.set(datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI))
    status, app = await staff["east"].post(f"/api/applications/{aid}/request-materials", {"missing": "勞動合同"})
    assert (status, app["state"], app["due_step"], app["due_on"]) == (200, "awaiting_materials", "supplement",
                                                                       "2026-11-17")  # the default 10 days
    clock.set(datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI))  # two working days later
    status, app = await staff["east"].post(f"/api/applications/{aid}/materials-received", {})
    assert (status, app["state"], app["due_step"], app["due_on"]) == (200, "preliminary_review", "preliminary",
                                                                       "2026-11-09")  # the 5th + 2


async def test_materials_that_never_come_withdraw_the_application(app, client, staff, clock) -> None:  # type: ignore[no-untyped-def]
    base = str(client.make_url("")).rstrip("/")
    community = await staff_peer(base, "heping")  # logged in before the clock goes back
    try:
        await community.next("hello")
        aid = await to_center_review(staff, clock, datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
        _, out = await staff["center"].post(f"/api/applications/{aid}/request-materials",
                                            {"missing": "身份證複印件", "working_days": 3})
        assert out["due_on"] == "2026-11-05"
        clock.set(datetime(2026, 11, 5, 23, 0, tzinfo=SHANGHAI))  # the stated day has not ended
        await app[GATEWAY].sweep()
        assert (await staff["center"].get(f"/api/applications/{aid}"))[1]["state"] == "awaiting_materials"
        clock.set(datetime(2026, 11, 6, 0, 30, tzinfo=SHANGHAI))
        await app[GATEWAY].sweep()
        _, out = await staff["center"].get(f"/api/applications/{aid}")
        assert out["state"] == "withdrawn" and out["actions"] == [] and out["due_on"] is None
        assert out["steps"][-1]["action"] == "withdraw" and out["steps"][-1]["actor"] == "system"
        told = await community.next(CHANGED, index=2)  # the first: the 審批表 came back to the community
        assert (told["application_id"], told["state"], told["change"]) == (aid, "withdrawn", "withdraw")
        # the next sweep neither withdraws again nor calls it overdue
        await app[GATEWAY].sweep()
        # the community helps the applicant: told of the request, and of the withdrawal
        assert [m["change"] for m in community.received[CHANGED]] == ["preliminary_approve", "request_materials",
                                                                      "withdraw"]
    finally:
        await community.close()


async def test_an_application_routed_past_the_station_is_pushed_to_the_unit_it_went_to(  # type: ignore[no-untyped-def]
        app, client, staff, clock) -> None:
    """Sent to a department liaison center, or straight to the center: that unit is told it is
    its turn to review; the community's own station, passed over, is not."""
    base = str(client.make_url("")).rstrip("/")
    peers = {name: await staff_peer(base, name) for name in ("east", "union", "center")}
    clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
    try:
        units = {name: (await p.next("hello"))["unit_id"] for name, p in peers.items()}
        for goes_to in ("union", "center"):  # the trade union's liaison center, then the center itself
            _, out = await staff["heping"].post("/api/applications", form())
            route = units[goes_to]
            assert route in {r["unit_id"] for r in out["routes"]}, out["routes"]
            status, out = await staff["heping"].post(f"/api/applications/{out['id']}/submit",
                                                     {"review_unit_id": route})
            assert (status, out["review_unit_id"]) == (200, route), out
            told = await peers[goes_to].next(CHANGED)
            assert (told["application_id"], told["state"], told["change"]) == (out["id"], "submitted", "submit")
        assert peers["east"].received[CHANGED] == []
        assert len(peers["union"].received[CHANGED]) == 1
    finally:
        for p in peers.values():
            await p.close()


async def test_each_step_is_pushed_to_whoever_must_act_next_and_lateness_to_the_late_unit(  # type: ignore[no-untyped-def]
        app, client, staff, clock) -> None:
    base = str(client.make_url("")).rstrip("/")
    peers = {name: await staff_peer(base, name) for name in ("east", "west", "center", "heping")}
    clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
    try:
        for p in peers.values():
            await p.next("hello")
        _, out = await staff["heping"].post("/api/applications", form())
        aid = out["id"]
        await staff["heping"].post(f"/api/applications/{aid}/submit", {})
        told = await peers["east"].next(CHANGED)
        assert (told["application_id"], told["state"], told["change"], told["due_on"]) == \
            (aid, "submitted", "submit", "2026-11-04")
        assert peers["heping"].received[CHANGED] == []  # not the one who acted
        for suffix in ("review", "preliminary-approve", "accept"):
            await staff["east"].post(f"/api/applications/{aid}/{suffix}", {})
        told = await peers["center"].next(CHANGED)
        assert (told["state"], told["change"]) == ("accepted", "accept")
        assert len(peers["center"].received[CHANGED]) == 1  # the earlier steps were not the center's turn
        assert peers["west"].received[CHANGED] == []  # another station is never told
        # the decision is due on 11 November; on the 12th the center is told it is late, once
        clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=SHANGHAI))
        await app[GATEWAY].sweep()
        late = await peers["center"].next(CHANGED, index=1)
        assert (late["application_id"], late["change"], late["due_on"]) == (aid, "overdue", "2026-11-11")
        await app[GATEWAY].sweep()
        assert len(peers["center"].received[CHANGED]) == 2
        assert [m["change"] for m in peers["east"].received[CHANGED]] == ["submit"]
    finally:
        for p in peers.values():
            await p.close()


async def test_an_objection_to_a_denial_goes_to_the_justice_bureau_for_five_working_days(  # type: ignore[no-untyped-def]
        app, client, staff, new_api, clock, db) -> None:
    bureau = new_api()
    await bureau.login("bureau")
    base = str(client.make_url("")).rstrip("/")
    screen = await staff_peer(base, "bureau")
    try:
        await screen.next("hello")
        aid = await to_center_review(staff, clock, datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))
        status, out = await staff["center"].post(f"/api/applications/{aid}/deny", {"reason": "不屬於法律援助範圍"})
        assert out["state"] == "denied" and out["due_on"] is None
        assert (await staff["heping"].get(f"/api/applications/{aid}"))[1]["actions"] == ["object"]
        assert (await bureau.get(f"/api/applications/{aid}"))[1]["actions"] == []  # nothing to decide yet
        # the objection on Wednesday 30 September: five working days across National Day (Saturday
        # 10 October is a make-up working day) end on 13 October
        clock.set(datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI))
        status, out = await staff["heping"].post(f"/api/applications/{aid}/object", {"reason": "贍養糾紛屬於援助範圍"})
        assert status == 200, out
        assert (out["state"], out["due_step"], out["due_on"], out["objection"]) == \
            ("objection_review", "objection", "2026-10-13", "贍養糾紛屬於援助範圍")
        told = await screen.next(CHANGED)
        assert (told["application_id"], told["state"], told["change"]) == (aid, "objection_review", "object")
        # only the bureau decides: not the center whose denial it is, nor its admin
        for who in ("center", "admin", "east"):
            status, refused = await staff[who].post(f"/api/applications/{aid}/order-correction", {"reason": "改正"})
            assert status == 403, (who, refused)
        # late on the 14th: the bureau is told
        clock.set(datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI))
        await app[GATEWAY].sweep()
        assert (await screen.next(CHANGED, index=1))["change"] == "overdue"
        status, out = await bureau.post(f"/api/applications/{aid}/order-correction", {"reason": "應予援助，責令改正"})
        assert status == 200, out
        assert (out["state"], out["due_step"], out["due_on"]) == ("center_review", "decision", "2026-10-23")
        assert out["objection_decision"] == "應予援助，責令改正" and out["actions"] == []
        assert "approve" in (await staff["center"].get(f"/api/applications/{aid}"))[1]["actions"]
        # denied again, objected again, and this time upheld: final
        await staff["center"].post(f"/api/applications/{aid}/deny", {"reason": "經核實收入超標"})
        await staff["heping"].post(f"/api/applications/{aid}/object", {"reason": "收入計算有誤"})
        status, out = await bureau.post(f"/api/applications/{aid}/uphold-denial", {"reason": "收入超標屬實，維持原決定"})
        assert (status, out["state"], out["due_on"], out["actions"]) == (200, "denial_upheld", None, [])
        assert [s["action"] for s in out["steps"]][-6:] == ["deny", "object", "order_correction", "deny",
                                                          "object", "uphold_denial"]
    finally:
        await screen.close()
    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.object == f"application:{aid}", AuditEntry.action.in_(
                ["application.object", "application.order_correction", "application.uphold_denial"]))
            .order_by(AuditEntry.id)))
    assert audited == ["application.object", "application.order_correction", "application.object",
                       "application.uphold_denial"]


async def test_a_termination_may_be_objected_to_and_the_bureau_may_let_the_case_go_on(  # type: ignore[no-untyped-def]
        staff, new_api, clock, db) -> None:
    bureau = new_api()
    await bureau.login("bureau")
    aid = await to_center_review(staff, clock, datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
    lawyer = await lawyer_profile_id(db, "lawyer1")
    for who, suffix, body in [("center", "approve", {}), ("center", "assign", {"lawyer_id": lawyer, "mode": "picked"}),
                              ("lawyer1", "confirm-assignment", {"no_conflict": True}), ("lawyer1", "start", {})]:
        status, out = await staff[who].post(f"/api/applications/{aid}/{suffix}", body)
        assert status == 200, out
    status, refused = await staff["lawyer1"].post(f"/api/applications/{aid}/terminate", {"reason": "x"})
    assert status == 403, refused
    status, out = await staff["center"].post(f"/api/applications/{aid}/terminate", {"reason": "申請人隱瞞收入"})
    assert (status, out["state"]) == (200, "terminated")
    assert (await staff["lawyer1"].get(f"/api/applications/{aid}"))[1]["state"] == "terminated"
    await staff["heping"].post(f"/api/applications/{aid}/object", {"reason": "收入已如實申報"})
    status, out = await bureau.post(f"/api/applications/{aid}/order-correction", {"reason": "終止理由不成立"})
    assert (status, out["state"]) == (200, "in_progress")  # the case goes on with its lawyer
    await staff["center"].post(f"/api/applications/{aid}/terminate", {"reason": "申請人不再需要"})
    await staff["heping"].post(f"/api/applications/{aid}/object", {"reason": "仍需援助"})
    status, out = await bureau.post(f"/api/applications/{aid}/uphold-denial", {"reason": "維持終止"})
    assert (status, out["state"], out["actions"]) == (200, "termination_upheld", [])
