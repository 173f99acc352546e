"""lib.ui_jobs: the server's background threads end cleanly when the process does, even in the
middle of their work. A thread still inside DuckDB when Python shuts down aborts the process
("FATAL: exception not rethrown"), as stopping a server during a warm-up did."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT, copy_db

# Starts the warm-up thread on the database, waits until it is inside its work, and ends.
SCRIPT = textwrap.dedent("""
    import sys, threading
    from lib import ui_jobs, warmup
    from lib.migrate import open_database

    begun, real = threading.Event(), warmup.warm

    def warm(db, today):
        begun.set()
        built = real(db, today)
        print("built", ", ".join(built), flush=True)
        return built

    warmup.warm = warm
    ui_jobs.start_thread("warm-up", ui_jobs.warm_loop, warmup.Warmer(open_database(sys.argv[1]), quiet=0))
    assert begun.wait(30)
""")


def test_a_process_that_ends_while_the_warm_up_is_at_work_lets_it_finish_and_exits_cleanly(
        tmp_path, demo_db_file):
    path = copy_db(demo_db_file, tmp_path / "demo.duckdb")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "FATAL" not in done.stderr
    assert done.stdout.strip() == ("built portfolio figures, health scores, health signals, "
                                   "pay statements")
