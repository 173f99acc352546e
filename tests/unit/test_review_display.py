"""How the team review's lists read on the wall: every cell as text that shows as typed."""
import pandas as pd
import pytest

from lib.review_display import for_wall


@pytest.mark.parametrize("typed, shown", [
    ("Acme Ltd", "Acme Ltd"),
    ("**bold** and _italic_", r"\*\*bold\*\* and \_italic\_"),
    ("[click](https://evil.example)", r"\[click\](https\://evil.example)"),
    ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
    ("# Heading", r"\# Heading"),
    ("- a list", r"\- a list"),
    ("+ a list", r"\+ a list"),
    ("> a quote", r"\> a quote"),
    ("1. first", r"1\. first"),
    ("2) second", r"2\) second"),
    ("$x$ maths", r"\$x\$ maths"),
    ("a | b", r"a \| b"),
    ("", ""),
])
def test_text_a_person_typed_shows_on_the_wall_exactly_as_typed(typed, shown):
    assert for_wall(pd.DataFrame({"Subject": [typed]}))["Subject"].tolist() == [shown]


@pytest.mark.parametrize("column, value, shown", [
    ("Revenue YTD", 1234567.4, "1,234,567"),
    ("Accounts", 37, "37"),
    ("Revenue YTD", float("nan"), ""),
    ("Attainment", 0.9876, "99%"),
    ("Attainment", None, "—"),
    ("Open", "/account?account=42", "[Open](/account?account=42)"),
    ("Open", "javascript:alert(1)", ""),       # only a link to an account page becomes a link
])
def test_numbers_shares_and_account_links_read_as_the_wall_shows_them(column, value, shown):
    frame = pd.DataFrame({column: pd.Series([value], dtype=object)})
    assert for_wall(frame, percent_columns=("Attainment",))[column].tolist() == [shown]


def test_the_wall_keeps_the_columns_and_rows_in_order():
    frame = pd.DataFrame({"#": [1, 2], "Manager": ["Maya", "Oliver"], "Attainment": [1.1, 0.5]})
    shown = for_wall(frame, percent_columns=("Attainment",))
    assert list(shown.columns) == ["#", "Manager", "Attainment"]
    assert shown.values.tolist() == [["1", "Maya", "110%"], ["2", "Oliver", "50%"]]
