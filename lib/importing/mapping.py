"""What each importable entity expects, and how a file's headers map onto it.

A mapping is {header in the file: field name, or None to ignore the column}. Constants fill
fields the file lacks ("currency = GBP for the whole file"). Mappings are remembered per source:
the signature of a file's headers, so next month's export with the same columns maps itself.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from lib.db import Database, Tx
from lib.permissions import require
from lib.importing.around import by_period_order, periods_across, told_apart, words_around
from lib.importing.categories import normalize_category
from lib.importing.layout import sheet_month
from lib.importing.number_marks import header_mark
from lib.importing.specs import ENTITIES, EntitySpec, Field, Kind, spec  # noqa: F401
from lib.importing.statuses import DONE, STAGE_HELP
from lib.importing.values import is_null
from lib.importing.years import year_of
from lib.users import Actor

if TYPE_CHECKING:
    from lib.importing.model import Sheet

_LOOKED_AT = 2_000   # first rows whose values judge whether a column can be a field
_BARE_NUMBER = re.compile(r"[-+(]?\d[\d\s.,]*\)?")


def header_key(header: str) -> str:
    """'  Close Value ' / 'close_value' / 'CloseValue' -> 'closevalue'; 'Fälligkeit' ->
    'falligkeit'. Letters of every script are kept: 'Клиент' is not '' (nor 'Сумма')."""
    folded = unicodedata.normalize("NFKD", str(header).casefold())
    return re.sub(r"[^\w#]|_", "", "".join(c for c in folded if not unicodedata.combining(c)))


def suggest_mapping(headers: list[str], entity: str,
                    rows: pd.DataFrame | None = None) -> dict[str, str | None]:
    """Each header -> the field it most likely is, or None. A field is used at most once:
    an exact field name beats a label, which beats a synonym; earlier synonyms beat later; a
    field's `first` words beat even its name (a Payment # beats a Reference).

    With `rows` (the sheet's text cells), a column whose values cannot be the field is left
    for the person to map: a choice field's column none of whose values is a choice (an
    order STATUS of 'Shipped' is no account status), a name or place field's column of bare
    numbers (a countryCode of 391), a job title's column of forms of address (Outlook's
    Title: Dr., Mrs). And a column with values beats an empty one for the same
    field: Outlook's contacts list Mobile Phone before Business Phone, which is often the one
    filled."""
    entity_spec = spec(entity)
    fields = entity_spec.fields
    ranked: list[tuple[bool, int, int, str, str]] = []
    for position, header in enumerate(headers):
        keys = _keys(header)
        empty = None   # looked at only for a header that names a field (a file may have 10,000)
        for f in fields:
            names = [*f.first, f.name, f.label, *f.synonyms]
            for rank, name in enumerate(names):
                if header_key(name) in keys:
                    if empty is None:
                        empty = rows is not None and header in rows and _empty(rows[header])
                    loose = keys.index(header_key(name))
                    ranked.append((empty, loose * 1000 + min(rank, 2) * 100 + rank, position,
                                   header, f.name))
                    break
    mapping: dict[str, str | None] = {h: None for h in headers}
    taken: set[str] = set()
    for *_, header, name in sorted(ranked):
        if mapping[header] is None and name not in taken and (
                rows is None or header not in rows or fits(entity_spec.field(name), rows[header])):
            mapping[header] = name
            taken.add(name)
    return mapping


# Looser header keys, tried after every exact match. Only what cannot change a value's meaning
# is dropped: a parenthesis saying UTC or where a field came from ('Created (UTC)', 'invoice
# (metadata)'), not a unit or zone ('Sales (units)', 'Created (PST)'); a CRM's object prefix
# ('Deal - Value'), not 'Prior Year - Revenue'; a BI tool's 'Sum of' (its rows are the sums:
# 'Sum of Revenue' per account and month); and a scale or currency that staging applies
# ('Revenue ($000)', 'Amount (EUR)'); and what Salesforce's API names add to a field's name
# (Amount__c, ns__Region__c, Account__r.Name).
_HARMLESS_ASIDE = re.compile(r"\s*\((?:utc|gmt|metadata|optional|required)\)", re.I)
_SUM_OF = re.compile(r"^(?:sum\s+of|summe\s+von)\s+", re.I)   # a BI tool's "Sum of Revenue"
# A scale or a currency ('Revenue ($000)', 'Sales in millions', 'Amount (EUR)', 'Amount GBP',
# 'BETRAG in EUR', '$ Sales'; not '(PST)', nor TEUR: thousands): staging multiplies the
# amounts by the scale and checks the currency against each row's
_SCALE = re.compile(r"\s*\(\s*[$£€]?\s*(?:0{3}s?|k|m|mm|mn|mio\.?|millions?)\s*[$£€]?\s*\)|"
                    r"\s+in\s+(?:thousands|millions)\b", re.I)
_CURRENCY_ASIDE = re.compile(r"\s*\(\s*([A-Z]{3}|[$£€])\s*\)|\s+(?:in\s+)?([A-Z]{3}|[$£€])\s*$|"
                             r"^\s*([A-Z]{3}|[$£€])\s+")
_API_SUFFIX = re.compile(r"^[A-Za-z0-9]+__(?=\w+__[cr]\b)|__[cr]\b")
_OBJECT_PREFIX = re.compile(r"^(?:deal|organi[sz]ation|person|lead|activity|product|contact|"
                            r"company|account|opportunity|invoice|payment)\s+-\s+", re.I)


def _keys(header: str) -> list[str]:
    """The header's key, then looser ones (see _HARMLESS_ASIDE and _OBJECT_PREFIX)."""
    text = str(header)
    loose = (text, _HARMLESS_ASIDE.sub("", text), _OBJECT_PREFIX.sub("", text),
             _SUM_OF.sub("", text), _SCALE.sub("", text), _API_SUFFIX.sub("", text),
             _CURRENCY_ASIDE.sub(lambda m: "" if header_mark(m[m.lastindex]) == m[m.lastindex]
                                 else m[0], text))
    return list(dict.fromkeys(k for k in map(header_key, loose) if k))


