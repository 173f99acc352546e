"""NetSuite names a subsidiary customer after its parent ("Langley Holdings : Brightwater
Logistics"): a row naming an account that way is the account its last part names."""
from __future__ import annotations

from lib.importing import preview_import
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, staged

HEADER = ["Customer", "Month", "Amount"]


def test_a_parent_and_child_name_finds_the_child_account(db):
    child = make_account(db, name="Brightwater Logistics Inc.")
    rows = staged("revenue", HEADER,
                  [["Langley Holdings : Brightwater Logistics Inc.", "2026-10", "12345.67"]])
    assert preview_import(db, rows).ok
    apply_file(db, rows)
    assert db.rows("SELECT account_id, amount::VARCHAR FROM revenue") == [(child, "12345.67")]


def test_an_account_whose_own_name_has_a_colon_is_found_by_its_whole_name_first(db):
    make_account(db, name="Smith : Jones LLP")
    make_account(db, name="Jones LLP")
    preview = preview_import(db, staged("revenue", HEADER, [["Smith : Jones LLP", "2026-10", "10"]]))
    assert preview.ok and preview.counts["create"] == 1


def test_a_parent_and_child_name_whose_child_is_no_account_is_an_error_naming_it_as_written(db):
    make_account(db, name="Langley Holdings")
    rows = [["Langley Holdings : Nowhere Ltd", "2026-10", "1"]]
    preview = preview_import(db, staged("revenue", HEADER, rows))
    assert preview.errors[["row", "value", "reason"]].values.tolist() == [
        [2, "Langley Holdings : Nowhere Ltd", "no account has this external id or name"]]
