"""Real server processes for tests: `fayuan serve` as a subprocess on a free port."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Migrating and seeding the demo hashes nine passwords with full-cost argon2id: on a busy two-core
# machine that alone has taken 45 s. A server that dies is still noticed at once (poll()).
START_TIMEOUT_SECS = 120.0
STOP_TIMEOUT_SECS = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fayuan_command() -> list[str]:
    # `-m` from ROOT: the server under test is this checkout's, whichever checkout the venv's
    # `fayuan` script was installed from
    return [sys.executable, "-m", "server.cli"]


class ServerProcess:
    """One `fayuan serve`; several may share a database and a Redis, like a real deployment."""

    def __init__(self, data_dir: Path, *, database_url: str | None = None, redis_url: str | None = None,
                 migrate: bool = True, demo: bool = True) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "FAYUAN_DATA_DIR": str(data_dir), "FAYUAN_PORT": str(self.port),
                    "FAYUAN_HOST": "127.0.0.1",
                    "FAYUAN_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{data_dir / 'fayuan.sqlite3'}"}
        self.env.pop("FAYUAN_REDIS_URL", None)
        if redis_url:
            self.env["FAYUAN_REDIS_URL"] = redis_url
        self.args = ["serve"] + (["--migrate"] if migrate else []) + (["--demo"] if migrate and demo else [])
        self.log = data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen([*fayuan_command(), *self.args], cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_SECS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fayuan serve exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"fayuan serve did not answer within {START_TIMEOUT_SECS}s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def demo_logins(self) -> dict:
        return json.loads((self.data_dir / "demo-logins.json").read_text())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class RedisProcess:
    """A Redis of the test's own, on a free port, keeping nothing on disk."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisProcess":
        import shutil

        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # on the real clock: under `faketime` (libfaketime preloaded) redis-server never answers
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + START_TIMEOUT_SECS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=STOP_TIMEOUT_SECS)
