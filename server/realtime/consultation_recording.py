"""Recording a consultation over socket.io (docs/protocol.md, "Recording a consultation"):
`consultation.record` (the taker), `consultation.consent` and `consultation.recorder_signal`
(either side) join the gateway's handler table.

The recorder is a PeerRecorder (server/recordings/recorder.py), a member of the consultation's
room that only receives. Once the taker has asked and both sides consent to the current text,
it starts and the room hears `consultation.recording` {state: "recording"}; each side then
offers it a send-only connection and gets the answer as `consultation.recorder_signal`. A
withdrawal, the taker's stop, the end or transfer of the consultation, a side's last socket
dropping, or the server stopping, stops it: every file is finished and its row made ready.
Like the meetings' recorder, it lives in the server process where it started.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server import notify
from server.consultations import recording
from server.errors import Conflict, InvalidInput, PermissionDenied
from server.realtime.gateway import Gateway, Peer
from server.recordings import service as recordings
from server.recordings.recorder import FileDone, FileStarted, PeerRecorder, SendSignal, recordings_folder
from server.web import keys
from signaling import events, payloads

log = logging.getLogger(__name__)
END_REASONS = {"transferred": "transferred"}  # a consultation.ended reason → why recording stopped; else "ended"
# a request that ends before recording for these reasons has its step already (declined, withdrawn)
UNASKED_BY_A_STEP = frozenset({"declined", "consent_withdrawn"})


def status(consultation_id: int, state: str, waiting_for: list[str], reason: str | None = None) -> dict:
    """A `consultation.recording` push (and the handlers' ack)."""
    return payloads.RecordingStatus.model_validate({
        "consultation_id": consultation_id, "state": state, "waiting_for": waiting_for,
        "text_version": payloads.CONSENT_TEXT_VERSION, "reason": reason}).model_dump()


@dataclass
class Asked:
    """A consultation whose taker asked to record: its sides, and the recorder once it runs."""

    refs: frozenset[str]
    recorder: PeerRecorder | None = None


class ConsultationRecording:
    def __init__(self, app: web.Application, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway
        self.asked: dict[int, Asked] = {}

    def handlers(self) -> dict[str, tuple[type, Any]]:
        return {events.CONSULT_RECORD: (payloads.Record, self.record),
                events.CONSULT_CONSENT: (payloads.Consent, self.consent),
                events.RECORDER_SIGNAL: (payloads.RecorderSignal, self.signal)}

    def is_recording(self, consultation_id: int) -> bool:
        asked = self.asked.get(consultation_id)
        return asked is not None and asked.recorder is not None

    async def lifetime(self, app: web.Application) -> AsyncIterator[None]:
        yield
        for consultation_id in list(self.asked):
            await self.stop(consultation_id, "server_stopping")

    async def _tx(self, work: Any) -> Any:
        async with self.app[keys.DB].sessions() as session:
            result = await work(session)
            await session.commit()
        return result

    def _now(self) -> Any:
        return self.app[keys.CLOCK].now()

    async def _tell(self, consultation_id: int, state: str, waiting_for: list[str], reason: str | None = None) -> dict:
        """Tell the room (both sides, every tab) and return the same status for the ack."""
        pushed = status(consultation_id, state, waiting_for, reason)
        for room in (notify.consultation(consultation_id), notify.call_guests(consultation_id)):
            await self.gateway.emit(events.CONSULT_RECORDING, pushed, room=room)
        return pushed

    # -- the handlers ----------------------------------------------------------------------
    async def record(self, sid: str, peer: Peer, p: payloads.Record) -> dict:
        if not p.on:
            await self._tx(lambda s: recording.check_taker(s, peer.actor, p.consultation_id))
            return await self.stop(p.consultation_id, "stopped")
        now = self._now()
        c, waiting = await self._tx(lambda s: recording.request(s, peer.actor, p.consultation_id, now))
        if c.id not in self.asked:
            self.asked[c.id] = Asked(frozenset(recording.participants(c).values()))
        return await self._advance(c.id, waiting)

    async def consent(self, sid: str, peer: Peer, p: payloads.Consent) -> dict:
        now = self._now()
        c, waiting = await self._tx(lambda s: recording.consent(s, peer.actor, p.consultation_id, p.consent,
                                                                p.text_version, now))
        if p.consent:
            return await self._advance(c.id, waiting)
        if c.id in self.asked:
            return await self.stop(c.id, "consent_withdrawn" if self.is_recording(c.id) else "declined", waiting)
        return status(c.id, "off", waiting)

    async def signal(self, sid: str, peer: Peer, p: payloads.RecorderSignal) -> dict:
        asked = self.asked.get(p.consultation_id)
        if asked is None or asked.recorder is None:
            raise Conflict("this consultation is not being recorded")
        if peer.actor.ref not in asked.refs and not (peer.actor.kind == "guest" and peer.actor.ref in await self._tx(
                lambda s: recording.guests_present(s, p.consultation_id))):
            raise PermissionDenied("only the consultation's kiosk, lawyer and guests in the call send media to its recorder")
        if p.type == "offer" and not p.sdp:
            raise InvalidInput("an offer needs its sdp", field="sdp")
        await asked.recorder.handle(peer.actor.ref, p.model_dump(exclude_none=True, exclude={"consultation_id"}))
        return {"ok": True}

    # -- starting and stopping ---------------------------------------------------------------
    async def _advance(self, consultation_id: int, waiting: list[str]) -> dict:
        """After a request or a consent: start once nobody's consent is missing."""
        asked = self.asked.get(consultation_id)
        if asked is None:  # consent without a request: kept, nothing to start
            return status(consultation_id, "off", waiting)
        if waiting:
            return await self._tell(consultation_id, "requested", waiting)
        if asked.recorder is None:
            # set before any await: a request and a consent arriving together start one recorder
            asked.recorder = PeerRecorder(recordings_folder(self.app[keys.SETTINGS].data_dir),
                                          self._answers(consultation_id), *self._rows(consultation_id))
            now = self._now()
            await self._tx(lambda s: self._step(s, consultation_id, now, "recording_started"))
        return await self._tell(consultation_id, "recording", [])

    async def stop(self, consultation_id: int, reason: str, waiting: list[str] | None = None) -> dict:
        """Stop recording (or forget the request); the room hears of it once the files are finished."""
        asked = self.asked.pop(consultation_id, None)
        try:
            if asked is not None and asked.recorder is not None:
                await asked.recorder.stop()
                now = self._now()
                await self._tx(lambda s: self._step(s, consultation_id, now, "recording_stopped", reason))
            elif asked is not None and reason not in UNASKED_BY_A_STEP:
                # the record says the request is over (recording.asked reads it: a guest joins without consent)
                now = self._now()
                await self._tx(lambda s: self._step(s, consultation_id, now, "recording_stopped", reason))
        finally:
            told = await self._tell(consultation_id, "off", waiting or [], reason)
        return told

    @staticmethod
    async def _step(session: AsyncSession, consultation_id: int, now: Any, kind: str, detail: str = "") -> None:
        recording.step(session, consultation_id, now, kind, detail=detail)

    def _answers(self, consultation_id: int) -> SendSignal:
        async def send(to: str, message: dict) -> None:
            kind, _, number = to.partition(":")
            rooms = {"device": notify.kiosk, "guest": notify.guest}
            room = rooms.get(kind, notify.account)(int(number))
            await self.gateway.emit(events.RECORDER_SIGNALED, {**message, "consultation_id": consultation_id},
                                    room=room)

        return send

    def _rows(self, consultation_id: int) -> tuple[FileStarted, FileDone]:
        """The recorder's callbacks: a row when a file starts, its size and state when it ends."""
        async def started(subject_ref: str, key: str) -> int:
            now = self._now()
            row = await self._tx(lambda s: recording.add_file(s, consultation_id, subject_ref, key, now))
            return int(row.id)

        async def done(recording_id: int, ok: bool, size: int) -> None:
            now = self._now()
            await self._tx(lambda s: recordings.finish(s, recording_id, ok=ok, size_bytes=size, now=now))

        return started, done

    # -- the gateway's hooks -----------------------------------------------------------------
    async def ended(self, consultation_id: int, reason: str) -> None:
        """The consultation ended or was transferred: a recording of it stops."""
        if consultation_id in self.asked:
            await self.stop(consultation_id, END_REASONS.get(reason, "ended"))

    async def disconnected(self, sid: str, peer: Peer) -> None:
        """A side's socket in the call dropped: what it sent the recorder is gone with it (the
        hook runs while the socket is still listed in its rooms)."""
        in_rooms = set(self.gateway.rooms(sid))
        for consultation_id, asked in list(self.asked.items()):
            if peer.actor.ref in asked.refs and notify.consultation(consultation_id) in in_rooms:
                try:
                    await self.stop(consultation_id, "participant_left")
                except Exception:  # noqa: BLE001 - a failed bookkeeping write must not break disconnects
                    log.exception("stopping the recording of consultation %s failed", consultation_id)


CONSULTATION_RECORDING = web.AppKey("consultation_recording", ConsultationRecording)


def install(app: web.Application, gateway: Gateway) -> ConsultationRecording:
    realtime = ConsultationRecording(app, gateway)
    gateway.handlers.update(realtime.handlers())
    gateway.disconnect_hooks.append(realtime.disconnected)
    gateway.ended_hooks.append(realtime.ended)
    app.cleanup_ctx.append(realtime.lifetime)
    app[CONSULTATION_RECORDING] = realtime
    return realtime
