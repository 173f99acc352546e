"""The fixed cast of the demo stories: the same names for every seed, so the team, the docs
and the tests can find them. Everything else in the demo is drawn at random around them.
"""
from __future__ import annotations

from dataclasses import dataclass

DIRECTOR = "Eleanor Hayes"
FINANCE_ADMIN = "Fiona Finch"
MEETING_ROOM = "Meeting Room Screen"
EMAIL_DOMAIN = "demo.accountdesk.example"

AHEAD_MANAGER = "Maya Thompson"            # story 2: YTD revenue >= 130% of her accounts' targets
BEHIND_MANAGER = "Oliver Bennett"          # story 3: YTD revenue <= 75% of his accounts' targets
OVER_ALLOCATED_MANAGER = "Rahul Mehta"     # quota set 15% above the sum of his accounts' targets
UNDER_ALLOCATED_MANAGER = "Sophie Clarke"  # quota set 12% below the sum of his accounts' targets

# Allocation factor of a manager's quota over the sum of the account targets in the book.
QUOTA_ALLOCATION = {OVER_ALLOCATED_MANAGER: 1.15, UNDER_ALLOCATED_MANAGER: 0.88}
# Revenue multiplier from January of the story year, applied to every account in the book.
BOOK_MOMENTUM = {AHEAD_MANAGER: 1.55, BEHIND_MANAGER: 0.50}

AT_RISK_KEY = "Brightwater Logistics Inc."      # story 1
OVER_BUDGET_KEY = "Lindqvist Retail GmbH"       # story 4
PROMOTED_TO_KEY = "Sundara Textiles Pvt Ltd"    # story 5
NEGLECTED = ("Pinecrest Clinics Inc.", "Harbourside Media Ltd", "Ostara Energie GmbH")  # 6

# The at-risk key account: critical escalation raised this many days ago, nothing since.
AT_RISK_SILENT_DAYS = 75
# The at-risk account stopped paying: invoices issued in the last N months are all unpaid.
AT_RISK_UNPAID_MONTHS = 8
# Lindqvist's travel and events spend runs at 1.5x-1.7x budget.
OVERRUN_CATEGORIES = ("travel", "events")


@dataclass(frozen=True)
class CastManager:
    name: str
    role_title: str
    region: str


CAST_MANAGERS = (
    CastManager(AHEAD_MANAGER, "Senior AM", "North America"),
    CastManager(BEHIND_MANAGER, "Account Manager", "UK & Ireland"),
    CastManager(OVER_ALLOCATED_MANAGER, "Key Account Manager", "India"),
    CastManager(UNDER_ALLOCATED_MANAGER, "Strategic AM", "Europe"),
)


@dataclass(frozen=True)
class CastAccount:
    name: str
    domain_base: str
    tier: str
    scope: str
    industry: str
    country: str
    owner: str | None      # a cast manager; None: the first other North America manager
    status: str
    base_usd: float        # monthly revenue in USD terms at the last complete month
    growth: float          # yearly log growth of the underlying level
    story: str
    silent_days: int | None  # days since the last contact (None: a normal contact rhythm)


CAST_ACCOUNTS = (
    CastAccount(AT_RISK_KEY, "brightwaterlogistics", "key", "national", "Logistics",
                "United States", None, "at_risk", 260_000, -0.05, "at_risk_drop",
                AT_RISK_SILENT_DAYS),
    CastAccount(OVER_BUDGET_KEY, "lindqvistretail", "key", "global", "Retail", "Germany",
                UNDER_ALLOCATED_MANAGER, "active", 210_000, 0.06, "steady", None),
    # Grew ~9x over three years: standard-sized three years ago, key-sized now.
    CastAccount(PROMOTED_TO_KEY, "sundaratextiles", "key", "national", "Manufacturing",
                "India", OVER_ALLOCATED_MANAGER, "active", 110_000, 0.73, "rocket", None),
    CastAccount(NEGLECTED[0], "pinecrestclinics", "key", "national", "Healthcare",
                "United States", AHEAD_MANAGER, "active", 150_000, 0.04, "steady", 52),
    CastAccount(NEGLECTED[1], "harboursidemedia", "strategic", "national", "Media",
                "United Kingdom", BEHIND_MANAGER, "active", 30_000, 0.02, "steady", 70),
    CastAccount(NEGLECTED[2], "ostaraenergie", "standard", "regional", "Energy", "Germany",
                UNDER_ALLOCATED_MANAGER, "active", 6_000, 0.03, "steady", 140),
)
