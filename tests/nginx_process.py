"""Debian's nginx in front of `fayuan serve` processes, for tests: a configuration written to a
temporary folder (its pid, logs and temporary files inside it), started on free ports as a
subprocess and stopped after. Every location includes deploy/nginx/fayuan-proxy.conf, the
proxy settings the deployment (docker-compose.yml) uses.

It listens on one public port that balances over every server, and on one port per server
that prefers that server and falls back to the others (nginx `backup`): a test can put a
kiosk on one process and a lawyer on another, and a client whose process stops reconnects
through the same port to another one, as it would through the public port."""
from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.processes import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_SETTINGS = ROOT / "deploy" / "nginx" / "fayuan-proxy.conf"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
# a failed server is tried again after this; short, so a restarted process gets traffic back soon
FAIL_TIMEOUT_SECONDS = 2


def available() -> bool:
    return Path(NGINX).exists()


class NginxProcess:
    def __init__(self, folder: Path, server_ports: list[int]) -> None:
        self.folder = folder
        self.server_ports = server_ports
        self.port = free_port()
        self.pinned_ports = [free_port() for _ in server_ports]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_to(self, index: int) -> str:
        """The port that prefers server `index` (falling back to the others)."""
        return f"http://127.0.0.1:{self.pinned_ports[index]}"

    @property
    def origins(self) -> list[str]:
        return [self.url] + [self.url_to(i) for i in range(len(self.server_ports))]

    def write_config(self) -> Path:
        for sub in ("logs", "tmp"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)

        def upstream(name: str, preferred: int | None) -> str:
            lines = [f"        server 127.0.0.1:{port} max_fails=1 fail_timeout={FAIL_TIMEOUT_SECONDS}s"
                     f"{' backup' if preferred is not None and i != preferred else ''};"
                     for i, port in enumerate(self.server_ports)]
            return f"    upstream {name} {{\n" + "\n".join(lines) + "\n    }\n"

        def server(port: int, upstream_name: str) -> str:
            # X-Upstream: which server answered, for the tests to check the routing
            return f"""    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{upstream_name};
            include {PROXY_SETTINGS};
            add_header X-Upstream $upstream_addr always;
        }}
    }}
"""
        blocks = [upstream("everyone", None), server(self.port, "everyone")]
        for i, port in enumerate(self.pinned_ports):
            blocks += [upstream(f"server{i}", i), server(port, f"server{i}")]
        # `user` matters only when nginx starts as root (as in CI containers): its workers then
        # run as this user, who can write the temporary folder
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        tmp = self.folder / "tmp"
        config = self.folder / "nginx.conf"
        config.write_text(f"""{user}worker_processes 1;
pid {self.folder / 'nginx.pid'};
error_log {self.folder / 'logs' / 'error.log'} warn;
events {{ worker_connections 512; }}
http {{
    access_log {self.folder / 'logs' / 'access.log'};
    client_body_temp_path {tmp / 'body'};
    proxy_temp_path {tmp / 'proxy'};
    fastcgi_temp_path {tmp / 'fastcgi'};
    uwsgi_temp_path {tmp / 'uwsgi'};
    scgi_temp_path {tmp / 'scgi'};
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
{''.join(blocks)}}}
""")
        return config

    def start(self) -> NginxProcess:
        config = self.write_config()
        command = [NGINX, "-p", str(self.folder), "-c", str(config), "-e", str(self.folder / "logs" / "error.log")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS,
                               check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            try:
                for port in [self.port, *self.pinned_ports]:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen within {START_TIMEOUT_SECONDS}s:\n{self.errors()}")

    def errors(self) -> str:
        log = self.folder / "logs" / "error.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def requests(self) -> str:
        """The last requests nginx passed on (which upstream, what it answered)."""
        log = self.folder / "logs" / "access.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
