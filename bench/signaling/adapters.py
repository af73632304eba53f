"""One adapter per implementation under test: how its server starts, how a pair of clients
logs in and joins a room, and which event relays a message.

The load generator (load.py) knows nothing else about an implementation. The two reference
servers share RelayAdapter's protocol; fayuan's adapter lives in fayuan.py.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.signaling.client import SocketIOClient

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "bench" / "node"


@dataclass(frozen=True)
class ServerCommand:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to this process's environment


@dataclass(frozen=True)
class Login:
    """What one client presents on the socket.io connect."""
    auth: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Unavailable(Exception):
    """This implementation cannot be measured in this checkout; the message says why."""


class Adapter(ABC):
    name: str
    namespace = "/"

    def check(self) -> None:
        """Raise Unavailable when this implementation cannot run here."""

    def install(self) -> None:
        """Install what the server needs; runs before it starts, outside any measurement."""

    @abstractmethod
    def server_command(self, *, port: int, data_dir: Path, pairs: int) -> ServerCommand: ...

    async def prepare(self, http: aiohttp.ClientSession, base_url: str, data_dir: Path, pairs: int) -> None:
        """Runs once the server listens, before any of the `pairs` connects."""

    @abstractmethod
    def logins(self, pair: int) -> tuple[Login, Login]: ...

    @abstractmethod
    async def join_pair(self, first: SocketIOClient, second: SocketIOClient, pair: int) -> None:
        """Put both connected members of a pair into one room; return once the server has."""

    @abstractmethod
    def relay(self, pair: int, data: dict) -> tuple[str, Any]:
        """The event and payload a member emits so that `data` reaches the other member."""

    @abstractmethod
    def relayed(self, event: str, payload: Any) -> dict | None:
        """The `data` inside a received event, or None for an event that is not a relay."""


class RelayAdapter(Adapter):
    """The relay protocol of the reference servers: `join` {room} (acknowledged), then
    `relay` {room, data} arrives at the other member as `relay` {data}."""

    def logins(self, pair: int) -> tuple[Login, Login]:
        return Login(), Login()

    async def join_pair(self, first: SocketIOClient, second: SocketIOClient, pair: int) -> None:
        for member in (first, second):
            await member.call("join", {"room": f"pair-{pair}"})

    def relay(self, pair: int, data: dict) -> tuple[str, Any]:
        return "relay", {"room": f"pair-{pair}", "data": data}

    def relayed(self, event: str, payload: Any) -> dict | None:
        return payload["data"] if event == "relay" else None


class NodeAdapter(RelayAdapter):
    """Stock Node socket.io 4.8 (bench/node/relay.mjs): the yardstick."""
    name = "node"

    def check(self) -> None:
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} is not on PATH")

    def install(self) -> None:
        marker = NODE_DIR / "node_modules" / ".package-lock.json"
        if marker.exists() and marker.stat().st_mtime >= (NODE_DIR / "package-lock.json").stat().st_mtime:
            return
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True)

    def server_command(self, *, port: int, data_dir: Path, pairs: int) -> ServerCommand:
        return ServerCommand(["node", str(NODE_DIR / "relay.mjs"), str(port)])


class PythonSocketioAdapter(RelayAdapter):
    """A bare python-socketio AsyncServer on aiohttp (relay_server.py): what the library costs
    before fayuan adds anything."""
    name = "python_socketio"

    def server_command(self, *, port: int, data_dir: Path, pairs: int) -> ServerCommand:
        return ServerCommand([sys.executable, "-m", "bench.signaling.relay_server", str(port)],
                             env={"PYTHONPATH": str(REPO)})
