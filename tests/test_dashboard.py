"""GET /api/dashboard and dashboard.watch (issue 15, item 5): the center's figures move with a
consultation, the board's and the applications' deadlines fall due as the clock moves, the
wall display hears the pushes that change them, and nobody but the center's staff sees them."""
from __future__ import annotations

from datetime import date

from sqlalchemy import update

from server.applications.models import Application
from server.dashboard.service import echoes
from server.notify import Notice, QueueChanged, account, kiosk as kiosk_room
from signaling import events
from tests.route_table import World, application_in
from tests.sockets import kiosk, lawyer_on_duty, staff
from tests.support import Api
from tests.test_applications import form as application_form

TODAY = "2026-11-30"  # the test clock's Monday, 10:00 in China
CONTACT = {"contact_name": "王大爺", "contact_phone": "13912345678"}
MESSAGE = {"category": "wages_labour", "question": "老闆拖欠三個月工資，怎麼辦？", **CONTACT}


async def figures(api: Api) -> dict:
    status, body = await api.get("/api/dashboard")
    assert status == 200, body
    return body


async def next_day(clock, api: Api, username: str = "center") -> None:
    """A day later: logins do not last overnight, so log in again."""
    clock.advance(days=1)
    await api.login(username)


def queue_of(board: dict, unit_id: int) -> dict:
    return next(q for q in board["queues"] if q["unit_id"] == unit_id)


async def test_queue_lawyer_and_day_figures_move_with_a_consultation(client, new_api, demo, peers, clock) -> None:
    base = str(client.make_url("")).rstrip("/")
    center = new_api()
    await center.login("center")
    before = await figures(center)
    assert [q["unit_kind"] for q in before["queues"]] == ["center", "department", "department", "station",
                                                          "station"]
    assert {q["waiting"] for q in before["queues"]} == {0} and before["lawyers"]["people"] == []
    assert before["today"] == TODAY and before["service_open"] is True
    wall = await staff(base, "center")
    peers.append(wall)
    watching = await wall.call(events.DASHBOARD_WATCH, {})
    assert sorted(watching["queues"]) == sorted(q["unit_id"] for q in before["queues"])

    lawyer = await lawyer_on_duty(base, center, "lawyer1", TODAY)
    k = await kiosk(base, demo["kiosks"][0]["token"])
    peers += [lawyer, k]
    assert (await figures(center))["lawyers"] == {"on_duty": 1, "in_call": 0, "rostered": 1,
                                                  "people": [{"name": "李明律师", "status": "available"}]}
    started = await k.call(events.CONSULT_START, {"category": "wages_labour", "text": "老板欠薪", **CONTACT})
    target = started["consultation"]["target_unit_id"]
    await wall.next(events.QUEUE_CHANGED, index=len(wall.received[events.QUEUE_CHANGED]))
    clock.advance(seconds=95)
    waiting = await figures(center)
    assert queue_of(waiting, target)["waiting"] == 1
    assert queue_of(waiting, target)["longest_wait_seconds"] == 95
    assert waiting["today_consultations"]["started"] == 1 and waiting["today_consultations"]["waiting"] == 1

    took = await lawyer.call(events.QUEUE_TAKE, {"consultation_id": started["consultation"]["id"]})
    assert "error" not in took, took
    live = await figures(center)
    assert queue_of(live, target) | {"waiting": 0, "longest_wait_seconds": 0, "in_call": 1} == queue_of(live, target)
    assert live["lawyers"]["in_call"] == 1 and live["lawyers"]["people"] == [{"name": "李明律师", "status": "in_call"}]
    assert live["today_consultations"] | {"answered": 1, "live": 1, "waiting": 0,
                                          "avg_wait_seconds": 95} == live["today_consultations"]

    await lawyer.call(events.CONSULT_HANGUP, {"consultation_id": started["consultation"]["id"]})
    ended = await wall.next(events.CONSULT_ENDED)  # the wall is not in the consultation's room: its echo
    assert ended["consultation_id"] == started["consultation"]["id"]
    after = await figures(center)
    assert queue_of(after, target)["in_call"] == 0 and after["lawyers"]["in_call"] == 0
    assert after["today_consultations"]["ended"] == 1 and after["today_consultations"]["live"] == 0
    for value in CONTACT.values():
        assert value not in str(after), "the dashboard names no resident"

    await next_day(clock, center)
    assert (await figures(center))["today_consultations"]["started"] == 0


