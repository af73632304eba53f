"""A real Janus (Debian's package) for tests and the benchmark: a minimal configuration in a
temporary folder — the HTTP transport on 127.0.0.1:<free port>, admin API off, the VideoRoom
plugin only, its own RTP port range — started as a subprocess and stopped after."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.processes import free_port

JANUS = Path("/usr/bin/janus")
LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
RTP_PORTS_PER_JANUS = 2_000


def available() -> bool:
    return JANUS.exists() and (LIB / "plugins" / "libjanus_videoroom.so").exists()


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
    rtp_port_range = "{rtp_first_port}-{rtp_first_port + RTP_PORTS_PER_JANUS - 1}"
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


class JanusProcess:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/janus"
        self.log = workdir / "janus.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "JanusProcess":
        rtp_first = 20_000 + (self.port % 20) * RTP_PORTS_PER_JANUS
        config = write_config(self.workdir / "janus-conf", self.port, rtp_first)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen([str(JANUS), "-F", str(config.parent), "-C", str(config)],
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"janus exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/info", timeout=1) as response:
                    info = json.loads(response.read())
                    if "janus.plugin.videoroom" in info.get("plugins", {}):
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
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


def janus_installed() -> bool:
    return available() and shutil.which(str(JANUS)) is not None
