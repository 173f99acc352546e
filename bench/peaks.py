"""Peak memory of a measuring process and of its children, as bench/importing.py reports it."""
from __future__ import annotations

import os
import resource
import sys
import threading
from pathlib import Path

from bench_common import status_kib


def hwm_mib(pid: int | str = "self") -> float | None:
    """A process's own peak resident memory (VmHWM, Linux), in MiB; None where unknown."""
    try:
        return status_kib(pid, "VmHWM") / 1024
    except (OSError, ValueError, RuntimeError):
        return None


class ChildPeaks:
    """Polls the own peak (VmHWM) of this process's children while they run. ru_maxrss alone
    cannot tell a child's peak: Linux carries the parent's high-water mark across fork and exec,
    so a child's ru_maxrss is at least what its parent had reached."""

    def __init__(self, interval: float = 0.02):
        self.interval, self.peak, self._stop = interval, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _children(self) -> list[str]:
        me, found = str(os.getpid()), []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                if stat.rsplit(")", 1)[1].split()[1] == me:
                    found.append(entry.name)
        return found

    def _poll(self) -> None:
        while not self._stop.is_set():
            for pid in self._children():
                self.peak = max(self.peak, hwm_mib(pid) or 0.0)
            self._stop.wait(self.interval)

    def __enter__(self) -> "ChildPeaks":
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def peak_mib(children: ChildPeaks | None = None) -> dict[str, float]:
    """Peak memory in MiB: ru_maxrss of this process and of its largest waited-for child (as
    the OS reports them: inherited high-water marks included), and the own peaks (VmHWM)."""
    per_mib = 1024**2 if sys.platform == "darwin" else 1024   # macOS counts bytes, Linux KiB
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / per_mib
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / per_mib
    return {"ru_self_mib": rss_self, "ru_child_mib": rss_child,
            "self_mib": hwm_mib() or rss_self,
            "child_mib": children.peak if children and children.peak else rss_child}
