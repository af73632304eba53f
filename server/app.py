"""The application factory: settings → cleanup contexts → routes → middlewares.

Every resource and background task is one async generator in app.cleanup_ctx
(create → yield → stop), cleaned up in reverse order.
"""
from __future__ import annotations

import asyncio
import secrets
from typing import AsyncIterator

from aiohttp import web

from server import health, pages
from server.accounts import views as accounts_views
from server.applications.attachments import ApplicationAttachments
from server.applications import views as applications_views
from server.applications.printer import Printer
from server.audit import views as audit_views
from server.board import views as board_views
from server.board.attachments import BoardAttachments
from server.chat import views as chat_views
from server.chat.service import ChatRooms
from server.commitments import views as commitments_views
from server.clock import Clock, SystemClock
from server.consultations import views as consultations_views
from server.consultations.attachments import ConsultationAttachments
from server.consultations.chatrooms import consultation_members
from server.consultations.rules import from_env as consultation_rules
from server.dashboard import views as dashboard_views
from server.applications.context import ApplicationSettings
from server.board.context import BoardSettings
from server.config import Settings
from server.db import Database, make_engine
from server.files import service as files_service
from server.files import views as files_views
from server.files.parents import Parents
from server.group_commit import GroupCommit
from server.history import views as history_views
from server.hours import views as hours_views
from server.meetings import views as meetings_views
from server.meetings.context import MeetingSettings
from server.meetings.chatrooms import meeting_members
from server.org import views as org_views
from server.realtime import chat as realtime_chat
from server.realtime.janus import videoroom_ready
from server.realtime import consultation_guests, consultation_recording
from server.realtime import meetings as realtime_meetings
from server.recordings import views as recordings_views
from server.recordings.retention import retention as recording_retention
from server.replies import views as replies_views
from server.reports import views as reports_views
from server.retention import job as retention_job
from server.retention.policy import RetentionPolicy
from server.retention.purge import Places
from server.retention import views as retention_views
from server.pipl import views as pipl_views
from server.workload import views as workload_views
from server.pubsub.base import PubSub
from server.pubsub.memory import MemoryPubSub
from server.realtime import setup as realtime
from server.tasks import stop_task
from server.web import keys, metrics, middleware, observe
from server.web.api import Router

MAX_REQUEST_BYTES = 1_000_000  # uploads stream through their own handler with their own limit


def make_router() -> Router:
    router = Router()
    for module in (health, accounts_views, org_views, audit_views, hours_views, consultations_views, chat_views,
                   board_views, files_views, applications_views, reports_views, meetings_views, recordings_views,
                   retention_views, pipl_views, workload_views, replies_views, dashboard_views,
                   commitments_views, history_views):
        router.include(module.router)
    return router


def file_parents(clock: Clock) -> Parents:
    """What files may be attached to: each domain that takes files offers its ParentKind."""
    return Parents({"consultation": ConsultationAttachments(), "board": BoardAttachments(clock),
                    "application": ApplicationAttachments()})


def chat_rooms() -> ChatRooms:
    """The kinds of chat room: each domain with a chat offers who its members are."""
    return ChatRooms({"consultation": consultation_members, "meeting": meeting_members})


async def _database(app: web.Application) -> AsyncIterator[None]:
    app[keys.DB] = Database(make_engine(app[keys.SETTINGS].database_url))
    app[keys.GROUP_COMMIT] = GroupCommit(app[keys.DB].writer)
    yield
    await app[keys.GROUP_COMMIT].stop()
    await app[keys.DB].dispose()


async def _pubsub(app: web.Application) -> AsyncIterator[None]:
    """Messages between processes that are not socket.io pushes (a meeting's recorder inbox)."""
    url = app[keys.SETTINGS].redis_url
    if url:
        from server.pubsub.redis import RedisPubSub

        ps: PubSub = RedisPubSub(url)
    else:
        ps = MemoryPubSub()
    await ps.start()
    app[keys.PUBSUB] = ps
    yield
    await ps.stop()


async def _retention_job(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]

    async def remove_abandoned_uploads() -> int:
        async with app[keys.DB].sessions() as session:
            return await files_service.remove_abandoned(session, app[files_views.FILES], now=app[keys.CLOCK].now(),
                                                        now_epoch_seconds=app[keys.WALL_CLOCK].now().timestamp())

    task = asyncio.create_task(retention_job.run_forever(
        app[keys.DB].sessions, policy=app[keys.RETENTION_POLICY], places=Places.under(settings.data_dir),
        keep_recordings=app[keys.RECORDING_RETENTION], clock=app[keys.CLOCK],
        remove_abandoned_uploads=remove_abandoned_uploads), name="retention")
    yield
    await stop_task(task)


async def _printer(app: web.Application) -> AsyncIterator[None]:
    app[keys.PRINTER] = Printer(app[keys.SETTINGS].extra)
    yield
    app[keys.PRINTER].close()


def init_app(settings: Settings, *, clock: Clock | None = None, wall_clock: Clock | None = None,
             run_sweeper: bool = True) -> web.Application:
    settings = settings.with_secret()
    app = web.Application(
        middlewares=[middleware.sockets, observe.observe, middleware.errors, middleware.actor, middleware.csrf],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = clock or SystemClock()
    app[keys.WALL_CLOCK] = wall_clock or SystemClock()
    app[keys.PROCESS_ID] = secrets.token_hex(8)
    # every domain's FAYUAN_* settings, parsed once: a bad value stops start-up (ConfigError)
    # instead of failing the first request that reads it
    env = settings.extra
    app[keys.RULES] = consultation_rules(env)
    app[keys.RETENTION_POLICY] = RetentionPolicy.from_env(env)
    app[keys.BOARD_SETTINGS] = BoardSettings.from_env(env)
    app[keys.APPLICATION_SETTINGS] = ApplicationSettings.from_env(env)
    app[keys.MEETING_SETTINGS] = MeetingSettings.from_env(env)
    app[keys.RECORDING_RETENTION] = recording_retention(env)
    app[keys.JANUS_READY] = videoroom_ready
    app.on_response_prepare.append(middleware.response_headers(settings))
    app.cleanup_ctx.extend([_database, _pubsub])
    metrics.install(app)  # before the parts that count things
    app.on_response_prepare.append(observe.echo_request_id)
    router = make_router()
    app[keys.ROUTER] = router
    router.install(app)
    pages.install(app)
    files_views.install(app, file_parents(app[keys.CLOCK]))
    gateway = realtime.install(app, run_sweeper=run_sweeper)
    realtime_chat.install(app, gateway, chat_rooms())
    realtime_meetings.install(app, gateway)
    consultation_recording.install(app, gateway)
    consultation_guests.install(app, gateway)
    app.cleanup_ctx.extend([_retention_job, _printer])
    return app
