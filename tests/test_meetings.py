"""Meetings without Janus: scheduling and invitations, a mesh meeting of three aiortc
clients (frames flow every way), the lobby and the host's controls, chat, attendance rows that
match the joins and leaves, and the clear refusal of what needs Janus."""
from __future__ import annotations

from datetime import timedelta

from client.connection import SignalingError
from signaling import events
from tests.meetings_support import account_ids, meeting_with_union, participant, schedule
from tests.support import wait_until

FRAMES = 10  # frames each member must decode from each other member


async def test_schedule_invitations_and_the_ten_minute_rule(new_api, client, clock) -> None:  # type: ignore[no-untyped-def]
    admin, host, union, west = new_api(), new_api(), new_api(), new_api()
    await admin.login("admin")
    ids = await account_ids(admin)
    await host.login("center")
    await union.login("union")
    await west.login("west")
    status, meeting = await schedule(host, clock.now(), account_ids=[ids["union"]], starts_in=timedelta(minutes=30))
    assert status == 201, meeting
    assert meeting["joinable_from"] < meeting["starts_at"] and meeting["invited"]
    _, seen = await union.get("/api/meetings")
    assert [x["id"] for x in seen if x["invited"]] == [meeting["id"]]
    _, seen = await west.get("/api/meetings")
    assert meeting["id"] not in [x["id"] for x in seen]
    assert (await west.get(f"/api/meetings/{meeting['id']}"))[0] == 403

    base = str(client.make_url(""))
    early = await participant(base, "union")
    try:
        try:
            await early.join(meeting["id"])
            raise AssertionError("joined 30 minutes early")
        except SignalingError as exc:
            assert exc.code == "conflict" and "10 minutes" in exc.message
        clock.advance(minutes=21)
        ack = await early.join(meeting["id"])
        assert not ack["lobby"] and ack["topology"] == "mesh"
    finally:
        await early.close()


async def test_a_training_or_a_large_meeting_without_janus_is_refused_with_the_reason(new_api, clock) -> None:  # type: ignore[no-untyped-def]
    host = new_api()
    await host.login("center")
    status, body = await schedule(host, clock.now(), kind="training")
    assert status == 409, body
    assert "FAYUAN_JANUS_URL" in body["error"]["message"] and "4" in body["error"]["message"]
    # what /meetings reads to say so before anyone schedules one
    assert await host.get("/api/meetings/video-server") == (200, {"janus": "not_configured", "mesh_max": 4})


