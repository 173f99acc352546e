"""What the browser benchmarks share: a server on its own port and database, the system Chromium,
signing in, and timing an action until the app is idle again with the expected content on screen.

How an action is timed: just before it, a MutationObserver is armed on the app's root element;
the clock stops when a run has happened since the action (the script state changed, or the page
received a message from the server), the state is `notRunning` again, and every expected
selector (and text, if given) is on the page. Waiting for the idle selector alone is not enough:
right after a click the previous run's idle state still matches.
"""
from __future__ import annotations

import math
import os
import statistics
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bench_common import status_kib
from tests.e2e import server
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, IDLE  # noqa: F401 (the scripts use them)

TABLE = '[data-testid="stDataFrame"]'
CHART = '[data-testid="stPlotlyChart"]'
FOUND_ACCOUNT = '[class*="st-key-account_found_"] button'  # the Account page's search results
EXCEPTION = '[data-testid="stException"]'
ERROR_BOX = '[data-testid="stAlertContentError"]'
DIRECTOR = "eleanor.hayes@demo.accountdesk.example"
ADMIN = "fiona.finch@demo.accountdesk.example"
MANAGER = "maya.thompson@demo.accountdesk.example"
PASSWORD = "demo-account-desk"  # lib.auth.DEMO_PASSWORD
TIMEOUT_MS = 120_000  # how long an action may take before it counts as a timeout (scripts set it)

# Added to every context before the app loads: counts the messages the page receives from the
# server. A run the server makes in answer to an action always sends some; a short run may pass
# without the page ever drawing its "running" state (the browser draws both changes of state in
# one frame when it is busy), so a changed script state alone misses it.
RECEIVED_JS = """(() => {
  window.__benchReceived = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__benchReceived += 1; });
    }
  };
})()"""

ARM_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__benchStart = performance.now();
  window.__benchLast = window.__benchStart;
  window.__benchRan = false;
  window.__benchReceivedAtArm = window.__benchReceived || 0;
  window.__benchDone = null;
  if (window.__benchObserver) window.__benchObserver.disconnect();
  window.__benchObserver = new MutationObserver(() => {
    window.__benchRan = true;
    window.__benchLast = performance.now();
  });
  window.__benchObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Settled: a run happened (seen as a change of the script state, or as a message from the
# server after the action: RECEIVED_JS), the app is idle, the content is there, and nothing has
# run for QUIET_MS since (a page may rerun itself once more). Returns the ms from the action to the
# moment the content was first there after the last run, on the page's own clock.
SETTLED_JS = """([need, text, quietMs, mustRun, root]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const now = performance.now();
  const ran = window.__benchRan || (window.__benchReceived || 0) > window.__benchReceivedAtArm;
  let ok = (ran || !mustRun) && !!app && app.getAttribute('data-test-script-state') === 'notRunning';
  for (const [selector, count] of need) {
    if (!ok) break;
    ok = Array.from(document.querySelectorAll(selector))
      .filter(el => el.getClientRects().length > 0).length >= count;
  }
  if (ok && text) {
    const main = document.querySelector(root || '[data-testid="stMain"]');
    ok = !!main && main.innerText.includes(text);
  }
  if (!ok) { window.__benchDone = null; return false; }
  if (window.__benchDone === null || window.__benchDone < window.__benchLast) window.__benchDone = now;
  if (now - window.__benchDone < quietMs) return false;
  return window.__benchDone - window.__benchStart;
}"""
QUIET_MS = 500


class Server(server.Server):
    """The browser tests' server, with no daily backup, and its memory readings."""

    def __init__(self, log_path: Path, *, env: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(log_path, env={"ACCOUNTDESK_DAILY_BACKUP": "0", **(env or {})}, **kwargs)

    def peak_rss_mib(self) -> float:
        """The server process's peak resident memory so far (VmHWM)."""
        return status_kib(self.process.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return status_kib(self.process.pid, "VmRSS") / 1024


@contextmanager
def chromium() -> Iterator[object]:
    """The system Chromium through Playwright (it cannot download a browser here)."""
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: `make chromium` installs it; "
                         "or set CHROMIUM.")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, timeout_ms: float | None = None):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_init_script(RECEIVED_JS)
    page = context.new_page()
    page.set_default_timeout(timeout_ms or TIMEOUT_MS)
    return page


def wait_idle(page, timeout_ms: float | None = None) -> None:
    """For untimed steps: let a rerun the last action asked for start, then wait for idle."""
    timeout_ms = timeout_ms or TIMEOUT_MS
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def sign_in(page, url: str, email: str = DIRECTOR) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for()


def arm(page) -> None:
    """Call just before the action: starts the page's clock and watches the script state."""
    page.evaluate(ARM_JS)


def settled(page, need: dict[str, int], text: str | None = None, must_run: bool = True,
            timeout_ms: float | None = None) -> float:
    """Milliseconds from arm() until a run has happened and finished, and at least
    need[selector] visible elements match each selector (and `text` is in the main area)."""
    handle = page.wait_for_function(SETTLED_JS, arg=[list(need.items()), text, QUIET_MS, must_run],
                                    timeout=timeout_ms or TIMEOUT_MS, polling="raf")
    return float(handle.json_value())


def go(page, title: str) -> None:
    """Switch page through the sidebar (keeps the session, and so the sign-in)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()


def pick(page, label: str, option: str) -> None:
    """Type `option` into the visible selectbox or multiselect labelled exactly `label`; the
    Enter that chooses it is the caller's (it is usually the timed action)."""
    label_ = page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    box = page.locator('[data-testid="stSelectbox"]:visible, [data-testid="stMultiSelect"]:visible') \
        .filter(has=label_).first
    box.locator("input").click()
    page.keyboard.type(option)


def step(page, action, need: dict[str, int] | None = None, text: str | None = None,
         must_run: bool = True) -> float:
    """Do `action` and wait until the run it causes has settled with the content; ms."""
    arm(page)
    action()
    return settled(page, need or {}, text, must_run)


def go_from(page, title: str, shows: str) -> None:
    """Switch to the page `title` unless it is the current page (a click there runs nothing),
    and wait until it `shows` its text."""
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
    if link.get_attribute("aria-current") != "page":
        step(page, link.click, text=shows, must_run=False)


def problems(page, expected: tuple[str, ...] = ()) -> list[str]:
    """Exceptions and error boxes on the page, except error boxes whose text is expected."""
    found = [f"exception: {t[:200]}" for t in page.locator(EXCEPTION).all_inner_texts()]
    for text in page.locator(ERROR_BOX).all_inner_texts():
        if not any(e in text for e in expected):
            found.append(f"error box: {text[:200]}")
    return found


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank: with fewer than 20 values, the largest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())
