"""Typed keys for what the app and each request carry."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Awaitable, Callable, Sequence

from aiohttp import web

if TYPE_CHECKING:
    from server.accounts.actor import Actor
    from server.applications.context import ApplicationSettings
    from server.applications.printer import Printer
    from server.board.context import BoardSettings
    from server.clock import Clock
    from server.config import Settings
    from server.consultations.rules import Rules
    from server.db import Database
    from server.group_commit import GroupCommit
    from server.meetings.context import MeetingSettings
    from server.metrics.instruments import Metrics
    from server.notify import Push
    from server.pubsub.base import PubSub
    from server.realtime.fanout import FanOut
    from server.retention.policy import RetentionPolicy
    from server.web.api import Router

SETTINGS = web.AppKey["Settings"]("settings")
CLOCK = web.AppKey["Clock"]("clock")  # domain time: service hours, deadlines, sessions; tests move it
# Real time, for what we hand to a component that checks it against its own clock (coturn's
# credential expiry): a test's frozen CLOCK there would hand out credentials already expired.
WALL_CLOCK = web.AppKey["Clock"]("wall_clock")
DB = web.AppKey["Database"]("db")
# the transactions that consultation starts and takes share (server/group_commit.py)
GROUP_COMMIT = web.AppKey["GroupCommit"]("group_commit")
# this process's id in presence/service.py (its lease, the connections it lists there); its
# partial uploads carry it too (files/store.py)
PROCESS_ID = web.AppKey("process_id", str)
PUBSUB = web.AppKey["PubSub"]("pubsub")  # messages between processes that are not socket.io pushes
# the Redis fan-out between server processes, or None with one process (realtime/fanout.py)
FANOUT = web.AppKey["FanOut | None"]("fanout")
ROUTER = web.AppKey["Router"]("router")
RULES = web.AppKey["Rules"]("consultation_rules")  # FAYUAN_* consultation knobs, parsed once
# sends what a service returned, after its commit (the gateway's deliver): views and jobs use it
DELIVER = web.AppKey["Callable[[Sequence[Push]], Awaitable[None]]"]("deliver")
# the socket.io endpoint as middleware.sockets calls it: what answers the request, to await (realtime/transport.py)
SOCKETS = web.AppKey["Callable[[web.Request], Awaitable[web.StreamResponse]]"]("sockets")
METRICS = web.AppKey["Metrics"]("metrics")  # the app's Prometheus registry and instruments
PRINTER = web.AppKey["Printer"]("applications_printer")  # renders documents in a worker process
RETENTION_POLICY = web.AppKey["RetentionPolicy"]("retention_policy")  # FAYUAN_RETENTION_DAYS_*, parsed once
RECORDING_RETENTION = web.AppKey[timedelta]("recording_retention")  # FAYUAN_RECORDING_RETENTION_DAYS, parsed once
# each domain's FAYUAN_* settings, parsed once at start-up (a bad value stops it)
BOARD_SETTINGS = web.AppKey["BoardSettings"]("board_settings")
APPLICATION_SETTINGS = web.AppKey["ApplicationSettings"]("application_settings")
MEETING_SETTINGS = web.AppKey["MeetingSettings"]("meeting_settings")
# whether the Janus at a URL answers with its VideoRoom (realtime/janus.py; blocking: run it in a thread)
JANUS_READY = web.AppKey["Callable[[str], bool]"]("janus_ready")
ACTOR = web.RequestKey["Actor"]("actor")  # resolved by the auth middleware
