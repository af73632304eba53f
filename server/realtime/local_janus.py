"""A Janus of our own: Debian's `janus` package with a minimal configuration in a folder — the
HTTP transport on 127.0.0.1:<port>, admin API off, the VideoRoom plugin only, its own RTP port
range — run as a child process and stopped after. `fayuan serve --local-janus` (what `make run`
runs) starts one for the demo when the package is installed and FAYUAN_JANUS_URL is not set, so
that trainings and meetings of more than MESH_MAX_PARTICIPANTS work on one machine; the tests
and the benchmark start theirs the same way (tests/janus_process.py).

Not for deployments: there Janus is a service of its own (deploy/janus/, docker-compose.yml)."""
from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from server.realtime.janus import videoroom_ready

JANUS = Path("/usr/bin/janus")
# Debian's plugins and transports: /usr/lib/<multiarch triplet>/janus
LIB = Path("/usr/lib") / (sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu") / "janus"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
RTP_PORTS = 2_000  # media ports one Janus may use: 2 per stream, so hundreds of streams
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies


def available() -> bool:
    """Debian's janus, with the VideoRoom plugin and the HTTP transport, is installed."""
    return JANUS.exists() and all((LIB / part).exists() for part in (
        "plugins/libjanus_videoroom.so", "transports/libjanus_http.so"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _others(folder: str, keep: str) -> str:
    """Every library in `folder` but `keep`, as Janus' comma-separated `disable` list."""
    names = sorted(p.name for p in (LIB / folder).glob("libjanus_*.so"))
    return ",".join(name for name in names if name != keep)


def write_config(confdir: Path, http_port: int, rtp_first_port: int) -> Path:
    confdir.mkdir(parents=True, exist_ok=True)
    (confdir / "janus.jcfg").write_text(f"""
general: {{
    configs_folder = "{confdir}"
    plugins_folder = "{LIB / 'plugins'}"
    transports_folder = "{LIB / 'transports'}"
    events_folder = "{LIB / 'events'}"
    loggers_folder = "{LIB / 'loggers'}"
    debug_level = 3
    admin_secret = "unused"
    session_timeout = 120
}}
media: {{
    rtp_port_range = "{rtp_first_port}-{rtp_first_port + RTP_PORTS - 1}"
}}
nat: {{
    ice_ignore_list = "vmnet"
}}
plugins: {{
    disable = "{_others('plugins', 'libjanus_videoroom.so')}"
}}
transports: {{
    disable = "{_others('transports', 'libjanus_http.so')}"
}}
events: {{
    broadcast = false
}}
loggers: {{
    disable = "libjanus_jsonlog.so"
}}
""")
    (confdir / "janus.transport.http.jcfg").write_text(f"""
general: {{
    json = "plain"
    base_path = "/janus"
    http = true
    port = {http_port}
    interface = "lo"
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
    admin_https = false
}}
""")
    (confdir / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
    return confdir / "janus.jcfg"


def _die_with_parent() -> None:
    """In the child, before exec: Linux sends Janus SIGTERM when the thread that started it ends,
    so a server killed outright (SIGKILL, a crash) leaves no Janus behind. Start it from the main
    thread, as `fayuan serve` and the tests do."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class LocalJanus:
    """One janus process in `workdir` (configuration and log), its HTTP API on 127.0.0.1:`port`."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/janus"
        self.log = workdir / "janus.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "LocalJanus":
        # a range of its own per HTTP port, so that several (tests in parallel) do not collide
        rtp_first = 20_000 + (self.port % 20) * RTP_PORTS
        config = write_config(self.workdir / "janus-conf", self.port, rtp_first)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(JANUS), "-F", str(config.parent), "-C", str(config)], stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"janus exited with {self.process.returncode}:\n{self.tail()}")
            if videoroom_ready(self.url):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"janus did not answer within {START_TIMEOUT_SECONDS}s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
