"""Entity specs, mapping suggestions, remembered mappings and templates."""
from __future__ import annotations

import csv
import io

import pytest

from lib.importing import (ENTITIES, read_upload, recall_mapping, remember_mapping, stage,
                           suggest_entity, suggest_mapping, template,
                           template_xlsx)
from lib.importing.mapping import header_signature
from lib.users import SYSTEM
from tests.builders import make_user
from tests.importing.pipeline_helpers import sheet_rows


def test_crm_and_sales_headers_map_to_revenue_fields_by_synonym():
    headers = ["Customer", "Month of Order Date", " Close Value ", "Notes"]
    assert suggest_mapping(headers, "revenue") == {
        "Customer": "account", "Month of Order Date": "month", " Close Value ": "amount", "Notes": None}
    assert suggest_mapping(["Account Name", "Sales", "Date"], "revenue") == {
        "Account Name": "account", "Sales": "amount", "Date": "month"}
    assert suggest_mapping(["AnnualRevenue"], "revenue") == {"AnnualRevenue": "amount"}


def test_a_field_is_mapped_once_and_its_exact_name_beats_a_synonym():
    assert suggest_mapping(["Sales", "amount", "Revenue"], "revenue") == {
        "Sales": None, "amount": "amount", "Revenue": None}


def test_account_exports_map_name_external_id_and_owner():
    headers = ["Id", "Name", "Industry", "BillingCountry", "Account Owner", "Tier", "Rating"]
    assert suggest_mapping(headers, "accounts") == {
        "Id": "external_id", "Name": "name", "Industry": "industry", "BillingCountry": "country",
        "Account Owner": "owner", "Tier": "tier", "Rating": None}


@pytest.mark.parametrize("headers, entity", [
    (["opportunity_id", "sales_agent", "product", "account", "deal_stage", "close_date",
      "close_value"], "revenue"),
    (["account", "sector", "year_established", "revenue", "employees", "office_location"], "accounts"),
    (["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"], "invoices"),
    (["Invoice", "Payment Date", "Amount Paid", "Ref"], "payments"),
])
def test_the_entity_is_suggested_from_the_headers_with_a_reason(headers, entity):
    guess = suggest_entity(headers)
    assert guess.entity == entity
    assert ENTITIES[entity].label.lower() in guess.reason and "missing" not in guess.reason


def test_a_suggestion_says_which_required_fields_are_still_missing():
    guess = suggest_entity(["Invoice No", "Customer", "Amount"])
    assert guess.entity == "invoices"
    assert "Still missing: Issue date, Due date" in guess.reason


def test_the_maven_deal_list_is_recognised_as_revenue(sample):
    rows = read_upload(*sample("01_maven_crm/sales_pipeline.csv")).sheets[0].rows
    assert suggest_entity(list(rows.columns)).entity == "revenue"


def test_a_remembered_mapping_returns_for_the_same_headers_in_another_order_and_case(db):
    director = make_user(db, "director")
    headers = ["Client", "Period", "Net Sales", "Comment"]
    mapping = {"Client": "account", "Period": "month", "Net Sales": "amount", "Comment": None}
    remember_mapping(db, director, headers, "revenue", mapping, {"currency": "GBP"}, name="finance")
    later = ["net sales", "CLIENT", "comment", "period"]
    assert header_signature(later) == header_signature(headers)
    saved = recall_mapping(db, ["Net Sales", "Client", "Comment", "Period"], "revenue")
    assert saved.mapping == mapping and saved.constants == {"currency": "GBP"}
    assert recall_mapping(db, [], name="finance").entity == "revenue"
    assert recall_mapping(db, ["Something", "Else"], "revenue") is None
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'remember_mapping'") == 1


def test_remembering_a_mapping_needs_the_import_permission(db):
    from lib.errors import NotAllowed
    with pytest.raises(NotAllowed):
        remember_mapping(db, make_user(db, "manager"), ["A"], "revenue", {"A": "account"})


def test_a_field_given_twice_is_refused_before_anything_is_stored(db):
    with pytest.raises(ValueError, match="currency is given by more than one"):
        remember_mapping(db, SYSTEM, ["Ccy"], "revenue", {"Ccy": "currency"}, {"currency": "GBP"})
    with pytest.raises(ValueError, match="no field colour"):
        stage(sheet_rows(["A"], [["x"]]), "revenue", {"A": "colour"})


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_each_template_has_every_column_and_an_example_row_that_parses(entity):
    text = template(entity).decode("utf-8")
    header, example = list(csv.reader(io.StringIO(text)))
    fields = [f.name for f in ENTITIES[entity].fields]
    mapping = suggest_mapping(header, entity)
    assert list(mapping.values()) == fields
    staged = stage(sheet_rows(header, [example]), entity, mapping)
    assert staged.parse_errors.empty, staged.parse_errors


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_each_xlsx_template_reads_back_through_the_importer_with_its_example_row(entity):
    from lib.importing import read_upload
    data = template_xlsx(entity)
    sheet = read_upload(data, f"{entity}-template.xlsx").importable_sheets[0]
    header = list(sheet.rows.columns)
    assert header == [f.label for f in ENTITIES[entity].fields]
    mapping = suggest_mapping(header, entity)
    assert list(mapping.values()) == [f.name for f in ENTITIES[entity].fields]
    assert len(sheet.rows) == 1
    staged = stage(sheet.rows, entity, mapping)
    assert staged.parse_errors.empty, staged.parse_errors


def test_the_xlsx_template_has_readable_column_widths_a_frozen_header_and_notes():
    import re
    import zipfile
    with zipfile.ZipFile(io.BytesIO(template_xlsx("interactions"))) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        notes = z.read("xl/comments1.xml").decode()
    widths = [float(w) for w in re.findall(r'<col [^>]*width="([0-9.]+)"', xml)]
    labels = [f.label for f in ENTITIES["interactions"].fields]
    assert len(widths) == len(labels)
    assert all(w >= len(label) for w, label in zip(widths, labels))
    assert 'state="frozen"' in xml
    assert "One of: call, meeting, visit, email, demo, qbr, escalation." in notes
