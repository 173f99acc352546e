"""The filter compiler: one table of specs -> SQL, parameters and the sentence a person reads."""
import duckdb
import pytest

from lib.filters import Condition, Field, UnknownField, compile_where, describe

FIELDS = {
    "tier": Field("tier", "tier", str.capitalize),
    "name": Field("name", "name"),
    "revenue": Field("revenue", "revenue", lambda v: f"{v:,}"),
}
ROWS = [("key", "Acme 50%_off", 100), ("key", "Acme 50%Xoff", 300), ("standard", "Beta'); DROP TABLE t;--", 200)]

CASES = [
    # (conditions, expected names, sentence)
    ((), {"Acme 50%_off", "Acme 50%Xoff", "Beta'); DROP TABLE t;--"}, ""),
    ((Condition("tier", "in", ("key",)),), {"Acme 50%_off", "Acme 50%Xoff"}, "tier is Key"),
    ((Condition("tier", "in", ("key", "standard")), Condition("revenue", "gte", 200)),
     {"Acme 50%Xoff", "Beta'); DROP TABLE t;--"}, "tier is Key or Standard and revenue is at least 200"),
    ((Condition("name", "contains", "50%_"),), {"Acme 50%_off"}, 'name contains "50%_"'),
    ((Condition("name", "contains", "'); DROP TABLE t;--"),), {"Beta'); DROP TABLE t;--"},
     "name contains \"'); DROP TABLE t;--\""),
    ((Condition("revenue", "lte", 100),), {"Acme 50%_off"}, "revenue is at most 100"),
    ((Condition("tier", "in", ()), Condition("name", "contains", "")), {"Acme 50%_off", "Acme 50%Xoff", "Beta'); DROP TABLE t;--"}, ""),
    ((Condition("tier", "in", ("' OR 1=1 --",)),), set(), "tier is ' or 1=1 --"),
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute("CREATE TABLE t (tier VARCHAR, name VARCHAR, revenue INTEGER)")
    c.executemany("INSERT INTO t VALUES (?, ?, ?)", ROWS)
    return c


@pytest.mark.parametrize("conditions, names, sentence", CASES)
def test_a_filter_spec_selects_the_rows_it_describes(con, conditions, names, sentence):
    compiled = compile_where(conditions, FIELDS)
    got = {r[0] for r in con.execute(f"SELECT name FROM t WHERE {compiled.sql}", compiled.params).fetchall()}
    assert got == names
    assert describe(conditions, FIELDS) == sentence
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 3  # nothing was dropped


def test_values_are_bound_as_parameters_never_written_into_the_sql():
    compiled = compile_where((Condition("name", "contains", "x'; DROP"),), FIELDS)
    assert "DROP" not in compiled.sql
    assert any("DROP" in str(v) for v in compiled.params.values())


def test_a_column_outside_the_whitelist_is_refused():
    with pytest.raises(UnknownField, match="not a column that can be filtered"):
        compile_where((Condition("tier; DROP TABLE t", "in", ("key",)),), FIELDS)
