"""The SQL box's worker: `python -m lib.explore_sqlworker COPY MEMORY SECONDS ROWS`, SQL on stdin.

Kept apart from lib.sql_box so the child imports only duckdb (about 0.2 s) and not pandas and
the rest of lib (1.5 s). It opens the copy read-only with external access, extension loading
and configuration changes off, then caps its own address space (RLIMIT_AS), processor time and
wall clock the way lib.importing.sandbox caps a file reader: a repeat('x', 1500000000) gets
past DuckDB's memory_limit and timeout, not past the OS. It answers with a pickle of
(status, payload) on stdout: ("ok", (columns, rows, truncated)) or ("stopped"|"refused", words).
"""
from __future__ import annotations

import errno
import math
import os
import pickle
import signal
import sys

import duckdb

MAX_RESULT_BYTES = 64 * 1024**2


def stopped(why: str) -> str:
    return (f"The query was stopped: {why}. Narrow it (a WHERE, a smaller range, fewer joins) "
            "or aggregate it, and run it again.")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def apply_limits(memory_bytes: int, timeout_seconds: float) -> None:
    try:
        import resource
    except ImportError:   # not POSIX: only the parent's wall-clock limit applies
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    cpu = math.ceil(timeout_seconds * 2) + 1   # two DuckDB threads can outrun the clock
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    signal.setitimer(signal.ITIMER_REAL, timeout_seconds)  # SIGALRM's default action ends us


def _out_of_memory(exc: BaseException) -> bool:
    text = str(exc)
    return (getattr(exc, "errno", None) == errno.ENOMEM or "Cannot allocate memory" in text
            or "out of memory" in text.lower() or "failed to allocate" in text.lower())


def run_query(path: str, sql: str, memory_bytes: int, timeout_seconds: float, row_cap: int) -> tuple:
    megabytes = memory_bytes // 1024**2
    config = {"access_mode": "READ_ONLY", "enable_external_access": False,
              "autoinstall_known_extensions": False, "autoload_known_extensions": False,
              "allow_community_extensions": False, "lock_configuration": True,
              "memory_limit": f"{megabytes // 2}MB", "threads": 2}
    try:
        con = duckdb.connect(path, config=config)
        apply_limits(memory_bytes, timeout_seconds)
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchmany(row_cap + 1)
    except MemoryError:
        return "stopped", stopped(f"it needed more than the {megabytes:,} MB of memory allowed")
    except duckdb.OutOfMemoryException:
        return "stopped", stopped(f"it needed more than the {megabytes:,} MB of memory allowed")
    except duckdb.PermissionException as exc:
        return "refused", f"The query tried something the SQL box does not allow: {first_line(exc)}"
    except duckdb.Error as exc:
        if _out_of_memory(exc):
            return "stopped", stopped(f"it needed more than the {megabytes:,} MB of memory allowed")
        return "refused", f"DuckDB could not run the query: {first_line(exc)}"
    return "ok", (columns, rows[:row_cap], len(rows) > row_cap)


def main(path: str, memory_bytes: int, timeout_seconds: float, row_cap: int) -> None:
    os.environ["MALLOC_ARENA_MAX"] = "2"
    sql = sys.stdin.buffer.read().decode("utf-8")
    result = run_query(path, sql, memory_bytes, timeout_seconds, row_cap)
    try:
        out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        out = pickle.dumps(("stopped", stopped("its result needed more memory than allowed")))
    if len(out) > MAX_RESULT_BYTES:
        out = pickle.dumps(("stopped", stopped(f"its result is larger than "
                                               f"{MAX_RESULT_BYTES // 1024**2} MB")))
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
