"""docker-compose.yml and deploy/: valid for Compose (Debian's docker-compose checks the file
without an engine), with the shape the README promises, and an nginx.conf that nginx accepts."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import nginx_process
from tests.processes import ROOT

COMPOSE = shutil.which("docker-compose")
needs_compose = pytest.mark.skipif(COMPOSE is None, reason="docker-compose is not installed")
TURN_SECRET = "turn-secret-of-the-test-0123456789abcdef"
# what the README's "Deploying" section says to set
SETTINGS = {"FAYUAN_SECRET_KEY": "k" * 40, "FAYUAN_TURN_SECRET": TURN_SECRET, "POSTGRES_PASSWORD": "pg-password",
            "PUBLIC_IP": "203.0.113.7", "FAYUAN_PUBLIC_ORIGINS": "https://fayuan.example.org"}


def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # a clean environment: nothing of the developer's shell may fill in what the README must say
    return subprocess.run([str(COMPOSE), "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"),
                           "config", *args], env={"PATH": os.environ["PATH"], **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


@needs_compose
def test_the_compose_file_is_valid_with_the_settings_the_readme_names() -> None:
    assert compose("-q", env=SETTINGS).returncode == 0, compose("-q", env=SETTINGS).stderr
    services = compose("--services", env=SETTINGS).stdout.split()
    assert sorted(services) == ["coturn", "janus", "nginx", "postgres", "redis", "server-a", "server-b"]


@needs_compose
def test_the_servers_and_coturn_share_one_turn_secret() -> None:
    text = compose(env=SETTINGS).stdout
    assert text.count(f"FAYUAN_TURN_SECRET: {TURN_SECRET}") == 2  # both servers
    assert f"--static-auth-secret={TURN_SECRET}" in text and "--use-auth-secret" in text
    assert text.count("FAYUAN_TURN_URLS: turn:203.0.113.7:3478") == 2
    assert text.count("FAYUAN_PUBLIC_ORIGINS: https://fayuan.example.org") == 2
    assert text.count("FAYUAN_REDIS_URL: redis://redis:6379/0") == 2


@needs_compose
@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_setting_is_required_by_name(name: str) -> None:
    result = compose("-q", env={k: v for k, v in SETTINGS.items() if k != name})
    assert result.returncode != 0
    assert name in result.stderr


@pytest.mark.skipif(not nginx_process.available(), reason="nginx is not installed")
def test_the_deployed_nginx_conf_is_accepted_by_nginx(tmp_path: Path) -> None:
    """deploy/nginx/nginx.conf with the compose names and paths replaced by local ones (the
    service names resolve only inside the compose network)."""
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    assert re.findall(r"server (server-[ab]):8080", conf) == ["server-a", "server-b"]
    local = (conf.replace("server-a:8080", "127.0.0.1:1").replace("server-b:8080", "127.0.0.1:2")
             .replace("/etc/nginx/fayuan-proxy.conf", str(nginx_process.PROXY_SETTINGS))
             .replace("listen 80;", "listen 127.0.0.1:1;"))
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path / 'nginx.pid'};\n{local}")
    result = subprocess.run([nginx_process.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", str(tmp_path / "logs" / "error.log")],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr


def test_the_readme_names_every_setting_the_compose_file_requires() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert required == set(SETTINGS)
    readme = (ROOT / "README.md").read_text()
    deploying = readme[readme.index("## Deploying"):readme.index("## Architecture")]
    assert {name for name in required if f"`{name}`" not in deploying} == set()
