"""A text column's value and its text as written are one copy when the file needed no change."""
from __future__ import annotations

from tests.importing.pipeline_helpers import staged

HEADER = ["Account Name", "Industry", "Currency", "External ID"]


def data_buffer(column) -> int:
    """Where the column's characters live (the same address: the same copy)."""
    chunks = column.array.__arrow_array__().chunks
    assert len(chunks) == 1
    return chunks[0].buffers()[2].address


def test_text_taken_as_written_is_held_once_for_the_value_and_for_error_messages():
    s = staged("accounts", HEADER, [["Acme Ltd", "Retail", "GBP", "CRM-1"],
                                    ["Beta plc", "Retail", "EUR", "CRM-2"]])
    assert s.values["name"].tolist() == s.values["name__raw"].tolist() == ["Acme Ltd", "Beta plc"]
    assert data_buffer(s.values["name"]) == data_buffer(s.values["name__raw"])


def test_the_text_as_written_stays_as_written_where_the_value_was_changed():
    s = staged("accounts", HEADER, [["  Acme Ltd ", "Retail", "gbp", '="000125"'],
                                    ["N/A", "Retail", "€", "'CRM-0042"]])
    v = s.values
    assert v["name"].tolist()[0] == "Acme Ltd" and v["name__raw"].tolist()[0] == "Acme Ltd"
    assert v["name"].isna().tolist() == [False, True] and v["name__raw"].tolist()[1] == "N/A"
    assert v["currency"].tolist() == ["GBP", "EUR"] and v["currency__raw"].tolist() == ["gbp", "€"]
    assert v["external_id"].tolist() == ["000125", "CRM-0042"]
    assert v["external_id__raw"].tolist() == ['="000125"', "'CRM-0042"]
    for name in ("name", "currency", "external_id"):
        assert data_buffer(v[name]) != data_buffer(v[f"{name}__raw"])
