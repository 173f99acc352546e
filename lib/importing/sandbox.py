"""Run a parser in a child interpreter with OS memory and time limits.

python-calamine aborts the whole interpreter on some well-formed files, and a zip bomb can eat
gigabytes; inside the app server either would end every user's session. The parse therefore runs
in a fresh `python -m lib.importing.sandbox` whose address space and CPU time are capped
(RLIMIT_AS, RLIMIT_CPU), so the worst a file can do is fail an allocation in a process we can
afford to lose. A fresh interpreter rather than multiprocessing: a multiprocessing child would
re-run the parent's __main__, which inside Streamlit is the page script itself.

Protocol: the parent writes a pickle of (module, function name, args, memory, seconds) to the
child's stdin; the child imports the module (unlimited: it is our own code), then applies the
limits, runs the function on the data and writes a pickle of (status, payload) to stdout. Both
pickles are streamed through the pipes, never built whole in memory: a million-row file is then
held once on each side, not once as objects and once more as its pickle.

Starting an interpreter and importing pandas takes most of a second, so one child is kept
started ahead (`warm`), its modules imported, waiting for a request: the Import page asks for it
once it has been drawn, so the next file finds it, while this file's staging, preview or commit
has the processor to itself. A parse with none waiting starts its own. A child serves one
request and exits, so no file ever meets a process another file has been through.
"""
from __future__ import annotations

import atexit
import errno
import importlib
import math
import os
import pickle
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from lib.importing.model import ImportFileError

ROOT = Path(__file__).resolve().parents[2]

# Allocators that reserve address space up front would make RLIMIT_AS measure reservations,
# not use: pyarrow's pool reserves ~1 GB on first use, glibc keeps an arena per thread and
# OpenBLAS a buffer per thread. glibc's mmap threshold is fixed: left to itself it rises to the
# largest block freed so far, so finding the table's whole-column temporaries (a few MB each)
# come from the heap, whose holes the next ones do not fit; fixed, each is given back when freed
# (a million-row CSV: the child's peak 340 -> 277 MiB, for ~0.1 s of page faults).
_CHILD_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2",
              "MALLOC_MMAP_THRESHOLD_": "131072",
              "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0", "PYTHONPATH": str(ROOT)}


def run_limited(func: Callable[..., Any], *args: Any, memory_bytes: int, timeout_seconds: float) -> Any:
    """Return func(*args) computed in a child; any way the child fails becomes ImportFileError."""
    request = (func.__module__, func.__qualname__, args, memory_bytes, timeout_seconds)
    try:
        child = _take_spare(func.__module__) or _start(func.__module__)
    except OSError as exc:
        raise ImportFileError(f"The file reader could not be started ({exc}); try again.") from None
    # The child's own alarm ends it at timeout_seconds; this is the backstop for a child that
    # never got as far as setting it.
    overdue = threading.Event()
    backstop = threading.Timer(timeout_seconds + _STARTUP_SECONDS, lambda: (overdue.set(), child.kill()))
    backstop.start()
    try:
        answer = _exchange(child, request)
    finally:
        backstop.cancel()
    if answer is None:
        why = (f"reading took longer than {timeout_seconds:g} s" if overdue.is_set()
               else _death(child.returncode, memory_bytes))
        raise ImportFileError(_limits_message(why))
    return _unwrap(*answer, memory_bytes)


def _exchange(child: subprocess.Popen, request: tuple) -> tuple[str, Any] | None:
    """Send the request and read the answer as streams, so neither the file's bytes nor the
    parsed sheets are ever held twice (once pickled, once as objects) on either side."""
    try:
        with child.stdin:
            pickle.dump(request, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:      # the child is gone (killed, or died starting); its exit code says why
        pass
    try:
        with child.stdout:
            answer = pickle.load(child.stdout)   # our own child's answer, not the upload
    except Exception:    # cut short: the child died while answering
        answer = None
    child.wait()
    return answer if child.returncode == 0 else None


_spare: dict[str, subprocess.Popen] = {}    # module -> a child that imported it, waiting
_spare_lock = threading.Lock()


def warm(module: str = "lib.importing.reader") -> None:
    """Have a child started ahead for `module`, unless one is already waiting."""
    with _spare_lock:
        waiting = _spare.get(module)
        if waiting is not None and waiting.poll() is None:
            return
        try:
            _spare[module] = _start(module)
        except OSError:          # the next parse starts its own and says so if it cannot
            _spare.pop(module, None)


def waiting_pids() -> list[int]:
    """The process ids of the children started ahead and waiting for a file (the benchmark
    measures what one costs before it reads a byte)."""
    with _spare_lock:
        return [child.pid for child in _spare.values() if child.poll() is None]


def _take_spare(module: str) -> subprocess.Popen | None:
    with _spare_lock:
        child = _spare.pop(module, None)
    return child if child is not None and child.poll() is None else None


def _start(module: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lib.importing.sandbox", module],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=ROOT, env={**os.environ, **_CHILD_ENV})


@atexit.register
def _stop_spares() -> None:
    with _spare_lock:
        for child in _spare.values():
            child.kill()
            child.communicate()
        _spare.clear()


# Starting the interpreter and importing pandas is not the file's fault: it is not counted
# against the file's time limit.
_STARTUP_SECONDS = 10.0

OUT_OF_MEMORY_EXIT = 12   # the child ran out of memory while writing its answer


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
    if exitcode == OUT_OF_MEMORY_EXIT:
        return f"it needed more than {_gb(memory_bytes)} of memory"
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


def _child_main(preload: str) -> None:
    importlib.import_module(preload)      # while waiting for a file, before any limit
    try:
        # The request is our own parent's (the file's bytes travel inside it as plain bytes).
        module, name, args, memory_bytes, timeout_seconds = pickle.load(sys.stdin.buffer)
    except EOFError:     # the server ended without handing us a file
        return
    func = getattr(importlib.import_module(module), name)
    _apply_limits(memory_bytes, timeout_seconds)
    try:
        result = ("ok", func(*args))
    except ImportFileError as exc:
        result = ("refused", str(exc))
    except MemoryError:
        result = ("memory", "")
    except Exception as exc:  # a reader bug must still reach the parent as words
        result = ("memory", "") if _out_of_memory(exc) else ("error", f"{type(exc).__name__}: {exc}")
    del args
    try:
        pickle.dump(result, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
        sys.stdout.buffer.flush()
    except MemoryError:  # part of the answer may be written already: the exit code speaks
        os._exit(OUT_OF_MEMORY_EXIT)


def _gb(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


if __name__ == "__main__":
    _child_main(sys.argv[1])