def _seen(cells: pd.Series) -> set[str]:
    """The column's distinct values among its first rows, without the empty ones."""
    seen = {str(v).strip() for v in cells.head(_LOOKED_AT).dropna().unique()}
    return {v for v in seen if not is_null(v)}


def _empty(cells: pd.Series) -> bool:
    return not _seen(cells)


# Forms of address (Outlook's contacts have a Title column of them beside Job Title)
_HONORIFIC = re.compile(r"(?:(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lord|lady|rev|herr|frau|m|mme|"
                        r"mlle|sr|sra|srta|sig|sigra|dott|dhr|mevr|pan|pani)\.?\s*)+", re.I)
_JOB_TITLES = ("title", "role_title")


def fits(f: Field, cells: pd.Series) -> bool:
    """Whether the column's first values could be this field (no values: no evidence against)."""
    if f.kind not in ("choice", "stage", "year") and not f.words and f.name not in _JOB_TITLES:
        return True
    seen = _seen(cells)
    if not seen:
        return True
    if f.name in _JOB_TITLES:   # Mr, Dr., Prof. Dr.: a form of address, not a job
        return not all(_HONORIFIC.fullmatch(v) for v in seen)
    if f.kind == "year":   # mostly years: a Year column of totals (Q1 | ... | Year) is no year
        counts = cells.head(_LOOKED_AT).str.strip().value_counts()
        counts = counts[[not is_null(v) for v in counts.index]]
        return 2 * counts[[year_of(v) > 0 for v in counts.index]].sum() >= counts.sum()
    if f.kind == "stage":   # a column of stages none of which is won (paid) is some other stage
        return any(re.search(DONE[f.name], v.lower()) for v in seen)
    if f.kind == "choice":
        known = set(f.choices) | {alias for alias, _ in f.aliases}
        return any(normalize_category(v).replace(" ", "_").replace("-", "_") in known for v in seen)
    return not all(_BARE_NUMBER.fullmatch(v) for v in seen)


@dataclass(frozen=True)
class EntityGuess:
    entity: str
    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    # When the columns fit several entities equally well and the words around the table do
    # not say which: all of them (`entity` is the first). The person must choose.
    tied: tuple[str, ...] = ()
    layout: str = ""   # why the columns cannot be imported as they are (weeks across them)

    @property
    def doubt(self) -> str:
        """'could be revenue or account targets', for a message asking which."""
        return _could_be(self.tied)


# A column of these is about people, so the rows are not accounts (a "Company Name" beside a
# "First Name" is the person's account); and of these about companies, so the rows are not
# contacts (a "Primary Contact" beside an "Industry" is the account's).
_PERSON = {"first_name", "last_name", "title"}
_COMPANY = {"industry", "tier", "scope"}


