"""Page latency in a real browser: Account Desk on the large portfolio beside its floor.

    .venv/bin/python bench/browser.py [--accounts 50000] [--managers 200] [--seed 42] [--runs 7]
                                      [--pages portfolio,account,...] [--trace] [--controls]

For Portfolio, an account page, Performance, Compensation, Team review and Explore, each run
times two things as the director, in one signed-in browser session (Playwright + the system
Chromium):
- first load: a click on the page in the sidebar (from the light "My account" page) until the
  app is idle with the page's final table and chart on screen;
- a filter change: one action on the page (below) until the app is idle again with the result.
The clock starts at the action and stops when a script run has happened and finished and the
expected content is visible (bench/browser_common.py). Median and p95 over the runs.

Reads are cached per data version, so every run's filter change asks for something new (another
name fragment, account, manager or table), and is uncached. A first load is uncached only in
run 1 (reported apart as "cold"); later runs show the same view, so the median and p95 of first
loads are cached reads plus rendering.

The floor (bench/floor_app.py) is the same browser time for a bare Streamlit page that renders
the same final tables and charts from precomputed data (captured from the app on the same
database): a sidebar click, and a change of a selectbox that redraws every table and chart. The
ratio app / floor is the figure to improve; the target is 1.5x.

With --controls, a third server is measured the same way: the controls floor (floor_app.py with
BENCH_FLOOR_CONTROLS=1), drawing everything the app's page draws (its widgets, text, metrics and
layout, from its element tree) around the same tables and charts. App / controls floor is what our
code adds; controls floor / floor, what Streamlit takes to draw the page's controls.

With --trace the app runs under bench/traced_server.py, and each timed action also reports the
milliseconds its script runs took on the server (the rest is the browser, the network and
Streamlit's own work around the script).

The portfolio is bench/large.py's cached database, copied for the servers.
"""
from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_common  # noqa: E402 (beside this script)
import browser_common  # noqa: E402
import large  # noqa: E402
from browser_common import (CHART, FOUND_ACCOUNT, TABLE, Server, chromium, go, go_from,  # noqa: E402
                            load_average, median, new_page, p95, pick, problems, sign_in,
                            step, wait_idle)

from floor_app import HOME_TEXT  # noqa: E402

from lib.explore_tables import TABLES  # noqa: E402
from lib.migrate import open_database  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGE_KEYS = ("portfolio", "account", "performance", "compensation", "review", "explore")


@dataclass
class Plan:
    """What the runs ask for, chosen from the database before the servers start: a new value
    for every run, so each filter change is a fresh (uncached) read."""
    words: list[str]
    accounts: list[tuple[int, str, str]]  # id, external id, name
    managers: list[str]
    tables: list[str] = field(default_factory=list)


