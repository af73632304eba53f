"""A real Janus (Debian's package) for tests and the benchmark: the one `make run` starts
(server/realtime/local_janus.py), on a free port with its configuration in the test's folder."""
from __future__ import annotations

from server.realtime.local_janus import LocalJanus as JanusProcess, available

__all__ = ["JanusProcess", "available"]
