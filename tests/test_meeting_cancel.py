"""Cancelling a meeting: its host or center staff call off a meeting that has not begun; the
invited see it cancelled and cannot join; a live meeting cannot be cancelled (the state
machine says so, 409); each cancellation is audited."""
from __future__ import annotations

from sqlalchemy import select

from client.connection import SignalingError
from server.audit.models import AuditEntry
from tests.meetings_support import account_ids, participant, schedule


async def test_the_host_or_center_staff_cancel_a_scheduled_meeting_and_nobody_joins_it(  # type: ignore[no-untyped-def]
        new_api, client, clock, db) -> None:
    admin, host, union, east = new_api(), new_api(), new_api(), new_api()
    await admin.login("admin")
    ids = await account_ids(admin)
    await host.login("center")
    await union.login("union")
    await east.login("east")
    _, meeting = await schedule(host, clock.now(), account_ids=[ids["union"], ids["east"]])
    mid = meeting["id"]

    for invitee in (union, east):  # invited is not allowed to call it off
        status, body = await invitee.post(f"/api/meetings/{mid}/cancel")
        assert status == 403 and body["error"]["code"] == "forbidden"
    status, cancelled = await host.post(f"/api/meetings/{mid}/cancel")
    assert status == 200 and cancelled["state"] == "cancelled"
    _, seen = await union.get("/api/meetings")
    assert [(m["id"], m["state"]) for m in seen] == [(mid, "cancelled")]
    status, again = await host.post(f"/api/meetings/{mid}/cancel")
    assert status == 409 and again["error"]["code"] == "illegal_transition"

    late = await participant(str(client.make_url("")), "union")
    try:
        await late.join(mid)
        raise AssertionError("joined a cancelled meeting")
    except SignalingError as exc:
        assert exc.code == "conflict" and "cancelled" in exc.message
    finally:
        await late.close()

    # center staff may call off another unit's meeting; a meeting that went live stays
    _, union_meeting = await schedule(union, clock.now(), title="部門協調會")
    status, body = await admin.post(f"/api/meetings/{union_meeting['id']}/cancel")
    assert status == 200 and body["state"] == "cancelled"
    _, live = await schedule(host, clock.now(), title="正在開的會")
    in_room = await participant(str(client.make_url("")), "center")
    try:
        await in_room.join(live["id"])
        status, body = await host.post(f"/api/meetings/{live['id']}/cancel")
        assert status == 409 and body["error"]["details"] == {"state": "live", "target": "cancelled"}
    finally:
        await in_room.close()

    async with db.sessions() as session:
        audited = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.cancel")
                                             .order_by(AuditEntry.id)))
    assert [a.object for a in audited] == [f"meeting:{mid}", f"meeting:{union_meeting['id']}"]
