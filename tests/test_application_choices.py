"""Issue 16, item 8: the applicant's choices on the form. The chosen lawyer (點援) is written on the
application, printed on its forms and proposed first; another lawyer needs a recorded reason. A
community sends the application to its station, a department liaison center or the center, and
that unit reviews it. A conflict of interest a lawyer declared when declining is remembered and
warned of when the lawyer is proposed again for the same party."""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from server.accounts.models import Account
from server.applications import idnumber
from server.applications.conflicts import name_key
from server.applications.models import LawyerConflict
from server.audit.models import AuditEntry
from server.org.models import Unit
from tests.test_applications import VALID_ID, form, lawyer_profile_id, staff  # noqa: F401 - the fixture

TO_APPROVED = [("heping", "submit"), ("east", "review"), ("east", "preliminary-approve"), ("east", "accept"),
               ("center", "center-review"), ("center", "approve")]


def id_ending_in_x(sex: str = "female") -> str:
    """A valid ID number whose check character is X (the form takes it in either case)."""
    for seq in range(100, 1000):
        if (seq % 2 == 1) != (sex == "male"):
            continue
        first17 = f"11010519600512{seq:03d}"
        if idnumber.check_character(first17) == "X":
            return first17 + "X"
    raise AssertionError("no sequence gives X")


async def unit_id(db, code: str) -> int:  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return int(await session.scalar(select(Unit.id).where(Unit.code == code)))


async def approved(staff, **changes: object) -> dict:  # type: ignore[no-untyped-def]
    status, app = await staff["heping"].post("/api/applications", form(**changes))
    assert status == 201, app
    for who, suffix in TO_APPROVED:
        status, app = await staff[who].post(f"/api/applications/{app['id']}/{suffix}", {})
        assert status == 200, (suffix, app)
    assert app["state"] == "approved"
    return app


# -- the chosen lawyer ------------------------------------------------------------------------------
async def test_the_chosen_lawyer_must_be_an_active_listed_lawyer(staff, db) -> None:  # type: ignore[no-untyped-def]
    lawyer2 = await lawyer_profile_id(db, "lawyer2")
    status, app = await staff["heping"].post("/api/applications", form(chosen_lawyer_id=lawyer2))
    assert status == 201, app
    assert (app["chosen_lawyer_id"], app["chosen_lawyer_name"]) == (lawyer2, "张华")
    for bad in (999_999,):
        status, refused = await staff["heping"].patch(f"/api/applications/{app['id']}", {"chosen_lawyer_id": bad})
        assert status == 400, refused
        assert refused["error"]["details"]["field"] == "chosen_lawyer_id"
    # taken out of the directory: no longer choosable, and a form that names them is not submitted
    status, _ = await staff["admin"].patch(f"/api/lawyers/{lawyer2}", {"listed": False})
    assert status == 200
    status, refused = await staff["heping"].post("/api/applications", form(chosen_lawyer_id=lawyer2))
    assert (status, refused["error"]["details"]["reason"]) == (400, "not_choosable")
    status, refused = await staff["heping"].post(f"/api/applications/{app['id']}/submit", {})
    assert (status, refused["error"]["details"]["field"]) == (400, "chosen_lawyer_id")
    await staff["admin"].patch(f"/api/lawyers/{lawyer2}", {"listed": True})
    # a deactivated account's entry neither
    async with db.sessions.begin() as session:
        account = await session.scalar(select(Account).where(Account.username == "lawyer2"))
        account.active = False
    status, refused = await staff["heping"].patch(f"/api/applications/{app['id']}", {"chosen_lawyer_id": lawyer2})
    assert (status, refused["error"]["details"]["reason"]) == (400, "not_choosable")
    # cleared with null
    status, cleared = await staff["heping"].patch(f"/api/applications/{app['id']}", {"chosen_lawyer_id": None})
    assert (status, cleared["chosen_lawyer_id"], cleared["chosen_lawyer_name"]) == (200, None, "")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils' pdftotext is not installed")
