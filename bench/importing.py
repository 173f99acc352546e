"""Time the import pipeline against DuckDB's read_csv and python-calamine, side by side.

    .venv/bin/python bench/importing.py [--rows N] [--xlsx-rows N] [--accounts N] [--repeat N] [--keep]
                                        [--cold]

Builds the demo portfolio (lib.demo) in a temporary database, writes a revenue CSV of --rows
rows (default 1,000,000: account x month, the account by external id or by its unique name,
months as 2026-01 or Jan-26, amounts as 1234.50, "$1,234.50" / "£1,234.50" or "(1,234.50)",
the account's currency) and a revenue XLSX of --xlsx-rows rows (default 100,000, written with
xlsxwriter), then times, each in a fresh process so every peak memory figure is its own:

- DuckDB alone: CREATE TABLE t AS SELECT * FROM read_csv(path), in a fresh database file;
- DuckDB alone, reading and writing: the same file read, its months, amounts and accounts found
  in SQL, and the rows inserted into / updated in a copy of the database in one transaction,
  with none of the pipeline's checks, preview or undo log (FLOOR_SQL): the least an import of
  this file into this schema costs, in time and in memory, for scale; with the resident size
  of the parser child waiting for a file, it shows how much of each CSV limit is left for the
  pipeline's own work ("what the CSV targets leave");
- the import pipeline on the same CSV, step by step: read the bytes + file_hash, read_upload
  (which parses a large CSV in a sandboxed child), suggest_mapping, stage, preview_import,
  apply_import (one transaction); then, outside its total, undo_batch of that import;
- pd.read_excel(path, engine="calamine") and our read_upload on the same XLSX (child parse).

As on the Import page, which starts a parser child ahead once it is drawn (start_reader), the
pipeline and the XLSX read_upload start theirs, then wait READY_SECONDS (the person choosing the
file) before the clock starts. --cold leaves that out: the child is started by the upload itself.

Peak memory is ru_maxrss of the measuring process (RUSAGE_SELF) and of its largest child
(RUSAGE_CHILDREN: read_upload's parser), compared with the file's size. Prints a markdown
table of the ratios and whether each target of the issue is met (pipeline <= 3x DuckDB,
read_upload <= 2x calamine, peak memory < 10x the file size), with the command, machine and
date. --repeat N measures each pair (DuckDB then pipeline, calamine then read_upload) N times,
alternating, on a fresh copy of the database each time, and reports the run with the median
ratio (with every run's ratio), so a neighbour's load on a shared machine does not decide the
verdict. --keep leaves the temporary folder (database and files) in place and prints its path.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

import bench_common  # noqa: E402 (beside this script)
from importing_inputs import (account_refs, build_database, revenue_rows, write_csv,  # noqa: E402
                              write_xlsx)
from peaks import ChildPeaks, hwm_mib, peak_mib  # noqa: E402 (beside this script)
import pandas as pd  # noqa: E402

CSV_TARGET, XLSX_TARGET, MEMORY_TARGET = 3.0, 2.0, 10.0


# ---------------------------------------------------------------- measuring (in a fresh process)

def measure_duckdb(folder: Path, args: argparse.Namespace) -> dict:
    baseline = peak_mib()["self_mib"]
    for leftover in (folder / "duckdb_alone.duckdb", folder / "duckdb_alone.duckdb.wal"):
        leftover.unlink(missing_ok=True)   # a fresh database file on every run
    con = duckdb.connect(str(folder / "duckdb_alone.duckdb"),
                         config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    started = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(folder / "revenue.csv")])
    seconds = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return {"seconds": seconds, "rows": rows, "baseline_mib": baseline, **peak_mib()}


# The least any import of this file into this schema costs: DuckDB alone reads it, reads the
# months and amounts, finds each account by external id or name, and inserts the new
# account-months and updates the others in one transaction. No row errors, no preview, no undo
# log, no audit: what the pipeline adds on top of this is the price of those.
FLOOR_SQL = [
    ("read", "CREATE TEMP TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true)"),
    ("parse and resolve", r"""
        CREATE TEMP TABLE staged AS SELECT coalesce(x.id, n.id) AS account_id,
            coalesce(try_strptime(r.Month, '%Y-%m'), try_strptime(r.Month, '%b-%y'))::DATE AS month,
            (CASE WHEN r.Amount LIKE '(%' OR r.Amount LIKE '-%' THEN -1 ELSE 1 END)
              * regexp_replace(r.Amount, '[^0-9.]', '', 'g')::DECIMAL(18,2) AS amount,
            r.Currency AS currency
        FROM raw r LEFT JOIN accounts x ON x.external_id = r.Account
        LEFT JOIN accounts n ON x.id IS NULL AND n.name = r.Account"""),
    ("compare", "CREATE TEMP TABLE cmp AS SELECT s.*, v.account_id IS NULL AS new FROM staged s "
                "LEFT JOIN revenue v USING (account_id, month) WHERE s.account_id IS NOT NULL"),
    ("begin", "BEGIN"),
    ("insert", "INSERT INTO revenue (account_id, month, amount, currency, created_by, updated_by) "
               "SELECT account_id, month, amount, currency, 1, 1 FROM cmp WHERE new"),
    ("update", "UPDATE revenue SET amount = c.amount, currency = c.currency FROM cmp c "
               "WHERE NOT c.new AND revenue.account_id = c.account_id AND revenue.month = c.month"),
    ("commit", "COMMIT"),
]


def measure_duckdb_write(folder: Path, args: argparse.Namespace) -> dict:
    shutil.copy(folder / "bench.duckdb", folder / "floor.duckdb")
    con = duckdb.connect(str(folder / "floor.duckdb"))
    baseline = peak_mib()["self_mib"]   # DuckDB loaded and the database open
    started = time.perf_counter()
    for _, sql in FLOOR_SQL:
        con.execute(sql, [str(folder / "revenue.csv")] if "?" in sql else None)
    seconds = time.perf_counter() - started
    new, old = con.execute("SELECT count(*) FILTER (new), count(*) FILTER (NOT new) FROM cmp").fetchone()
    con.close()
    (folder / "floor.duckdb").unlink()
    return {"seconds": seconds, "created": new, "updated": old, "baseline_mib": baseline,
            **peak_mib()}


READY_SECONDS = 2.0
PAGE_SHOWN = 1_000     # preview lines the Import page fetches and draws (lib.ui_import.SHOWN)


def page_shown(args: argparse.Namespace) -> None:
    """What the app does when it starts (its allocators, lib.memory) and the Import page once
    it is drawn; then the person picks a file."""
    from lib.importing import start_reader
    from lib.memory import give_back_large_blocks
    give_back_large_blocks()
    if not args.cold:
        start_reader()
        time.sleep(READY_SECONDS)


def measure_pipeline(folder: Path, args: argparse.Namespace) -> dict:
    from lib.importing import (apply_import, file_hash, preview_import, read_upload, stage,
                               suggest_mapping, undo_batch)
    from lib.migrate import open_database
    from lib.users import SYSTEM

    shutil.copy(folder / "bench.duckdb", folder / "work.duckdb")   # every run starts the same
    db = open_database(folder / "work.duckdb")
    page_shown(args)
    baseline = peak_mib()["self_mib"]
    waiting = spare_child_mib()
    path = folder / "revenue.csv"
    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}   # this process's peak so far, after each step

    def step(name, run):
        started = time.perf_counter()
        out = run()
        steps[name] = time.perf_counter() - started
        peaks[name] = hwm_mib() or 0.0
        return out

    data, digest = step("read bytes + file_hash",
                        lambda: (lambda b: (b, file_hash(b)))(path.read_bytes()))
    with ChildPeaks() as children:
        workbook = step("read_upload (child parse)", lambda: read_upload(data, path.name))
    sheet = workbook.importable_sheets[0]
    mapping = step("suggest_mapping", lambda: suggest_mapping(sheet.header, "revenue"))
    staged = step("stage (parse values)", lambda: stage(sheet.rows, "revenue", mapping))
    preview = step("preview_import (validate, counts)",
                   lambda: preview_import(db, staged, digest=digest, shown=PAGE_SHOWN))
    result = step("apply_import (commit)", lambda: apply_import(
        db, SYSTEM, staged, file_name=path.name, digest=digest, mapping=mapping, preview=preview))
    started = time.perf_counter()
    undone = undo_batch(db, SYSTEM, result.batch_id)     # not part of the import's time
    undo = {"seconds": time.perf_counter() - started, "removed": undone.removed,
            "restored": undone.restored}
    db.close()
    return {"steps": steps, "peaks": peaks, "seconds": sum(steps.values()), "undo": undo,
            "rows": len(sheet.rows),
            "mapping": mapping, "counts": preview.counts, "records": preview.records,
            "applied": {"created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged, "rejected": result.rejected},
            "notes": staged.notes + sheet.notes, "baseline_mib": baseline,
            "child_ready_mib": waiting, **peak_mib(children)}


def spare_child_mib() -> float | None:
    """The resident size of the parser child waiting for a file (started by page_shown): what
    the sandbox costs before it reads a byte. None with --cold (no child waits)."""
    from lib.importing.sandbox import waiting_pids
    sizes = [hwm_mib(pid) for pid in waiting_pids()]
    return max((s for s in sizes if s), default=None)


def measure_calamine(folder: Path, args: argparse.Namespace) -> dict:
    import python_calamine  # noqa: F401  (loaded before the baseline, as the app has it)

    path = folder / "revenue.xlsx"
    baseline = peak_mib()["self_mib"]
    started = time.perf_counter()
    frame = pd.read_excel(path, engine="calamine")
    return {"seconds": time.perf_counter() - started, "rows": len(frame),
            "baseline_mib": baseline, **peak_mib()}


def measure_xlsx_upload(folder: Path, args: argparse.Namespace) -> dict:
    from lib.importing import read_upload

    path = folder / "revenue.xlsx"
    page_shown(args)
    baseline = peak_mib()["self_mib"]
    waiting = spare_child_mib()
    started = time.perf_counter()
    with ChildPeaks() as children:
        data = path.read_bytes()
        workbook = read_upload(data, path.name)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(workbook.importable_sheets[0].rows),
            "baseline_mib": baseline, "child_ready_mib": waiting, **peak_mib(children)}


def build_inputs(folder: Path, args: argparse.Namespace) -> dict:
    """The database and both files (in a worker, so the measuring processes start small)."""
    load_s = build_database(folder, args.accounts)
    refs = account_refs(folder)
    started = time.perf_counter()
    write_csv(revenue_rows(refs, args.rows), folder / "revenue.csv")
    write_xlsx(revenue_rows(refs, args.xlsx_rows, seed=8), folder / "revenue.xlsx")
    return {"load_s": load_s, "accounts": len(refs), "write_s": time.perf_counter() - started}


MEASURES = {"build": build_inputs, "duckdb": measure_duckdb, "floor": measure_duckdb_write,
            "pipeline": measure_pipeline,
            "calamine": measure_calamine, "xlsx_upload": measure_xlsx_upload}


def in_fresh_process(kind: str, folder: Path, args: argparse.Namespace) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", kind, str(folder),
                           "--rows", str(args.rows), "--xlsx-rows", str(args.xlsx_rows),
                           "--accounts", str(args.accounts)] + ["--cold"] * args.cold,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"measuring {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report

def machine() -> str:
    return bench_common.machine(f"pandas {pd.__version__}")


def added_mib(m: dict) -> float:
    return m["self_mib"] - m["baseline_mib"] + m["child_mib"]


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(csv_mib: float, xlsx_mib: float, duck: dict, pipe: dict, cal: dict, up: dict,
           floor: dict) -> None:
    ratio = pipe["seconds"] / duck["seconds"]
    xratio = up["seconds"] / cal["seconds"]
    print(f"\nCSV import, {pipe['rows']:,} rows, {csv_mib:.1f} MiB; seconds:\n")
    print("| step | seconds | share | app process peak so far, MiB |\n|---|---|---|---|")
    for name, seconds in pipe["steps"].items():
        print(f"| {name} | {seconds:.2f} | {seconds / pipe['seconds']:.0%} | "
              f"{pipe['peaks'][name]:,.0f} |")
    print(f"| **pipeline total** | **{pipe['seconds']:.2f}** | | |")
    print(f"| DuckDB alone: CREATE TABLE AS read_csv | {duck['seconds']:.2f} | | |")
    print(f"| DuckDB alone, reading and writing the rows (no checks, preview or undo log) | "
          f"{floor['seconds']:.2f} ({floor['seconds'] / duck['seconds']:.1f}x read_csv; "
          f"{floor['created']:,} created, {floor['updated']:,} updated) | | |")
    print(f"\npreview counts {pipe['counts']}, records {pipe['records']}; "
          f"applied {pipe['applied']}")
    undo = pipe["undo"]
    print(f"undo_batch of the import afterwards (not in the total): {undo['seconds']:.2f} s, "
          f"{undo['removed']:,} records removed and {undo['restored']:,} restored")
    print("\n| target | measured | limit | result |\n|---|---|---|---|")
    print(f"| CSV pipeline / DuckDB read_csv | {pipe['seconds']:.2f} s / {duck['seconds']:.2f} s "
          f"= {ratio:.1f}x | {CSV_TARGET:g}x | {met(ratio <= CSV_TARGET)} |")
    print(f"| XLSX read_upload / calamine ({up['rows']:,} rows, {xlsx_mib:.1f} MiB) | "
          f"{up['seconds']:.2f} s / {cal['seconds']:.2f} s = {xratio:.1f}x | {XLSX_TARGET:g}x | "
          f"{met(xratio <= XLSX_TARGET)} |")
    for label, m, size in (("CSV pipeline", pipe, csv_mib), ("XLSX read_upload", up, xlsx_mib)):
        added = added_mib(m)
        print(f"| {label} memory: app process peak {m['self_mib']:,.0f} MiB ({m['baseline_mib']:,.0f} "
              f"before the import) + parser child peak {m['child_mib']:,.0f} MiB | "
              f"{added:,.0f} MiB / {size:.1f} MiB = {added / size:.1f}x the file | "
              f"{MEMORY_TARGET:g}x | {met(added < MEMORY_TARGET * size)} |")
    print("\nmemory the import costs = (app process peak - its peak before the import, with the "
          "app's libraries loaded) + the parser child's whole peak (its own VmHWM, polled every "
          "20 ms); the child runs while the app holds the file's bytes, so the sum is an upper "
          "bound.")
    print("ru_maxrss as the OS reports it (includes high-water marks inherited from the parent): "
          + "; ".join(f"{label} self {m['ru_self_mib']:,.0f} MiB, children {m['ru_child_mib']:,.0f} MiB"
                      for label, m in (("pipeline", pipe), ("XLSX read_upload", up))))
    for label, m in (("DuckDB read_csv", duck), ("calamine", cal)):
        print(f"for comparison, {label}: process peak {m['self_mib']:,.0f} MiB, "
              f"{m['self_mib'] - m['baseline_mib']:,.0f} MiB over its baseline")
    floor_report(csv_mib, duck, pipe, floor)
    if up.get("child_ready_mib"):
        print(f"what the XLSX memory target leaves: the parser child waiting for a file is "
              f"{up['child_ready_mib']:,.0f} MiB before it reads a byte, "
              f"{up['child_ready_mib'] / xlsx_mib:.1f}x the file of the {MEMORY_TARGET:g}x allowed.")
    slowest = max(pipe["steps"], key=pipe["steps"].get)
    print(f"slowest step: {slowest}, {pipe['steps'][slowest]:.2f} s "
          f"({pipe['steps'][slowest] / pipe['seconds']:.0%} of the pipeline)")
    if pipe["notes"]:
        print("notes from the pipeline: " + " | ".join(pipe["notes"]))


def floor_report(csv_mib: float, duck: dict, pipe: dict, floor: dict) -> None:
    """What the CSV targets leave for the pipeline's own work: the floor (DuckDB alone reading
    and writing the rows) and the parser child the sandbox needs, against each limit."""
    floor_mib = floor["self_mib"] - floor["baseline_mib"]
    child = pipe.get("child_ready_mib")
    least = floor_mib + (child or 0.0)
    print(f"\nwhat the CSV targets leave: DuckDB alone reading and writing the rows takes "
          f"{floor['seconds'] / duck['seconds']:.1f}x read_csv of the {CSV_TARGET:g}x allowed, and "
          f"{floor_mib:,.0f} MiB over its baseline ({floor_mib / csv_mib:.1f}x the file)"
          + (f"; with the parser child waiting for a file ({child:,.0f} MiB before it reads a "
             f"byte), {least:,.0f} MiB = {least / csv_mib:.1f}x the file" if child else "")
          + f" of the {MEMORY_TARGET:g}x allowed, before any check, preview or undo log.")


def median_run(runs: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """The (baseline, measured) pair whose ratio is the median (the lower middle one)."""
    ordered = sorted(runs, key=lambda pair: pair[1]["seconds"] / pair[0]["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="revenue CSV rows")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="revenue XLSX rows")
    parser.add_argument("--accounts", type=int, default=20_000,
                        help="demo accounts the rows refer to (rows / accounts months each)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each pair this many times; report the median run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--cold", action="store_true",
                        help="no parser child started ahead: the upload starts its own")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, folder = args.measure
        print(json.dumps(MEASURES[kind](Path(folder), args), default=str))
        return

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        print(f"command: .venv/bin/python bench/importing.py {' '.join(sys.argv[1:])}".rstrip())
        print(f"machine: {machine()}; date {date.today()}")
        built = in_fresh_process("build", folder, args)
        csv_mib = (folder / "revenue.csv").stat().st_size / 1024**2
        xlsx_mib = (folder / "revenue.xlsx").stat().st_size / 1024**2
        print(f"inputs: demo portfolio of {built['accounts']:,} accounts built in "
              f"{built['load_s']:.1f} s; "
              f"CSV {args.rows:,} rows ({csv_mib:.1f} MiB), XLSX {args.xlsx_rows:,} rows "
              f"({xlsx_mib:.1f} MiB) written in {built['write_s']:.1f} s")
        csv_runs, xlsx_runs, floors = [], [], []
        for _ in range(max(1, args.repeat)):
            floors.append(in_fresh_process("floor", folder, args))
            csv_runs.append((in_fresh_process("duckdb", folder, args),
                             in_fresh_process("pipeline", folder, args)))
            xlsx_runs.append((in_fresh_process("calamine", folder, args),
                              in_fresh_process("xlsx_upload", folder, args)))
        duck, pipe = median_run(csv_runs)
        cal, up = median_run(xlsx_runs)
        floor = sorted(floors, key=lambda f: f["seconds"])[(len(floors) - 1) // 2]
        report(csv_mib, xlsx_mib, duck, pipe, cal, up, floor)
        if len(csv_runs) > 1:
            print("every run, CSV pipeline / DuckDB: " + ", ".join(
                f"{p['seconds']:.2f} / {d['seconds']:.2f} s = {p['seconds'] / d['seconds']:.1f}x"
                for d, p in csv_runs) + "; XLSX read_upload / calamine: " + ", ".join(
                f"{u['seconds']:.2f} / {c['seconds']:.2f} s = {u['seconds'] / c['seconds']:.1f}x"
                for c, u in xlsx_runs))
    finally:
        if args.keep:
            print(f"\nkept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