def make_plan(path: Path, runs: int) -> Plan:
    db = open_database(path)
    try:
        words = [r[0] for r in db.rows(
            "SELECT w FROM (SELECT unnest(string_split(name, ' ')) AS w FROM accounts) "
            "WHERE length(w) >= 5 AND regexp_matches(w, '^[A-Za-z]+$') GROUP BY w "
            "ORDER BY count(*) DESC, w LIMIT ?", [runs])]
        accounts = db.rows(
            "SELECT a.id, a.external_id, a.name FROM accounts a JOIN interactions i "
            "ON i.account_id = a.id AND i.type = 'call' GROUP BY ALL "
            "ORDER BY count(*) DESC, a.id LIMIT ?", [runs])
        names = [r[0] for r in db.rows(
            "SELECT m.name FROM account_managers m WHERE m.id IN (SELECT owner_id FROM accounts) "
            "AND m.id IN (SELECT manager_id FROM comp_assignments) ORDER BY m.name")]
    finally:
        db.close()
    # a name another name contains would be ambiguous when typed into a selectbox
    lowered = [n.lower() for n in names]
    unique = [n for n in names if sum(n.lower() in other for other in lowered) == 1]
    step = max(1, len(unique) // (runs + 1))
    labels = [t.label for k, t in TABLES.items() if k != "revenue"]  # revenue is the default
    return Plan(words, accounts, unique[step::step][:runs] or unique[:runs],
                [labels[i % len(labels)] for i in range(runs)])


# ---- the app: one (first load, filter change) pair per page --------------------------------
def app_portfolio(page, plan: Plan, run: int) -> tuple[float, float]:
    shown = {TABLE: 1, CHART: 1}
    first = timed(page, lambda: go(page, "Portfolio"), shown)
    word = plan.words[run % len(plan.words)]
    page.get_by_label("Account name contains").fill(word)
    change = timed(page, lambda: page.keyboard.press("Enter"), shown, f'contains "{word}"')
    return first, change


def app_account(page, plan: Plan, run: int) -> tuple[float, float]:
    """First load: the account's link in the search results. Filter change: the interaction
    types on that account, Call."""
    account_id, external_id, name = plan.accounts[run % len(plan.accounts)]
    step(page, lambda: go(page, "Account"), text="Find an account by name or external id")
    page.get_by_label("Find an account by name or external id").fill(external_id)
    step(page, lambda: page.keyboard.press("Enter"), {FOUND_ACCOUNT: 1})
    link = page.locator(FOUND_ACCOUNT).filter(has_text=name).first
    first = timed(page, link.click, {CHART: 1}, name)
    page.get_by_role("tab", name="Interactions").click()
    pick(page, "Types", "Call")
    change = timed(page, lambda: page.keyboard.press("Enter"), {TABLE: 1}, name)
    return first, change


def base_url(page) -> str:
    return "/".join(page.url.split("/")[:3])


def app_performance(page, plan: Plan, run: int) -> tuple[float, float]:
    shown = {TABLE: 1, CHART: 1}
    first = timed(page, lambda: go(page, "Performance"), shown)
    if page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').count() < 2:
        pick(page, "Show", "Manager")  # (the scope is bound to the URL: it may still be set)
        step(page, lambda: page.keyboard.press("Enter"),
             {'[data-testid="stMain"] [data-testid="stSelectbox"]': 2})
    name = plan.managers[run % len(plan.managers)]
    pick(page, "Manager", name)
    change = timed(page, lambda: page.keyboard.press("Enter"), shown, name)
    page.keyboard.press("Escape")
    return first, change


def app_compensation(page, plan: Plan, run: int) -> tuple[float, float]:
    shown = {TABLE: 1, CHART: 1}
    first = timed(page, lambda: go(page, "Compensation"), shown)
    pick(page, "Manager", plan.managers[run % len(plan.managers)])
    change = timed(page, lambda: page.keyboard.press("Enter"), shown)
    page.keyboard.press("Escape")
    return first, change


def app_review(page, plan: Plan, run: int) -> tuple[float, float]:
    first = timed(page, lambda: go(page, "Team review"), {TABLE: 1})
    tab = page.get_by_role("tab", name="Walk-through")
    if tab.get_attribute("aria-selected") != "true":  # the tab is bound to the URL too
        step(page, tab.click, {TABLE: 1}, "the arrow keys step through them too")
    shown = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Manager ") \
        .first.inner_text()
    now = int(shown.split()[1])  # "Manager 3 of 201 · ..."
    next_button = page.get_by_role("button", name="Next")
    change = timed(page, next_button.click, {TABLE: 1}, f"Manager {now + 1} of")
    return first, change


def app_explore(page, plan: Plan, run: int) -> tuple[float, float]:
    first = timed(page, lambda: go(page, "Explore"), {TABLE: 1})
    pick(page, "Table", plan.tables[run % len(plan.tables)])
    change = timed(page, lambda: page.keyboard.press("Enter"), {TABLE: 1})
    page.keyboard.press("Escape")
    return first, change


APP: dict[str, Callable] = {"portfolio": app_portfolio, "account": app_account,
                            "performance": app_performance, "compensation": app_compensation,
                            "review": app_review, "explore": app_explore}


class ScriptClock:
    """With --trace: the script time of each timed action, summed from the server's log lines
    `TRACE <time> <session> ran <ms>` (bench/traced_server.py) written during the action."""

    def __init__(self) -> None:
        self.log: Path | None = None
        self.taken: list[float] = []

    def mark(self) -> int:
        return self.log.stat().st_size if self.log else 0

    def since(self, offset: int) -> None:
        if self.log is None:
            return
        with open(self.log, "rb") as f:
            f.seek(offset)
            lines = f.read().decode(errors="replace").splitlines()
        self.taken.append(sum(float(line.split()[4]) for line in lines
                              if line.startswith("TRACE ") and line.split()[3:4] == ["ran"]))


CLOCK = ScriptClock()


def timed(page, action: Callable[[], object], need: dict[str, int],
          text: str | None = None) -> float:
    offset = CLOCK.mark()
    ms = step(page, action, need, text)
    CLOCK.since(offset)
    return ms


# ---- the floor ----------------------------------------------------------------------------
def floor_run(page, key: str, title: str, captured: dict, run: int) -> tuple[float, float]:
    shown = {CHART: min(1, len(captured["charts"])), TABLE: min(1, len(captured["tables"]))}
    first = step(page, lambda: go(page, title), shown, "variant 0", must_run=False)
    variant = f"variant {run + 1}"
    pick(page, "Variant", variant)
    change = step(page, lambda: page.keyboard.press("Enter"), shown, variant, must_run=False)
    page.keyboard.press("Escape")
    return first, change


def leave(page, title: str, shows: str) -> None:
    go_from(page, title, shows)


# ---- putting it together ------------------------------------------------------------------
@dataclass
class Result:
    first: list[float] = field(default_factory=list)
    change: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    script_first: list[float] = field(default_factory=list)  # with --trace
    script_change: list[float] = field(default_factory=list)


def measure(pages: list[str], runs: int, size: large.Size, folder: Path,
            trace: bool = False, controls: bool = False) -> dict:
    source = large.large_portfolio(size)
    db_path = large.copy_portfolio(source, folder)
    plan = make_plan(db_path, runs)
    floor_data = folder / "floor.pkl"
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "floor_app.py"), "capture", "--db", str(db_path),
                    "--out", str(floor_data), "--account", str(plan.accounts[0][0]),
                    *(["--tree"] if controls else [])], check=True)
    print(f"floor captured in {time.perf_counter() - started:.0f} s")
    captured = pickle.loads(floor_data.read_bytes())
    results: dict[str, dict[str, Result]] = {}
    with ExitStack() as servers:
        app = start(servers, Server(folder / "app.log", db_path=db_path,
                                    launcher=[str(HERE / "traced_server.py")] if trace else None))
        CLOCK.log = app.log_path if trace else None
        floors = {name: start(servers, floor_server(folder, floor_data, name))
                  for name in (("floor", "controls") if controls else ("floor",))}
        with chromium() as browser:
            app_page = new_page(browser)
            sign_in(app_page, app.url + "/me")
            floor_pages = {name: open_floor(browser, server) for name, server in floors.items()}
            for key in pages:  # a floor's first view of a page loads its data: not measured
                for floor_page in floor_pages.values():
                    floor_run(floor_page, key, captured[key]["title"], captured[key], 0)
                    leave(floor_page, "Home", HOME_TEXT)
            for key in pages:
                results[key] = {"app": Result(), **{name: Result() for name in floors}}
                for run in range(runs):
                    leave(app_page, "My account", "My account")
                    one(results[key]["app"], app_page, partial(APP[key], app_page, plan, run))
                    for name, floor_page in floor_pages.items():
                        leave(floor_page, "Home", HOME_TEXT)
                        one(results[key][name], floor_page, partial(
                            floor_run, floor_page, key, captured[key]["title"], captured[key], run))
                report_page(key, captured[key]["title"], results[key])
    return results


