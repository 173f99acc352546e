"""What each importable entity expects: its fields, which are required, their synonyms, and
the ways a row finds its existing record. lib.importing.mapping maps a file's headers onto these.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from lib.importing.specs_local import local_words

Kind = Literal["text", "number", "date", "datetime", "month", "currency", "choice", "time", "stage",
               "year"]


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
    # A part of another field (first and last name of the contact name): never stored itself;
    # the parts, in field order, are joined with a space into a row whose whole is empty. A
    # "time" part is added to its date-and-time whole where that has a day but no time, a
    # "year" part to its month where that names the month alone (lib.importing.years).
    part_of: str = ""
    words: bool = False   # names or words: a column of bare numbers (codes) is not this field
    code: bool = False    # an identifier: 1.00235E+14 is one Excel shortened, its digits lost
    # Header words that take the field even from a column named as the field itself: a
    # payment's own number beats a Reference column, whose words (BACS) many payments share
    first: tuple[str, ...] = ()

    @property
    def completes(self) -> bool:
        """A part that completes its whole instead of making it (a time of day its date, a year
        its month): mapped without the whole, it gives only itself."""
        return bool(self.part_of) and self.kind in ("time", "year")


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

    def parts(self, whole: str) -> list[Field]:
        """The fields that are parts of `whole`, in the order they are joined."""
        return [f for f in self.fields if f.part_of == whole]


def _name_parts(who: str, first: str, last: str) -> tuple[Field, Field]:
    """First name and Last name columns, joined into the name (lib.importing.parts)."""
    return (Field("first_name", "First name", example=first, part_of="name", words=True, synonyms=(
                "first name", "given name", "forename", "fname", f"{who} first name",
                f"first name of {who}")),
            Field("last_name", "Last name", example=last, part_of="name", words=True, synonyms=(
                "last name", "surname", "family name", "lname", f"{who} last name",
                f"last name of {who}")))


_ACCOUNT_REF = Field("account", "Account (external id or name)", required=True, example="Acme Ltd", code=True,
                     synonyms=("account name", "customer", "customer name", "client", "client name",
                               "company", "company name", "account id", "customer id", "account ref",
                               "associated company", "organization", "organisation",
                               "organization name", "organisation name", "billing company",
                               # ERP exports (SAP, DATEV, Exact) in English, German, Dutch, French
                               "name 1", "sold to party name", "sold to party", "sold to",
                               "debtor name", "debtor", "kundenname", "kunde", "debitorenname",
                               "debitor", "klantnaam", "klant", "nom du client", "raison sociale",
                               "nombre del cliente", "cliente",
                               "potential customer",   # Dynamics 365's opportunities
                               "contact name",   # Xero's invoices: the customer
                               "customer display name", "partner display name",   # Odoo
                               "organization 1 name",   # Google Contacts
                               "company / account",   # Salesforce's activity and lead reports
                               "a/c", "a/c ref", "account code"))   # Sage: the account's code
# Finance and ERP exports give the period as two columns, Year | Month (2025 | 3, Jahr | März)
_YEAR = Field("year", "Year", "year", part_of="month", synonyms=(
    "fiscal year", "fy", "calendar year", "financial year", "fiscal yr", "yr", "posting year",
    "year of order date"))   # the last: Tableau's, beside its Month of Order Date
_COUNTRY = Field("country", "Country", synonyms=("country code", "billing country", "nation"),
                 example="GB", words=True)
# Which manager owns an account the import creates (on request); existing accounts keep theirs.
_NEW_OWNER = Field("owner", "Owner of new accounts (manager name or email)", example="Priya Shah",
                   synonyms=("account owner", "account manager", "owner", "owner name",
                             "sales agent", "sales rep", "rep", "regional manager"))
_CURRENCY = Field("currency", "Currency (3 letters)", "currency", example="GBP",
                  synonyms=("currency code", "ccy", "curr", "currency iso code", "iso currency",
                            # a deal's or document's own currency (Salesforce, HubSpot, SAP)
                            "amount currency", "deal currency code", "deal currency",
                            "opportunity currency", "transaction currency", "document currency",
                            "wahrung", "devise", "moneda", "value currency"))   # the last: Close

_ROLE_ALIASES = (
    ("decision", "decision_maker"), ("dm", "decision_maker"), ("economic_buyer", "decision_maker"),
    ("budget_holder", "decision_maker"), ("buyer", "decision_maker"), ("approver", "decision_maker"),
    ("executive_sponsor", "decision_maker"), ("exec_sponsor", "decision_maker"),
    ("champion", "influencer"), ("advocate", "influencer"), ("sponsor", "influencer"),
    ("end_user", "user"), ("users", "user"), ("billing", "finance"),
    ("accounts_payable", "finance"), ("procurement", "finance"), ("purchasing", "finance"),
    ("it", "technical"), ("tech", "technical"), ("technical_buyer", "technical"),
    ("engineering", "technical"), ("admin", "technical"))

_LEVEL_ALIASES = (
    ("jr", "junior"), ("entry", "junior"), ("entry_level", "junior"), ("associate", "junior"),
    ("graduate", "junior"), ("trainee", "junior"), ("middle", "mid"), ("mid_level", "mid"),
    ("intermediate", "mid"), ("medior", "mid"), ("sr", "senior"), ("experienced", "senior"),
    ("principal", "lead"), ("head", "lead"), ("team_lead", "lead"), ("director", "lead"),
    ("manager", "lead"))
_TYPE_ALIASES = (
    ("phone", "call"), ("phone_call", "call"), ("telephone", "call"), ("video_call", "call"),
    ("logged_call", "call"), ("call_log", "call"), ("conference_call", "call"),
    ("online_meeting", "meeting"), ("video_meeting", "meeting"), ("teams", "meeting"),
    ("zoom", "meeting"), ("lunch", "meeting"), ("site_visit", "visit"), ("customer_visit", "visit"),
    ("on_site", "visit"), ("onsite", "visit"), ("in_person", "visit"), ("field_visit", "visit"),
    ("e_mail", "email"), ("mail", "email"), ("emails", "email"), ("presentation", "demo"),
    ("product_demo", "demo"), ("demonstration", "demo"), ("quarterly_business_review", "qbr"),
    ("business_review", "qbr"), ("quarterly_review", "qbr"), ("complaint", "escalation"),
    ("incident", "escalation"), ("issue", "escalation"), ("escalated", "escalation"))
_SENTIMENT_ALIASES = (
    ("very_good", "very_positive"), ("excellent", "very_positive"), ("great", "very_positive"),
    ("delighted", "very_positive"), ("good", "positive"), ("happy", "positive"),
    ("satisfied", "positive"), ("pos", "positive"), ("ok", "neutral"), ("okay", "neutral"),
    ("fine", "neutral"), ("mixed", "neutral"), ("average", "neutral"), ("neg", "negative"),
    ("bad", "negative"), ("poor", "negative"), ("unhappy", "negative"),
    ("dissatisfied", "negative"), ("very_bad", "very_negative"), ("angry", "very_negative"),
    ("terrible", "very_negative"), ("furious", "very_negative"))

ENTITIES: dict[str, EntitySpec] = {
    "revenue": EntitySpec("revenue", "Revenue", (
        _ACCOUNT_REF, _COUNTRY, _NEW_OWNER,
        Field("month", "Month", "month", True, example="2026-01", synonyms=(
            "period", "date", "month of order date", "order date", "close date", "closing date",
            "invoice date", "closed date", "month name", "revenue month", "booking date", "sale date",
            "txn date", "transaction date", "won time", "won date", "date won", "posting date",
            "billing date", "monat", "periode", "maand", "mois", "mes", "buchungsdatum",
            "paid at", "processed at", "created at",   # Shopify orders
            "actual close date")),   # Dynamics 365's opportunities
        _YEAR,
        Field("amount", "Amount", "number", True, example="12500.00", synonyms=(
            "revenue", "sales", "close value", "value", "total", "net sales", "sales amount",
            "amount usd", "net revenue", "turnover", "gross sales", "monthly revenue",
            "annual revenue", "net value", "net amount", "amount in dc", "deal value", "deal amount",
            "amount in lc", "amount in local currency", "umsatz", "nettoumsatz", "betrag",
            "omzet", "bedrag", "chiffre d'affaires", "montant", "ventas", "importe",
            "amount net", "betrag in hw",   # NetSuite's Amount (Net), SAP's amount in local currency
            "order total", "order amount", "order value", "total amount",   # shops' order exports
            "total revenue", "revenue total", "total sales", "invoiced", "amount invoiced",
            "invoiced amount", "billings", "billed", "amount billed", "actual revenue")),
        _CURRENCY,
        # A CRM's deals export lists lost and open deals too: only the won ones are revenue
        Field("stage", "Deal stage (only won deals are revenue)", "stage",
              synonyms=("deal stage", "opportunity stage", "sales stage", "deal status", "stage", "status",
                        "stage name", "status type")),   # Salesforce's StageName, Close's won/lost
        Field("won", "Won (only won deals are revenue)", "stage", synonyms=(   # Salesforce's IsWon
            "won", "is won", "is closed won", "closed won", "deal won")),
    ), note="Several rows for one account and month (order lines, won deals) are summed.",
        match_keys=(("account", "month"),)),
    "accounts": EntitySpec("accounts", "Accounts", (
        Field("name", "Account name", required=True, example="Acme Ltd", words=True, synonyms=(
            "account", "account name", "customer", "customer name", "company", "company name",
            "client", "organisation", "organization")),
        Field("external_id", "External id", example="CRM-0001", code=True, synonyms=(
            "id", "account id", "account number", "customer id", "crm id", "record id",
            "a/c", "a/c ref", "account code")),   # the last three: Sage's
        Field("tier", "Tier", "choice", choices=("key", "strategic", "standard"), example="standard",
              synonyms=("account tier", "customer tier", "priority")),
        Field("scope", "Scope", "choice", choices=("regional", "national", "global"),
              example="regional", synonyms=("coverage", "reach")),
        Field("industry", "Industry", example="Retail", synonyms=("sector", "vertical", "sic"),
              words=True),
        Field("region", "Region", example="Europe", synonyms=("territory", "area", "sales region"),
              words=True),
        Field("country", "Country", example="GB", words=True, synonyms=(
            "billing country", "office location", "country code", "hq country",
            "country/region")),   # the last: HubSpot's companies export
        Field("owner", "Owner (manager name or email)", example="Priya Shah", synonyms=(
            "account owner", "owner name", "sales agent", "account manager", "manager", "rep",
            "sales rep", "company owner")),
        Field("status", "Status", "choice", choices=("prospect", "active", "at_risk", "churned"),
              example="active", synonyms=("account status", "customer status")),
        _CURRENCY,
    ), match_keys=(("external_id",), ("name",), ("name", "country"))),
    "invoices": EntitySpec("invoices", "Invoices", (
        Field("invoice_number", "Invoice number", required=True, example="INV-1001", code=True, synonyms=(
            "invoice", "invoice no", "invoice #", "invoice id", "document number", "doc no",
            "num", "invoice num", "inv no", "inv #", "billing document", "rechnungsnummer",
            "belegnummer", "factuurnummer", "numero de facture", "n de facture",
            "number", "ref")),   # Num: QuickBooks; Number: Odoo; Ref: Sage
        _ACCOUNT_REF, _COUNTRY, _NEW_OWNER,
        Field("issue_date", "Issue date", "date", True, example="2026-01-31", synonyms=(
            "invoice date", "date issued", "issued", "document date", "date", "txn date",
            "transaction date", "created", "created date", "date created", "create date",
            "created on", "billing date", "posting date", "rechnungsdatum", "belegdatum",
            "factuurdatum", "date de facture", "fecha de factura", "invoice bill date")),
        Field("due_date", "Due date", "date", True, example="2026-03-02",
              synonyms=("due", "payment due", "due on", "net due date", "falligkeit",
                        "faelligkeit", "fallig am", "vervaldatum", "echeance",
                        "date d'echeance", "fecha de vencimiento")),
        Field("amount", "Amount", "number", True, example="4200.00", synonyms=(
            "invoice amount", "total", "gross amount", "amount due", "invoice total", "value",
            "net value", "amount in dc", "amount in lc", "rechnungsbetrag", "betrag",
            "bruttobetrag", "factuurbedrag", "bedrag", "montant ttc", "montant", "importe",
            "invoiced", "amount invoiced", "invoiced amount", "total signed", "open balance", "balance due",
            "balance")),   # the last three: when no column gives the full amount
        _CURRENCY,
        # An accounting export (Xero, QuickBooks) lists voided invoices and drafts too
        Field("invoice_status", "Invoice status (voided, draft and cancelled invoices are left "
              "out)", "stage", example="Authorised", synonyms=(
                  "status", "invoice status", "state", "document status", "rechnungsstatus",
                  "statut", "estado", "stato")),
    ), match_keys=(("invoice_number",),)),
    "payments": EntitySpec("payments", "Payments", (
        Field("invoice_number", "Invoice number", required=True, example="INV-1001", code=True,
              synonyms=("invoice", "invoice no", "invoice #", "invoice id", "applied to")),
        Field("paid_on", "Paid on", "date", True, example="2026-02-20", synonyms=(
            "payment date", "date paid", "paid date", "received", "receipt date", "date",
            "txn date", "transaction date", "created", "created date", "paid at", "value date",
            "booking date", "clearing date", "zahlungsdatum", "valuta", "betaaldatum",
            "date de paiement", "fecha de pago")),
        Field("amount", "Amount", "number", True, example="4200.00",
              synonyms=("payment amount", "amount paid", "paid", "received amount", "value",
                        "amount received", "payment received",
                        "gross",   # PayPal's, before its fee
                        "paid in", "money in")),   # a bank statement's
        Field("reference", "Reference", example="BACS 7781", code=True, first=(
            "payment #", "payment no", "payment number", "payment id", "transaction id",
            "receipt no", "receipt number", "receipt #"), synonyms=(
            "payment reference", "ref", "remittance", "ref no",
            "ref number", "reference number", "reference no", "check no", "cheque no",
            "check number", "cheque number")),
        # A payment processor's export lists failed, refunded and pending charges too
        Field("status", "Payment status (only completed payments are imported)", "stage",
              example="Paid", synonyms=("payment status", "status", "state", "transaction status",
                                        "charge status", "zahlungsstatus", "statut")),
    ), match_keys=(("invoice_number", "reference"), ("invoice_number", "paid_on", "amount"))),
    "contacts": EntitySpec("contacts", "Contacts", (
        _ACCOUNT_REF, _COUNTRY, _NEW_OWNER,
        Field("name", "Contact name", required=True, example="Jane Doe", words=True, synonyms=(
            "contact", "contact name", "full name", "person", "name of contact",
            "primary contact")),   # QuickBooks' customer contact list
        *_name_parts("contact", "Jane", "Doe"),
        Field("title", "Job title", example="Head of Procurement", synonyms=(
            "title", "job title", "position", "designation", "job",
            "organization 1 title")),   # Google Contacts
        Field("email", "Email", example="jane.doe@acme.example", synonyms=(
            "email address", "e-mail", "e mail", "contact email", "work email", "mail",
            "e-mail 1 value",   # Google Contacts
            "main email")),   # QuickBooks' customer contact list
        Field("phone", "Phone", example="+44 20 7946 0000", synonyms=(
            "telephone", "phone number", "tel", "mobile", "direct line", "work phone",
            "phone 1", "mobile phone", "mobile phone number", "business phone",
            "phone 1 value",   # Google Contacts
            "main phone")),   # QuickBooks' customer contact list
        Field("role", "Role", "choice", example="decision maker",
              choices=("decision_maker", "influencer", "user", "finance", "technical"),
              synonyms=("contact role", "buying role", "persona", "stakeholder role",
                        "stakeholder type", "contact type"),
              aliases=_ROLE_ALIASES),
    ), note="A contact is found by account and email, else by account and name. A new contact "
            "without a role is saved as a user.",
        match_keys=(("account", "email", "name"),)),
    "account_targets": EntitySpec("account_targets", "Account targets", (
        _ACCOUNT_REF, _COUNTRY, _NEW_OWNER,
        Field("month", "Month", "month", True, example="2026-01", synonyms=(
            "period", "target month", "date", "month name")),
        _YEAR,
        Field("amount", "Target", "number", True, example="15000.00", synonyms=(
            "target", "target amount", "quota", "goal", "monthly target", "revenue target",
            "sales target", "plan", "value")),
        _CURRENCY,
    ), note="One target per account and month. Locked months cannot be changed; every change "
            "is kept in the target history.", match_keys=(("account", "month"),)),
    "budgets": EntitySpec("budgets", "Budgets", (
        _ACCOUNT_REF, _COUNTRY, _NEW_OWNER,
        Field("category", "Category", required=True, example="Marketing", synonyms=(
            "budget category", "cost category", "expense category", "line item", "budget line",
            "cost centre", "cost center")),
        Field("month", "Month", "month", True, example="2026-01", synonyms=(
            "period", "budget month", "date", "month name")),
        _YEAR,
        Field("budget", "Budget", "number", example="5000.00", synonyms=(
            "budget amount", "budgeted", "planned", "plan", "allocated", "allocation", "planned spend",
            "value")),   # a wide sheet's months (a plan by month) are budgets
        Field("spend", "Spend", "number", example="4200.00", synonyms=(
            "actual", "actuals", "spent", "actual spend", "expenditure", "cost", "costs")),
        _CURRENCY,
    ), note="One row per account, category and month; a row gives a budget, a spend or both.",
        match_keys=(("account", "category", "month"),)),
    "managers": EntitySpec("managers", "Account managers", (
        Field("name", "Manager name", required=True, example="Priya Shah", words=True, synonyms=(
            "manager name", "account manager", "account manager name", "sales agent",
            "sales rep", "rep", "person", "employee", "employee name", "full name", "am")),
        *_name_parts("employee", "Priya", "Shah"),
        Field("email", "Email", example="priya.shah@example.com", synonyms=(
            "email address", "e-mail", "e mail", "work email", "mail", "manager email")),
        Field("role_title", "Role title", example="Key Account Manager", synonyms=(
            "title", "job title", "role", "position", "designation", "job")),
        Field("level", "Level", "choice", choices=("junior", "mid", "senior", "lead"),
              example="senior", synonyms=("seniority", "grade", "band", "career level"),
              aliases=_LEVEL_ALIASES),
        Field("region", "Region", example="Europe", words=True, synonyms=(
            "territory", "area", "sales region", "regional office", "office", "team")),
        Field("country", "Country", example="GB", words=True,
              synonyms=("country code", "based in")),   # not a Location: an office's city
        Field("reports_to", "Reports to (name, email or external id)", example="Eleanor Hayes",
              synonyms=("manager", "line manager", "reports to", "reporting to", "supervisor", "boss",
                        "team lead", "director", "sales manager", "manager email")),
        Field("hire_date", "Hire date", "date", example="2021-04-01", synonyms=(
            "start date", "hired", "date hired", "date of hire", "joined", "date joined",
            "joining date", "employment start")),
        Field("base_salary", "Base salary", "number", example="52000", synonyms=(
            "salary", "base", "base pay", "annual salary", "annual base", "base salary amount")),
        Field("salary_currency", "Salary currency (3 letters)", "currency", example="GBP",
              synonyms=("currency", "salary currency", "pay currency", "ccy", "currency code")),
        Field("external_id", "External id", example="EMP-0042", code=True, synonyms=(
            "id", "employee id", "employee number", "staff id", "staff number", "hr id",
            "manager id", "user id", "crm id", "employee #", "employee no")),   # # : BambooHR
    ), note="A manager is found by external id, else by email, else by name. Reports to may name "
            "a manager in the database or another row of this file.",
        match_keys=(("external_id", "email", "name"),)),
    "interactions": EntitySpec("interactions", "Interactions", (
        _ACCOUNT_REF, _COUNTRY,
        Field("manager", "Manager (name or email)", example="Priya Shah", synonyms=(
            "account manager", "owner", "assigned to", "sales rep", "rep", "sales agent",
            "recorded by", "logged by", "created by", "manager email", "user",
            "assigned")),   # Salesforce's activity reports
        Field("type", "Type", "choice", True, example="call",
              choices=("call", "meeting", "visit", "email", "demo", "qbr", "escalation"),
              synonyms=("interaction type", "activity type", "activity", "type of contact",
                        "channel", "kind", "event type", "task type", "subtype",
                        "task/event type"),   # Salesforce's activity reports
              aliases=_TYPE_ALIASES),
        Field("occurred_at", "Date and time", "datetime", True, example="2026-01-15 10:30",
              synonyms=("date", "when", "date time", "datetime", "activity date", "occurred",
                        "occurred at", "start", "start date", "meeting date",
                        "call date", "visit date", "created date", "timestamp", "created",
                        "date created", "create date", "created on", "created at")),
        # Calendars and call logs export the day and the time in two columns (Outlook: Start
        # Date | Start Time)
        Field("occurred_time", "Time of day", "time", part_of="occurred_at",
              synonyms=("time", "start time", "time of day", "meeting time", "call time",
                        "activity time", "begin time")),
        Field("subject", "Subject", example="Quarterly check-in", synonyms=(
            "title", "topic", "summary", "description", "purpose", "agenda")),
        Field("notes", "Notes", example="Discussed the renewal", synonyms=(
            "note", "comments", "comment", "details", "body", "minutes", "call notes",
            "full comments")),   # Salesforce's activity reports
        Field("outcome", "Outcome", example="Renewal agreed in principle", synonyms=(
            "result", "call result", "disposition", "conclusion")),
        Field("sentiment", "Sentiment", "choice", example="positive",
              choices=("very_negative", "negative", "neutral", "positive", "very_positive"),
              synonyms=("customer sentiment", "mood", "tone", "rating", "feeling"),
              aliases=_SENTIMENT_ALIASES),
        Field("next_step", "Next step", example="Send the proposal", synonyms=(
            "next steps", "follow up", "follow-up", "action", "next action", "action item")),
        Field("next_step_due", "Next step due", "date", example="2026-01-22", synonyms=(
            "due date", "due", "follow up date", "follow-up date", "next step date",
            "action due")),
        Field("severity", "Severity (escalations)", "choice", example="",
              choices=("low", "medium", "high", "critical"), synonyms=("priority", "urgency"),
              aliases=(("minor", "low"), ("normal", "medium"), ("moderate", "medium"),
                       ("major", "high"), ("urgent", "critical"), ("blocker", "critical"))),
    ), note="Interactions have no external key to match on: every row is a new interaction. "
            "The same file imported twice is noticed; a different file with the same rows "
            "would add them again. Without a manager column, each account's owner is used.",
        match_keys=((),)),
}


def _with_local_words(entity: EntitySpec) -> EntitySpec:
    """The entity with each field's header words in other languages after its English ones."""
    return replace(entity, fields=tuple(
        replace(f, synonyms=f.synonyms + tuple(w for w in local_words(entity.name, f.name)
                                               if w not in f.synonyms)) for f in entity.fields))


ENTITIES = {name: _with_local_words(entity) for name, entity in ENTITIES.items()}


def spec(entity: str) -> EntitySpec:
    if entity not in ENTITIES:
        raise ValueError(f"Unknown kind of data {entity!r}; choose one of {', '.join(ENTITIES)}.")
    return ENTITIES[entity]