async def test_the_chosen_lawyer_is_on_the_application_form_and_the_acceptance_notice(staff, db,  # type: ignore[no-untyped-def]
                                                                                     tmp_path: Path) -> None:
    lawyer2 = await lawyer_profile_id(db, "lawyer2")
    _, app = await staff["heping"].post("/api/applications", form(chosen_lawyer_id=lawyer2,
                                                                   applicant_groups=["elderly", "disabled"]))
    for who, suffix in TO_APPROVED[:4]:
        await staff[who].post(f"/api/applications/{app['id']}/{suffix}", {})

    async def text(kind: str) -> str:
        api = staff["east"]
        async with api.client.get(f"{api.base_url}/api/applications/{app['id']}/documents/{kind}") as response:
            assert response.status == 200
            body = await response.read()
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(body)
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout

    assert "申请人选择的律师" in (form_text := await text("application_form"))
    assert "张华（正平律师事务所）" in form_text
    # the groups the bureau counts the applicant in, as recorded on the form
    assert any("申请人类别" in line and "老年人、残疾人" in line for line in form_text.splitlines()), form_text
    notice = await text("acceptance_notice")
    assert "张华（正平律师事务所）" in notice and "优先指派" in notice.replace("\n", "")


async def test_the_center_is_offered_the_chosen_lawyer_first_and_says_why_if_another(staff, db) -> None:  # type: ignore[no-untyped-def]
    lawyer1, lawyer2 = await lawyer_profile_id(db, "lawyer1"), await lawyer_profile_id(db, "lawyer2")
    app = await approved(staff, chosen_lawyer_id=lawyer2)
    aid = app["id"]
    status, candidates = await staff["center"].get(f"/api/applications/{aid}/lawyer-candidates")
    assert status == 200, candidates
    assert [(c["lawyer_id"], c["chosen"], c["needs_reason"]) for c in candidates][:2] == \
        [(lawyer2, True, False), (lawyer1, False, True)]
    status, refused = await staff["east"].get(f"/api/applications/{aid}/lawyer-candidates")
    assert status == 403, refused
    # another lawyer without a reason: 400 naming the problem; "picked" for them contradicts the form
    status, refused = await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer1})
    assert status == 400, refused
    assert refused["error"]["details"]["field"] == "reason"
    assert refused["error"]["details"]["problems"] == ["not_chosen_lawyer"]
    assert "张华" in refused["error"]["message"]
    status, refused = await staff["center"].post(f"/api/applications/{aid}/assign",
                                                 {"lawyer_id": lawyer1, "mode": "picked", "reason": "x"})
    assert (status, refused["error"]["details"]["reason"]) == (400, "mode_contradicts_choice")
    status, out = await staff["center"].post(f"/api/applications/{aid}/assign",
                                             {"lawyer_id": lawyer1, "reason": "张华律师本月已满负荷"})
    assert status == 200, out
    assert (out["proposed_lawyer_id"], out["assignment_mode"]) == (lawyer1, "designated")
    assert [s["action"] for s in out["steps"]][-2:] == ["assign", "pass_over_chosen"]
    assert out["steps"][-1]["note"] == "张华: 张华律师本月已满负荷"
    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry.detail).where(
            AuditEntry.object == f"application:{aid}", AuditEntry.action == "application.pass_over_chosen")))
    assert audited == ["张华: 张华律师本月已满负荷"]


async def test_the_chosen_lawyer_is_picked_and_a_decline_excuses_the_reason(staff, db) -> None:  # type: ignore[no-untyped-def]
    lawyer1, lawyer2 = await lawyer_profile_id(db, "lawyer1"), await lawyer_profile_id(db, "lawyer2")
    app = await approved(staff, chosen_lawyer_id=lawyer2)
    aid = app["id"]
    status, out = await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer2})
    assert (status, out["assignment_mode"]) == (200, "picked")
    assert out["steps"][-1]["action"] == "assign"
    status, out = await staff["lawyer2"].post(f"/api/applications/{aid}/decline-assignment", {"reason": "出差三个月"})
    assert status == 200, out
    # the chosen lawyer declined: the center proposes another without a further reason
    _, candidates = await staff["center"].get(f"/api/applications/{aid}/lawyer-candidates")
    assert [(c["lawyer_id"], c["declined_here"], c["needs_reason"]) for c in candidates][:2] == \
        [(lawyer2, True, False), (lawyer1, False, False)]
    status, out = await staff["center"].post(f"/api/applications/{aid}/assign", {"lawyer_id": lawyer1})
    assert (status, out["assignment_mode"]) == (200, "designated")
    assert [s["action"] for s in out["steps"]][-2:] == ["assign", "pass_over_chosen"]


