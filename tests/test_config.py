"""A bad FAYUAN_* value stops start-up with one line naming the variable (exit status 2)."""
from __future__ import annotations

import subprocess

import pytest

from tests.processes import ROOT, fayuan_command


@pytest.mark.parametrize("variable, value", [
    ("FAYUAN_PORT", "eighty"),
    ("FAYUAN_TIMEZONE", "Mars/Olympus"),
    ("FAYUAN_DATABASE_URL", "mysql://x"),
    ("FAYUAN_GRACE_MINUTES", "soon"),
    ("FAYUAN_BOARD_REPLY_DAYS", "abc"),
    ("FAYUAN_APPLICATION_DEADLINES", "nope=3"),
    ("FAYUAN_RECORDING_RETENTION_DAYS", "0"),
    ("FAYUAN_PUBLIC_ORIGINS", "https://ok.example,fayuan.example"),
    ("FAYUAN_PUBLIC_ORIGINS", "https://fayuan.example.org/path"),
    ("FAYUAN_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
])
def test_bad_value_stops_start_up_naming_the_variable(tmp_path, variable: str, value: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "FAYUAN_DATA_DIR": str(tmp_path), "FAYUAN_PORT": "0", variable: value}
    done = subprocess.run([*fayuan_command(), "serve"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], done.stderr
    assert "serving" not in done.stdout


def test_the_public_origin_is_read_as_browsers_send_it() -> None:
    from server.config import Settings

    def origin(text: str) -> str | None:
        return Settings.from_env({"FAYUAN_PUBLIC_ORIGINS": text}).public_origin

    assert origin("https://Fayuan.Example.org:443/") == "https://fayuan.example.org"
    assert origin("http://10.0.0.5:8080") == "http://10.0.0.5:8080"
    assert Settings.from_env({"FAYUAN_PUBLIC_ORIGINS": "https://fayuan.example.org"}).public_https
    assert not Settings.from_env({}).public_https
