"""``bench.cpu_quota.CpuQuotaGroup`` on this machine's real cgroup tree: create, use, put back, remove.

Needs root and a cgroup CPU controller (https://docs.kernel.org/scheduler/sched-bwc.html); skipped, with the reason,
where either is missing. Every test checks that no group is left behind.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cpu_quota import CgroupLayout, CpuQuotaGroup, QuotaUnavailable, detect_layout, quota_us

_WAIT_FOR_STDIN = [sys.executable, "-c", "import sys; sys.stdin.read()"]


@pytest.fixture
def layout() -> CgroupLayout:
    try:
        return detect_layout()
    except QuotaUnavailable as reason:
        pytest.skip(str(reason))


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(_WAIT_FOR_STDIN, stdin=subprocess.PIPE)
    try:
        yield process
    finally:
        if process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(10)


def _group_of(pid: int, layout: CgroupLayout) -> str:
    for line in Path(f"/proc/{pid}/cgroup").read_text(encoding="ascii").splitlines():
        number, controllers, path = line.split(":", 2)
        if (layout.version == 2 and number == "0") or (layout.version == 1 and "cpu" in controllers.split(",")):
            return path
    raise AssertionError(f"pid {pid} has no cpu cgroup line")


def _quota_written(group: CpuQuotaGroup) -> tuple[int, int]:
    if group.layout.version == 2:
        quota, period = (group.path / "cpu.max").read_text(encoding="ascii").split()
        return int(quota), int(period)
    quota_text = (group.path / "cpu.cfs_quota_us").read_text(encoding="ascii")
    return int(quota_text), int((group.path / "cpu.cfs_period_us").read_text(encoding="ascii"))


def test_a_moved_process_runs_in_the_group_and_goes_back_when_it_closes(
    layout: CgroupLayout, child: subprocess.Popen[bytes]
) -> None:
    before = _group_of(child.pid, layout)
    with CpuQuotaGroup.for_memory(128, 100_000) as group:
        assert group.path.is_dir()
        assert _quota_written(group) == (quota_us(128, 100_000), 100_000)
        group.add(child.pid)
        assert group.pids() == [child.pid]
        assert _group_of(child.pid, layout).endswith("/" + group.path.name)
    assert not group.path.exists()
    assert child.poll() is None
    assert _group_of(child.pid, layout) == before


def test_a_process_started_through_the_group_joins_it_before_it_runs(layout: CgroupLayout) -> None:
    with CpuQuotaGroup.for_memory(512) as group:
        code = "import pathlib; print(pathlib.Path('/proc/self/cgroup').read_text())"
        completed = subprocess.run(group.command([sys.executable, "-c", code]), capture_output=True, check=True)
        assert group.path.name in completed.stdout.decode()
    assert not group.path.exists()


def test_the_group_is_removed_and_the_process_put_back_when_the_body_raises(
    layout: CgroupLayout, child: subprocess.Popen[bytes]
) -> None:
    before = _group_of(child.pid, layout)
    group = CpuQuotaGroup.for_memory(256)

    def interrupted() -> None:
        with group:
            group.add(child.pid)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert not group.path.exists()
    assert _group_of(child.pid, layout) == before


def test_without_a_cpu_controller_the_reason_is_given(tmp_path: Path) -> None:
    with pytest.raises(QuotaUnavailable, match=r"not root|no cgroup CPU controller"):
        detect_layout(tmp_path)
