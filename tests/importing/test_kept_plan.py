"""A commit right after its preview writes from the preview's plan; anything written in
between makes it validate again, so what is written is what the data says at commit time."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lib.errors import ValidationFailed
from lib.importing import apply_import, kept, preview_import
from lib.users import SYSTEM
from tests.builders import add_revenue, make_account
from tests.importing.pipeline_helpers import staged

REVENUE = ["Customer", "Month", "Sales"]


def _apply(db, s, heard, **options):
    return apply_import(db, SYSTEM, s, file_name="f.csv", digest=str(id(s)),
                        progress=lambda fraction, what: heard.append(what), **options)


def _checked_again(heard) -> bool:
    return any(what.startswith("Checking") for what in heard)


def _revenue(db):
    return db.rows("SELECT account_id, month, amount FROM revenue ORDER BY 1, 2")


def test_a_commit_right_after_its_preview_writes_from_that_plan_without_checking_again(db):
    acme = make_account(db, name="Acme")
    add_revenue(db, acme, date(2026, 1, 1), 100)
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "150"], ["Acme", "2026-02", "90"]])
    preview = preview_import(db, s)
    heard: list[str] = []
    result = _apply(db, s, heard, preview=preview)
    assert not _checked_again(heard)
    assert result.preview is preview
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert _revenue(db) == [(acme, date(2026, 1, 1), Decimal("150.00")),
                            (acme, date(2026, 2, 1), Decimal("90.00"))]


def test_a_write_after_the_preview_makes_the_commit_check_again_and_update_instead_of_create(db):
    acme = make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-03", "75"]])
    preview = preview_import(db, s)
    assert preview.records["create"] == 1
    add_revenue(db, acme, date(2026, 3, 1), 10)      # someone else, between preview and commit
    heard: list[str] = []
    result = _apply(db, s, heard, preview=preview)
    assert _checked_again(heard)
    assert (result.created, result.updated) == (0, 1)
    assert _revenue(db) == [(acme, date(2026, 3, 1), Decimal("75.00"))]


def test_a_commit_refused_for_bad_rows_keeps_the_plan_for_importing_the_good_rows(db):
    acme = make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "5"], ["Nobody", "2026-01", "7"]])
    preview = preview_import(db, s)
    heard: list[str] = []
    with pytest.raises(ValidationFailed):
        _apply(db, s, heard, preview=preview)
    assert _revenue(db) == []
    result = _apply(db, s, heard, preview=preview, skip_bad_rows=True)
    assert not _checked_again(heard)
    assert (result.created, result.rejected) == (1, 1)
    assert _revenue(db) == [(acme, date(2026, 1, 1), Decimal("5.00"))]


def test_the_oldest_plans_are_let_go_and_their_commit_checks_again(db):
    make_account(db, name="Acme")
    files = [staged("revenue", REVENUE, [["Acme", f"2026-0{m}", "1"]]) for m in range(1, kept.KEEP + 2)]
    previews = [preview_import(db, s) for s in files]
    heard: list[str] = []
    _apply(db, files[0], heard, preview=previews[0])
    assert _checked_again(heard)
    heard.clear()
    _apply(db, files[-1], heard, preview=previews[-1])
    assert _checked_again(heard)     # the first commit was a write: every kept plan is stale now


def test_a_preview_of_other_rows_or_other_choices_is_not_written_from(db):
    make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "1"]])
    other = staged("revenue", REVENUE, [["Acme", "2026-01", "1"]])
    heard: list[str] = []
    result = _apply(db, other, heard, preview=preview_import(db, s))
    assert _checked_again(heard) and result.created == 1
    heard.clear()
    _apply(db, s, heard, preview=preview_import(db, s), create_missing=True, allow_same_file=True)
    assert _checked_again(heard)


def test_a_preview_made_before_the_database_was_reopened_is_checked_again_on_the_new_connection(db):
    acme = make_account(db, name="Acme")
    s = staged("revenue", REVENUE, [["Acme", "2026-01", "5"]])
    preview = preview_import(db, s)
    db._reopen()      # what a fatal DuckDB error leads to: every open cursor is gone with it
    heard: list[str] = []
    result = _apply(db, s, heard, preview=preview)
    assert _checked_again(heard) and result.created == 1
    assert _revenue(db) == [(acme, date(2026, 1, 1), Decimal("5.00"))]
