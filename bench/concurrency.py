"""Many people at once: browser sessions working on one server on the large portfolio.

    .venv/bin/python bench/concurrency.py [--sessions 20] [--seconds 120] [--accounts 50000]
                                          [--managers 200] [--seed 42] [--quiet 2] [--shots DIR]

Each session is a browser context of the system Chromium (one browser, Playwright's async API,
all sessions at the same time), each signed in as the director (the role that does all four;
the admin's targets grid does not take edits), so reads the app caches per person are shared. Until the time
is up, each repeats four actions, each timed from the action until the app is idle again with
the result on screen (the same rule as bench/browser.py):
- filter: a new name fragment in the portfolio's search box, then Enter;
- open account: a click on an account in the Account page's search results;
- record interaction: "Record interaction" in the quick-entry dialog, until it says "Recorded";
- edit target: a month of a manager in the targets grid typed (once the cell's editor is
  open), then Save, until the outcome.
Untimed steps between them (switching pages, typing a search) wait the same way.

--shots DIR keeps, for each failed action, a screenshot, what the page had sent to the server
since the action and the page's last pointer, key and focus events and script-state changes
(EVENTS_JS); and the server's log, with a line for every rerun a session asked for and every
run it started (bench/traced_server.py).

Reported: p50 / p95 per action, how many were done, and the errors. An error is an exception
on the page, an error box that is not an expected outcome (a target someone else saved first is
expected, and counted apart as a conflict), or a timeout.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_common  # noqa: E402 (beside this script)
import browser_common as bc  # noqa: E402
import large  # noqa: E402
from browser import make_plan  # noqa: E402

HERE = Path(__file__).resolve().parent

EXPECTED = ("someone else changed them after you loaded the grid", "Nothing was saved",
            "after you opened it, so nothing of yours was saved")
ACTIONS = ("filter", "open account", "record interaction", "edit target")
# With --shots, each page keeps its last pointer, focus and key events and script-state changes:
# the event, the keyed Streamlit element it hit, and for a release or click whether it landed on
# the element that was pressed and whether that element is still in the page.
EVENTS_JS = """(() => {
  const log = window.__benchEvents = [];
  let pressed = null;
  const where = t => {
    const keyed = t && t.closest ? t.closest('[class*="st-key-"]') : null;
    const key = keyed ? Array.from(keyed.classList).find(c => c.startsWith('st-key-')) : '';
    return ((t && t.tagName) || '?').toLowerCase() + (key ? '.' + key.slice(7) : '');
  };
  const note = (what) => { log.push(Math.round(performance.now()) + ' ' + what);
                           if (log.length > 40) log.shift(); };
  for (const type of ['mousedown', 'mouseup', 'click', 'focusout', 'keydown']) {
    document.addEventListener(type, e => {
      let what = type + ' ' + where(e.target);
      if (type === 'mousedown') pressed = e.target;
      if ((type === 'mouseup' || type === 'click') && pressed)
        what += (e.target === pressed ? ' same' : ' other') + (pressed.isConnected ? '' : ' pressed-gone');
      if (type === 'keydown') what += ' ' + e.key;
      note(what);
    }, true);
  }
  new MutationObserver(ms => ms.forEach(m => note('script ' + m.target.getAttribute(m.attributeName))))
    .observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
})()"""


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0


class Session:
    """One person in one browser context."""

    def __init__(self, page, number: int, plan, tally: Tally, shots: Path | None = None) -> None:
        self.page, self.number, self.plan, self.tally, self.shots = page, number, plan, tally, shots
        self.rng = random.Random(number)
        # What a failed action leaves to go on: the messages the page sent to the server since
        # the action, and what the page logged as errors.
        self.sent, self.sent_before, self.logged = 0, 0, []
        page.on("websocket", lambda ws: ws.on("framesent", self._sent))
        page.on("console", lambda m: self.logged.append(m.text) if m.type in ("error", "warning") else None)

    def _sent(self, frame) -> None:
        self.sent += 1

    async def step(self, action, need=None, text=None, must_run=True, root=None) -> float:
        await self.page.evaluate(bc.ARM_JS)
        self.sent_before, self.logged = self.sent, []
        await action()
        handle = await self.page.wait_for_function(
            bc.SETTLED_JS, arg=[list((need or {}).items()), text, bc.QUIET_MS, must_run, root],
            timeout=bc.TIMEOUT_MS, polling="raf")
        return float(await handle.json_value())

    async def go(self, title: str, shows: str) -> None:
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
        if await link.get_attribute("aria-current") != "page":
            await self.step(link.click, text=shows, must_run=False)

    async def sign_in(self, url: str, email: str, gate: asyncio.Semaphore) -> bool:
        """Sign in (a few sessions at a time: 20 at once starve two cores); False on failure."""
        async with gate:
            try:
                await self._sign_in(url, email)
                return True
            except Exception as exc:
                self.tally.errors.append(f"sign-in: {type(exc).__name__}: "
                                         f"{str(exc).splitlines()[0][:160]}")
                return False

    async def _sign_in(self, url: str, email: str) -> None:
        page = self.page
        await page.goto(url)
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password", exact=True).fill(bc.PASSWORD)
        await self.step(page.get_by_role("button", name="Sign in").click, text="Signed in as",
                        must_run=False, root='[data-testid="stSidebar"]')

    # ---- the four actions -----------------------------------------------------------------
    async def filter(self) -> float:
        await self.go("Portfolio", "Revenue vs target")
        word = self.rng.choice(self.plan.words)
        await self.page.get_by_label("Account name contains").fill(word)
        return await self.step(lambda: self.page.keyboard.press("Enter"), {bc.TABLE: 1},
                               f'contains "{word}"')

    async def open_account(self) -> float:
        page = self.page
        _, external_id, self.name = self.rng.choice(self.plan.accounts)
        self.external_id = external_id
        await self.go("Account", "Find an account by name or external id")
        await page.get_by_label("Find an account by name or external id").fill(external_id)
        await self.step(lambda: page.keyboard.press("Enter"), {bc.FOUND_ACCOUNT: 1})
        link = page.locator(bc.FOUND_ACCOUNT).filter(has_text=self.name).first
        return await self.step(link.click, {bc.CHART: 1}, self.name)

    async def record_interaction(self) -> float:
        page = self.page
        await self.step(page.get_by_role("button", name="Record an interaction").click,
                        {'[role="dialog"]': 1})
        dialog = page.get_by_role("dialog")
        await dialog.get_by_label("Find an account").fill(self.external_id)
        await self.step(lambda: page.keyboard.press("Enter"), {'[role="dialog"]': 1}, "Subject",
                        root='[role="dialog"]')
        subject = f"Benchmark call {self.number}-{self.rng.randrange(10**6)}"
        await dialog.get_by_label("Subject").fill(subject)
        await dialog.get_by_label("Outcome").fill("Noted")
        return await self.step(dialog.get_by_role("button", name="Record interaction").click,
                               text=f"“{subject}”", root="body")

    async def edit_target(self) -> float:
        page = self.page
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Targets").first
        await self.step(link.click, {bc.TABLE: 1}, "Reason for the change", must_run=False)
        await page.wait_for_timeout(1000)  # the grid draws its canvas after the run
        grid = page.locator('[data-testid="stDataFrame"]').first
        await grid.scroll_into_view_if_needed()
        box = await grid.bounding_box()
        editor = page.locator("input.gdg-input, textarea.gdg-input")  # the grid's cell editor
        for row in self.rng.sample(range(1, 9), 3):  # a row without targets (the director's)
            # cells are drawn on a canvas: rows ~35 px, by offset    # takes no edit: try another
            await page.mouse.click(box["x"] + 238, box["y"] + 17 + 35 * row)
            await page.mouse.dblclick(box["x"] + 238, box["y"] + 17 + 35 * row)
            try:  # a busy browser may still be drawing the grid: the editor opens late or not
                await editor.wait_for(timeout=15_000)
            except Exception:
                await page.keyboard.press("Escape")
                continue
            await page.keyboard.type(str(self.rng.randrange(100_000, 900_000)))
            # the grid sends the edit when the cell closes; the page then says what is unsaved
            await self.step(lambda: page.keyboard.press("Tab"), text="Unsaved changes")
            break
        else:
            raise RuntimeError("the targets grid opened no cell editor in three rows")
        return await self.step(page.get_by_role("button", name="Save", exact=True).click,
                               text="aved", root="body")  # "Saved n targets" / "Nothing was saved"

    async def check(self, action: str) -> None:
        page = self.page
        for text in await page.locator(bc.EXCEPTION).all_inner_texts():
            self.tally.errors.append(f"{action}: exception: {text[:200]}")
        for text in await page.locator(bc.ERROR_BOX).all_inner_texts():
            if any(e in text for e in EXPECTED):
                self.tally.conflicts += 1
            else:
                self.tally.errors.append(f"{action}: error box: {text[:200]}")

    async def work(self, until: float) -> None:
        steps = {"filter": self.filter, "open account": self.open_account,
                 "record interaction": self.record_interaction, "edit target": self.edit_target}
        while time.monotonic() < until:
            for action in ACTIONS:
                if time.monotonic() >= until:
                    return
                try:
                    self.tally.times[action].append(await steps[action]())
                    await self.check(action)
                except Exception as exc:  # a timeout is a finding
                    self.tally.errors.append(f"{action}: {type(exc).__name__}: "
                                             f"{str(exc).splitlines()[0][:160]}"
                                             f"{await self.showing()}")
                    await self.recover()
                    break

    async def showing(self) -> str:
        """What the page showed when an action failed: its URL, whether a dialog was open, and
        the text of its message boxes."""
        try:
            page = self.page
            boxes = await page.locator('[data-testid="stAlert"]').all_inner_texts()
            dialog = await page.locator('[role="dialog"]').count()
            shown = "; ".join(" ".join(b.split())[:120] for b in boxes) or "no message"
            state = await page.locator('[data-testid="stApp"]').get_attribute("data-test-connection-state")
            shown += (f"; {self.sent - self.sent_before} message(s) sent to the server since the "
                      f"action; connection {state}")
            if self.shots is not None:
                events = await page.evaluate("() => (window.__benchEvents || []).join(' | ')")
                shown += f"; events: {events}"
            if self.logged:
                shown += "; the page logged: " + " | ".join(t[:100] for t in self.logged[-3:])
            if self.shots is not None:
                self.shots.mkdir(parents=True, exist_ok=True)
                shot = self.shots / f"session-{self.number}-{len(self.tally.errors)}.png"
                await page.screenshot(path=str(shot), full_page=True)
                shown += f"; screenshot {shot.name}"
            return f" [at {page.url.split('/', 3)[-1]}{', dialog open' if dialog else ''}: {shown}]"
        except Exception:
            return ""

    async def recover(self) -> None:
        """After a failed action: close what may be open and start the round again."""
        try:
            await self.page.keyboard.press("Escape")
            await self.go("Portfolio", "Revenue vs target")
        except Exception:
            pass


async def run(sessions: int, seconds: float, size: large.Size, folder: Path,
              shots: Path | None = None) -> tuple[Tally, dict]:
    from playwright.async_api import async_playwright
    db_path = large.copy_portfolio(large.large_portfolio(size), folder)
    plan = make_plan(db_path, 40)
    # With --shots: info level (Streamlit logs a dialog's rerun it drops) and a line for every
    # rerun asked for and every run started (bench/traced_server.py).
    server = bc.Server(folder / "app.log", db_path=db_path,
                       env={"STREAMLIT_LOGGER_LEVEL": "info"} if shots is not None else None,
                       launcher=[str(HERE / "traced_server.py")] if shots is not None else None)
    tally = Tally()
    info = {"load_start": bc.load_average()}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=bc.CHROMIUM, args=bc.CHROMIUM_ARGS,
                                              headless=True)
            people = []
            for i in range(sessions):
                context = await browser.new_context(viewport={"width": 1440, "height": 1000})
                await context.add_init_script(bc.RECEIVED_JS)
                if shots is not None:
                    await context.add_init_script(EVENTS_JS)
                page = await context.new_page()
                page.set_default_timeout(bc.TIMEOUT_MS)
                people.append(Session(page, i, plan, tally, shots))
            started = time.monotonic()
            gate = asyncio.Semaphore(4)
            signed = await asyncio.gather(*(s.sign_in(server.url + "/portfolio", bc.DIRECTOR, gate)
                                            for s in people))
            people = [s for s, ok in zip(people, signed) if ok]
            info["sign_in_s"] = time.monotonic() - started
            info["sessions"] = len(people)
            until = time.monotonic() + seconds
            await asyncio.gather(*(s.work(until) for s in people))
            info["ran_s"] = time.monotonic() - until + seconds
            await browser.close()
    finally:
        info["peak_rss_mib"] = server.peak_rss_mib()
        info["load_end"] = bc.load_average()
        server.stop()
        if shots is not None:     # the server's log, beside the screenshots
            shots.mkdir(parents=True, exist_ok=True)
            shutil.copy(folder / "app.log", shots / "server.log")
    return tally, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds an action may take before it counts as a timeout")
    parser.add_argument("--quiet", type=float, default=2.0,
                        help="seconds the app must stay idle before an action counts as done "
                             "(under load a rerun can start well after the last one ended)")
    parser.add_argument("--shots", type=Path, help="save a screenshot of each failed action here")
    args = parser.parse_args()
    bc.TIMEOUT_MS = args.timeout * 1000
    bc.QUIET_MS = args.quiet * 1000
    print(f"machine: {bench_common.machine()}; date {date.today()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        tally, info = asyncio.run(run(args.sessions, args.seconds,
                                      large.Size(args.accounts, args.managers, args.seed),
                                      Path(folder), args.shots))
    print(f"\n.venv/bin/python bench/concurrency.py --sessions {args.sessions} --seconds "
          f"{args.seconds:g} --accounts {args.accounts} --managers {args.managers} "
          f"--quiet {args.quiet:g}")
    print(f"load average at start {info['load_start']}, at end {info['load_end']}; "
          f"{info['sessions']} of {args.sessions} sessions signed in, in {info['sign_in_s']:.0f} s; ran {info['ran_s']:.0f} s; server peak "
          f"{info['peak_rss_mib']:,.0f} MiB\n")
    print("| action | done | p50, ms | p95, ms |\n|---|---|---|---|")
    for action in ACTIONS:
        t = tally.times.get(action, [])
        timing = f"{bc.median(t):,.0f} | {bc.p95(t):,.0f}" if t else "— | —"
        print(f"| {action} | {len(t)} | {timing} |")
    print(f"\nerrors: {len(tally.errors)}; expected conflicts (a target saved by someone else "
          f"first): {tally.conflicts}")
    for error in tally.errors[:30]:
        print(f"  {error}")


if __name__ == "__main__":
    main()
