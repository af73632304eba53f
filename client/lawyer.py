"""A headless lawyer (or staff member): watches its queues, says it is available, takes a
consultation, answers the kiosk's offer, writes the note and hangs up (docs/protocol.md,
Staff / lawyer flow)."""
from __future__ import annotations

from client.connection import Connection
from client.login import log_in
from client.media import synthetic_tracks
from client.participant import Participant
from client.peer import TrackFactory
from signaling import events
from signaling.payloads import Availability, Empty, Note, QueueTake, Transfer

ENTRY_TIMEOUT_SECONDS = 30.0


class Lawyer(Participant):
    offerer = False

    def __init__(self, connection: Connection, *, tracks: TrackFactory = synthetic_tracks) -> None:
        super().__init__(connection, tracks=tracks)
        self.queues: dict[int, list[dict]] = {}  # unit id → its waiting entries, kept current by pushes
        self.available: bool | None = None
        self.on_duty: bool | None = None
        connection.on(events.QUEUE_CHANGED, self._on_queue_changed)

    @classmethod
    def with_session(cls, server_url: str, session_cookie: str, *,
                     tracks: TrackFactory = synthetic_tracks) -> "Lawyer":
        """A lawyer for this server with a `fayuan_session` cookie value; call connect() next."""
        return cls(Connection(server_url, session_cookie=session_cookie), tracks=tracks)

    @classmethod
    async def log_in(cls, server_url: str, username: str, password: str, *,
                     tracks: TrackFactory = synthetic_tracks) -> "Lawyer":
        """Log in over HTTP for the session cookie; call connect() next."""
        return cls.with_session(server_url, await log_in(server_url, username, password), tracks=tracks)

    @property
    def entries(self) -> list[dict]:
        """Every waiting entry in the watched queues, oldest first."""
        return sorted((e for entries in self.queues.values() for e in entries), key=lambda e: e["queued_at"])

    async def watch(self) -> dict[int, list[dict]]:
        """Subscribe to the queues this account may take from; returns their snapshot."""
        ack = await self.connection.call(events.QUEUE_WATCH, Empty())
        self.queues = {q["unit_id"]: q.get("entries", []) for q in ack.get("queues", [])}
        return self.queues

    async def set_available(self, available: bool = True) -> dict:
        """Available or away; the ack says whether that puts this lawyer on duty now."""
        ack = await self.connection.call(events.DUTY_SET, Availability(available=available))
        self.available, self.on_duty = ack.get("available"), ack.get("on_duty")
        return ack

    async def wait_for_entry(self, timeout_seconds: float = ENTRY_TIMEOUT_SECONDS) -> dict:
        """The oldest waiting entry of the watched queues, waiting for one if they are empty."""
        if not self.entries:
            await self.connection.wait_for(events.QUEUE_CHANGED, lambda d: bool(d.get("entries")), timeout_seconds)
        return self.entries[0]

    async def take(self, consultation_id: int | None = None) -> dict:
        """Take the next consultation, or a given one, and wait for the kiosk's offer.
        SignalingError `conflict` when someone else won it."""
        ack = await self.connection.call(events.QUEUE_TAKE, QueueTake(consultation_id=consultation_id))
        consultation = ack["consultation"]
        await self._join(consultation["id"], ack.get("resume_token"), ack.get("ice_servers", []))
        return consultation

    async def note(self, note: str = "", advice: str = "") -> dict:
        ack = await self.connection.call(events.CONSULT_NOTE,
                                         Note(consultation_id=self._current(), note=note, advice=advice))
        return ack["consultation"]

    async def transfer(self, *, lawyer_id: int | None = None, unit_id: int | None = None, reason: str = "") -> dict:
        """Hand the consultation over; it goes back into a queue and this side's media ends."""
        ack = await self.connection.call(events.CONSULT_TRANSFER, Transfer(
            consultation_id=self._current(), lawyer_id=lawyer_id, unit_id=unit_id, reason=reason))
        self.state = ack["consultation"]["state"]
        await self._leave()
        return ack["consultation"]

    def _on_queue_changed(self, data: dict) -> None:
        self.queues[data["unit_id"]] = data.get("entries", [])
