"""GET /api/me/counts: the staff header's counts follow the same unit-tree rules as the lists."""
from __future__ import annotations

import pytest

from tests.route_table import World, application_in
from tests.support import Api

MESSAGE = {"category": "wages_labour", "question": "老闆拖欠三個月工資，怎麼辦？", "contact_name": "王大爺",
           "contact_phone": "13912345678"}


@pytest.fixture
def as_user(new_api):  # type: ignore[no-untyped-def]
    """A logged-in client per username: as_user("east")."""
    async def signed_in(username: str) -> Api:
        return await logged_in(new_api(), username)

    return signed_in


async def logged_in(api: Api, username: str) -> Api:
    await api.login(username)
    return api


async def counts(api: Api) -> dict:
    status, body = await api.get("/api/me/counts")
    assert status == 200, body
    return body


async def test_board_count_is_the_unanswered_messages_one_handles(as_user, new_api, world: World) -> None:
    east, west, heping = await as_user("east"), await as_user("west"), await as_user("heping")
    assert (await counts(east))["board"] == 0
    kiosk = new_api()
    kiosk.bearer = world.kiosk_tokens["C-EAST-1"]
    status, left = await kiosk.post("/api/board/messages", MESSAGE)  # for its station, S-EAST
    assert status == 201, left
    assert (await counts(east))["board"] == 1
    assert (await counts(west))["board"] == 0  # another station's
    assert (await counts(heping))["board"] == 0  # community staff leave messages, they do not answer them
    status, body = await east.post(f"/api/board/messages/{left['id']}/reply", {"body": "請帶上勞動合同來工作站。"})
    assert status == 200, body
    assert (await counts(east))["board"] == 0


async def test_application_count_is_the_steps_waiting_for_one(as_user, world: World) -> None:
    east, west, center = await as_user("east"), await as_user("west"), await as_user("center")
    before = {name: await counts(api) for name, api in (("east", east), ("west", west), ("center", center))}
    await application_in(world, "C-EAST-1", "submitted")  # S-EAST reviews it
    await application_in(world, "C-EAST-1", "accepted")  # the center decides it
    await application_in(world, "C-EAST-1", "rejected")  # final: nobody's step
    assert (await counts(east))["applications"] == before["east"]["applications"] + 1
    assert (await counts(west))["applications"] == before["west"]["applications"]
    assert (await counts(center))["applications"] == before["center"]["applications"] + 1


async def test_every_count_is_a_number_for_every_staff_role(as_user) -> None:
    for username in ("admin", "center", "lawyer1", "union", "east", "heping"):
        body = await counts(await as_user(username))
        assert set(body) == {"queue", "board", "applications"}
        assert all(isinstance(v, int) and v >= 0 for v in body.values()), (username, body)


async def test_a_kiosk_has_no_counts(new_api, world: World) -> None:
    kiosk = new_api()
    kiosk.bearer = world.kiosk_tokens["C-EAST-1"]
    status, body = await kiosk.get("/api/me/counts")
    assert status == 403 and body["error"]["code"]
