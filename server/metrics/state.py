"""Figures read at scrape time rather than kept up to date: the queues, live consultations and
lawyers on duty come from the database, so every process of a deployment reports the same,
correct numbers; sockets, the chat backlog and media sessions come from this process.

prometheus-client calls a collector synchronously, so the scrape (server/web/metrics.py) first
awaits its `read` (here `read_database`: a few bounded queries, one row per unit that takes
consultations) and hands the result to StateCollector, which only turns it into metric families."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator
from zoneinfo import ZoneInfo

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.consultations import queue
from server.consultations.models import Consultation
from server.consultations.state import ConsultationState
from server.hours import calendar
from server.hours import service as hours
from server.org.models import Unit, UnitKind


@dataclass
class Snapshot:
    queues: list[tuple[str, int, float]] = field(default_factory=list)  # unit code, length, longest wait (s)
    live_consultations: int = 0
    lawyers_on_duty: int = 0
    service_open: bool = False
    database_up: bool = False
    redis_up: bool | None = None  # None: no Redis configured
    sockets: dict[str, int] = field(default_factory=dict)  # by actor kind: device (kiosks), account (staff)
    chat_backlog_messages: int = 0
    janus_sessions: int = 0
    recorder_sessions: dict[str, int] = field(default_factory=dict)  # consultation, meeting


async def read_database(session: AsyncSession, snap: Snapshot, *, now: datetime, tz: ZoneInfo) -> None:
    await session.execute(text("SELECT 1"))
    # every unit a consultation may be sent to, with 0 for an empty queue: a dashboard shows a
    # line at zero instead of a gap, and a unit whose queue never fills is still listed
    rows = await session.execute(
        select(Unit.code, func.count(Consultation.id), func.min(Consultation.queued_at))
        .outerjoin(Consultation, (Consultation.target_unit_id == Unit.id)
                   & (Consultation.state == ConsultationState.queued))
        .where(Unit.kind != UnitKind.community, Unit.active.is_(True))
        .group_by(Unit.code))
    snap.queues = [(code, count, max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
                   for code, count, oldest in rows]
    snap.live_consultations = await session.scalar(
        select(func.count(Consultation.id)).where(Consultation.state == ConsultationState.live)) or 0
    snap.lawyers_on_duty = len(await queue.on_duty_accounts(session, now, tz))
    snap.service_open = calendar.is_open(await hours.load_schedule(session, tz), now)


class StateCollector(Collector):
    """Turns the scrape's Snapshot into gauges; reports nothing until the first scrape."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        s = self.snapshot
        if s is None:
            return
        length = GaugeMetricFamily("fayuan_queue_length", "Consultations waiting in a queue, by target unit code",
                                   labels=("unit",))
        oldest = GaugeMetricFamily("fayuan_queue_oldest_wait_seconds", "How long the longest-waiting resident "
                                   "in a queue has waited, by target unit code", labels=("unit",))
        for code, count, wait in s.queues:
            length.add_metric((code,), count)
            oldest.add_metric((code,), wait)
        yield length
        yield oldest
        yield GaugeMetricFamily("fayuan_consultations_live", "Consultations in progress (taken, not ended)",
                                value=s.live_consultations)
        yield GaugeMetricFamily("fayuan_lawyers_on_duty", "Lawyers on the roster now who are available",
                                value=s.lawyers_on_duty)
        yield GaugeMetricFamily("fayuan_service_open", "1 while the service hours say the service is open",
                                value=int(s.service_open))
        yield GaugeMetricFamily("fayuan_database_up", "1 when the database answered this scrape",
                                value=int(s.database_up))
        if s.redis_up is not None:
            yield GaugeMetricFamily("fayuan_redis_up", "1 when Redis answered this scrape's ping",
                                    value=int(s.redis_up))
        sockets = GaugeMetricFamily("fayuan_sockets_connected", "socket.io connections to this process, by kind "
                                    "(device: kiosks, account: staff)", labels=("kind",))
        for kind in ("device", "account"):
            sockets.add_metric((kind,), s.sockets.get(kind, 0))
        yield sockets
        yield GaugeMetricFamily("fayuan_chat_backlog_messages", "Chat messages waiting for this process's writer",
                                value=s.chat_backlog_messages)
        yield GaugeMetricFamily("fayuan_janus_sessions", "Janus sessions this process holds for meeting members",
                                value=s.janus_sessions)
        recorders = GaugeMetricFamily("fayuan_recorder_sessions", "Recorders running in this process, by what "
                                      "they record", labels=("kind",))
        for kind in ("consultation", "meeting"):
            recorders.add_metric((kind,), s.recorder_sessions.get(kind, 0))
        yield recorders
