"""What each importable entity expects: its fields, which are required, their synonyms, and
the ways a row finds its existing record. lib.importing.mapping maps a file's headers onto these.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
    aliases: tuple[tuple[str, str], ...] = ()   # choice: other words for a value -> the value


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

_ROLE_ALIASES = (
    ("decision", "decision_maker"), ("dm", "decision_maker"), ("economic_buyer", "decision_maker"),
    ("budget_holder", "decision_maker"), ("buyer", "decision_maker"), ("approver", "decision_maker"),
    ("executive_sponsor", "decision_maker"), ("exec_sponsor", "decision_maker"),
    ("champion", "influencer"), ("advocate", "influencer"), ("sponsor", "influencer"),
    ("end_user", "user"), ("users", "user"), ("billing", "finance"),
    ("accounts_payable", "finance"), ("procurement", "finance"), ("purchasing", "finance"),
    ("it", "technical"), ("tech", "technical"), ("technical_buyer", "technical"),
    ("engineering", "technical"), ("admin", "technical"))

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
    "contacts": EntitySpec("contacts", "Contacts", (
        _ACCOUNT_REF, _COUNTRY,
        Field("name", "Contact name", required=True, example="Jane Doe", synonyms=(
            "contact", "contact name", "full name", "person", "name of contact")),
        Field("title", "Job title", example="Head of Procurement", synonyms=(
            "title", "job title", "position", "designation", "job")),
        Field("email", "Email", example="jane.doe@acme.example", synonyms=(
            "email address", "e-mail", "e mail", "contact email", "work email", "mail")),
        Field("phone", "Phone", example="+44 20 7946 0000", synonyms=(
            "telephone", "phone number", "tel", "mobile", "direct line", "work phone")),
        Field("role", "Role", "choice", example="decision maker",
              choices=("decision_maker", "influencer", "user", "finance", "technical"),
              synonyms=("contact role", "buying role", "persona", "stakeholder role",
                        "stakeholder type", "contact type"),
              aliases=_ROLE_ALIASES),
    ), note="A contact is found by account and email, else by account and name. A new contact "
            "without a role is saved as a user.",
        match_keys=(("account", "email", "name"),)),
    "account_targets": EntitySpec("account_targets", "Account targets", (
        _ACCOUNT_REF, _COUNTRY,
        Field("month", "Month", "month", True, example="2026-01", synonyms=(
            "period", "target month", "date", "month name")),
        Field("amount", "Target", "number", True, example="15000.00", synonyms=(
            "target", "target amount", "quota", "goal", "monthly target", "revenue target",
            "sales target", "plan")),
        _CURRENCY,
    ), note="One target per account and month. Locked months cannot be changed; every change "
            "is kept in the target history.", match_keys=(("account", "month"),)),
    "budgets": EntitySpec("budgets", "Budgets", (
        _ACCOUNT_REF, _COUNTRY,
        Field("category", "Category", required=True, example="Marketing", synonyms=(
            "budget category", "cost category", "expense category", "line item", "budget line",
            "cost centre", "cost center")),
        Field("month", "Month", "month", True, example="2026-01", synonyms=(
            "period", "budget month", "date", "month name")),
        Field("budget", "Budget", "number", example="5000.00", synonyms=(
            "budget amount", "budgeted", "planned", "allocated", "allocation", "planned spend")),
        Field("spend", "Spend", "number", example="4200.00", synonyms=(
            "actual", "actuals", "spent", "actual spend", "expenditure", "cost", "costs")),
        _CURRENCY,
    ), note="One row per account, category and month; a row gives a budget, a spend or both.",
        match_keys=(("account", "category", "month"),)),
}


def spec(entity: str) -> EntitySpec:
    if entity not in ENTITIES:
        raise ValueError(f"Unknown kind of data {entity!r}; choose one of {', '.join(ENTITIES)}.")
    return ENTITIES[entity]

