"""Mapped columns -> typed values, with every unreadable cell kept as a per-row problem.

Whole columns at a time: text is trimmed and null tokens found with Arrow compute, numbers in
the common spellings are read by one vectorised pass (lib.importing.numbers), and the Python
value parsers run once per distinct text of what is left, so a million-row column costs about
what its distinct values cost. Everything after this step (references, required fields,
ranges, matching) runs as SQL over the staged frame, see lib.importing.plan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.importing.categories import normalize_category, suggest_category
from lib.importing.dates import (Reading, detect_date_order, parse_date_series, parse_period,
                                 quarters_hint)
from lib.importing.decimals import file_evidence, settle
from lib.importing.mapping import Field, check_mapping, spec
from lib.importing.model import WideLayout
from lib.importing.number_marks import header_mark
from lib.importing.numbers import parse_number_series
from lib.importing.parts import join_parts
from lib.importing.values import (TEXT_NULL_TOKENS, ParsedColumn, clean_text, is_null, map_unique,
                                  null_mask, str_series)
from lib.importing.years import join_year

CONSTANT = "(constant for the whole file)"
# 1.00235E+14: an identifier Excel took for a number and shortened
_SHORTENED = r"^[0-9](?:[.,][0-9]+)?[eE]\+[0-9]+$"


@dataclass
class Staged:
    """values: `_row` (row number in the original file), one typed column per given field,
    `<field>__raw` with the text as written, and `<field>_mark` for a number some cells write
    with a currency symbol or code. parse_errors: row, pos (the row of `values`), field, value,
    reason."""

    entity: str
    values: pd.DataFrame
    parse_errors: pd.DataFrame
    columns: dict[str, str]                 # field -> header in the file, or CONSTANT
    notes: list[str] = field(default_factory=list)
    # field -> why its day/month order must be asked ("All 2 dates fit both ...", "Contradictory
    # dates: row 2 ... row 3 ..."); the message is in `notes` too
    date_doubts: dict[str, str] = field(default_factory=dict)
    # field -> why its decimal separator must be asked ("Values like '12.500' (row 4) could
    # have ..."): nothing in the file says, and those cells are errors until someone does
    decimal_doubts: dict[str, str] = field(default_factory=dict)
    # field -> for each row of `values`, the column its cell came from, where that differs by
    # row: a wide sheet's month header ("Feb-26") for the field its cells under the months feed,
    # the Year column for a month whose row's year was wrong or missing (lib.importing.years)
    cell_columns: dict[str, np.ndarray] = field(default_factory=dict)
    # the answers the date question offers: day or month first, and year first when a column
    # with a two-digit year may begin with it (25/03/14)
    order_choices: tuple[str, ...] = ("dmy", "mdy")

    @property
    def given(self) -> set[str]:
        return set(self.columns)

    @property
    def ambiguous_dates(self) -> list[str]:
        """The fields whose day/month order must be asked before the preview."""
        return list(self.date_doubts)

    @property
    def questions(self) -> bool:
        """Whether the person must answer something (date order, decimals) before a preview."""
        return bool(self.date_doubts or self.decimal_doubts)


def stage(rows: pd.DataFrame, entity: str, mapping: dict[str, str | None],
          constants: dict[str, str] | None = None, *, date_order: Reading | None = None,
          decimal: str | None = None, wide: WideLayout | None = None,
          beyond_header: list[str] | None = None, date1904: bool = False,
          delimiter: str = "", excel_numbers: dict[str, np.ndarray] | None = None) -> Staged:
    """Parse the mapped columns of `rows` (text cells; index = original row numbers). `wide`:
    how the sheet was unpivoted, when it was (Sheet.wide), so an error in a month's cell names
    that month's column. `beyond_header`: the sheet's columns past its header
    (Sheet.beyond_header); a row with cells there is an error on its last mapped cell.
    `date1904`: the workbook's day numbers count from 1904 (Sheet.date1904). `delimiter`: a
    CSV's (Sheet.delimiter), which may say how its numbers are written. `excel_numbers`: a
    workbook's number cells per header (Sheet.excel_numbers), which say nothing of how the text
    cells beside them write decimals."""
    constants = {k: v for k, v in (constants or {}).items() if v not in (None, "")}
    rows, mapping = join_parts(rows, entity, mapping, constants)   # First + Last Name -> name
    check_mapping(entity, mapping, constants)
    entity_spec = spec(entity)
    columns = {f: h for h, f in mapping.items() if f}
    columns.update({f: CONSTANT for f in constants})
    rows, years = join_year(rows, entity_spec, columns, constants)   # Year 2025 | Month 3 -> 2025-03
    out = pd.DataFrame({"_row": rows.index.to_numpy().astype("int64")})
    problems: list[pd.DataFrame] = []
    notes = [f"{f.label} is required but no column is mapped to it (and no constant is given)."
             + (quarters_hint(rows, mapping) if f.kind == "month" else "")
             for f in entity_spec.fields if f.required and f.name not in columns]
    notes += years.notes if years else []
    doubts: dict[str, str] = {}
    decimal_doubts: dict[str, str] = {}
    separators: dict[str, str] = {}                # header -> the decimal separator it decided
    pending: dict[str, tuple] = {}                 # field -> a number column that did not

    def keep(name: str, header: str, parsed: ParsedColumn, cleaned: pa.Array) -> None:
        if entity_spec.field(name).kind == "number" and header != CONSTANT:
            parsed = _marked(_scaled(parsed, header), header)
        values, errors = parsed.values, parsed.errors
        notes.extend(f"{entity_spec.field(name).label} ('{header}'): {n}" for n in parsed.notes)
        out[name] = values.array if isinstance(values.dtype, pd.StringDtype) else values.to_numpy()
        # the text as written, shared with the value where that is the same text
        out[f"{name}__raw"] = out[name] if parsed.as_written else str_series(cleaned, out.index)
        if parsed.marks is not None:     # checked against the row's currency (lib.importing.plan)
            out[f"{name}_mark"] = str_series(parsed.marks, out.index)
        bad = errors.notna().to_numpy()
        if bad.any():
            problems.append(pd.DataFrame({
                "row": out["_row"][bad].to_numpy(), "pos": np.flatnonzero(bad), "field": name,
                "value": out[f"{name}__raw"][bad].to_numpy(),
                "reason": errors[bad].map(_reason).to_numpy()}))

    def raw_of(name: str) -> pd.Series:   # a column at a time: a million rows' texts are big
        return (pd.Series([constants[name]] * len(rows), index=rows.index, dtype="str")
                if columns[name] == CONSTANT else rows[columns[name]].astype("str"))

    dated = {n: raw_of(n) for n in columns if entity_spec.field(n).kind in _DATED}
    orders = {} if date_order is not None else _undecided_orders(dated, columns, entity_spec)
    for name, header in columns.items():
        f, order = entity_spec.field(name), date_order
        raw = dated.pop(name) if name in dated else raw_of(name)
        if name in orders:
            order, note, doubt = orders[name]
            if order == _DAY_OR_YEAR:
                order = None     # its dates are errors until answered; parsing them says why
            else:
                notes.append(note or doubt)
            if doubt:
                doubts[name] = doubt
        cleaned = clean_text(raw)
        parsed = _parse(f, raw, cleaned, order, decimal, date1904, (excel_numbers or {}).get(header))
        if parsed.decimal is not None and parsed.decimal.certain and header != CONSTANT:
            separators[header] = parsed.decimal.separator
        if parsed.decimal is not None and parsed.decimal.undecided:
            pending[name] = (header, raw, cleaned, parsed)
        else:
            keep(name, header, parsed, cleaned)
    if pending:
        evidence = file_evidence(separators, {h: rows[h] for n, h in columns.items() if h != CONSTANT
                                           and entity_spec.field(n).kind in _DATED}, delimiter)
        for name, (header, raw, cleaned, parsed) in pending.items():
            parsed, doubt = settle(raw, cleaned, parsed, evidence)
            if doubt:
                decimal_doubts[name] = f"{entity_spec.field(name).label} ('{header}'): {doubt}"
            keep(name, header, parsed, cleaned)
    problems += years.errors(out) if years else []   # a month not in its row's year, too
    problems += _past_the_header(rows, mapping, out, beyond_header or [])
    notes += _debit_credit_marks(rows, mapping, entity_spec)
    parse_errors = (pd.concat(problems, ignore_index=True) if problems
                    else pd.DataFrame(columns=["row", "pos", "field", "value", "reason"]))
    cells = ({mapping[wide.value_name]: wide.cell_headers(rows)}
             if wide is not None and mapping.get(wide.value_name) else {})
    if years and (year_cells := years.cell_columns(len(out))) is not None:
        cells["month"] = year_cells   # a wrong or missing year names the Year column
    staged = Staged(entity, out, parse_errors.astype({"row": "int64", "pos": "int64"}), columns,
                    notes, doubts, decimal_doubts, cells)
    if year_first := {n for n, (order, _, _) in orders.items() if order == _DAY_OR_YEAR}:
        staged.order_choices = ("dmy", "ymd") if year_first == set(doubts) else ("dmy", "mdy", "ymd")
    return staged


_DATED = ("date", "datetime", "month")
_DAY_OR_YEAR = "dmy|ymd"   # a column's doubt between day-first and year-first (25/03/14)


def _undecided_orders(raws: dict[str, pd.Series], columns: dict[str, str], entity_spec
                      ) -> dict[str, tuple[str | None, str, str]]:
    """For each date column (`raws`: field -> its cells) whose every day/month date fits both
    orders: (the order another date column of the file decided, a note saying so, "") or,
    when none did or they disagree, (None, "", the doubt to ask about). A column whose rows
    contradict each other is always a doubt, and so is one whose dates fit day-first and
    year-first (25/03/14), whose order is given as _DAY_OR_YEAR."""
    decided = {n: detect_date_order(raw) for n, raw in raws.items()}
    firm = {n: d for n, d in decided.items() if d.order}
    out = {}
    for name, d in decided.items():
        label = f"{entity_spec.field(name).label} ('{columns[name]}')"
        if d.year_doubt:
            out[name] = (_DAY_OR_YEAR, "", f"{label}: {d.message}")
            continue
        if d.order is not None or d.certain:
            continue    # it decided for itself, or has no day/month dates
        if d.contradicts or len({x.order for x in firm.values()}) != 1:
            out[name] = (None, "", f"{label}: {d.message}")
            continue
        other, by = next(iter(firm.items()))
        words = "day/month/year" if by.order == "dmy" else "month/day/year"
        out[name] = (by.order, f"{label}: every date fits both day/month and month/day; read as "
                     f"{words} like '{columns[other]}', whose row {by.deciding_row} "
                     f"('{by.deciding_value}') can only be read that way.", "")
    return out


# A header saying its amounts are in thousands or millions: 'Revenue ($000)', 'Sales (k)',
# 'Umsatz TEUR', 'Amount in millions', 'Betrag (Mio. €)'
_THOUSANDS = re.compile(r"\(\s*[$£€]?\s*0{3}s?\s*\)|\bin\s+thousands\b|\(\s*[$£€]?\s*k\s*\)|"
                        r"\bT(?:EUR|USD|GBP|CHF)\b|\bT€|\bTsd\.?(?!\w)|\bin\s+tausend\b", re.I)
_MILLIONS = re.compile(r"\(\s*[$£€]?\s*(?:m|mm|mn|mio\.?|millions?)\s*[$£€]?\s*\)|"
                       r"\bin\s+millions\b|\bMio\.?(?!\w)", re.I)


def _scaled(parsed: ParsedColumn, header: str) -> ParsedColumn:
    """Amounts of a column whose header says they are in thousands or millions, as amounts."""
    factor = 1_000 if _THOUSANDS.search(header) else 1_000_000 if _MILLIONS.search(header) else 1
    if factor == 1:
        return parsed
    parsed.values = parsed.values * factor
    unit = "thousands" if factor == 1_000 else "millions"
    parsed.notes.insert(0, f"The header says its amounts are in {unit}; they were multiplied by "
                           f"{factor:,} (12.5 -> {12.5 * factor:,.0f}).")
    return parsed


def _marked(parsed: ParsedColumn, header: str) -> ParsedColumn:
    """A header naming a currency ('Amount (EUR)') marks every cell with it, as a '€' in the
    cell would: a row whose currency is another is an error, not an amount stored in it."""
    mark = header_mark(header)
    if mark is None:
        return parsed
    n = len(parsed.values)
    parsed.marks = (pa.array([mark] * n, pa.string()) if parsed.marks is None
                    else pc.fill_null(parsed.marks, mark))
    parsed.notes.append(f"The header names the currency {mark}; each amount is checked against "
                        "its row's currency.")
    return parsed


# A column saying which rows are debits and which credits (DATEV's Soll/Haben-Kennzeichen,
# Dr/Cr): its amounts are all written positive
_SIDES = ({"s", "h"}, {"d", "c"}, {"dr", "cr"}, {"debit", "credit"}, {"soll", "haben"})
_SIDE_HEADER = re.compile(r"soll.?haben|\bs\s*/\s*h\b|\bdr\s*/\s*cr\b|debit\s*/\s*credit|"
                          r"\bd\s*/\s*c\b|debit.?credit.?(?:indicator|flag|mark)", re.I)


def _debit_credit_marks(rows: pd.DataFrame, mapping: dict[str, str | None], entity_spec
                        ) -> list[str]:
    """A note for an unmapped debit/credit column whose rows are of both kinds: the amounts
    are read as written, so credits are not taken off. Which side is the minus depends on
    whose account the file is kept from, which the file does not say."""
    if not any(entity_spec.field(f).kind == "number" for f in mapping.values() if f):
        return []
    notes = []
    for header in rows.columns:
        if mapping.get(header) or not _SIDE_HEADER.search(str(header)):
            continue
        seen = set(rows[header].head(10_000).str.strip().str.casefold().unique()) - {""}
        if any(seen == sides for sides in _SIDES):
            notes.append(f"Column '{header}' marks some rows as debits and others as credits "
                         f"({', '.join(sorted(v.upper() for v in seen))}); the amounts are read as "
                         "written, all positive, so credits are not taken off. Give the credits "
                         "a minus sign in the file, or import one kind at a time.")
    return notes


def _past_the_header(rows: pd.DataFrame, mapping: dict[str, str | None], out: pd.DataFrame,
                     beyond: list[str]) -> list[pd.DataFrame]:
    """An error for each row with cells past the header, on the row's rightmost mapped cell:
    "1,234.50" unquoted reads as 1 under Amount and 234.50 past the header."""
    mapped = [h for h in rows.columns if mapping.get(h) and h not in beyond]
    beyond = [h for h in beyond if h in rows]
    if not mapped or not beyond:
        return []
    past = rows[beyond].apply(lambda c: c.str.strip()).to_numpy()
    bad = np.flatnonzero((past != "").any(axis=1))
    if not len(bad):
        return []
    last, name = mapped[-1], mapping[mapped[-1]]
    extra = [", ".join(c for c in past[p] if c) for p in bad]
    return [pd.DataFrame({
        "row": out["_row"].to_numpy()[bad], "pos": bad, "field": name,
        "value": rows[last].to_numpy()[bad].astype(str),
        "reason": [f"the row goes on past the header ('{e}'), so this cell may hold only part of "
                   "its value; in a CSV, quote numbers written with a thousands separator"
                   for e in extra]})]


def _reason(message: str) -> str:
    # The parsers say "'3/4/2024': could be ..."; the value has its own column in the report.
    return message.split("': ", 1)[1] if message.startswith("'") and "': " in message else message


def _parse(f: Field, raw: pd.Series, cleaned: pa.Array, order: Reading | None,
           decimal: str | None, date1904: bool, excel_numbers: np.ndarray | None = None
           ) -> ParsedColumn:
    if f.kind == "number":   # each an amount of money (specs has no rate): 12% there is an error
        return parse_number_series(raw, decimal=decimal, excel_numbers=excel_numbers,
                                   percent="money")
    if f.kind == "date":   # the day as written: a zone does not move it to UTC's day
        parsed = parse_date_series(raw, order=order, to_utc=False, date1904=date1904, months=False)
        return ParsedColumn(parsed.values.dt.normalize(), parsed.errors, parsed.notes)
    if f.kind == "datetime":
        return parse_date_series(raw, order=order, date1904=date1904, months=False)
    if f.kind == "month":
        return ParsedColumn(*_months(raw, order, date1904))
    if f.kind == "choice":
        return ParsedColumn(*map_unique(raw, lambda t: _choice(t, f.choices, dict(f.aliases))))
    # Text as written, trimmed; a null token is no value ("NA" is one only where a number or
    # date was expected). Upper-case currency codes.
    unwrapped = _unwrapped(cleaned, f.code)
    text = pc.utf8_upper(unwrapped) if f.kind == "currency" else unwrapped
    if f.kind == "currency" and not pc.all(pc.string_is_ascii(unwrapped)).as_py():
        text = pa.array([t.upper() for t in unwrapped.to_pylist()], type=pa.string())  # as Python does
    notes = []
    if f.kind == "currency":
        text, notes = _currency_codes(text)
    empty = null_mask(unwrapped, TEXT_NULL_TOKENS)
    if empty.any():
        text = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text)
    errors = np.full(len(raw), None, dtype=object)
    if f.code:
        errors[pc.match_substring_regex(unwrapped, _SHORTENED).to_numpy(zero_copy_only=False)] = (
            "a long number Excel shortened to scientific notation, its last digits lost: format "
            "the column as text in Excel and export the file again")
    return ParsedColumn(str_series(text, pd.RangeIndex(len(raw))),
                        pd.Series(errors, index=raw.index), notes, as_written=text is cleaned)


def _unwrapped(text: pa.Array, code: bool) -> pa.Array:
    """Text without the marks Excel users add to keep a value as typed: ="000125" (a formula
    giving the text) and, in an id or reference holding a digit, a leading apostrophe ('000124,
    'CRM-0042; not in names such as 't Hooft or 's-Hertogenbosch)."""
    if pc.any(pc.starts_with(text, '="')).as_py():
        text = pc.replace_substring_regex(text, r'^="(.*)"$', r"\1")
    if code and pc.any(pc.starts_with(text, "'")).as_py():
        text = pc.replace_substring_regex(text, r"^'([0-9A-Za-z][^ 0-9]*[0-9][^ ]*)$", r"\1")
    return text


# Currencies written by their sign or name where one currency is meant ('$' is not: it is many)
CURRENCY_NAMES = {
    "€": "EUR", "EURO": "EUR", "EUROS": "EUR", "£": "GBP", "GBP£": "GBP", "STERLING": "GBP",
    "POUND STERLING": "GBP", "POUNDS STERLING": "GBP", "BRITISH POUND": "GBP", "US$": "USD",
    "US DOLLAR": "USD", "US DOLLARS": "USD", "U.S. DOLLAR": "USD", "A$": "AUD",
    "AUSTRALIAN DOLLAR": "AUD", "C$": "CAD", "CA$": "CAD", "CANADIAN DOLLAR": "CAD",
    "NZ$": "NZD", "S$": "SGD", "R$": "BRL", "₹": "INR", "INDIAN RUPEE": "INR",
    "SWISS FRANC": "CHF", "SFR": "CHF", "FR.": "CHF", "YEN": "JPY", "JAPANESE YEN": "JPY",
}


def _currency_codes(text: pa.Array) -> tuple[pa.Array, list[str]]:
    """Upper-cased currencies with their signs and names (€, Euro, US Dollar) as codes, and a
    note naming what was read as what."""
    found = pc.is_in(text, value_set=pa.array(list(CURRENCY_NAMES)))
    if not pc.any(found).as_py():
        return text, []
    seen = sorted(set(pc.filter(text, found).to_pylist()))
    codes = pa.array([CURRENCY_NAMES.get(t, t) if t is not None else None
                      for t in pc.unique(text).to_pylist()], pa.string())
    text = pc.take(codes, pc.index_in(text, value_set=pc.unique(text)))
    return text, ["Currencies written by sign or name were read as codes: "
                  + ", ".join(f"{s} -> {CURRENCY_NAMES[s]}" for s in seen) + "."]


def _months(raw: pd.Series, order: Reading | None, date1904: bool):
    """A month written as a period (Apr-18, 2024-01) or as any date in it (-> its first day),
    the date as written: 2025-02-01T00:00+01:00 is February's, though UTC calls it 31 January."""
    periods, _ = map_unique(raw, parse_period)
    rest = periods.isna().to_numpy()
    values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    errors = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    values[~rest] = pd.to_datetime(periods[~rest]).astype("datetime64[us]")
    notes: list[str] = []
    if rest.any():
        dates = parse_date_series(raw[rest], order=order, to_utc=False, date1904=date1904)
        values[rest] = dates.values.dt.to_period("M").dt.to_timestamp().to_numpy()
        errors[rest] = dates.errors.to_numpy()
        notes = dates.notes
    return values, errors, notes


def _choice(text: str, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> str | None:
    if is_null(text):
        return None
    key = normalize_category(text).replace(" ", "_").replace("-", "_")
    if key in choices:
        return key
    if aliases and key in aliases:
        return aliases[key]
    # "Outbound Call", "MS Teams Meeting", "Very positive": the one choice its words name
    named = {w if w in choices else (aliases or {}).get(w) for w in key.split("_")} - {None}
    if len(named) == 1:
        return named.pop()
    guess = suggest_category(key, choices)
    hint = f" Did you mean {guess.value}?" if guess.value else ""
    raise ValueError(f"is not one of {', '.join(choices)}.{hint}")
