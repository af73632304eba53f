"""`make run`'s Janus (`fayuan serve --local-janus`, server/realtime/local_janus.py): with Debian's
janus installed, the server starts one on a free port, says so in what it prints, reports the
video server ready to the meetings page, and stops it when it stops. (The page's other two
answers: tests/test_meetings.py without Janus, tests/test_meetings_janus.py once it stops.)"""
from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from server.realtime.janus import videoroom_ready
from server.realtime.local_janus import LocalJanus, available
from tests.processes import ServerProcess
from tests.support import Api, wait_until

pytestmark = pytest.mark.skipif(not available(), reason="Debian's janus is not installed (apt-get install janus)")
BANNER_JANUS = re.compile(
    r"^  Janus +(http://127\.0\.0\.1:\d+/janus) \(started for this run, pid (\d+); stops with it\)", re.M)
STOP_SECONDS = 15.0


def test_a_local_janus_answers_on_a_free_port_with_the_videoroom_and_stops(tmp_path: Path) -> None:
    janus = LocalJanus(tmp_path).start()
    try:
        assert janus.url == f"http://127.0.0.1:{janus.port}/janus" and videoroom_ready(janus.url)
    finally:
        janus.stop()
    assert janus.process is not None and janus.process.poll() is not None
    assert not videoroom_ready(janus.url)


async def test_serve_with_local_janus_starts_it_says_so_reports_it_ready_and_stops_it(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    server.args.append("--local-janus")
    server.env.pop("FAYUAN_JANUS_URL", None)
    server.start()
    try:
        banner = BANNER_JANUS.search(server.tail(20_000))
        assert banner, server.tail()
        url, pid = banner.group(1), int(banner.group(2))
        assert videoroom_ready(url)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[0].endswith(b"janus") and str(server.data_dir / "janus").encode() in b" ".join(cmdline)
        api = Api(server.base_url)
        try:
            await api.login("center")
            assert await api.get("/api/meetings/video-server") == (200, {"janus": "ready", "mesh_max": 4})
        finally:
            await api.close()
    finally:
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)  # as Ctrl-C or a service manager stops it
        server.process.wait(timeout=STOP_SECONDS)
    assert server.process.returncode == 0, server.tail()
    await wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=STOP_SECONDS)
    assert not videoroom_ready(url)
