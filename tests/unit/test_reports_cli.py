"""The report command line's own rules: reading --month, and refusing a bad one before any
database is opened."""
from datetime import date

import pytest

from lib.reports.cli import main, parse_month


@pytest.mark.parametrize("text, month", [("2026-10", date(2026, 10, 1)), (" 2026-01 ", date(2026, 1, 1)),
                                         ("1999-12", date(1999, 12, 1))])
def test_a_month_is_read_as_year_and_month(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "10-2026", "2026/10", "October",
                                  "2026-10-01", "", "0099-10"])
def test_anything_but_year_dash_month_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match=r"YYYY-MM, e\.g\. 2026-10"):
        parse_month(text)


def test_a_bad_month_exits_two_with_a_message_and_writes_nothing(tmp_path, capsys):
    out, db = tmp_path / "report.xlsx", tmp_path / "never-opened.duckdb"
    assert main(["monthly", "--month", "2026-13", "--out", str(out), "--db", str(db)]) == 2
    assert "--month takes a month as YYYY-MM" in capsys.readouterr().err
    assert not out.exists() and not db.exists()
