"""How the server's process allocates: large blocks go back to the system once freed.

An import of a million rows builds and drops whole-column arrays of a few MB each. Left to
their defaults, both allocators keep what such steps freed, so the process stays at its peak
and each step adds to it: glibc raises its mmap threshold to the largest block freed so far
(up to 32 MiB), after which blocks that size come from the heap, whose holes the next ones do
not fit; Arrow's default pool (mimalloc) keeps freed pages for reuse. With the threshold fixed
and Arrow allocating through malloc, a block over 128 KiB is mapped when asked for and unmapped
when freed (bench/RESULTS.md: the app's peak on the million-row import, 718 -> 611 MiB, in the
same time). The parser child (lib.importing.sandbox) is started with the same settings.
"""
from __future__ import annotations

import ctypes
import sys
import threading

import pyarrow as pa

M_MMAP_THRESHOLD = -3            # mallopt's parameter (glibc's malloc.h)
MMAP_THRESHOLD = 128 * 1024      # glibc's own starting value, kept from then on

_lock = threading.Lock()
_settled = False


def give_back_large_blocks() -> None:
    """Set both allocators so (once per process; later calls do nothing)."""
    global _settled
    with _lock:
        if _settled:
            return
        _settled = True
        pa.set_memory_pool(pa.system_memory_pool())
        mallopt = _mallopt()
        if mallopt is not None:
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _mallopt():
    """glibc's mallopt, where the process has one (not on macOS, Windows or musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
