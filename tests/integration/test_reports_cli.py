"""`python -m lib.reports monthly ...` against a real database file: the file it writes and
its exit codes."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date

import pandas as pd

from lib.reports import SHEETS
from lib.reports.cli import main
from tests.builders import add_revenue, make_account
from tests.conftest import ROOT


def test_the_command_writes_the_report_and_exits_zero(tmp_path, db, capsys):
    add_revenue(db, make_account(db, name="Acme Inc."), date(2026, 10, 1), 1234)
    path = db.path
    db.close()  # the command opens the file itself
    out = tmp_path / "oct.xlsx"
    assert main(["monthly", "--month", "2026-10", "--out", str(out), "--db", str(path)]) == 0
    assert f"Wrote {out}." in capsys.readouterr().out
    sheets = pd.read_excel(io.BytesIO(out.read_bytes()), engine="calamine", sheet_name=None,
                           header=None)
    assert list(sheets) == list(SHEETS)
    assert sheets["Team summary"].iloc[0, 0].startswith("Monthly sales report · October 2026 · "
                                                        "amounts in USD")
    assert sheets["Team summary"].iloc[4, 1] == 1234


def test_an_unknown_currency_exits_two_and_names_the_choices(tmp_path, db, capsys):
    path = db.path
    db.close()
    out = tmp_path / "oct.xlsx"
    args = ["monthly", "--month", "2026-10", "--out", str(out), "--db", str(path)]
    assert main([*args, "--currency", "XYZ"]) == 2
    assert "'XYZ' has no FX rates here" in capsys.readouterr().err
    assert not out.exists()


def test_an_out_path_that_cannot_be_written_exits_two(tmp_path, db, capsys):
    path = db.path
    db.close()
    out = tmp_path / "no-such-folder" / "oct.xlsx"
    assert main(["monthly", "--month", "2026-10", "--out", str(out), "--db", str(path)]) == 2
    assert capsys.readouterr().err.strip()
    assert main(["monthly", "--month", "2026-10", "--out", str(tmp_path), "--db", str(path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_while_the_app_holds_the_database_the_command_says_so_and_exits_three(tmp_path, db):
    out = tmp_path / "oct.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "lib.reports", "monthly", "--month", "2026-10", "--out", str(out),
         "--db", str(db.path)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 3
    assert "in use by another program" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