async def test_mesh_meeting_of_three_with_host_controls_chat_and_attendance(new_api, client, clock) -> None:  # type: ignore[no-untyped-def]
    admin, host_api = new_api(), new_api()
    await admin.login("admin")
    ids = await account_ids(admin)
    await host_api.login("center")
    status, meeting = await schedule(host_api, clock.now(), account_ids=[ids["union"], ids["east"]])
    assert status == 201, meeting
    mid = meeting["id"]
    base = str(client.make_url(""))
    host, union, east = [await participant(base, name) for name in ("center", "union", "east")]
    outsider = await participant(base, "heping")
    try:
        for one in (host, union, east):
            ack = await one.join(mid)
            assert ack["topology"] == "mesh" and not ack["lobby"]
            clock.advance(10)
        assert [p["name"] for p in host.roster["participants"]] == ["中心工作人员 王芳", "总工会 刘强", "东城工作站 陈静"]

        # frames flow between every pair
        async def everyone_sees_everyone() -> bool:
            return all(len(c.received()) == 2 and min(c.received().values()) >= FRAMES for c in (host, union, east))
        await wait_until(everyone_sees_everyone, timeout=60)

        # a signal to someone who is not in the room, or from someone not in it, is refused
        try:
            await outsider.connection.call(events.MEETING_SIGNAL, {"meeting_id": mid, "to": f"account:{ids['center']}",
                                                      "type": "offer", "sdp": "v=0"})
            raise AssertionError("an outsider signaled into the room")
        except SignalingError as exc:
            assert exc.code == "forbidden"

        # the uninvited wait in the lobby until the host admits them
        ack = await outsider.join(mid)
        assert ack["lobby"] is True
        await wait_until(lambda: [x["name"] for x in host.roster.get("lobby", [])] == ["和平社区 孙丽"])
        await host.call(events.MEETING_CONTROL, action="admit", account_id=ids["heping"])
        await outsider.wait_admitted()
        await outsider.connection.call(events.MEETING_JOIN, {"meeting_id": mid})  # no media: it only tests the controls
        clock.advance(10)
        await wait_until(lambda: len(host.roster["participants"]) == 4)

        # a fifth would exceed the mesh
        fifth = await participant(base, "west")
        try:
            await host.call(events.MEETING_CONTROL, action="lock")
            assert (await fifth.join(mid))["lobby"] is True  # locked: even the lobby only
        finally:
            await fifth.close()
        await host.call(events.MEETING_CONTROL, action="unlock")

        # raise hand, mute all (a request the clients obey, and state), only the host controls
        await union.call(events.MEETING_STATE, hand_raised=True)
        await wait_until(lambda: any(p["hand_raised"] for p in host.roster["participants"]))
        try:
            await union.call(events.MEETING_CONTROL, action="mute_all")
            raise AssertionError("a participant used the host's controls")
        except SignalingError as exc:
            assert exc.code == "forbidden"
        await host.call(events.MEETING_CONTROL, action="mute_all")
        await wait_until(lambda: union.muted_by_host and east.muted_by_host)
        await wait_until(lambda: all(p["muted"] for p in host.roster["participants"] if p["role"] != "host"))

        # chat: the chat capability, room meeting:<id>
        room = f"meeting:{mid}"
        await east.connection.call("chat.sync", {"room": room})
        sent = await union.connection.call("chat.send", {"room": room, "client_id": "u-1", "text": "大家好"})
        assert sent["message"]["seq"] == 1
        pushed = await east.connection.wait_for("chat.message", lambda d: d.get("room") == room)
        assert pushed["text"] == "大家好"
        west = await participant(base, "west")
        try:
            await west.connection.call("chat.send", {"room": room, "client_id": "w", "text": "x"})
            raise AssertionError("an uninvited person wrote in the meeting chat")
        except SignalingError as exc:
            assert exc.code == "forbidden"
        finally:
            await west.close()

        # remove: out of the room, no way back
        await host.call(events.MEETING_CONTROL, action="remove", account_id=ids["heping"])
        await outsider.connection.wait_for(events.MEETING_REMOVED)
        clock.advance(10)  # t = 50 s
        try:
            await outsider.connection.call(events.MEETING_JOIN, {"meeting_id": mid})
            raise AssertionError("a removed person came back")
        except SignalingError as exc:
            assert exc.code == "forbidden"

        # east leaves and comes back; then the host ends the meeting for all
        await east.leave()
        clock.advance(30)
        await east.join(mid)
        clock.advance(30)
        await host.call(events.MEETING_CONTROL, action="end")
        await wait_until(lambda: union.ended is not None and east.ended is not None)
    finally:
        for one in (host, union, east, outsider):
            await one.close()

    status, rows = await host_api.get(f"/api/meetings/{mid}/attendance")
    assert status == 200, rows
    stays = [(r["name"], r["seconds"]) for r in rows]
    assert stays == [("中心工作人员 王芳", 110), ("总工会 刘强", 100), ("东城工作站 陈静", 30),
                     ("和平社区 孙丽", 10), ("东城工作站 陈静", 30)], stays
    status, text = await host_api.get(f"/api/meetings/{mid}/attendance.csv")
    assert status == 200 and text.splitlines()[0].lstrip("\ufeff") == "姓名,单位,进入时间,离开时间,时长（秒）,是否参加"
    assert len(text.splitlines()) == 6


async def test_joining_again_from_another_socket_moves_the_member_there(new_api, client, clock) -> None:  # type: ignore[no-untyped-def]
    """A second tab (or a reconnect through another process) that joins holds the member in the
    room: signals go to it alone, and the old socket dropping does not take the member out."""
    ids, mid, host_api = await meeting_with_union(new_api, clock.now())
    base = str(client.make_url(""))
    host, first, second = [await participant(base, name) for name in ("center", "union", "union")]
    try:
        for one in (host, first, second):
            assert (await one.connection.call(events.MEETING_JOIN, {"meeting_id": mid}))["lobby"] is False
        await host.connection.call(events.MEETING_SIGNAL, {"meeting_id": mid, "to": f"account:{ids['union']}",
                                                           "type": "candidate", "candidate": "c-1"})
        await second.connection.wait_for(events.MEETING_SIGNALED, lambda d: d.get("candidate") == "c-1")
        await first.close()
        await host.connection.call(events.MEETING_SIGNAL, {"meeting_id": mid, "to": f"account:{ids['union']}",
                                                           "type": "candidate", "candidate": "c-2"})
        await second.connection.wait_for(events.MEETING_SIGNALED, lambda d: d.get("candidate") == "c-2")
        assert not [d for e, d in first.connection._backlog if e == events.MEETING_SIGNALED]
        roster = await host.connection.call(events.MEETING_STATE, {"meeting_id": mid, "hand_raised": True})
        assert roster["me"]["hand_raised"] is True
        _, attendance = await host_api.get(f"/api/meetings/{mid}/attendance")
        assert [a["left_at"] for a in attendance if a["account_id"] == ids["union"]] == [None], attendance
    finally:
        for one in (host, first, second):
            await one.close()
