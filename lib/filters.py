"""Filters are data, compiled to SQL in one place.

A filter spec is a tuple of Conditions over a whitelist of Fields. `compile_where` turns it into
SQL text with named parameters (values are always bound, column expressions come only from
the whitelist); `describe` renders the same spec as the sentence a person reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

Op = Literal["in", "contains", "gte", "lte"]


@dataclass(frozen=True)
class Field:
    sql: str                                   # an expression over the query's columns
    label: str
    show: Callable[[Any], str] = str           # how a value reads in the sentence


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Any

    def is_empty(self) -> bool:
        return self.value is None or self.value == "" or self.value == () or self.value == []


@dataclass(frozen=True)
class Compiled:
    sql: str                                   # "TRUE" when there is nothing to filter
    params: dict[str, Any] = field(default_factory=dict)


class UnknownField(ValueError):
    pass


def compile_where(conditions: tuple[Condition, ...], fields: dict[str, Field], prefix: str = "f") -> Compiled:
    parts, params = [], {}
    for i, cond in enumerate(c for c in conditions if not c.is_empty()):
        expr = _field(fields, cond.field).sql
        name = f"{prefix}{i}"
        if cond.op == "in":
            parts.append(f"{expr} IN (SELECT unnest(${name}))")
            params[name] = list(cond.value)
        elif cond.op == "contains":
            parts.append(f"{expr} ILIKE ${name} ESCAPE '\\'")
            params[name] = "%" + _escape_like(str(cond.value)) + "%"
        elif cond.op == "gte":
            parts.append(f"{expr} >= ${name}")
            params[name] = cond.value
        elif cond.op == "lte":
            parts.append(f"{expr} <= ${name}")
            params[name] = cond.value
        else:
            raise ValueError(f"unknown operator {cond.op!r}")
    return Compiled(" AND ".join(f"({p})" for p in parts) or "TRUE", params)


def describe(conditions: tuple[Condition, ...], fields: dict[str, Field]) -> str:
    """'tier is Key or Strategic and name contains "acme"'; empty string for no filter."""
    phrases = []
    for cond in (c for c in conditions if not c.is_empty()):
        f = _field(fields, cond.field)
        if cond.op == "in":
            values = [f.show(v) for v in cond.value]
            phrases.append(f"{f.label} is {' or '.join(values)}")
        elif cond.op == "contains":
            phrases.append(f'{f.label} contains "{cond.value}"')
        elif cond.op == "gte":
            phrases.append(f"{f.label} is at least {f.show(cond.value)}")
        elif cond.op == "lte":
            phrases.append(f"{f.label} is at most {f.show(cond.value)}")
    return " and ".join(phrases)


def _field(fields: dict[str, Field], name: str) -> Field:
    try:
        return fields[name]
    except KeyError:
        raise UnknownField(f"{name!r} is not a column that can be filtered") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
