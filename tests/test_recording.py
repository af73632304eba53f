"""Recording a mesh meeting: refused until everyone present consents; the recorder writes an
mp4 per participant that PyAV decodes with about the expected duration; a withdrawal stops
it; playback is audited; the retention job deletes file and row."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import av
from sqlalchemy import select

from client.connection import SignalingError
from server.audit.models import AuditEntry
from server.recordings.models import Recording
from server.recordings.recorder import recordings_folder
from server.web import keys
from signaling import events
from tests.meetings_support import meeting_with_union, participant
from tests.support import expire_recordings, wait_until

RECORD_SECONDS = 3.0


def duration_seconds(path) -> float:  # type: ignore[no-untyped-def]
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = [f for f in container.decode(video)]
    assert frames, "no video frame decodes"
    return float(frames[-1].time - frames[0].time)


async def test_recording_needs_everyones_consent_and_stops_when_one_withdraws(new_api, client, clock, db) -> None:  # type: ignore[no-untyped-def]
    _, mid, host_api = await meeting_with_union(new_api, clock.now())
    base = str(client.make_url(""))
    host, union = await participant(base, "center"), await participant(base, "union")
    app = client.server.app
    try:
        await host.join(mid)
        await union.join(mid)
        await wait_until(lambda: all(min(c.received().values() or [0]) >= 5 for c in (host, union)), timeout=60)

        try:
            await host.call(events.MEETING_RECORD, on=True)
            raise AssertionError("recorded without consent")
        except SignalingError as exc:
            assert exc.code == "conflict" and exc.details["waiting_for"] == ["中心工作人员 王芳", "总工会 刘强"]
        await host.call(events.MEETING_CONSENT, consent=True)
        try:
            await host.call(events.MEETING_RECORD, on=True)
            raise AssertionError("recorded before union consented")
        except SignalingError as exc:
            assert exc.details["waiting_for"] == ["总工会 刘强"]
        try:
            await union.call(events.MEETING_RECORD, on=True)
            raise AssertionError("a participant started recording")
        except SignalingError as exc:
            assert exc.code in ("forbidden", "conflict")
        await union.call(events.MEETING_CONSENT, consent=True)
        assert (await host.call(events.MEETING_RECORD, on=True)) == {"recording": True}
        await wait_until(lambda: host.recording and union.recording)

        async def two_files_recording() -> bool:
            async with db.sessions() as session:
                return len(list(await session.scalars(select(Recording)))) == 2
        await wait_until(two_files_recording, timeout=30)
        started = time.monotonic()
        await asyncio.sleep(RECORD_SECONDS)  # real media time: the recorder writes what arrives
        await union.call(events.MEETING_CONSENT, consent=False)  # the withdrawal stops it
        await wait_until(lambda: not host.recording and not union.recording, timeout=10)
        elapsed = time.monotonic() - started
        pushed = await host.connection.wait_for(events.MEETING_RECORDING, lambda d: not d["recording"])
        assert pushed["reason"] == "consent_withdrawn"
    finally:
        await host.close()
        await union.close()

    async with db.sessions() as session:
        rows = list(await session.scalars(select(Recording).order_by(Recording.id)))
    assert {r.state for r in rows} == {"ready"}, [(r.subject, r.state) for r in rows]
    assert sorted(r.subject for r in rows) == ["中心工作人员 王芳", "总工会 刘强"]
    folder = recordings_folder(app[keys.SETTINGS].data_dir)
    for row in rows:
        seconds = duration_seconds(folder / row.key)
        assert elapsed - 1.5 <= seconds <= elapsed + 1.0, (seconds, elapsed)

    # listed on the meeting, played by whoever may read it, each playback audited
    status, listed = await host_api.get(f"/api/meetings/{mid}/recordings")
    assert status == 200 and [r["id"] for r in listed] == [r.id for r in rows]
    async with host_api.client.get(host_api.base_url + listed[0]["url"]) as response:
        assert response.status == 200 and response.content_type == "video/mp4"
        assert (await response.read())[4:8] == b"ftyp"
    west = new_api()
    await west.login("west")
    assert (await west.get(listed[0]["url"]))[0] == 403
    async with db.sessions() as session:
        plays = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "recording.play")))
    assert [p.object for p in plays] == [f"recording:{rows[0].id}"]

    # retention: kept for FAYUAN_RECORDING_RETENTION_DAYS (90 by default), then file and row go
    assert await expire_recordings(app) == 0
    clock.advance(days=91)
    assert await expire_recordings(app) == 2
    assert not any((folder / r.key).exists() for r in rows)
    async with db.sessions() as session:
        assert not list(await session.scalars(select(Recording)))
        deleted = set(await session.scalars(select(AuditEntry.object).where(AuditEntry.action == "retention.delete")))
    assert deleted == {f"recording:{r.id}" for r in rows}  # one audit row each
    clock.advance(-timedelta(days=91).total_seconds())