def suggest_entity(headers: list[str], rows: pd.DataFrame | None = None,
                   context: str = "", month_given: bool = False) -> EntityGuess:
    """The entity whose required fields the headers cover best, with the reason in words.
    `rows`: the sheet's cells (see suggest_mapping); `context`: words around the table, which
    break a tie (words_around). A tie they do not break is reported in `tied`, not decided.
    `month_given`: the sheet's name is a month ("Jan 2025"), which a month field takes.
    A column an entity leaves unmapped that another needs (see _needed_by) counts against it:
    Customer | Month | Revenue USD is revenue, not accounts that ignore two columns."""
    maps = {name: suggest_mapping(headers, name, rows) for name in ENTITIES}
    found = {name: {f for f in maps[name].values() if f} for name in ENTITIES}
    covered = {name: _given(e, found[name], month_given) for name, e in ENTITIES.items()}
    person = bool(_PERSON & set(maps["contacts"].values()))
    company = bool(_COMPANY & set(maps["accounts"].values())) and not person
    needed = _needed_by(maps, {name for name, e in ENTITIES.items()   # readings half there
                               if 2 * len(covered[name] & set(e.required)) >= len(e.required)})
    scores = {}
    for name, entity in ENTITIES.items():
        given, required = covered[name], set(entity.required)
        # Fields found count, required ones double; covering them all earns a bonus, but not
        # so much that one name column makes every list of names an account list.
        ignored = sum(1 for h, f in maps[name].items() if f is None and needed[h] - {name})
        scores[name] = (len(given & required) + 0.5 * len(given - required)
                        + 1.5 * float(required <= given) - 0.5 * ignored
                        - 2.0 * (person and name == "accounts" or company and name == "contacts"))
    best, anything = max(scores.values()), any(found.values())
    tied = [n for n, score in scores.items() if score == best]
    if len(tied) > 1 and anything:
        tied = told_apart(tied, context)
    entity = tied[0]
    labels = ", ".join(ENTITIES[entity].field(f).label for f in sorted(found[entity])) or "nothing"
    if not anything:
        return EntityGuess(entity, "None of the columns is a field of any kind of data the "
                           "importer knows: choose what the file holds and map its columns.",
                           scores, tuple(ENTITIES))
    if len(tied) > 1:
        return EntityGuess(entity, f"The columns {_could_be(tied)} (they give {labels}), and "
                           "nothing around the table says which: choose what the file holds.",
                           scores, tuple(tied))
    missing = [f for f in ENTITIES[entity].required if f not in covered[entity]]
    reason = f"The columns look like {ENTITIES[entity].label.lower()}: they give {labels}."
    if missing:
        reason += " Still missing: " + ", ".join(ENTITIES[entity].field(f).label for f in missing) + "."
    return EntityGuess(entity, reason, scores)


def _given(entity: EntitySpec, mapped: set[str], month_given: bool) -> set[str]:
    """The fields the mapped ones give: parts (first and last name) give their whole and count
    once, as the whole; a time of day or a year gives only itself. A month-named sheet, a month."""
    parts = {f: entity.field(f) for f in mapped}
    given = {p.part_of if p.part_of and not p.completes else f for f, p in parts.items()}
    return given | ({f.name for f in entity.fields if f.kind == "month"} if month_given else set())


def _needed_by(maps: dict[str, dict[str, str | None]], readings: set[str]) -> dict[str, set[str]]:
    """Each header -> which of the `readings` map it to a required field or a part of one (a
    First Name makes a contact's name; a year only completes a month). The readings are those
    with half of what they need: an account and an amount are most of revenue; an amount alone
    is not much of an invoice, so an accounts list's balance column does not count against it."""
    needed: dict[str, set[str]] = {h: set() for mapping in maps.values() for h in mapping}
    for name in readings:
        for header, f in maps[name].items():
            got = ENTITIES[name].field(f) if f else None
            whole = got and (ENTITIES[name].field(got.part_of) if got.part_of else got)
            if whole and whole.required and not got.completes:
                needed[header].add(name)
    return needed


def guess_entity(sheet: Sheet, file_name: str = "") -> EntityGuess:
    """suggest_entity for a sheet as read: its headers, its values and the words around it.
    Weeks, quarters or years across the columns are a choice the person makes (revenue, targets
    or budgets, the one the words around the table name first), not a list of accounts."""
    headers = [str(h) for h in sheet.rows.columns]
    around = words_around(sheet, file_name)
    if across := periods_across(headers):
        tied = by_period_order(around)
        return EntityGuess(tied[0], f"{across} The sheet {_could_be(tied)}: choose what it holds.",
                           {}, tied, across)
    return suggest_entity(headers, sheet.rows, around,
                          month_given=sheet_month(sheet.name, around) is not None)


def _could_be(tied: tuple[str, ...] | list[str]) -> str:
    if len(tied) == len(ENTITIES):
        return "match no kind of data"
    return "could be " + " or ".join(ENTITIES[e].label.lower() for e in tied)


def header_signature(headers: list[str]) -> str:
    """The same columns in any order and spelling of case/spaces give the same signature."""
    keys = sorted(header_key(h) for h in headers)
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()[:32]