# -- where it goes ----------------------------------------------------------------------------------
async def test_a_community_sends_it_to_a_department_which_reviews_it(staff, db) -> None:  # type: ignore[no-untyped-def]
    east, union, women, center, west, heping = [await unit_id(db, c) for c in (
        "S-EAST", "D-UNION", "D-WOMEN", "CENTER", "S-WEST", "C-EAST-1")]
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    routes = [(r["unit_id"], r["kind"]) for r in app["routes"]]
    assert routes[0] == (east, "station") and routes[-1] == (center, "center")
    assert set(routes[1:-1]) == {(union, "department"), (women, "department")}
    assert (await staff["union"].get(f"/api/applications/{aid}"))[0] == 404  # not sent there yet
    # another station, a community, a unit that does not exist: 400, and nothing moved
    for bad in (west, heping, 999_999):
        status, refused = await staff["heping"].post(f"/api/applications/{aid}/submit", {"review_unit_id": bad})
        assert status == 400, (bad, refused)
        assert (refused["error"]["details"]["field"], refused["error"]["details"]["reason"]) == \
            ("review_unit_id", "not_a_destination")
    status, out = await staff["heping"].post(f"/api/applications/{aid}/submit", {"review_unit_id": "x"})
    assert status == 400, out
    assert (await staff["center"].get(f"/api/applications/{aid}"))[1]["state"] == "draft"
    status, out = await staff["heping"].post(f"/api/applications/{aid}/submit", {"review_unit_id": union})
    assert status == 200, out
    assert (out["review_unit_id"], out["review_unit_name"]) == (union, "区总工会法律援助联络中心")
    assert out["steps"][-1]["note"] == "区总工会法律援助联络中心"
    # the department sees it and reviews it; the community's own station sees it but may not
    status, seen = await staff["union"].get(f"/api/applications/{aid}")
    assert status == 200 and "review" in seen["actions"]
    assert any(row["id"] == aid for row in (await staff["union"].get("/api/applications"))[1])
    status, refused = await staff["east"].post(f"/api/applications/{aid}/review", {})
    assert status == 403, refused
    for suffix in ("review", "preliminary-approve", "accept"):
        status, out = await staff["union"].post(f"/api/applications/{aid}/{suffix}", {})
        assert status == 200, (suffix, out)
    assert out["state"] == "accepted" and out["case_number"]


async def test_a_community_sends_it_straight_to_the_center(staff, db) -> None:  # type: ignore[no-untyped-def]
    center = await unit_id(db, "CENTER")
    _, app = await staff["heping"].post("/api/applications", form())
    aid = app["id"]
    status, out = await staff["heping"].post(f"/api/applications/{aid}/submit", {"review_unit_id": center})
    assert (status, out["review_unit_id"]) == (200, center)
    for who in ("east", "union"):
        status, _ = await staff[who].post(f"/api/applications/{aid}/review", {})
        assert status in (403, 404), who
    for suffix in ("review", "preliminary-approve", "accept", "center-review", "approve"):
        status, out = await staff["center"].post(f"/api/applications/{aid}/{suffix}", {})
        assert status == 200, (suffix, out)
    assert out["state"] == "approved"


async def test_a_station_reviews_what_it_files_itself(staff, db) -> None:  # type: ignore[no-untyped-def]
    east, center = await unit_id(db, "S-EAST"), await unit_id(db, "CENTER")
    _, app = await staff["east"].post("/api/applications", form())
    assert [r["unit_id"] for r in app["routes"]] == [east]
    status, refused = await staff["east"].post(f"/api/applications/{app['id']}/submit", {"review_unit_id": center})
    assert (status, refused["error"]["details"]["reason"]) == (400, "not_a_destination")


# -- conflicts remembered ---------------------------------------------------------------------------
def test_names_compare_without_width_spaces_case_or_a_bracketed_remark() -> None:
    assert name_key("王秀英") == name_key(" 王 秀英（母亲）") == name_key("王秀英(申请人)")
    assert name_key("ＡＢＣ 公司") == name_key("abc公司")
    assert name_key("王秀英") != name_key("王秀兰")