def start(servers: ExitStack, server: Server) -> Server:
    servers.callback(server.stop)
    return server


def floor_server(folder: Path, data: Path, name: str) -> Server:
    env = {"BENCH_FLOOR_DATA": str(data), "BENCH_FLOOR_CONTROLS": str(int(name == "controls"))}
    return Server(folder / f"{name}.log", script=HERE / "floor_app.py", env=env)


def open_floor(browser, server: Server):
    page = new_page(browser)
    page.goto(server.url)
    wait_idle(page)
    return page


def one(result: Result, page, run: Callable[[], tuple[float, float]]) -> None:
    before = len(CLOCK.taken)
    try:
        first, change = run()
        result.first.append(first)
        result.change.append(change)
        if len(CLOCK.taken) == before + 2:
            result.script_first.append(CLOCK.taken[before])
            result.script_change.append(CLOCK.taken[before + 1])
    except Exception as exc:  # a timeout is a finding, not the end of the benchmark
        where = [f"{f.name}:{f.lineno}" for f in traceback.extract_tb(exc.__traceback__)
                 if f.filename == __file__][-1:]
        result.errors.append(f"{type(exc).__name__} at {', '.join(where)}: "
                             f"{str(exc).splitlines()[0][:200]}")
    result.errors.extend(problems(page))


