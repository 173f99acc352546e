"""A real Account Desk server on its own port, and how the system Chromium is started: shared by
the browser tests and the browser benchmarks (bench/browser_common.py)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Streamlit server on a free port: the app through `make run`'s launcher (lib.ui_server),
    a script through `streamlit run` (`script`), or any `python` arguments (`launcher`)."""

    def __init__(self, log_path: Path, *, db_path: Path | None = None, script: Path | None = None,
                 env: dict[str, str] | None = None, launcher: list[str] | None = None,
                 healthy_within: float = 90) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path, self.log_path = db_path, log_path
        if launcher is None:
            launcher = ["-m", "streamlit", "run", str(script)] if script else ["-m", "lib.ui_server"]
        extra = {**(env or {}), **({"ACCOUNTDESK_DB": str(db_path)} if db_path else {})}
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, *launcher, "--server.port", str(self.port),
             "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=ROOT, env={**os.environ, **extra}, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_healthy(healthy_within)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not become healthy in time")

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
