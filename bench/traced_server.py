"""The app's server with a line in its log for every rerun a session asks for, every run it
starts and every run it ends: to find clicks whose rerun never runs (bench/concurrency.py
--shots), and how much of a page's time in the browser is its script (bench/browser.py
--trace).

    .venv/bin/python bench/traced_server.py [streamlit options]

Each line: `TRACE <time> <session> <what> <page> <triggered widgets>`, where `what` is
`asked` (a rerun_script message arrived) or `run` (a script run began with those widget
states); a click whose `asked` has no `run` after it was lost in between. When a run ends:
`TRACE <time> <session> ran <milliseconds>`.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.runtime import app_session  # noqa: E402
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

from lib import ui_server  # noqa: E402


def _triggered(widget_states) -> str:
    ids = [w.id.split("-")[-1][:24] for w in getattr(widget_states, "widgets", [])
           if w.WhichOneof("value") in ("trigger_value", "json_trigger_value", "string_trigger_value")
           and (w.trigger_value or w.json_trigger_value or w.string_trigger_value.data)]
    return ",".join(ids) or "-"


def _line(session: str, what: str, page: str, widget_states) -> None:
    print(f"TRACE {time.time():.3f} {session[:8]} {what} {page[:8] or '-'} {_triggered(widget_states)}",
          file=sys.stderr, flush=True)


_asked = app_session.AppSession._handle_rerun_script_request


def _handle_rerun_script_request(self, client_state) -> None:
    _line(self.id, "asked", client_state.page_script_hash, client_state.widget_states)
    _asked(self, client_state)


_run = script_runner.ScriptRunner._run_script


def _run_script(self, rerun_data) -> None:
    _line(self._session_id, "run", rerun_data.page_script_hash or "", rerun_data.widget_states)
    started = time.perf_counter()
    try:
        _run(self, rerun_data)
    finally:
        print(f"TRACE {time.time():.3f} {self._session_id[:8]} ran "
              f"{(time.perf_counter() - started) * 1000:.0f}", file=sys.stderr, flush=True)


app_session.AppSession._handle_rerun_script_request = _handle_rerun_script_request
script_runner.ScriptRunner._run_script = _run_script

if __name__ == "__main__":
    ui_server.main(sys.argv[1:])