def report_page(key: str, title: str, r: dict[str, Result]) -> None:
    a, f, c = r["app"], r["floor"], r.get("controls")
    script = (f" (script: first {fmt(a.script_first)}, change {fmt(a.script_change)})"
              if a.script_first else "")
    controls = f"; controls floor first {fmt(c.first)}, change {fmt(c.change)}" if c else ""
    errors = [e for result in r.values() for e in result.errors]
    print(f"{title}: first load cold {fmt(a.first[:1])} ms, warm {fmt(a.first[1:])}; "
          f"change {fmt(a.change)}{script}; floor first {fmt(f.first)}, change {fmt(f.change)}"
          + controls + (f"; ERRORS {errors}" if errors else ""), flush=True)


def fmt(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return f"{median(values):,.0f} / {p95(values):,.0f}"


def ratio(app: list[float], floor: list[float]) -> str:
    if not app or not floor:
        return "-"
    return f"{median(app) / median(floor):.1f}x"


def markdown(results: dict, titles: dict[str, str], runs: int) -> str:
    traced = any(r["app"].script_first for r in results.values())
    controls = any("controls" in r for r in results.values())
    header = ["page", "first load, cold (run 1)", "first load, warm", "floor first load",
              "ratio (warm)"]
    header += ["controls floor first load", "ratio to controls floor (warm)"] if controls else []
    header += ["filter change", "floor change", "ratio"]
    header += ["controls floor change", "ratio to controls floor"] if controls else []
    header += ["script: first load warm", "script: change"] if traced else []
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, r in results.items():
        a, f, c = r["app"], r["floor"], r.get("controls")
        cells = [titles[key], fmt(a.first[:1]), fmt(a.first[1:]), fmt(f.first),
                 ratio(a.first[1:], f.first)]
        cells += [fmt(c.first), ratio(a.first[1:], c.first)] if c else []
        cells += [fmt(a.change), fmt(f.change), ratio(a.change, f.change)]
        cells += [fmt(c.change), ratio(a.change, c.change)] if c else []
        cells += [fmt(a.script_first[1:]), fmt(a.script_change)] if traced else []
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds an action may take before it counts as a timeout")
    parser.add_argument("--pages", default=",".join(PAGE_KEYS),
                        help=f"comma-separated, of {', '.join(PAGE_KEYS)}")
    parser.add_argument("--trace", action="store_true",
                        help="also report the server's script time of each timed action")
    parser.add_argument("--controls", action="store_true",
                        help="also measure the controls floor: the page's controls, no code")
    args = parser.parse_args()
    browser_common.TIMEOUT_MS = args.timeout * 1000
    pages = [p for p in args.pages.split(",") if p]
    unknown = set(pages) - set(PAGE_KEYS)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    print(f"machine: {bench_common.machine()}; date {date.today()}; load average at start "
          f"{load_average()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results = measure(pages, args.runs, large.Size(args.accounts, args.managers, args.seed),
                          Path(folder), args.trace, args.controls)
    print(f"load average at end {load_average()}")
    from floor_app import PAGES
    print(f"\nms, median / p95 over {args.runs} runs (first load warm: runs 2-{args.runs}); "
          f"command: .venv/bin/python bench/browser.py --accounts {args.accounts} "
          f"--managers {args.managers} --runs {args.runs}"
          f"{' --trace' if args.trace else ''}{' --controls' if args.controls else ''}\n")
    print(markdown(results, {k: v[1] for k, v in PAGES.items()}, args.runs))
    for key, r in results.items():
        found = [e for result in r.values() for e in result.errors]
        if found:
            print(f"errors on {key}: {found}")


if __name__ == "__main__":
    main()
