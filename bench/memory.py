"""The server's peak memory after visiting every page on the large portfolio.

    .venv/bin/python bench/memory.py [--accounts 50000] [--managers 200] [--seed 42]

Starts a fresh server (lib.ui_server) on a copy of bench/large.py's portfolio, signs in as the
director in the system Chromium, and opens every page in the sidebar once, in order, waiting
each time until the app is idle with the page's title on screen. After each page it reads the
server process's VmHWM (peak resident memory) and VmRSS from /proc; the last VmHWM is the figure.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_common  # noqa: E402 (beside this script)
import browser_common as bc  # noqa: E402
import large  # noqa: E402


def visit_every_page(server: bc.Server) -> list[tuple[str, float, float, float]]:
    """(page, ms until idle, VmRSS MiB, VmHWM MiB) per page: every page the director sees, then
    those only the admin sees (users, settings)."""
    rows = []
    with bc.chromium() as browser:
        for email in (bc.DIRECTOR, bc.ADMIN):
            page = bc.new_page(browser)
            bc.sign_in(page, server.url + "/me", email)
            rows.append((f"(signed in: {email.split('.')[0]})", 0.0, server.rss_mib(),
                         server.peak_rss_mib()))
            seen = {r[0] for r in rows}
            links = page.locator('[data-testid="stSidebarNav"] a')
            titles = [links.nth(i).inner_text().strip().splitlines()[-1]
                      for i in range(links.count())]
            for title in titles:
                link = links.filter(has_text=title).first
                if title in seen or link.get_attribute("aria-current") == "page":
                    continue
                ms = bc.step(page, link.click, text=title, must_run=False)
                problems = bc.problems(page)
                if problems:
                    raise RuntimeError(f"{title}: {problems}")
                rows.append((title, ms, server.rss_mib(), server.peak_rss_mib()))
            page.context.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(f"machine: {bench_common.machine()}; date {date.today()}; load average at start "
          f"{bc.load_average()}", flush=True)
    size = large.Size(args.accounts, args.managers, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        db_path = large.copy_portfolio(large.large_portfolio(size), Path(folder))
        database_mib = db_path.stat().st_size / 2**20
        server = bc.Server(Path(folder) / "app.log", db_path=db_path)
        started_mib = server.rss_mib()
        try:
            rows = visit_every_page(server)
        finally:
            server.stop()
    print(f"load average at end {bc.load_average()}")
    print(f"\n.venv/bin/python bench/memory.py --accounts {args.accounts} --managers {args.managers}")
    print(f"database file {database_mib:,.0f} MiB; server at start (healthy, no session) "
          f"{started_mib:,.0f} MiB\n")
    print("| page (in sidebar order) | first visit, ms | VmRSS after, MiB | VmHWM after, MiB |")
    print("|---|---|---|---|")
    for title, ms, rss, hwm in rows:
        print(f"| {title} | {ms:,.0f} | {rss:,.0f} | {hwm:,.0f} |")
    print(f"\nserver peak resident memory (VmHWM) after every page: {rows[-1][3]:,.0f} MiB")


if __name__ == "__main__":
    main()
