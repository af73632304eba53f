"""CPU time of another process, from /proc (Linux)."""
from __future__ import annotations

import os

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds that process `pid` has used, all its threads together."""
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    # The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    fields = text[text.rindex(")") + 2:].split()
    utime_ticks, stime_ticks = int(fields[11]), int(fields[12])
    return (utime_ticks + stime_ticks) / CLOCK_TICKS_PER_S


def core_busy_s(core: int) -> float:
    """Seconds core `core` has spent on anything but idling, by every process and the kernel.

    Beside process_cpu_s of the server it shows how much of the core other work took."""
    with open("/proc/stat") as stat:
        for line in stat:
            name, *ticks = line.split()
            if name == f"cpu{core}":
                user, nice, system, _idle, _iowait, irq, softirq, steal = (int(t) for t in ticks[:8])
                return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_S
    raise ValueError(f"/proc/stat has no line for cpu{core}")
