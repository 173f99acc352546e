"""What the benchmark scripts share: a one-line description of the machine they ran on, and a
process's memory as Linux reports it."""
from __future__ import annotations

import os
import platform
from pathlib import Path

import duckdb


def machine(*extra: str) -> str:
    """'2 cores, 24 GiB, x86_64, CPython 3.11.7, DuckDB 2.0.0' plus any `extra` parts."""
    memory = "?"
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return ", ".join((f"{os.cpu_count()} cores", memory, platform.machine(),
                      f"{platform.python_implementation()} {platform.python_version()}",
                      f"DuckDB {duckdb.__version__}", *extra))


def status_kib(pid: int | str, field: str) -> int:
    """A field of /proc/<pid>/status in KiB (VmHWM: peak resident memory, VmRSS: resident now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")
