"""Typed keys for what the app and each request carry."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from server.accounts.actor import Actor
    from server.clock import Clock
    from server.config import Settings
    from server.db import Database
    from server.pubsub.base import PubSub
    from server.web.api import Router

SETTINGS = web.AppKey["Settings"]("settings")
CLOCK = web.AppKey["Clock"]("clock")  # domain time: service hours, deadlines, sessions; tests move it
# Real time, for what we hand to a component that checks it against its own clock (coturn's
# credential expiry): a test's frozen CLOCK there would hand out credentials already expired.
WALL_CLOCK = web.AppKey["Clock"]("wall_clock")
DB = web.AppKey["Database"]("db")
PUBSUB = web.AppKey["PubSub"]("pubsub")
ROUTER = web.AppKey["Router"]("router")
ACTOR = web.RequestKey["Actor"]("actor")  # resolved by the auth middleware
