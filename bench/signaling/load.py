"""The load generator: pairs of clients relaying signaling-sized messages at a fixed offered
rate, open loop (a slow server does not slow the sender), while the server's CPU is read
before and after each stretch.

Every message carries the monotonic time it was sent; the receiving client, in this same
process, records its arrival. The same plan runs against every implementation.
"""
from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.signaling.adapters import Adapter
from bench.signaling.client import SocketIOClient
from bench.signaling.cpu import core_busy_s, process_cpu_s

# What a relayed message carries besides its sequence number and send time: one trickled ICE
# candidate, the most frequent signaling message of a call.
ICE_CANDIDATE = {
    "candidate": "candidate:842163049 1 udp 1677729535 203.0.113.7 50123 typ srflx raddr 192.168.1.20 "
                 "rport 50123 generation 0 ufrag 4ZcD network-id 1 network-cost 10",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}
# fayuan refuses more than this per connection (docs/protocol.md); the plan stays below it so
# that every implementation relays every message.
MAX_MSG_PER_S_PER_CONNECTION = 50
SEND_TICK_S = 0.001  # the sender wakes this often and sends every message that has come due
QUIET_BEFORE_MEASURING_S = 0.5  # lets the previous stretch's last frames and garbage settle
CONNECTS_AT_ONCE = 10


@dataclass(frozen=True)
class LoadPlan:
    pairs: int = 50
    rate_msg_per_s: int = 2_000
    messages_per_round: int = 10_000
    rounds: int = 3  # implementations take turns, so a burst of other work on the machine hits all
    warmup_messages: int = 2_000
    drain_timeout_s: float = 5.0  # after the last send, how long to wait for stragglers

    def __post_init__(self) -> None:
        per_connection = self.rate_msg_per_s / (2 * self.pairs)
        if per_connection > MAX_MSG_PER_S_PER_CONNECTION:
            raise ValueError(f"{per_connection:.0f} msg/s per connection is over fayuan's limit of "
                             f"{MAX_MSG_PER_S_PER_CONNECTION}: add pairs or lower the rate")


@dataclass(frozen=True)
class Stretch:
    """One measured stretch of relaying against one server."""
    sent: int
    delivered: int
    wall_s: float  # first send to last arrival
    server_cpu_s: float
    server_core_busy_s: float  # the server's core, all processes
    loadgen_cpu_s: float
    loadgen_core_busy_s: float  # the load generator's core, all processes
    latencies_ns: list[int]


def percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest rank, fraction in (0, 1]."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


class Arrivals:
    """Counts relayed messages as they reach their receivers, with each one's latency."""

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter
        self.latencies_ns: list[int] = []
        self.last_arrival_ns = 0
        self.all_arrived = asyncio.Event()
        self._expected = 0
        self._sent_since_ns = 0

    def expect(self, count: int, *, sent_since_ns: int) -> None:
        """Start counting afresh; stragglers of an earlier stretch, sent before
        `sent_since_ns`, are not counted."""
        self.latencies_ns = []
        self.last_arrival_ns = 0
        self._expected = count
        self._sent_since_ns = sent_since_ns
        self.all_arrived.clear()

    def on_event(self, event: str, payload: Any) -> None:
        data = self._adapter.relayed(event, payload)
        if data is None or data["sent_ns"] < self._sent_since_ns:
            return
        now_ns = time.monotonic_ns()
        self.latencies_ns.append(now_ns - data["sent_ns"])
        self.last_arrival_ns = now_ns
        if len(self.latencies_ns) >= self._expected:
            self.all_arrived.set()


class PairedClients:
    """One implementation's pairs of clients, connected and each pair in its room."""

    def __init__(self, adapter: Adapter, plan: LoadPlan, server_pid: int, cores: tuple[int, int]) -> None:
        self._adapter = adapter
        self._plan = plan
        self._server_pid = server_pid
        self._server_core, self._loadgen_core = cores
        self._arrivals = Arrivals(adapter)
        self._members: list[tuple[SocketIOClient, int]] = []  # a0, b0, a1, b1, ...

    async def connect(self, http: aiohttp.ClientSession, base_url: str) -> None:
        gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

        async def pair_up(pair: int) -> None:
            async with gate:
                clients = []
                for login in self._adapter.logins(pair):
                    client = SocketIOClient(http, self._arrivals.on_event, namespace=self._adapter.namespace)
                    self._members.append((client, pair))
                    clients.append(client)
                    await client.connect(base_url, auth=login.auth, headers=login.headers)
                await self._adapter.join_pair(*clients, pair)

        await asyncio.gather(*(pair_up(pair) for pair in range(self._plan.pairs)))
        self._members.sort(key=lambda member: member[1])

    async def close(self) -> None:
        await asyncio.gather(*(client.close() for client, _pair in self._members))

    async def warm_up(self) -> None:
        """Relay unmeasured messages first: JIT compilers, caches and buffers settle."""
        await self._relay(self._plan.warmup_messages)

    async def measure(self) -> Stretch:
        await asyncio.sleep(QUIET_BEFORE_MEASURING_S)
        before = self._cpu_readings()
        start_ns = await self._relay(self._plan.messages_per_round)
        after = self._cpu_readings()
        server_cpu, server_core, loadgen_cpu, loadgen_core = (b - a for a, b in zip(before, after))
        latencies = self._arrivals.latencies_ns
        end_ns = self._arrivals.last_arrival_ns or time.monotonic_ns()
        return Stretch(sent=self._plan.messages_per_round, delivered=len(latencies), wall_s=(end_ns - start_ns) / 1e9,
                       server_cpu_s=server_cpu, server_core_busy_s=server_core,
                       loadgen_cpu_s=loadgen_cpu, loadgen_core_busy_s=loadgen_core, latencies_ns=latencies)

    def _cpu_readings(self) -> tuple[float, float, float, float]:
        return (process_cpu_s(self._server_pid), core_busy_s(self._server_core),
                time.process_time(), core_busy_s(self._loadgen_core))

    async def _relay(self, count: int) -> int:
        """Send `count` messages at the plan's rate, each from the next member in turn to its
        partner, then wait (bounded) for them to arrive. Returns the start time in ns."""
        arrivals, members, rate = self._arrivals, self._members, self._plan.rate_msg_per_s
        start_ns = time.monotonic_ns()
        arrivals.expect(count, sent_since_ns=start_ns)
        sent = 0
        while sent < count:
            due = min(count, (time.monotonic_ns() - start_ns) * rate // 1_000_000_000 + 1)
            while sent < due:
                client, pair = members[sent % len(members)]
                data = {"seq": sent, "sent_ns": time.monotonic_ns(), **ICE_CANDIDATE}
                await client.emit(*self._adapter.relay(pair, data))
                sent += 1
            await asyncio.sleep(SEND_TICK_S)
        try:
            await asyncio.wait_for(arrivals.all_arrived.wait(), self._plan.drain_timeout_s)
        except asyncio.TimeoutError:
            pass  # the stretch reports how many arrived
        return start_ns
