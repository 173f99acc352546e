"""Explore: a view is data (an ExploreSpec) compiled to one aggregated, capped DuckDB query.

The spec names a table and columns only by their keys in lib.explore_tables (the whitelist);
filter values are always bound parameters (lib.filters). The same spec becomes the sentence a
person reads, the query parameters of a shareable link and the JSON of a saved view.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping

import pandas as pd

from lib.db import Database, bound
from lib.errors import ValidationFailed
from lib.explore_tables import DATE, NUMBER, TABLES, TEXT, Table, fx_factors, joined_factors
from lib.filters import Condition, compile_where, describe
from lib.permissions import require
from lib.users import Actor

ROW_CAP = 1000          # rows a page receives; the count of all matching rows is shown beside
AGGREGATES = {"sum": "sum", "avg": "average", "count": "count"}
CHARTS = {"bar": "Bar chart", "line": "Line chart", "pivot": "Pivot table"}
# operator -> words, per kind of column (keys are lib.filters' operators)
OPERATORS = {
    TEXT: {"in": "is", "contains": "contains"},
    NUMBER: {"gte": "at least", "lte": "at most"},
    DATE: {"gte": "from", "lte": "until"},
}
MAX_FILTERS, MAX_GROUPS = 8, 2
VALUE = "value"           # the name of the aggregate column in a grouped result
_ID = "_id_of_"           # prefix of the id column that comes along with a grouped name
NONE = "(none)"           # a group whose text value is missing


@dataclass(frozen=True)
class ExploreSpec:
    table: str = "revenue"
    filters: tuple[Condition, ...] = ()
    group_by: tuple[str, ...] = ()
    agg: str = "sum"
    measure: str | None = None
    sort: str | None = None          # a group column, VALUE, or (ungrouped) any column
    descending: bool = True
    chart: str = "bar"
    currency: str = "USD"            # the reporting currency for *_rep columns

    @property
    def spec_table(self) -> Table:
        return TABLES[self.table]

    @property
    def sentence(self) -> str:
        return describe(self.filters, self.spec_table.fields)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, default=str)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "group_by": list(self.group_by), "agg": self.agg,
                "measure": self.measure, "sort": self.sort, "descending": self.descending,
                "chart": self.chart,
                "filters": [[c.field, c.op, _plain(c.value)] for c in self.filters]}


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


# ---- checking a spec that came from a person, a link or a saved view --------------------------
def checked(spec: ExploreSpec) -> ExploreSpec:
    """The spec if every name in it is on the whitelist and every value fits its column;
    otherwise ValidationFailed listing what is wrong. Values are converted to their kind."""
    problems: list[str] = []
    if spec.table not in TABLES:
        raise ValidationFailed([f"There is no table {spec.table!r} to explore; choose one of "
                                f"{', '.join(TABLES)}."])
    table = spec.spec_table
    columns = table.columns
    for name in (*spec.group_by, *(c.field for c in spec.filters)):
        if name not in columns:
            problems.append(f"{table.label} has no column {name!r}.")
    if len(spec.group_by) > MAX_GROUPS or len(set(spec.group_by)) != len(spec.group_by):
        problems.append(f"Group by at most {MAX_GROUPS} different columns.")
    if len(spec.filters) > MAX_FILTERS:
        problems.append(f"Use at most {MAX_FILTERS} filters.")
    if spec.agg not in AGGREGATES:
        problems.append(f"{spec.agg!r} is not a summary; choose sum, avg or count.")
    if spec.agg != "count" and spec.group_by and spec.measure not in table.of_kind(NUMBER):
        problems.append(f"Choose a number column to {AGGREGATES.get(spec.agg, 'sum')}.")
    if spec.chart not in CHARTS:
        problems.append(f"{spec.chart!r} is not a chart; choose bar, line or pivot.")
    if spec.sort is not None and spec.sort not in _sortable(spec):
        problems.append(f"Cannot sort by {spec.sort!r} here.")
    filters = []
    for cond in spec.filters:
        if cond.field in columns:
            try:
                filters.append(_typed(cond, columns[cond.field].kind, columns[cond.field].label))
            except ValueError as exc:
                problems.append(str(exc))
    if problems:
        raise ValidationFailed(problems)
    return replace(spec, filters=tuple(filters))


def _sortable(spec: ExploreSpec) -> list[str]:
    return [*spec.group_by, VALUE] if spec.group_by else list(spec.spec_table.columns)


def _typed(cond: Condition, kind: str, label: str) -> Condition:
    if cond.op not in OPERATORS[kind]:
        raise ValueError(f"'{label}' cannot be filtered with {cond.op!r}; use "
                         f"{' or '.join(OPERATORS[kind].values())}.")
    value = cond.value
    if cond.op == "in":
        values = value if isinstance(value, (list, tuple)) else [value]
        return replace(cond, value=tuple(str(v) for v in values if v is not None and str(v) != ""))
    if kind == NUMBER:
        try:
            return replace(cond, value=float(value))
        except (TypeError, ValueError):
            raise ValueError(f"'{label}' needs a number, not {value!r}.") from None
    if kind == DATE:
        if isinstance(value, date):
            return cond
        try:
            return replace(cond, value=date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"'{label}' needs a date like 2026-01-31, not {value!r}.") from None
    return replace(cond, value=str(value)[:200])


def from_dict(data: Mapping[str, Any], currency: str = "USD") -> ExploreSpec:
    """A spec from its dict form (a saved view's JSON); checked. Unknown keys are ignored."""
    try:
        filters = tuple(Condition(str(f[0]), str(f[1]), f[2]) for f in data.get("filters") or ())
        spec = ExploreSpec(
            table=str(data.get("table") or "revenue"), filters=filters,
            group_by=tuple(str(g) for g in data.get("group_by") or ()),
            agg=str(data.get("agg") or "sum"), measure=data.get("measure") or None,
            sort=data.get("sort") or None, descending=bool(data.get("descending", True)),
            chart=str(data.get("chart") or "bar"), currency=currency)
    except (TypeError, IndexError, KeyError, AttributeError):
        raise ValidationFailed(["This view could not be read: its settings are damaged."]) from None
    return checked(spec)


# ---- the link: the spec as query parameters ----------------------------------------------------
def to_query(spec: ExploreSpec) -> dict[str, str | list[str]]:
    """Query parameters that restore `spec` (filters one JSON triple each, in order)."""
    out: dict[str, str | list[str]] = {"table": spec.table, "agg": spec.agg, "chart": spec.chart,
                                       "desc": "1" if spec.descending else "0"}
    if spec.group_by:
        out["group"] = list(spec.group_by)
    if spec.measure:
        out["measure"] = spec.measure
    if spec.sort:
        out["sort"] = spec.sort
    if spec.filters:
        out["f"] = [json.dumps([c.field, c.op, _plain(c.value)], separators=(",", ":"))
                    for c in spec.filters]
    return out


def from_query(params: Mapping[str, list[str]], currency: str = "USD") -> ExploreSpec:
    """The spec a link holds (`params`: name -> every value given). ValidationFailed on damage."""
    first = {k: v[-1] for k, v in params.items() if v}
    try:
        filters = [json.loads(f) for f in params.get("f", [])]
    except ValueError:
        raise ValidationFailed(["The link's filters are damaged; showing the table unfiltered."]) from None
    if not all(isinstance(f, list) and len(f) == 3 for f in filters):
        raise ValidationFailed(["The link's filters are damaged; showing the table unfiltered."])
    return from_dict({"table": first.get("table"), "filters": filters,
                      "group_by": params.get("group", []), "agg": first.get("agg"),
                      "measure": first.get("measure"), "sort": first.get("sort"),
                      "descending": first.get("desc", "1") != "0", "chart": first.get("chart")},
                     currency)


# ---- the query ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    sql: str                      # the capped rows
    count_sql: str                # how many rows there are in all
    params: dict[str, Any] = field(default_factory=dict)
    count_params: dict[str, Any] = field(default_factory=dict)


def compile_spec(spec: ExploreSpec, limit: int = ROW_CAP) -> Query:
    """SQL for a checked spec. Names come from the whitelist, values are $parameters.

    Money is converted to the reporting currency only where the view needs it: a count, and a
    view whose filters, groups, measure and sort use no converted column, read the unconverted
    rows; a listing that neither filters nor sorts by such a column converts only the rows it
    shows."""
    spec = checked(spec)
    table = spec.spec_table
    where = compile_where(spec.filters, table.fields)
    params = {**where.params, "rep": spec.currency, "cap": int(limit)}
    filtered = [c.field for c in spec.filters]

    def base(*names: str | None) -> str:
        used = [*filtered, *names]
        source = (table.source if table.uses_rep(used) else
                  table.with_derived if table.uses_derived(used) else table.plain)
        return f"FROM ({source}) AS src WHERE {where.sql}"

    direction = "DESC" if spec.descending else "ASC"
    if spec.group_by:
        # a name that stands for an id (a person, an account) is grouped by the id, so two
        # people of the same name stay apart; the id comes along for `readable` and is dropped
        keys = [table.columns[g].key for g in spec.group_by]
        by = ", ".join(f'"{k or g}"' for g, k in zip(spec.group_by, keys))
        shown = ", ".join(f'any_value("{g}") AS "{g}", "{k}" AS "{_ID}{g}"' if k else f'"{g}"'
                          for g, k in zip(spec.group_by, keys))
        groups = ", ".join(f'"{g}"' for g in spec.group_by)
        value = "count(*)" if spec.agg == "count" else f'{spec.agg}("{spec.measure}")'
        sort = spec.sort or VALUE
        order = f'"{sort}" {direction} NULLS LAST, {groups}'
        grouped = (f"SELECT {shown}, {value} AS {VALUE} {base(*spec.group_by, spec.measure)} "
                   f"GROUP BY {by}")
        return _query(f"SELECT * FROM ({grouped}) ORDER BY {order} LIMIT $cap",
                      f"SELECT count(*) FROM (SELECT {by} {base(*spec.group_by)} GROUP BY {by})",
                      params)
    sort = spec.sort or next(iter(table.columns))
    columns = ", ".join(f'"{c}"' for c in table.columns)
    order = f'"{sort}" {direction} NULLS LAST'
    later = [*filtered, sort]
    if (table.rep or table.derived) and not (table.uses_rep(later) or table.uses_derived(later)):
        # work out the derived and converted columns for the page's rows only
        page = f"page AS (SELECT * {base()} ORDER BY {order} LIMIT $cap)"
        rows = (f"{fx_factors('SELECT DISTINCT month FROM page', before=page)} " if table.rep
                else f"WITH {page} ")
        rows += (f"SELECT {columns} FROM (SELECT page.*, {table.worked_out('page')} FROM page "
                 f"{joined_factors('page') if table.rep else ''}) ORDER BY {order}")
    else:
        rows = f"SELECT {columns} {base(*table.columns)} ORDER BY {order} LIMIT $cap"
    return _query(rows, f"SELECT count(*) {base()}", params)


def _query(rows: str, count: str, params: dict[str, Any]) -> Query:
    return Query(rows, count, bound(rows, params), bound(count, params))


@dataclass(frozen=True)
class Result:
    frame: pd.DataFrame
    total: int                    # rows there are in all; `frame` holds the first ROW_CAP

    @property
    def capped(self) -> bool:
        return self.total > len(self.frame)


def run(db: Database, actor: Actor, spec: ExploreSpec, limit: int = ROW_CAP) -> Result:
    """The first `limit` rows of the view and how many there are; aggregated in DuckDB."""
    require(actor, "read_accounts")
    spec = checked(spec)
    query = compile_spec(spec, limit)
    with db.cursor() as cur:
        cur.execute("BEGIN TRANSACTION READ ONLY")  # the rows and their count from one snapshot
        frame = cur.execute(query.sql, query.params).df()
        total = cur.execute(query.count_sql, query.count_params).fetchone()[0]
        cur.execute("COMMIT")
    return Result(readable(frame, spec), int(total))


def readable(frame: pd.DataFrame, spec: ExploreSpec) -> pd.DataFrame:
    """The rows as people read them (pure): stored codes as words ('at_risk' -> 'At risk'), a
    missing group as '(none)', and a grouped name that two ids share told apart by its id
    ('Sam Lee (#12)'); the id columns that came along are dropped."""
    table = spec.spec_table
    out = frame.copy()
    for name in out.columns:
        column = table.columns.get(name)
        if column is None or column.kind != TEXT:
            continue
        values = out[name].astype(object)
        if column.codes is not None:
            values = values.map(lambda v: column.codes.get(v, v) if isinstance(v, str) else v)
        if name in spec.group_by:
            values = values.where(values.notna(), NONE)
            ids = out.get(f"{_ID}{name}")
            if ids is not None:
                values = _told_apart(values, ids)
        out[name] = values
    return out.drop(columns=[c for c in out.columns if str(c).startswith(_ID)])


def _told_apart(names: pd.Series, ids: pd.Series) -> pd.Series:
    """Each name that stands for more than one id, with its id after it."""
    pairs = pd.DataFrame({"name": names, "id": ids})
    shared = pairs.dropna(subset=["id"]).groupby("name")["id"].nunique()
    shared = set(shared[shared > 1].index)
    return pd.Series([f"{n} (#{int(i)})" if n in shared and pd.notna(i) else n
                      for n, i in zip(names, ids)], index=names.index, dtype=object)


def distinct_values(db: Database, actor: Actor, table: str, column: str, limit: int = 300) -> list[str]:
    """The most common values of a text column, for a filter's choices."""
    require(actor, "read_accounts")
    spec = checked(ExploreSpec(table=table, group_by=(column,), agg="count"))
    if spec.spec_table.columns[column].kind != TEXT:
        return []
    rows = db.rows(f'SELECT "{column}"::VARCHAR FROM ({spec.spec_table.with_derived}) AS src '
                   f'WHERE "{column}" IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $cap',
                   {"cap": limit})
    return sorted(r[0] for r in rows)


# ---- what the page shows -----------------------------------------------------------------------
def titled(frame: pd.DataFrame, spec: ExploreSpec) -> pd.DataFrame:
    """Column keys as the words people read ('amount_rep' -> 'amount (reporting currency)')."""
    table = spec.spec_table
    names = {c: table.columns[c].label if c in table.columns else c for c in frame.columns}
    if VALUE in frame.columns and spec.group_by:
        names[VALUE] = value_label(spec)
    return frame.rename(columns=names)


def value_label(spec: ExploreSpec) -> str:
    if spec.agg == "count":
        return "rows"
    measure = spec.spec_table.columns[spec.measure].label if spec.measure else ""
    return f"{AGGREGATES[spec.agg]} of {measure}".replace("reporting currency", spec.currency)


def pivot(frame: pd.DataFrame, spec: ExploreSpec) -> pd.DataFrame:
    """Two groups as rows x columns (one group: a single column), the aggregate in the cells."""
    if not spec.group_by or frame.empty:
        return frame
    rows = spec.group_by[0]
    if len(spec.group_by) == 1:
        return frame.set_index(rows)[[VALUE]].rename(columns={VALUE: value_label(spec)})
    table = frame.pivot_table(index=rows, columns=spec.group_by[1], values=VALUE, aggfunc="sum",
                              sort=True)
    table.columns = [str(c) for c in table.columns]
    return table
