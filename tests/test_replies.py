"""Canned replies through the HTTP API: a unit's staff keep them in order, everyone below reads
them, nobody beside or below may change them."""
from __future__ import annotations

from tests.route_table import World
from tests.support import Api


async def _as(new_api, username: str) -> Api:  # type: ignore[no-untyped-def]
    api = new_api()
    await api.login(username)
    return api


async def _add(api: Api, title: str, language: str = "zh-CN", **more) -> dict:  # type: ignore[no-untyped-def]
    status, body = await api.post("/api/replies", {"language": language, "title": title, "body": f"{title}。",
                                                   **more})
    assert status == 201, body
    return body


async def test_the_unit_tree_decides_who_reads_and_who_keeps(new_api, world: World) -> None:
    center, east, west = [await _as(new_api, n) for n in ("center", "east", "west")]
    lawyer, heping = await _as(new_api, "lawyer1"), await _as(new_api, "heping")
    from_center = await _add(center, "中心的答覆")
    from_east = await _add(east, "工作站的答覆")
    english = await _add(east, "Bring papers", language="en")

    status, seen = await heping.get("/api/replies", params={"language": "zh-CN"})
    assert status == 200
    assert [r["title"] for r in seen] == ["工作站的答覆", "中心的答覆"]  # the nearest unit first
    assert not any(r["editable"] for r in seen)
    status, seen = await west.get("/api/replies")
    assert [r["id"] for r in seen] == [from_center["id"]]  # not the other station's
    status, seen = await lawyer.get("/api/replies")
    assert [r["id"] for r in seen] == [from_center["id"]] and not seen[0]["editable"]
    status, seen = await east.get("/api/replies", params={"language": "en"})
    assert [r["id"] for r in seen] == [english["id"]] and seen[0]["editable"]

    status, body = await heping.patch(f"/api/replies/{from_east['id']}", {"title": "改"})
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await west.delete(f"/api/replies/{from_east['id']}")
    assert status == 404
    status, body = await lawyer.post("/api/replies", {"language": "zh-CN", "title": "律師的", "body": "x"})
    assert status == 403
    status, changed = await center.patch(f"/api/replies/{from_east['id']}", {"body": "中心改過的。"})
    assert status == 200 and changed["body"] == "中心改過的。"


async def test_order_moves_and_closes_up(new_api) -> None:
    east = await _as(new_api, "east")
    first, _, third = [await _add(east, title) for title in ("一", "二", "三")]
    status, moved = await east.patch(f"/api/replies/{third['id']}", {"position": 0})
    assert status == 200 and moved["position"] == 0
    _, seen = await east.get("/api/replies", params={"language": "zh-CN"})
    assert [(r["title"], r["position"]) for r in seen] == [("三", 0), ("一", 1), ("二", 2)]
    assert (await east.delete(f"/api/replies/{first['id']}"))[0] == 204
    _, seen = await east.get("/api/replies", params={"language": "zh-CN"})
    assert [(r["title"], r["position"]) for r in seen] == [("三", 0), ("二", 1)]


async def test_blank_words_are_refused(new_api) -> None:
    east = await _as(new_api, "east")
    for body in ({"language": "zh-CN", "title": "  ", "body": "x"}, {"language": "fr", "title": "a", "body": "b"},
                 {"language": "en", "title": "a", "body": "b" * 1001}):
        status, answer = await east.post("/api/replies", body)
        assert status == 400 and answer["error"]["code"] == "invalid", body
