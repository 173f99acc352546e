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
from typing import Literal

from lib.db import Database, Tx
from lib.permissions import require
from lib.users import Actor

Kind = Literal["text", "number", "date", "month", "currency", "choice"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    example: str = ""


@dataclass(frozen=True)
class EntitySpec:
    name: str
    label: str
    fields: tuple[Field, ...]
    note: str = ""
    match_keys: tuple[tuple[str, ...], ...] = ()  # ways a row may find its existing record

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.label} have no field {name!r}")

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]


_ACCOUNT_REF = Field("account", "Account (external id or name)", required=True, example="Acme Ltd",
                     synonyms=("account name", "customer", "customer name", "client", "client name",
                               "company", "company name", "account id", "customer id", "account ref"))
_COUNTRY = Field("country", "Country", synonyms=("country code", "billing country", "nation"),
                 example="GB")
_CURRENCY = Field("currency", "Currency (3 letters)", "currency", example="GBP",
                  synonyms=("currency code", "ccy", "curr", "currencyisocode", "iso currency"))

ENTITIES: dict[str, EntitySpec] = {
    "revenue": EntitySpec("revenue", "Revenue", (
        _ACCOUNT_REF, _COUNTRY,
        Field("month", "Month", "month", True, example="2026-01", synonyms=(
            "period", "date", "month of order date", "order date", "close date", "invoice date",
            "closed date", "month name", "revenue month", "booking date", "sale date")),
        Field("amount", "Amount", "number", True, example="12500.00", synonyms=(
            "revenue", "sales", "close value", "value", "total", "net sales", "sales amount",
            "amount usd", "net revenue", "turnover", "gross sales", "monthly revenue",
            "annualrevenue", "annual revenue")),
        _CURRENCY,
    ), note="Several rows for one account and month (order lines, won deals) are summed.",
        match_keys=(("account", "month"),)),
    "accounts": EntitySpec("accounts", "Accounts", (
        Field("name", "Account name", required=True, example="Acme Ltd", synonyms=(
            "account", "account name", "customer", "customer name", "company", "company name",
            "client", "organisation", "organization")),
        Field("external_id", "External id", example="CRM-0001", synonyms=(
            "id", "account id", "account number", "customer id", "crm id", "record id",
            "accountnumber")),
        Field("tier", "Tier", "choice", choices=("key", "strategic", "standard"), example="standard",
              synonyms=("account tier", "customer tier", "priority")),
        Field("scope", "Scope", "choice", choices=("regional", "national", "global"),
              example="regional", synonyms=("coverage", "reach")),
        Field("industry", "Industry", example="Retail", synonyms=("sector", "vertical", "sic")),
        Field("region", "Region", example="Europe", synonyms=("territory", "area", "sales region")),
        Field("country", "Country", example="GB", synonyms=(
            "billing country", "office location", "country code", "billingcountry", "hq country")),
        Field("owner", "Owner (manager name or email)", example="Priya Shah", synonyms=(
            "account owner", "owner name", "sales agent", "account manager", "manager", "rep",
            "sales rep")),
        Field("status", "Status", "choice", choices=("prospect", "active", "at_risk", "churned"),
              example="active", synonyms=("account status", "customer status")),
        _CURRENCY,
    ), match_keys=(("external_id",), ("name",), ("name", "country"))),
    "invoices": EntitySpec("invoices", "Invoices", (
        Field("invoice_number", "Invoice number", required=True, example="INV-1001", synonyms=(
            "invoice", "invoice no", "invoice #", "invoice id", "document number", "doc no")),
        _ACCOUNT_REF, _COUNTRY,
        Field("issue_date", "Issue date", "date", True, example="2026-01-31", synonyms=(
            "invoice date", "date issued", "issued", "document date", "date")),
        Field("due_date", "Due date", "date", True, example="2026-03-02",
              synonyms=("due", "payment due", "due on", "net due date")),
        Field("amount", "Amount", "number", True, example="4200.00", synonyms=(
            "invoice amount", "total", "gross amount", "amount due", "invoice total", "value")),
        _CURRENCY,
    ), match_keys=(("invoice_number",),)),
    "payments": EntitySpec("payments", "Payments", (
        Field("invoice_number", "Invoice number", required=True, example="INV-1001",
              synonyms=("invoice", "invoice no", "invoice #", "invoice id", "applied to")),
        Field("paid_on", "Paid on", "date", True, example="2026-02-20", synonyms=(
            "payment date", "date paid", "paid date", "received", "receipt date", "date")),
        Field("amount", "Amount", "number", True, example="4200.00",
              synonyms=("payment amount", "amount paid", "paid", "received amount", "value")),
        Field("reference", "Reference", example="BACS 7781", synonyms=(
            "payment reference", "ref", "transaction id", "remittance", "payment id")),
    ), match_keys=(("invoice_number", "reference"), ("invoice_number", "paid_on", "amount"))),
}


def spec(entity: str) -> EntitySpec:
    if entity not in ENTITIES:
        raise ValueError(f"Unknown kind of data {entity!r}; choose one of {', '.join(ENTITIES)}.")
    return ENTITIES[entity]


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
