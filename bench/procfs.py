"""Process measurements from Linux ``/proc``: peak RSS (``VmHWM``) and CPU time (``utime + stime``).

See proc(5): ``/proc/<pid>/status`` reports ``VmHWM`` in kB; fields 14 and 15 of ``/proc/<pid>/stat`` are user and
system time in clock ticks (``SC_CLK_TCK``).
"""

from __future__ import annotations

import os

__all__ = ["cpu_seconds", "peak_rss_bytes", "rss_bytes"]

_TICKS = os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(f"/proc/{pid}/status has no {field}")


def peak_rss_bytes(pid: int) -> int:
    """The process's resident set high-water mark."""
    return _status_kb(pid, "VmHWM") * 1024


def rss_bytes(pid: int) -> int:
    """The process's current resident set size."""
    return _status_kb(pid, "VmRSS") * 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        text = stat.read()
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces; skip past it
    return (int(fields[11]) + int(fields[12])) / _TICKS
