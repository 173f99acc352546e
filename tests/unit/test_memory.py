"""The server's allocators give large blocks back to the system (lib.memory)."""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter, so no other test has set the allocators already. A 16 MiB block
# freed raises glibc's own mmap threshold to 16 MiB; then a 1 MiB block comes from the heap,
# unless the threshold is fixed, when it is mapped on its own (one more mmapped block).
PROBE = """
import ctypes, sys
import pyarrow as pa
from lib.memory import give_back_large_blocks
if sys.argv[1] == "settled":
    give_back_large_blocks()
    give_back_large_blocks()
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(16 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before, pa.default_memory_pool().backend_name)
libc.free(block)
"""


def _probe(how: str) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ARROW_DEFAULT_MEMORY_POOL", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")}
    done = subprocess.run([sys.executable, "-c", PROBE, how], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True, env=env)
    return done.stdout.strip()


def _glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL(None), "mallinfo2")
    except OSError:
        return False


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_after_settling_a_freed_large_block_no_longer_moves_the_next_ones_onto_the_heap():
    assert _probe("settled") == "1 system"


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_left_alone_a_process_keeps_glibcs_and_arrows_own_defaults():
    # what the settled test is measured against: it would pass without lib.memory otherwise
    assert _probe("default") == "0 mimalloc"
