"""The preview names each record as a person finds it, for the rows it shows and no others."""
from __future__ import annotations

from datetime import date

from lib.importing import preview_import, read_upload, stage, suggest_mapping
from tests.builders import add_budget, add_revenue, make_account
from tests.importing.pipeline_helpers import staged


def _records(preview) -> list[tuple[int, str, str]]:
    return sorted(preview.rows[["row", "action", "record"]].itertuples(index=False, name=None))


def test_each_entitys_rows_are_named_by_their_record(db):
    make_account(db, name="Acme", currency="EUR")
    cases = {
        "revenue": (["Customer", "Month", "Sales"], ["Acme", "2026-03", "10"], "Acme 2026-03"),
        "invoices": (["Invoice Number", "Account", "Issue Date", "Due Date", "Amount"],
                     ["INV-7", "Acme", "2026-03-01", "2026-03-31", "10"], "INV-7"),
        "accounts": (["Account Name", "Country", "Currency"], ["Borealis", "Norway", "EUR"], "Borealis"),
        "contacts": (["Account", "Contact Name", "Email"], ["Acme", "Ada Lovelace", "ada@acme.example"],
                     "Ada Lovelace (Acme)"),
        "interactions": (["Account", "Type", "Date"], ["Acme", "qbr", "2026-03-04"],
                         "QBR with Acme on 2026-03-04"),
        "managers": (["Name", "Email"], ["Nia Owusu", "nia@example.com"], "Nia Owusu"),
    }
    for entity, (header, row, label) in cases.items():
        preview = preview_import(db, staged(entity, header, [row]))
        assert preview.rows[["row", "record"]].values.tolist() == [[2, label]], entity


def test_a_budgets_category_is_named_as_already_stored_whatever_its_case_in_the_file(db):
    acme = make_account(db, name="Acme", currency="EUR")
    add_budget(db, acme, "Marketing", date(2026, 1, 1), 500, 0, currency="EUR")
    rows = [["Acme", "  MARKETING ", "2026-01", "450", ""], ["Acme", "travel", "2026-02", "20", ""]]
    preview = preview_import(db, staged("budgets", ["Account", "Category", "Month", "Budget", "Spend"],
                                        rows))
    assert _records(preview) == [(2, "update", "Acme, Marketing, 2026-01"),
                                 (3, "create", "Acme, travel, 2026-02")]
    assert preview.changes["record"].tolist() == ["Acme, Marketing, 2026-01"]


def test_transactions_summed_into_one_month_are_each_listed_under_that_months_record(db):
    acme = make_account(db, name="Acme", currency="EUR")
    add_revenue(db, acme, date(2026, 3, 1), 5, currency="EUR")
    rows = [["Acme", "2026-03-02", "10"], ["Acme", "2026-03-20", "5"], ["Acme", "2026-04-01", "1"]]
    preview = preview_import(db, staged("revenue", ["Customer", "Close Date", "Sales"], rows))
    assert _records(preview) == [(2, "update", "Acme 2026-03"), (3, "update", "Acme 2026-03"),
                                 (4, "create", "Acme 2026-04")]
    assert preview.changes[["record", "field"]].values.tolist() == [["Acme 2026-03", "amount"]]


def test_a_wide_rows_errors_count_once_per_month_record_they_fall_in(db):
    make_account(db, name="Acme", currency="EUR")
    sheet = read_upload(b"Customer,Jan-26,Feb-26,Mar-26\nAcme,10,lots,5\nGhost Co,1,2,\n",
                        "plan.csv").importable_sheets[0]
    preview = preview_import(db, stage(sheet.rows, "revenue", suggest_mapping(sheet.header, "revenue"),
                                       wide=sheet.wide))
    # Acme's February and each of Ghost Co's two months are errors of their own records
    assert preview.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 3}
    assert _records(preview) == [(2, "create", "Acme 2026-01"), (2, "create", "Acme 2026-03"),
                                 (2, "error", "Acme 2026-02"), (3, "error", "Ghost Co 2026-01"),
                                 (3, "error", "Ghost Co 2026-02")]


def test_a_large_previews_shown_rows_and_changes_are_named_though_only_they_are_labelled(db):
    acme = make_account(db, name="Acme", currency="EUR")
    for month in range(1, 13):
        add_revenue(db, acme, date(2025, month, 1), 1, currency="EUR")
    rows = [["Acme", f"{2025 + i // 12}-{i % 12 + 1:02d}", "2"] for i in range(24)]
    preview = preview_import(db, staged("revenue", ["Customer", "Month", "Sales"], rows), shown=5)
    assert preview.counts == {"create": 12, "update": 12, "unchanged": 0, "error": 0}
    assert _records(preview) == [(2 + i, "update", f"Acme 2025-{i + 1:02d}") for i in range(5)]
    assert preview.changes["record"].tolist() == [f"Acme 2025-{i + 1:02d}" for i in range(5)]
    assert preview.changes_total == 12
