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
from dataclasses import dataclass, field

from lib.db import Database, Tx
from lib.permissions import require
from lib.importing.specs import ENTITIES, EntitySpec, Field, Kind, spec  # noqa: F401
from lib.users import Actor


def header_key(header: str) -> str:
    """'  Close Value ' / 'close_value' / 'CloseValue' -> 'closevalue'."""
    return re.sub(r"[^0-9a-z#]+", "", str(header).casefold())


def suggest_mapping(headers: list[str], entity: str) -> dict[str, str | None]:
    """Each header -> the field it most likely is, or None. A field is used at most once:
    an exact field name beats a label, which beats a synonym; earlier synonyms beat later."""
    fields = spec(entity).fields
    ranked: list[tuple[int, int, str, str]] = []
    for position, header in enumerate(headers):
        key = header_key(header)
        for f in fields:
            names = [f.name, f.label, *f.synonyms]
            for rank, name in enumerate(names):
                if header_key(name) == key:
                    ranked.append((min(rank, 2) * 100 + rank, position, header, f.name))
                    break
    mapping: dict[str, str | None] = {h: None for h in headers}
    taken: set[str] = set()
    for _, _, header, name in sorted(ranked):
        if mapping[header] is None and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping


@dataclass(frozen=True)
class EntityGuess:
    entity: str
    reason: str
    scores: dict[str, float] = field(default_factory=dict)


def suggest_entity(headers: list[str]) -> EntityGuess:
    """The entity whose required fields the headers cover best, with the reason in words."""
    scores, found = {}, {}
    for name, entity in ENTITIES.items():
        mapped = {f for f in suggest_mapping(headers, name).values() if f}
        required = set(entity.required)
        # Fields found count, required ones double; covering them all earns a bonus, but not
        # so much that one name column makes every list of names an account list.
        scores[name] = (len(mapped & required) + 0.5 * len(mapped - required)
                        + 1.5 * float(required <= mapped))
        found[name] = mapped
    best = max(scores, key=lambda n: scores[n])
    missing = [f for f in ENTITIES[best].required if f not in found[best]]
    labels = ", ".join(ENTITIES[best].field(f).label for f in sorted(found[best])) or "nothing"
    reason = f"The columns look like {ENTITIES[best].label.lower()}: they give {labels}."
    if missing:
        reason += " Still missing: " + ", ".join(ENTITIES[best].field(f).label for f in missing) + "."
    return EntityGuess(best, reason, scores)


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
        sheet.write_comment(0, col, _describe(f), {"x_scale": 2})
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _describe(f: Field) -> str:
    words = ["Required." if f.required else "Optional."]
    if f.choices:
        words.append("One of: " + ", ".join(f.choices) + ".")
    words.append({"number": "A number.", "date": "A date.", "datetime": "A date and time.",
                  "month": "A month (2026-01, Jan-26 or any date in it).",
                  "currency": "A three-letter currency code."}.get(f.kind, ""))
    return " ".join(w for w in words if w)
