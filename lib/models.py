"""What a form, an edit or an upload row must look like, with messages a person understands."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lib.errors import ValidationFailed

Tier = Literal["key", "strategic", "standard"]
Scope = Literal["regional", "national", "global"]
Status = Literal["prospect", "active", "at_risk", "churned"]
InteractionType = Literal["call", "meeting", "visit", "email", "demo", "qbr", "escalation"]
Sentiment = Literal["very_negative", "negative", "neutral", "positive", "very_positive"]
Severity = Literal["low", "medium", "high", "critical"]
EscalationStatus = Literal["open", "in_progress", "resolved"]

CURRENCIES = ("USD", "GBP", "EUR", "INR")
MAX_AMOUNT = Decimal("1000000000000")  # a single monthly figure above a trillion is a typing error

LABELS = {
    "name": "Name", "tier": "Tier", "scope": "Scope", "industry": "Industry",
    "region": "Region", "country": "Country", "owner_id": "Owner", "parent_id": "Parent account",
    "status": "Status", "currency": "Currency", "external_id": "External id",
    "account_id": "Account", "manager_id": "Recorded by", "type": "Type", "occurred_at": "When",
    "subject": "Subject", "notes": "Notes", "next_step": "Next step",
    "next_step_due": "Next step due", "severity": "Severity", "amount": "Amount",
    "month": "Month", "reason": "Reason",
}


class Shape(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", frozen=True)

    @classmethod
    def parse(cls, **values):
        """Build the shape or raise ValidationFailed with one sentence per problem."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ValidationFailed(explain(exc)) from None


def explain(exc: ValidationError) -> list[str]:
    """Turn pydantic's errors into 'Field: what is wrong' sentences."""
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        label = LABELS.get(field, field.replace("_", " ").capitalize())
        problems.append(f"{label}: {_sentence(err)}" if label else _sentence(err))
    return problems


_MESSAGES = {
    "missing": "is required",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long (at most {max_length} characters)",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "decimal_max_places": "has more than {decimal_places} decimal places",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "date_parsing": "is not a date (use YYYY-MM-DD)",
    "date_from_datetime_parsing": "is not a date (use YYYY-MM-DD)",
    "datetime_parsing": "is not a date and time",
    "datetime_from_date_parsing": "is not a date and time",
}


def _plain(value) -> str:
    if isinstance(value, (int, float, Decimal)):
        return f"{value:,}"
    return str(value).replace("'", "")


def _sentence(err: dict) -> str:
    ctx = {k: _plain(v) for k, v in err.get("ctx", {}).items()}
    if err["type"] == "literal_error":
        return "choose one of " + ctx["expected"]
    template = _MESSAGES.get(err["type"])
    if template:
        return template.format(**ctx)
    return err["msg"].removeprefix("Value error, ")


class AccountFields(Shape):
    name: str = Field(min_length=1, max_length=200)
    tier: Tier
    scope: Scope
    industry: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=100)
    owner_id: int | None = None
    parent_id: int | None = None
    status: Status = "active"
    currency: str = "USD"

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, v: str) -> str:
        v = v.upper()
        if v not in CURRENCIES:
            raise ValueError(f"{v!r} is not a currency we report in ({', '.join(CURRENCIES)})")
        return v


class NewAccount(AccountFields):
    external_id: str | None = Field(default=None, max_length=100)


class AccountEdit(AccountFields):
    """A full edit of the editable account fields, checked against the version loaded."""


class NewInteraction(Shape):
    account_id: int
    type: InteractionType
    occurred_at: datetime
    subject: str = Field(min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=20_000)
    outcome: str | None = Field(default=None, max_length=2_000)
    sentiment: Sentiment | None = None
    products: str | None = Field(default=None, max_length=500)
    product_reaction: str | None = Field(default=None, max_length=2_000)
    next_step: str | None = Field(default=None, max_length=500)
    next_step_due: date | None = None
    next_step_owner_id: int | None = None
    contact_ids: tuple[int, ...] = ()
    is_planned: bool = False
    severity: Severity | None = None
    escalation_status: EscalationStatus | None = None
    escalated_to: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _consistent(self):
        if self.next_step_due and self.next_step_due < self.occurred_at.date():
            raise ValueError("Next step due: must not be before the interaction itself")
        if self.next_step_due and not self.next_step:
            raise ValueError("Next step: say what the next step is, or clear its due date")
        if self.type == "escalation" and self.severity is None:
            raise ValueError("Severity: an escalation needs a severity")
        if self.type != "escalation" and (self.severity or self.escalation_status):
            raise ValueError("Severity: only escalations carry a severity and status")
        return self


class TargetChange(Shape):
    level: Literal["manager", "account"]
    subject_id: int
    month: date
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT, decimal_places=2)
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("month")
    @classmethod
    def _first_of_month(cls, v: date) -> date:
        return v.replace(day=1)


Role = Literal["admin", "director", "manager", "viewer"]
# Deliberately loose: one @, something either side, a dot in the domain. Whether mail arrives
# is not ours to check; this only catches a name typed into the email box.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class NewUser(Shape):
    email: str = Field(min_length=1, max_length=254)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role

    @field_validator("email")
    @classmethod
    def _an_email(cls, v: str) -> str:
        if not _EMAIL.match(v):
            raise ValueError(f"{v!r} is not an email address (like name@example.com)")
        return v.lower()


class UserEdit(Shape):
    """A full edit of the editable user fields, checked against the version loaded."""
    display_name: str = Field(min_length=1, max_length=200)
    role: Role


ContactRole = Literal["decision_maker", "influencer", "user", "finance", "technical"]


class ContactEdit(Shape):
    """A full edit of the editable contact fields, checked against the version loaded."""
    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=50)
    role: ContactRole = "user"

    @field_validator("email")
    @classmethod
    def _an_email(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not _EMAIL.match(v):
            raise ValueError(f"{v!r} is not an email address (like name@example.com)")
        return v.lower()


class NewContact(ContactEdit):
    is_primary: bool = False


class PlannedCompletion(Shape):
    """What turns a planned visit into one that happened."""
    outcome: str = Field(min_length=1, max_length=2_000)
    sentiment: Sentiment
    notes: str | None = Field(default=None, max_length=20_000)
    occurred_at: datetime | None = None


class EscalationUpdate(Shape):
    escalation_status: EscalationStatus
    resolution_notes: str | None = Field(default=None, max_length=2_000)

    @model_validator(mode="after")
    def _resolved_says_how(self):
        if self.escalation_status == "resolved" and not self.resolution_notes:
            raise ValueError("Resolution notes: say how the escalation was resolved")
        return self
