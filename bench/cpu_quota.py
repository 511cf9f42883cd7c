"""Run processes under Lambda's CPU share: a temporary cgroup with a CFS quota of ``period x memory / 1769``.

Lambda allocates CPU in proportion to memory; at 1,769 MB a function has the equivalent of one vCPU
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). Linux enforces such a share with the CFS
bandwidth controller: a group may run ``quota`` microseconds of CPU per ``period``
(https://docs.kernel.org/scheduler/sched-bwc.html). cgroup v1 exposes ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``;
cgroup v2 exposes ``cpu.max`` ("quota period"; https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files).

:class:`CpuQuotaGroup` is a context manager: it creates a fresh group, lets the caller start processes inside it
(:meth:`CpuQuotaGroup.command` prefixes an argv so the process joins before it execs, so its whole start-up runs under
the quota), and on exit (also on errors and KeyboardInterrupt) moves whatever still runs in it back to the cgroup this
process was in and removes the group. Only processes started through it ever enter the group.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = [
    "DEFAULT_PERIOD_US",
    "FULL_VCPU_MB",
    "CgroupLayout",
    "CpuQuotaGroup",
    "QuotaUnavailable",
    "detect_layout",
    "quota_us",
]

#: Memory size at which Lambda gives a function one full vCPU.
FULL_VCPU_MB = 1769
#: The kernel's default CFS period (100 ms).
DEFAULT_PERIOD_US = 100_000
#: The smallest quota the kernel accepts (1 ms).
MIN_QUOTA_US = 1000
_PREFIX = "bedrock-stream-bench"
_NUMBERS = itertools.count()


class QuotaUnavailable(Exception):
    """CPU quotas cannot be applied here (not root, or no cgroup CPU controller); the message says why."""


def quota_us(memory_mb: int, period_us: int = DEFAULT_PERIOD_US) -> int:
    """The CFS quota giving a Lambda function of ``memory_mb`` its CPU share: ``period x memory / 1769``, rounded."""
    if memory_mb <= 0:
        raise ValueError(f"memory must be positive, got {memory_mb} MB")
    if not 1000 <= period_us <= 1_000_000:
        raise ValueError(f"the CFS period must be 1000..1000000 us, got {period_us}")
    return max(MIN_QUOTA_US, round(period_us * memory_mb / FULL_VCPU_MB))


@dataclass(frozen=True, slots=True)
class CgroupLayout:
    """Where the CPU controller lives: ``version`` 1 or 2, its mount point and this process's group in it."""

    version: int
    mount: Path
    own_group: str
    """This process's group relative to ``mount`` (e.g. ``/`` or ``/user.slice``): where processes go back to."""

    @property
    def own_dir(self) -> Path:
        """The directory of this process's own group."""
        return self.mount / self.own_group.lstrip("/")


def _own_group(proc_cgroup: str, version: int) -> str:
    for line in proc_cgroup.splitlines():
        number, controllers, path = line.split(":", 2)
        if version == 2 and number == "0" and controllers == "":
            return path
        if version == 1 and "cpu" in controllers.split(","):
            return path
    raise QuotaUnavailable(f"this process is in no cgroup v{version} CPU hierarchy (/proc/self/cgroup)")


def detect_layout(root: Path = Path("/sys/fs/cgroup")) -> CgroupLayout:
    """Find the CPU controller (v2 unified hierarchy with ``cpu`` enabled, else v1 ``cpu``); raise if unusable."""
    if os.geteuid() != 0:
        raise QuotaUnavailable("not root: creating a cgroup and setting its CPU quota needs root")
    proc_cgroup = Path("/proc/self/cgroup").read_text(encoding="ascii")
    controllers = root / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text(encoding="ascii").split():
        return CgroupLayout(2, root, _own_group(proc_cgroup, 2))
    for mount in (root / "cpu", root / "cpu,cpuacct", root / "cpuacct,cpu"):
        if (mount / "cpu.cfs_quota_us").exists():
            return CgroupLayout(1, mount, _own_group(proc_cgroup, 1))
    raise QuotaUnavailable(f"no cgroup CPU controller with CFS bandwidth control under {root}")


class CpuQuotaGroup:
    """A temporary cgroup whose processes share ``quota_us`` of CPU per ``period_us``; removed on exit."""

    def __init__(self, quota: int, period_us: int = DEFAULT_PERIOD_US, layout: CgroupLayout | None = None) -> None:
        if quota < MIN_QUOTA_US:
            raise ValueError(f"the quota must be at least {MIN_QUOTA_US} us, got {quota}")
        self.quota_us = quota
        self.period_us = period_us
        self.layout = layout or detect_layout()
        name = f"{_PREFIX}-{os.getpid()}-{next(_NUMBERS)}"
        # v2: a child of the root (our own group may hold processes, and v2 forbids processes in inner nodes)
        parent = self.layout.mount if self.layout.version == 2 else self.layout.own_dir
        self.path = parent / name
        self._created = False

    @classmethod
    def for_memory(cls, memory_mb: int, period_us: int = DEFAULT_PERIOD_US) -> CpuQuotaGroup:
        """The group for a Lambda function of ``memory_mb``."""
        return cls(quota_us(memory_mb, period_us), period_us)

    @property
    def procs_file(self) -> Path:
        """The group's ``cgroup.procs``: writing a pid there moves that process (all its threads) in."""
        return self.path / "cgroup.procs"

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` prefixed so that the started process joins this group, then execs ``argv`` (children follow)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.procs_file), *argv]

    def add(self, pid: int) -> None:
        """Move a process this program started into the group."""
        self.procs_file.write_text(f"{pid}\n", encoding="ascii")

    def pids(self) -> list[int]:
        """Processes in the group now."""
        return [int(line) for line in self.procs_file.read_text(encoding="ascii").split()]

    def throttling(self) -> dict[str, int]:
        """The group's ``cpu.stat`` counters (periods, throttled periods and time)."""
        stats: dict[str, int] = {}
        for line in (self.path / "cpu.stat").read_text(encoding="ascii").splitlines():
            key, _, value = line.partition(" ")
            if value.strip().isdigit():
                stats[key] = int(value)
        return stats

    def __enter__(self) -> CpuQuotaGroup:
        if self.layout.version == 2:
            control = self.layout.mount / "cgroup.subtree_control"
            if "cpu" not in control.read_text(encoding="ascii").split():
                control.write_text("+cpu\n", encoding="ascii")
        self.path.mkdir()
        self._created = True
        try:
            if self.layout.version == 2:
                (self.path / "cpu.max").write_text(f"{self.quota_us} {self.period_us}\n", encoding="ascii")
            else:
                (self.path / "cpu.cfs_period_us").write_text(f"{self.period_us}\n", encoding="ascii")
                (self.path / "cpu.cfs_quota_us").write_text(f"{self.quota_us}\n", encoding="ascii")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Move every remaining process back to this program's own cgroup and remove the group. Idempotent."""
        if not self._created:
            return
        back = self.layout.own_dir / "cgroup.procs"
        deadline = time.monotonic() + 5
        while True:
            for pid in self.pids() if self.path.exists() else []:
                with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
                    back.write_text(f"{pid}\n", encoding="ascii")
            try:
                self.path.rmdir()
            except FileNotFoundError:
                pass
            except OSError as error:  # EBUSY: a process was still leaving; try again briefly
                if error.errno != errno.EBUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
                continue
            self._created = False
            return