async def test_board_messages_and_applications_fall_due_as_days_pass(new_api, world: World, clock) -> None:
    center = new_api()
    await center.login("center")
    kiosk_api = new_api()
    kiosk_api.bearer = world.kiosk_tokens["C-EAST-1"]
    status, left = await kiosk_api.post("/api/board/messages", MESSAGE)  # Monday: two working days to reply
    assert status == 201, left
    assert (await figures(center))["board"] == {"overdue": 0, "due_today": 0}

    # an accepted application whose decision is due Wednesday, one past due, a closed one past due
    for state, due in (("accepted", date(2026, 12, 2)), ("center_review", date(2026, 11, 27)),
                       ("rejected", date(2026, 11, 27))):
        application_id = await application_in(world, "C-EAST-1", state)
        async with world.db.sessions.begin() as session:
            await session.execute(update(Application).where(Application.id == application_id)
                                  .values(due_on=due, due_step="decision"))
    assert (await figures(center))["applications"] == {"overdue": 1, "due_today": 0, "due_next_workday": 0,
                                                       "by_step": {"decision": 1}}
    await next_day(clock, center)  # Tuesday: Wednesday is the next working day
    tuesday = (await figures(center))["applications"]
    assert tuesday == {"overdue": 1, "due_today": 0, "due_next_workday": 1, "by_step": {"decision": 2}}
    await next_day(clock, center)  # Wednesday
    wednesday = await figures(center)
    assert wednesday["board"] == {"overdue": 0, "due_today": 1}
    assert wednesday["applications"] == {"overdue": 1, "due_today": 1, "due_next_workday": 0,
                                         "by_step": {"decision": 2}}
    await next_day(clock, center)  # Thursday
    assert (await figures(center))["board"] == {"overdue": 1, "due_today": 0}
    assert (await figures(center))["applications"]["overdue"] == 2

    status, _ = await center.post(f"/api/board/messages/{left['id']}/reply", {"body": "請帶上勞動合同來中心。"})
    assert status == 200
    assert (await figures(center))["board"] == {"overdue": 0, "due_today": 0}


async def test_only_the_centers_staff_and_admins_see_it(new_api, world: World, client, peers) -> None:
    for username in ("admin", "center"):
        await figures(await _signed_in(new_api(), username))
    for username in ("lawyer1", "union", "east", "heping", "east-admin", "bureau"):
        status, body = await (await _signed_in(new_api(), username)).get("/api/dashboard")
        assert status == 403 and body["error"]["code"] == "forbidden", (username, status, body)
    kiosk_api = new_api()
    kiosk_api.bearer = world.kiosk_tokens["C-EAST-1"]
    assert (await kiosk_api.get("/api/dashboard"))[0] in (401, 403)
    assert (await new_api().get("/api/dashboard"))[0] == 401

    base = str(client.make_url("")).rstrip("/")
    lawyer, k = await staff(base, "lawyer1"), await kiosk(base, world.kiosk_tokens["C-EAST-1"])
    peers += [lawyer, k]
    for peer in (lawyer, k):
        assert (await peer.call(events.DASHBOARD_WATCH, {}))["error"]["code"] == "forbidden"


async def _signed_in(api: Api, username: str) -> Api:
    await api.login(username)
    return api


async def test_a_wall_on_one_process_hears_a_change_made_on_the_other(two_servers) -> None:
    """A submitted application is the reviewing station's turn, not the center's: the wall hears
    it only through the dashboard's room, from the other process through Redis."""
    first, second = two_servers
    wall = await staff(first.base_url, "center")
    heping = Api(second.base_url)
    try:
        await wall.call(events.DASHBOARD_WATCH, {})
        await heping.login("heping")
        status, draft = await heping.post("/api/applications", application_form())
        assert status == 201, draft
        status, body = await heping.post(f"/api/applications/{draft['id']}/submit", {})
        assert status == 200, body
        changed = await wall.next(events.APPLICATION_CHANGED)
        assert changed["application_id"] == draft["id"] and changed["state"] == "submitted"
    finally:
        await wall.close()
        await heping.close()


def test_the_wall_hears_each_change_once_and_nothing_else() -> None:
    board = {"message_id": 7, "state": "open", "change": "left"}
    pushes = [Notice(account(1), events.BOARD_CHANGED, board), Notice(account(2), events.BOARD_CHANGED, board),
              Notice(kiosk_room(3), events.BOARD_CHANGED, board), QueueChanged(4),
              Notice(kiosk_room(3), events.CONSULT_TAKEN, {"consultation_id": 9, "ice_servers": ["secret"]}),
              Notice("consultation:9", events.CONSULT_ENDED, {"consultation_id": 9, "reason": "hangup"})]
    assert echoes(pushes) == [(events.BOARD_CHANGED, board),
                              (events.CONSULT_ENDED, {"consultation_id": 9, "reason": "hangup"})]