async def test_a_declared_conflict_warns_when_the_lawyer_is_proposed_for_that_party_again(  # type: ignore[no-untyped-def]
        staff, db, caplog) -> None:
    caplog.set_level(logging.INFO)  # what the service logs (aiosqlite's DEBUG echoes every query's parameters)
    lawyer1 = await lawyer_profile_id(db, "lawyer1")
    person = id_ending_in_x()
    first = await approved(staff, id_number=person.lower(), applicant_sex="female", birth_date="1960-05-12")
    await staff["center"].post(f"/api/applications/{first['id']}/assign", {"lawyer_id": lawyer1})
    status, refused = await staff["lawyer1"].post(f"/api/applications/{first['id']}/decline-assignment",
                                                  {"reason": "x", "conflict_with": ["someone"]})
    assert status == 400, refused
    status, out = await staff["lawyer1"].post(f"/api/applications/{first['id']}/decline-assignment",
                                              {"reason": "曾代理王大明", "conflict_with": ["applicant", "opposing_party"]})
    assert status == 200, out
    async with db.sessions() as session:
        kept = list(await session.scalars(select(LawyerConflict).order_by(LawyerConflict.id)))
    assert [(c.party, c.party_name, c.id_number, c.lawyer_id) for c in kept] == [
        ("applicant", "王秀英", person, lawyer1), ("opposing_party", "王大明（兒子）", "", lawyer1)]

    # the same applicant (her ID number, written with a capital X) comes again, under another name spelling
    second = await approved(staff, applicant_name="王 秀英", id_number=person, applicant_sex="female",
                            birth_date="1960-05-12", opposing_party="某物业公司")
    status, candidates = await staff["center"].get(f"/api/applications/{second['id']}/lawyer-candidates")
    assert status == 200
    warned = next(c for c in candidates if c["lawyer_id"] == lawyer1)
    assert warned["needs_reason"] is True
    assert [(w["application_id"], w["party"], w["matched_by"], w["id_number_masked"]) for w in warned["conflicts"]] \
        == [(first["id"], "applicant", "id_number", person[:6] + "*" * 12)]
    assert all(not c["conflicts"] for c in candidates if c["lawyer_id"] != lawyer1)
    status, refused = await staff["center"].post(f"/api/applications/{second['id']}/assign", {"lawyer_id": lawyer1})
    assert status == 400, refused
    details = refused["error"]["details"]
    assert (details["field"], details["problems"]) == ("reason", ["remembered_conflict"])
    assert details["conflicts"][0]["application_id"] == first["id"]
    assert person not in str(refused)
    # the center may still propose them, saying why
    status, out = await staff["center"].post(f"/api/applications/{second['id']}/assign",
                                             {"lawyer_id": lawyer1, "reason": "已核实：前案已结，当事人同意"})
    assert status == 200, out
    assert [s["action"] for s in out["steps"]][-2:] == ["assign", "override_conflict"]
    assert out["steps"][-1]["note"] == "李明: 已核实：前案已结，当事人同意"

    # the opposing party of the first case is the applicant of a third: warned by name
    third = await approved(staff, applicant_name="王大明", applicant_sex="male", opposing_party="王秀英（母親）")
    _, candidates = await staff["center"].get(f"/api/applications/{third['id']}/lawyer-candidates")
    warned = next(c for c in candidates if c["lawyer_id"] == lawyer1)
    assert {(w["party"], w["earlier_party"], w["matched_by"]) for w in warned["conflicts"]} == \
        {("applicant", "opposing_party", "name"), ("opposing_party", "applicant", "name")}

    # the same name with another ID number is another person: no warning
    stranger = await approved(staff, opposing_party="某公司")  # 王秀英, VALID_ID
    _, candidates = await staff["center"].get(f"/api/applications/{stranger['id']}/lawyer-candidates")
    assert all(not c["conflicts"] for c in candidates)

    # the ID number is in no audit row and no log line
    async with db.sessions() as session:
        details = list(await session.scalars(select(AuditEntry.detail)))
        declared = list(await session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "application.conflict_declared")))
    assert declared == ["conflict of interest with applicant, opposing_party"]
    assert not [d for d in details if person in d.upper() or person[:17] in d]
    assert person[:17] not in caplog.text


async def test_a_conflict_with_an_opposing_party_the_form_does_not_name_is_refused(staff, db) -> None:  # type: ignore[no-untyped-def]
    lawyer1 = await lawyer_profile_id(db, "lawyer1")
    app = await approved(staff, opposing_party="")
    await staff["center"].post(f"/api/applications/{app['id']}/assign", {"lawyer_id": lawyer1})
    status, refused = await staff["lawyer1"].post(f"/api/applications/{app['id']}/decline-assignment",
                                                  {"reason": "利益冲突", "conflict_with": ["opposing_party"]})
    assert (status, refused["error"]["details"]["reason"]) == (400, "no_such_party")
    assert (await staff["center"].get(f"/api/applications/{app['id']}"))[1]["proposed_lawyer_id"] == lawyer1
