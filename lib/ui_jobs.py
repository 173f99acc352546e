"""The server's background threads: the daily backup and the warm-up (lib.warmup), one of each
per database file and process.

They end with the process, but not in the middle of their work: a thread still inside DuckDB
when Python shuts down aborts the process ("FATAL: exception not rethrown"). At exit each one
finishes the step it is in, then ends.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import Any, Callable

import streamlit as st

from lib import backup, warmup
from lib.db import Database
from lib.ui import _open

log = logging.getLogger("accountdesk")
_stopping = threading.Event()
_threads: list[threading.Thread] = []


def start(db: Database) -> None:
    _background_jobs(str(db.path))
    _warm_up(str(db.path))


def start_thread(name: str, target: Callable[..., None], *args: Any) -> threading.Thread:
    """A daemon thread that the process waits for at exit; `target` loops on `_stopping.wait`
    and returns once it is set (see `warm_loop`)."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    _threads.append(thread)
    thread.start()
    return thread


@atexit.register
def _stop_threads() -> None:
    _stopping.set()
    for thread in _threads:
        thread.join(timeout=120)


@st.cache_resource(show_spinner=False)
def _background_jobs(path: str) -> threading.Thread | None:
    """One daily-backup thread per database file and process."""
    if os.environ.get("ACCOUNTDESK_DAILY_BACKUP", "1") == "0":
        return None
    return start_thread("daily-backup", _backup_loop, path)


def _backup_loop(path: str) -> None:
    while not _stopping.is_set():
        try:
            backup.daily_backup_if_due(_open(path))
        except Exception:  # a failed backup must not stop the next attempt
            log.exception("daily backup failed")
        _stopping.wait(3600)


@st.cache_resource(show_spinner=False)
def _warm_up(path: str) -> threading.Thread | None:
    """One thread that keeps the shared figures built while nobody writes (lib.warmup)."""
    if os.environ.get("ACCOUNTDESK_WARM_UP", "1") == "0":
        return None
    return start_thread("warm-up", warm_loop, warmup.Warmer(_open(path)))


def warm_loop(warmer: warmup.Warmer) -> None:
    while not _stopping.wait(1) and not warmer.db.closed:
        warmer.step()
