"""A headless community kiosk: queues a consultation, offers media once a lawyer takes it,
hangs up and rates (docs/protocol.md, Kiosk flow)."""
from __future__ import annotations

from typing import Any

from client.connection import Connection
from client.media import synthetic_tracks
from client.participant import Participant
from client.peer import TrackFactory
from signaling import events
from signaling.payloads import ConsultRef, ConsultStart, Rate

TAKEN_TIMEOUT_SECONDS = 30.0
# The end reason of a transfer: for the kiosk the consultation is queued again, not over.
TRANSFERRED = "transferred"


class Kiosk(Participant):
    offerer = True

    def __init__(self, connection: Connection, *, tracks: TrackFactory = synthetic_tracks) -> None:
        super().__init__(connection, tracks=tracks)
        self.position: dict | None = None  # the last queue.position push
        self.taken: dict | None = None  # the consultation.taken push: peer_name, room
        self.choice_timeout: dict | None = None  # the chosen lawyer is slow: keep_waiting() or any_lawyer()
        self.moved_to_board: dict | None = None  # the service closed while queued
        connection.on(events.CONSULT_TAKEN, self._on_taken)
        connection.on(events.QUEUE_POSITION, self._on_position)
        connection.on(events.CHOSEN_LAWYER_WAIT, self._on_choice_timeout)
        connection.on(events.CONSULT_TO_BOARD, self._on_moved_to_board)

    @classmethod
    def to(cls, server_url: str, token: str, *, tracks: TrackFactory = synthetic_tracks) -> "Kiosk":
        """A kiosk for this server with its device token; call connect() next."""
        return cls(Connection(server_url, token=token), tracks=tracks)

    async def start(self, category: str, **fields: Any) -> dict:
        """Queue a consultation (`fields`: target, department_id, lawyer_id, text, contact_name,
        contact_phone). Returns it; media starts by itself when a lawyer takes it."""
        ack = await self.connection.call(events.CONSULT_START, ConsultStart(category=category, **fields))
        consultation = ack["consultation"]
        self.consultation_id, self.state = consultation["id"], consultation["state"]
        self.resume_token = ack["resume_token"]
        self.position = self.taken = self.ended = self.choice_timeout = self.moved_to_board = None
        return consultation

    async def wait_taken(self, timeout_seconds: float = TAKEN_TIMEOUT_SECONDS) -> dict:
        """The consultation.taken push; by the time it returns the offer has gone out."""
        if self.taken is not None:
            return self.taken
        consultation_id = self._current()
        return await self.connection.wait_for(events.CONSULT_TAKEN,
                                              lambda d: d.get("consultation_id") == consultation_id, timeout_seconds)

    async def cancel(self) -> dict:
        ack = await self.connection.call(events.CONSULT_CANCEL, ConsultRef(consultation_id=self._current()))
        self.state = ack["consultation"]["state"]
        return ack["consultation"]

    async def keep_waiting(self) -> dict:
        ack = await self.connection.call(events.CONSULT_KEEP_WAITING, ConsultRef(consultation_id=self._current()))
        self.choice_timeout = None
        return ack["consultation"]

    async def any_lawyer(self) -> dict:
        ack = await self.connection.call(events.CONSULT_ANY_LAWYER, ConsultRef(consultation_id=self._current()))
        self.choice_timeout = None
        return ack["consultation"]

    async def rate(self, rating: int, comment: str = "") -> dict:
        ack = await self.connection.call(events.CONSULT_RATE, Rate(consultation_id=self._current(), rating=rating,
                                                                    comment=comment))
        return ack["consultation"]

    async def _on_taken(self, data: dict) -> None:
        if self._is_current(data) and self.state == "queued":
            self.taken = data
            await self._join(data["consultation_id"], data.get("resume_token"), data.get("ice_servers", []))

    async def _on_ended(self, data: dict) -> None:
        await super()._on_ended(data)
        if self._is_current(data) and data.get("reason") == TRANSFERRED:
            self.state, self.taken = "queued", None

    def _on_position(self, data: dict) -> None:
        if self._is_current(data):
            self.position = data

    def _on_choice_timeout(self, data: dict) -> None:
        if self._is_current(data):
            self.choice_timeout = data

    def _on_moved_to_board(self, data: dict) -> None:
        if self._is_current(data):
            self.moved_to_board, self.state = data, "moved_to_board"
