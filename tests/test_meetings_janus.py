"""Meetings through a real Janus (Debian's package, started here on free ports): three
aiortc clients publish and subscribe in a VideoRoom through our server, frames flow, nobody
reaches the Janus room without a permission our server issued, and the recorder (a Janus
subscriber of each feed) records once all consent, until one withdraws."""
from __future__ import annotations

from pathlib import Path

import aiohttp
import av
import pytest
from sqlalchemy import select

from client.connection import SignalingError
from server.app import init_app
from server.realtime.janus import JanusError, JanusSession
from server.recordings.models import Recording
from server.realtime.meetings import MEETINGS
from signaling import events
from tests.janus_process import JanusProcess, available
from tests.meetings_support import account_ids, participant, schedule
from tests.support import Api, settings_for, start_client, wait_until

pytestmark = pytest.mark.skipif(not available(), reason="Debian's janus is not installed (apt-get install janus)")
FRAMES = 10


@pytest.fixture
def janus(tmp_path: Path):  # type: ignore[no-untyped-def]
    process = JanusProcess(tmp_path).start()
    yield process
    process.stop()


@pytest.fixture
async def janus_client(db_url: str, tmp_path: Path, clock, demo, janus: JanusProcess):  # type: ignore[no-untyped-def]
    app = init_app(settings_for(db_url, tmp_path, extra={"FAYUAN_JANUS_URL": janus.url}), clock=clock,
                   run_sweeper=False)
    test_client = await start_client(app)
    yield test_client
    await test_client.close()


async def test_three_publish_and_subscribe_through_janus_and_no_one_gets_in_without_us(
        janus_client, janus: JanusProcess, clock, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = str(janus_client.make_url(""))
    from tests.support import Api

    admin, host_api = Api(base), Api(base)
    try:
        await admin.login("admin")
        ids = await account_ids(admin)
        await host_api.login("center")
        # a training: Janus whatever the size; union presents once promoted, east only watches
        status, meeting = await schedule(host_api, clock.now(), kind="training",
                                         account_ids=[ids["union"], ids["east"]])
        assert status == 201, meeting
    finally:
        await admin.close()
        await host_api.close()
    mid = meeting["id"]
    host, union, east = [await participant(base, name) for name in ("center", "union", "east")]
    outsider = await participant(base, "west")
    try:
        assert (await host.join(mid))["topology"] == "janus"
        assert host.me["role"] == "host"
        await union.join(mid)
        await east.join(mid)
        assert union.me["role"] == east.me["role"] == "viewer"

        # a viewer may not publish: no offer of theirs reaches Janus
        try:
            await east.janus("pub2", {"request": "join", "ptype": "publisher"}, jsep={"type": "offer", "sdp": "v=0"})
            raise AssertionError("a viewer published")
        except SignalingError as exc:
            assert exc.code == "forbidden"
        # nor may anyone ask Janus for what only the server does
        for request in ({"request": "destroy", "room": 1}, {"request": "kick", "id": 1},
                        {"request": "create", "room": 5}):
            try:
                await union.janus("publisher", request)
                raise AssertionError(f"{request} went through")
            except SignalingError as exc:
                assert exc.code == "forbidden"
        # someone not in the meeting cannot even ask
        try:
            await outsider.connection.call(events.MEETING_JANUS, {"meeting_id": mid, "handle": "publisher",
                                                     "request": {"request": "join", "ptype": "publisher"}})
            raise AssertionError("an outsider reached Janus")
        except SignalingError as exc:
            assert exc.code == "forbidden"

        # the host promotes union: now three publish (host, union) or watch (east); all subscribe
        await host.call(events.MEETING_CONTROL, action="promote", account_id=ids["union"])
        await union.publish()

        async def frames_flow() -> bool:
            host_sees = host.received().get(f"account:{ids['union']}", 0)
            union_sees = union.received().get(f"account:{ids['center']}", 0)
            east_sees = east.received()
            return (host_sees >= FRAMES and union_sees >= FRAMES
                    and east_sees.get(f"account:{ids['center']}", 0) >= FRAMES
                    and east_sees.get(f"account:{ids['union']}", 0) >= FRAMES)
        await wait_until(frames_flow, timeout=60)

        # recording: everyone consents; the recorder subscribes to both feeds; a withdrawal stops it
        for one in (host, union, east):
            await one.call(events.MEETING_CONSENT, consent=True)
        assert await host.call(events.MEETING_RECORD, on=True) == {"recording": True}
        recorder = janus_client.server.app[MEETINGS].recorders[mid]

        def both_feeds_recorded() -> bool:  # bounded, not a fixed sleep: a loaded machine is slower
            writers = [f.writer for f in recorder._feeds.values()]
            return len(writers) == 2 and all(w is not None and w.video_frames >= FRAMES for w in writers)
        await wait_until(both_feeds_recorded, timeout=30)
        await east.call(events.MEETING_CONSENT, consent=False)
        await wait_until(lambda: not host.recording and not east.recording, timeout=10)
        async with db.sessions() as session:
            rows = list(await session.scalars(select(Recording)))
        assert sorted(r.subject for r in rows) == ["中心工作人员 王芳", "总工会 刘强"]
        assert {r.state for r in rows} == {"ready"}
        for row in rows:
            with av.open(str(tmp_path / "recordings" / row.key)) as container:
                assert sum(1 for _ in container.decode(video=0)) >= FRAMES

        # straight to Janus, without our server: the room is private and pinned
        async with aiohttp.ClientSession() as http:
            direct = await JanusSession(http, janus.url).create()
            try:
                handle = await direct.attach()
                with pytest.raises(JanusError):
                    await direct.message(handle, {"request": "join", "ptype": "publisher",
                                                  "room": 1_000_000 + mid, "display": "intruder"})
                with pytest.raises(JanusError):
                    await direct.message(handle, {"request": "join", "ptype": "subscriber", "room": 1_000_000 + mid,
                                                  "streams": [{"feed": 1}]})
                listed = await direct.request(handle, {"request": "list"})
                assert all(r["room"] != 1_000_000 + mid for r in listed.get("list", []))
            finally:
                await direct.destroy()

        # ending the meeting destroys the Janus room
        await host.call(events.MEETING_CONTROL, action="end")
        await wait_until(lambda: union.ended is not None and east.ended is not None)
        async with aiohttp.ClientSession() as http:
            check = await JanusSession(http, janus.url).create()
            try:
                handle = await check.attach()
                exists = await check.request(handle, {"request": "exists", "room": 1_000_000 + mid})
                assert exists["exists"] is False
            finally:
                await check.destroy()
    finally:
        for one in (host, union, east, outsider):
            await one.close()


async def test_the_meetings_page_hears_whether_janus_answers(janus_client, janus: JanusProcess) -> None:  # type: ignore[no-untyped-def]
    staff = Api(str(janus_client.make_url("")))
    try:
        await staff.login("east")
        assert await staff.get("/api/meetings/video-server") == (200, {"janus": "ready", "mesh_max": 4})
        janus.stop()
        assert await staff.get("/api/meetings/video-server") == (200, {"janus": "unreachable", "mesh_max": 4})
    finally:
        await staff.close()
