"""Run a parser in a child interpreter with OS memory and time limits.

python-calamine aborts the whole interpreter on some well-formed files, and a zip bomb can eat
gigabytes; inside the app server either would end every user's session. The parse therefore runs
in a fresh `python -m lib.importing.sandbox` whose address space and CPU time are capped
(RLIMIT_AS, RLIMIT_CPU), so the worst a file can do is fail an allocation in a process we can
afford to lose. A fresh interpreter rather than multiprocessing: a multiprocessing child would
re-run the parent's __main__, which inside Streamlit is the page script itself.

Protocol: the parent writes a pickle of (module, function name, args) to the child's stdin; the
child imports the module (unlimited: it is our own code), then applies the limits, runs the
function on the data and writes a pickle of (status, payload) to stdout.
"""
from __future__ import annotations

import errno
import importlib
import math
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from lib.importing.model import ImportFileError

ROOT = Path(__file__).resolve().parents[2]

# Allocators that reserve address space up front would make RLIMIT_AS measure reservations,
# not use: pyarrow's pool reserves ~1 GB on first use, glibc keeps an arena per thread and
# OpenBLAS a buffer per thread.
_CHILD_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2",
              "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0", "PYTHONPATH": str(ROOT)}


def run_limited(func: Callable[..., Any], *args: Any, memory_bytes: int, timeout_seconds: float) -> Any:
    """Return func(*args) computed in a child; any way the child fails becomes ImportFileError."""
    request = pickle.dumps((func.__module__, func.__qualname__, args), protocol=pickle.HIGHEST_PROTOCOL)
    command = [sys.executable, "-m", "lib.importing.sandbox", str(memory_bytes), str(timeout_seconds)]
    try:
        done = subprocess.run(command, input=request, capture_output=True, cwd=ROOT,
                              env={**os.environ, **_CHILD_ENV}, timeout=timeout_seconds + _STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        raise ImportFileError(_limits_message(f"reading took longer than {timeout_seconds:g} s")) from None
    except OSError as exc:
        raise ImportFileError(f"The file reader could not be started ({exc}); try again.") from None
    if done.returncode != 0 or not done.stdout:
        raise ImportFileError(_limits_message(_death(done.returncode, memory_bytes)))
    status, payload = pickle.loads(done.stdout)  # our own child's answer, not the upload
    return _unwrap(status, payload, memory_bytes)


# Starting the interpreter and importing pandas is not the file's fault: it is not counted
# against the file's time limit.
_STARTUP_SECONDS = 10.0


def _unwrap(status: str, payload: Any, memory_bytes: int) -> Any:
    if status == "ok":
        return payload
    if status == "refused":      # the reader's own, already worded refusal
        raise ImportFileError(payload)
    if status == "memory":
        raise ImportFileError(_limits_message(f"it needed more than {_gb(memory_bytes)} of memory"))
    raise ImportFileError(f"The file could not be read (it may be damaged): the reader failed "
                          f"with {payload}.")


def _out_of_memory(exc: Exception) -> bool:
    # Under RLIMIT_AS, loading a native library or an arrow buffer fails with these instead
    # of MemoryError.
    text = str(exc)
    return (getattr(exc, "errno", None) == errno.ENOMEM or "failed to map segment" in text
            or "Cannot allocate memory" in text or "out of memory" in text.lower())


def _apply_limits(memory_bytes: int, timeout_seconds: float) -> None:
    try:
        import resource
    except ImportError:   # not on a POSIX system: only the wall-clock limit applies
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not write a huge core file
    os.environ["RUST_BACKTRACE"] = "0"  # calamine's out-of-memory abort: one line in the log, not 50
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    cpu = math.ceil(timeout_seconds * 2) + 1   # pyarrow parses on two threads: CPU can outrun the clock
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    signal.setitimer(signal.ITIMER_REAL, timeout_seconds)  # SIGALRM's default action ends us


def _death(exitcode: int | None, memory_bytes: int) -> str:
    if exitcode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        return ("the reader crashed while allocating memory; the file asks for more than the "
                f"{_gb(memory_bytes)} allowed (often a sheet whose used range reaches far-away cells)")
    if exitcode == -signal.SIGKILL:
        return "the reader was killed (out of memory)"
    if exitcode == -signal.SIGALRM:
        return "reading took longer than allowed"
    if exitcode == -signal.SIGXCPU:
        return "it used more processor time than allowed"
    return f"the reader stopped unexpectedly (exit code {exitcode})"


def _limits_message(why: str) -> str:
    return (f"The file could not be read within the limits: {why}. Open it in Excel, delete "
            "unused sheets, rows and columns, and save again, or export the data as CSV.")


def _child_main(memory_bytes: int, timeout_seconds: float) -> None:
    module, name, raw = _read_request()
    func = getattr(importlib.import_module(module), name)
    _apply_limits(memory_bytes, timeout_seconds)
    try:
        result = ("ok", func(*pickle.loads(raw)))
    except ImportFileError as exc:
        result = ("refused", str(exc))
    except MemoryError:
        result = ("memory", "")
    except Exception as exc:  # a reader bug must still reach the parent as words
        result = ("memory", "") if _out_of_memory(exc) else ("error", f"{type(exc).__name__}: {exc}")
    try:
        out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        out = pickle.dumps(("memory", ""))
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


def _read_request() -> tuple[str, str, bytes]:
    """Split the request without unpickling the arguments yet: that happens under the limits."""
    module, name, args = pickle.loads(sys.stdin.buffer.read())
    return module, name, pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)


def _gb(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


if __name__ == "__main__":
    _child_main(int(sys.argv[1]), float(sys.argv[2]))
