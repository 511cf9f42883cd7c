"""A description of the machine and software a benchmark ran on (recorded next to the numbers)."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from importlib import metadata
from typing import Any

__all__ = ["describe"]

_PACKAGES = (
    "boto3",
    "botocore",
    "aws-lambda-powertools",
    "fastapi",
    "starlette",
    "uvicorn",
    "anyio",
    "h11",
    "httptools",
    "uvloop",
    "matplotlib",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def describe() -> dict[str, Any]:
    """CPU model, cores, memory, OS, Python and package versions, date and the load average at start."""
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cpu_cores": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "memory_bytes": _memory_bytes(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "packages": {name: _version(name) for name in _PACKAGES},
        "load_average_at_start": list(os.getloadavg()),
        "note": "2 cores shared with other engineers' test runs: expect noise; compare paths within one run only.",
    }
