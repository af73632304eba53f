"""Recording a consultation with real media: the headless kiosk and lawyer (aiortc) through the
real server. Refused until both sides consent to the current text; the server's recorder peer
writes one mp4 per side that PyAV decodes (video and audio, about the expected duration); the
kiosk's withdrawal stops it; the end of the consultation stops it too. The files are listed on
the record, played only by whoever may read the record (each playback audited), and deleted
with their rows by the retention job."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import av
from sqlalchemy import select

from client.connection import SignalingError
from server.audit.models import AuditEntry
from server.realtime.consultation_recording import CONSULTATION_RECORDING
from server.recordings.models import Recording, RecordingConsent
from server.recordings.recorder import recordings_folder
from server.web import keys
from signaling import events
from signaling.payloads import CONSENT_TEXT_VERSION
from tests.support import expire_recordings, wait_until
from tests.test_consultation_media import base, sides, take_call  # noqa: F401 - fixtures

RECORD_SECONDS = 3.0
WAIT_SECONDS = 30.0  # bounded waits for media on a loaded machine


def decoded(path) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    """(seconds of video, video frames, audio frames) that PyAV decodes from the file."""
    with av.open(str(path)) as container:
        assert container.streams.video and container.streams.audio, "the file needs video and audio"
        video = list(container.decode(container.streams.video[0]))
        container.seek(0)
        audio = list(container.decode(container.streams.audio[0]))
    assert video, "no video frame decodes"
    return float(video[-1].time - video[0].time), len(video), len(audio)


async def rows(db) -> list[Recording]:  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return list(await session.scalars(select(Recording).order_by(Recording.id)))


async def refused(call, code: str) -> SignalingError:  # type: ignore[no-untyped-def]
    try:
        await call
    except SignalingError as exc:
        assert exc.code == code, (exc.code, exc.message)
        return exc
    raise AssertionError(f"not refused with {code}")


async def test_recorded_only_with_both_consents_stopped_by_a_withdrawal_played_by_readers_and_deleted(
        sides, client, db, clock, new_api, demo) -> None:  # type: ignore[no-untyped-def]
    kiosk, lawyer = sides
    cid = await take_call(kiosk, lawyer)

    # only the taker asks; asking is not recording
    await refused(kiosk.recording.ask(), "forbidden")
    asked = await lawyer.recording.ask()
    assert asked["state"] == "requested" and asked["waiting_for"] == ["kiosk", "taker"]
    assert asked["text_version"] == CONSENT_TEXT_VERSION
    await wait_until(lambda: (kiosk.recording.status or {}).get("state") == "requested")
    await refused(kiosk.recording.consent(text_version="2020-01"), "invalid")
    assert (await lawyer.recording.consent())["waiting_for"] == ["kiosk"]
    assert not lawyer.recording.recording and await rows(db) == []

    # the resident agrees: the recorder starts and both sides send it media
    assert (await kiosk.recording.consent())["state"] == "recording"
    await wait_until(lambda: kiosk.recording.recording and lawyer.recording.recording)

    async def two_files() -> bool:
        return len(await rows(db)) == 2
    await wait_until(two_files, timeout=WAIT_SECONDS)
    started = time.monotonic()
    await asyncio.sleep(RECORD_SECONDS)  # real media time: the recorder writes what arrives
    withdrawn = await kiosk.recording.consent(False)
    elapsed = time.monotonic() - started
    assert withdrawn["state"] == "off" and withdrawn["reason"] == "consent_withdrawn"
    assert withdrawn["waiting_for"] == ["kiosk"]
    await wait_until(lambda: lawyer.recording.status["state"] == "off" and lawyer.recording.peer is None)
    assert kiosk.recording.peer is None

    app = client.server.app
    files = await rows(db)
    assert [r.state for r in files] == ["ready", "ready"], [(r.subject, r.state) for r in files]
    assert sorted(r.subject for r in files) == ["东城街道和平社区联系点 终端", "李明律师"]
    folder = recordings_folder(app[keys.SETTINGS].data_dir)
    for row in files:
        seconds, video_frames, audio_frames = decoded(folder / row.key)
        assert elapsed - 1.5 <= seconds <= elapsed + 1.0, (seconds, elapsed)
        assert video_frames > 10 and audio_frames > 10 and row.bytes > 0
    async with db.sessions() as session:
        consents = list(await session.scalars(select(RecordingConsent).order_by(RecordingConsent.id)))
    assert [(c.parent_kind, c.who, c.text_version, c.withdrawn_at is None) for c in consents] == [
        ("consultation", f"account:{lawyer.connection.hello['id']}", CONSENT_TEXT_VERSION, True),
        ("consultation", f"device:{kiosk.connection.hello['id']}", CONSENT_TEXT_VERSION, False)]

    # on the record for whoever may read it; played by them only, each playback audited
    center, lawyer2, union, kiosk_http = new_api(), new_api(), new_api(), new_api()
    await center.login("center")
    await lawyer2.login("lawyer2")
    await union.login("union")
    kiosk_http.bearer = demo["kiosks"][0]["token"]
    status, record = await center.get(f"/api/consultations/{cid}")
    assert status == 200 and [r["id"] for r in record["recordings"]] == [r.id for r in files]
    kinds = [e["kind"] for e in record["events"] if e["kind"].startswith("recording")]
    assert kinds == ["recording_requested", "recording_consent", "recording_consent", "recording_started",
                     "recording_withdrawn", "recording_stopped"], kinds
    status, listed = await center.get(f"/api/consultations/{cid}/recordings")
    assert status == 200 and [r["url"] for r in listed] == [r["url"] for r in record["recordings"]]
    for outsider in (lawyer2, union, kiosk_http):
        assert (await outsider.get(f"/api/consultations/{cid}/recordings"))[0] == 403
        assert (await outsider.get(listed[0]["url"]))[0] == 403
    async with center.client.get(center.base_url + listed[0]["url"]) as response:
        assert response.status == 200 and response.content_type == "video/mp4"
        assert (await response.read())[4:8] == b"ftyp"
    async with db.sessions() as session:
        plays = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "recording.play")))
    assert [(p.object, p.detail.split()[0]) for p in plays] == [(f"recording:{files[0].id}", f"consultation:{cid}")]

    # retention: file and row go after FAYUAN_RECORDING_RETENTION_DAYS (90 by default)
    assert await expire_recordings(app) == 0
    clock.advance(days=91)
    assert await expire_recordings(app) == 2
    assert not any((folder / r.key).exists() for r in files) and await rows(db) == []
    clock.advance(-timedelta(days=91).total_seconds())


async def test_the_end_of_the_consultation_stops_the_recording_and_bad_payloads_get_error_acks(
        sides, client, db) -> None:  # type: ignore[no-untyped-def]
    kiosk, lawyer = sides
    cid = await take_call(kiosk, lawyer)
    call = kiosk.connection.call
    bad_consents = [{"consultation_id": "x", "consent": True}, {"consultation_id": cid},
                    {"consultation_id": cid, "consent": True, "text_version": "x" * 30},
                    {"consultation_id": cid, "consent": True, "bogus": 1}, "not an object"]
    for bad in bad_consents:
        assert (await kiosk.connection.sio.call(events.CONSULT_CONSENT, bad))["error"]["code"] == "invalid", bad
    await refused(call(events.RECORDER_SIGNAL, {"consultation_id": cid, "type": "answer", "sdp": "v=0"}), "invalid")
    await refused(call(events.RECORDER_SIGNAL, {"consultation_id": cid, "type": "offer", "sdp": "v=0"}), "conflict")
    await refused(call(events.CONSULT_RECORD, {"consultation_id": cid, "on": "maybe"}), "invalid")

    await lawyer.recording.consent()
    await kiosk.recording.consent()
    assert (await lawyer.recording.ask())["state"] == "recording"
    await wait_until(lambda: kiosk.recording.peer is not None and lawyer.recording.peer is not None)

    async def files_written() -> bool:
        return len(await rows(db)) == 2
    await wait_until(files_written, timeout=WAIT_SECONDS)
    await kiosk.hangup()
    assert (await lawyer.wait_ended(timeout_seconds=5))["reason"] == "hangup"
    recording = client.server.app[CONSULTATION_RECORDING]
    assert not recording.asked
    assert {r.state for r in await rows(db)} <= {"ready", "failed"}
    assert lawyer.recording.peer is None and kiosk.recording.peer is None
    # and nobody consents to a consultation that has ended
    await refused(kiosk.recording.consent(), "conflict")


async def test_a_transfer_stops_the_recording_and_consents_do_not_carry_over(  # type: ignore[no-untyped-def]
        sides, client, clock) -> None:
    kiosk, lawyer = sides
    await take_call(kiosk, lawyer)
    await lawyer.recording.consent()
    await kiosk.recording.consent()
    assert (await lawyer.recording.ask())["state"] == "recording"
    center = (await lawyer.connection.call(events.QUEUE_WATCH, {}))["queues"][0]["unit_id"]
    await lawyer.transfer(unit_id=center, reason="請中心律師解答")
    pushed = await kiosk.connection.wait_for(events.CONSULT_RECORDING, lambda d: d["state"] == "off")
    assert pushed["reason"] == "transferred"
    assert not client.server.app[CONSULTATION_RECORDING].asked

    # taken again: a new taking, so both sides consent again before anything is recorded
    clock.advance(seconds=5)
    await lawyer.take()
    await kiosk.wait_taken(timeout_seconds=5)
    asked = await lawyer.recording.ask()
    assert asked["state"] == "requested" and asked["waiting_for"] == ["kiosk", "taker"]