def remember_mapping(db: Database, actor: Actor, headers: list[str], entity: str,
                     mapping: dict[str, str | None], constants: dict[str, str] | None = None,
                     name: str | None = None) -> str:
    """Store the mapping for this source (its header signature); return the signature."""
    require(actor, "import_data")
    check_mapping(entity, mapping, constants or {})
    signature = header_signature(headers)

    def work(tx: Tx) -> str:
        tx.execute("DELETE FROM import_mappings WHERE signature = ? AND entity = ?", [signature, entity])
        tx.execute(
            "INSERT INTO import_mappings (signature, entity, name, headers, mapping, constants, "
            "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [signature, entity, name, json.dumps(headers), json.dumps(mapping),
             json.dumps(constants or {}), actor.id])
        tx.audit("remember_mapping", "import_mapping", signature, {"entity": entity, "name": name})
        return signature

    return db.write(actor, work)


@dataclass(frozen=True)
class SavedMapping:
    entity: str
    mapping: dict[str, str | None]
    constants: dict[str, str]
    name: str | None


def recall_mapping(db: Database, headers: list[str], entity: str | None = None,
                   name: str | None = None) -> SavedMapping | None:
    """The mapping last remembered for these headers (or by `name`), newest first."""
    where, params = ("name = ?", [name]) if name else ("signature = ?", [header_signature(headers)])
    if entity:
        where, params = where + " AND entity = ?", [*params, entity]
    row = db.record(f"SELECT entity, mapping, constants, name FROM import_mappings WHERE {where} "
                    "ORDER BY updated_at DESC LIMIT 1", params)
    if row is None:
        return None
    saved = json.loads(row["mapping"])
    return SavedMapping(row["entity"], {h: saved.get(h) for h in headers} if not name else saved,
                        json.loads(row["constants"]), row["name"])


def check_mapping(entity: str, mapping: dict[str, str | None], constants: dict[str, str]) -> None:
    """Raise ValueError when a field is mapped twice or names no field of the entity."""
    known = {f.name for f in spec(entity).fields}
    used = [f for f in mapping.values() if f] + list(constants)
    unknown = sorted(set(used) - known)
    if unknown:
        raise ValueError(f"{spec(entity).label} have no field {', '.join(unknown)}.")
    twice = sorted({f for f in used if used.count(f) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} is given by more than one column or constant.")


def template(entity: str) -> bytes:
    """A CSV with the entity's columns (labels as headers) and one example row."""
    fields = spec(entity).fields
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.label for f in fields])
    writer.writerow([f.example for f in fields])
    return out.getvalue().encode("utf-8")


def template_xlsx(entity: str) -> bytes:
    """The same template as an Excel workbook: a bold, frozen header row, the example row
    (numbers as numbers, everything else as text, never as a formula), columns wide enough to
    read, and a note on each header saying whether it is required and what it takes."""
    import xlsxwriter   # only needed here

    entity_spec = spec(entity)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(entity_spec.label[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    for col, f in enumerate(entity_spec.fields):
        sheet.write_string(0, col, f.label, bold)
        if f.kind == "number" and f.example:
            sheet.write_number(1, col, float(f.example))
        elif f.example:
            sheet.write_string(1, col, f.example)
        sheet.set_column(col, col, min(60, max(len(f.label), len(f.example)) + 3))
        sheet.write_comment(0, col, _describe(entity_spec, f), {"x_scale": 2})
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _describe(entity_spec: EntitySpec, f: Field) -> str:
    parts = " and ".join(p.label for p in entity_spec.parts(f.name) if not p.completes)
    words = ["Required" + (f" (or give {parts} instead)." if parts else ".") if f.required
             else "Optional."]
    if f.kind == "time":
        words.append(f"Added to {entity_spec.field(f.part_of).label} where that gives a day "
                     "without a time (a Date column beside a Time column); not stored on its own.")
    elif f.kind == "year":
        words.append(f"The year of a {entity_spec.field(f.part_of).label} column that gives the "
                     "month alone (3, 03, Mar, März): each row's month is that month in this "
                     "year. Where the month is written with its year (2026-01), the two must "
                     "agree. Not stored on its own.")
    elif f.part_of:
        together = " and ".join(p.label for p in entity_spec.parts(f.part_of))
        words.append(f"Where {entity_spec.field(f.part_of).label} is empty, {together} are "
                     "joined into it with a space; they are not stored on their own.")
    if f.choices:
        words.append("One of: " + ", ".join(f.choices) + ".")
    words.append({"number": "A number.", "date": "A date.", "datetime": "A date and time.",
                  "month": "A month (2026-01, Jan-26 or any date in it).",
                  "time": "A time of day (10:30, 2:15 PM).",
                  "year": "A year in four digits (2026).",
                  "currency": "A three-letter currency code.",
                  "stage": STAGE_HELP.get(f.name, "")}.get(f.kind, ""))
    return " ".join(w for w in words if w)
