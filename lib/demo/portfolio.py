"""The accounts: tiers, places, owners, company names, subsidiaries and each account's story.

Besides the columns of the accounts table the frame carries the account's *story* for the
other generators: `story` (steady / growth / decline / at_risk_drop / churn / prospect /
rocket), yearly log `growth`, `base_usd` (monthly revenue at the last complete month),
`start_k`/`churn_k` (grid months when revenue starts / stops), `momentum` (the book-level
multiplier of the ahead and behind managers), `payer`, `terms`, `silent_days` and `cast`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.demo import cast
from lib.demo.common import (REF_USD_PER_UNIT, Clock, ascii_lower, choose, lookup, objects,
                             zero_pad)
from lib.demo.words import (COMPANY_MIDDLES, COMPANY_ROOTS, COUNTRY_CURRENCY, COUNTRY_LEGAL,
                            COUNTRY_REGION, COUNTRY_SUBSIDIARY_TAG, COUNTRY_TLD, INDUSTRIES,
                            INDUSTRY_NOUNS, INDUSTRY_WEIGHTS, NO_LEGAL_SUFFIX, REGION_COUNTRIES,
                            REGION_WEIGHTS, REGIONS)

TIERS = ("key", "strategic", "standard")
SCOPES = ("regional", "national", "global")
SCOPE_WEIGHTS = {"key": (0.10, 0.45, 0.45), "strategic": (0.30, 0.55, 0.15),
                 "standard": (0.70, 0.28, 0.02)}
STATUSES = ("active", "at_risk", "churned", "prospect")
STATUS_WEIGHTS = {"key": (0.86, 0.08, 0.03, 0.03), "strategic": (0.80, 0.06, 0.06, 0.08),
                  "standard": (0.74, 0.05, 0.09, 0.12)}
# Monthly revenue in USD: median, log spread, floor, ceiling. Key ~25x standard.
BASE_USD = {"key": (180_000, 0.45, 70_000, 600_000), "strategic": (35_000, 0.40, 15_000, 90_000),
            "standard": (7_000, 0.60, 1_500, 30_000)}
SENIOR_TITLES = ("Senior AM", "Key Account Manager", "Strategic AM", "National AM", "Global AM")
POLICY_DAYS = {"key": 30, "strategic": 45, "standard": 90}  # as seeded in contact_policies


def build_accounts(rng: np.random.Generator, clock: Clock, n: int,
                   managers: pd.DataFrame) -> pd.DataFrame:
    acc = _places_and_tiers(rng, n)
    _revenue_stories(rng, clock, acc)
    _assign_owners(rng, acc, managers, np.ones(n, dtype=bool))
    _cast_accounts(acc, managers)
    _name_bases(rng, acc)
    _group_subsidiaries(rng, acc, managers)
    _local_market_size(acc)
    _book_momentum(rng, acc, managers)
    _mark_promotions(rng, acc, managers)
    _finish_names(acc)
    _billing_habits(rng, acc)
    _natural_neglect(rng, acc)
    acc["external_id"] = "CRM-" + pd.Series(zero_pad(rng.permutation(n) + 1001, 6))
    acc["currency"] = acc["country"].map(COUNTRY_CURRENCY)
    return acc


def _places_and_tiers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    acc = pd.DataFrame({"id": np.arange(n), "cast": np.arange(n) < len(cast.CAST_ACCOUNTS)})
    acc["tier"] = choose(rng, TIERS, (0.10, 0.20, 0.70), n)
    acc["region"] = choose(rng, REGIONS, REGION_WEIGHTS, n)
    acc["country"] = objects([""] * n)
    for region, (countries, weights) in REGION_COUNTRIES.items():
        rows = acc["region"].to_numpy() == region
        acc.loc[rows, "country"] = choose(rng, countries, weights, int(rows.sum()))
    acc["industry"] = choose(rng, INDUSTRIES, INDUSTRY_WEIGHTS, n)
    acc["scope"] = objects([""] * n)
    for tier in TIERS:
        rows = acc["tier"].to_numpy() == tier
        acc.loc[rows, "scope"] = choose(rng, SCOPES, SCOPE_WEIGHTS[tier], int(rows.sum()))
    return acc


def _revenue_stories(rng: np.random.Generator, clock: Clock, acc: pd.DataFrame) -> None:
    """Status, size and the shape of each account's revenue over the grid."""
    n = len(acc)
    tier = acc["tier"].to_numpy()
    status = objects([""] * n)
    base = np.zeros(n)
    for t in TIERS:
        rows = tier == t
        status[rows] = choose(rng, STATUSES, STATUS_WEIGHTS[t], int(rows.sum()))
        median, spread, lo, hi = BASE_USD[t]
        base[rows] = np.clip(median * rng.lognormal(0, spread, rows.sum()), lo, hi)
    u = rng.random(n)
    story = np.where(u < 0.14, "growth", np.where(u < 0.24, "decline", "steady")).astype(object)
    growth = np.select([story == "growth", story == "decline"],
                       [rng.uniform(0.20, 0.45, n), rng.uniform(-0.35, -0.12, n)],
                       rng.normal(0.07, 0.05, n))
    story[status == "at_risk"], growth[status == "at_risk"] = "at_risk_drop", -0.15
    story[status == "churned"] = "churn"
    story[status == "prospect"] = "prospect"
    churn_k = np.where(status == "churned",
                       rng.integers(clock.k_last - 17, clock.k_last + 1, n), 10_000)
    # ~12% of customers were won during the revenue window and ramp up from their start.
    new = (rng.random(n) < 0.12) & np.isin(status, ["active", "at_risk"])
    start_k = np.where(new, rng.integers(clock.k_revenue_first + 1, clock.k_last - 1, n), 0)
    acc["status"], acc["story"], acc["growth"], acc["base_usd"] = status, story, growth, base
    acc["start_k"], acc["churn_k"], acc["momentum"] = start_k, churn_k, 1.0


def _assign_owners(rng: np.random.Generator, acc: pd.DataFrame, managers: pd.DataFrame,
                   rows: np.ndarray) -> None:
    """Owners from the account's region (senior people get more key/strategic accounts),
    with ~8% owned across regions as real teams inherit them."""
    team = managers[managers["id"] > 0]
    owner = acc["owner_id"].to_numpy().copy() if "owner_id" in acc else np.zeros(len(acc), int)
    big = np.isin(acc["tier"].to_numpy(), ["key", "strategic"])
    for region in REGIONS:
        local = team[team["region"] == region]
        senior = local["role_title"].isin(SENIOR_TITLES).to_numpy()
        for is_big in (True, False):
            sel = rows & (acc["region"].to_numpy() == region) & (big == is_big)
            weights = np.where(senior, 3.0, 1.0) if is_big else np.where(senior, 1.0, 1.5)
            owner[sel] = rng.choice(local["id"].to_numpy(), int(sel.sum()),
                                    p=weights / weights.sum())
    stray = rows & (rng.random(len(acc)) < 0.08)
    owner[stray] = rng.choice(team["id"].to_numpy(), int(stray.sum()))
    acc["owner_id"] = owner


def _cast_accounts(acc: pd.DataFrame, managers: pd.DataFrame) -> None:
    """Rows 0..5 are the story accounts of lib.demo.cast, with fixed attributes."""
    by_name = dict(zip(managers["name"], managers["id"]))
    spare = _biggest_spare_book(acc, managers)
    for i, c in enumerate(cast.CAST_ACCOUNTS):
        owner = by_name[c.owner] if c.owner else spare
        acc.loc[i, ["tier", "scope", "industry", "country", "region", "status", "story"]] = [
            c.tier, c.scope, c.industry, c.country, COUNTRY_REGION[c.country], c.status, c.story]
        acc.loc[i, ["owner_id", "base_usd", "growth", "start_k", "churn_k"]] = [
            owner, c.base_usd, c.growth, 0, 10_000]


def _biggest_spare_book(acc: pd.DataFrame, managers: pd.DataFrame) -> int:
    """The North America manager outside the cast with the biggest book: the at-risk key
    account hurts them, but should not by itself turn them into a second 'behind' story."""
    spare = managers[(managers["id"] > 0) & (managers["region"] == "North America")
                     & ~managers["name"].isin([c.name for c in cast.CAST_MANAGERS])]["id"]
    active = acc["status"].to_numpy() != "prospect"
    book = np.bincount(acc["owner_id"].to_numpy()[active], acc["base_usd"].to_numpy()[active],
                       minlength=len(managers))
    return int(spare.to_numpy()[np.argmax(book[spare.to_numpy()])])


def _name_bases(rng: np.random.Generator, acc: pd.DataFrame) -> None:
    """Unique company bases per industry: 'Root Noun' first, then 'Root Middle Noun'."""
    roots, middles = objects(COMPANY_ROOTS), objects(COMPANY_MIDDLES)
    base, root = objects([""] * len(acc)), objects([""] * len(acc))
    for industry in INDUSTRIES:
        rows = np.flatnonzero(acc["industry"].to_numpy() == industry)
        nouns = objects(INDUSTRY_NOUNS[industry])
        n_r, n_m, n_n = len(roots), len(middles), len(nouns)
        k2 = min(len(rows), int(0.6 * n_r * n_n))
        short = rng.choice(n_r * n_n, k2, replace=False)
        long = rng.choice(n_r * n_m * n_n, len(rows) - k2, replace=False)
        r = np.concatenate([short // n_n, long // (n_m * n_n)])
        names = np.concatenate([
            roots[short // n_n] + " " + nouns[short % n_n],
            roots[long // (n_m * n_n)] + " " + middles[(long // n_n) % n_m] + " "
            + nouns[long % n_n],
        ])
        order = rng.permutation(len(rows))
        base[rows], root[rows] = names[order], roots[r[order]]
    acc["base"], acc["root"] = base, root


def _group_subsidiaries(rng: np.random.Generator, acc: pd.DataFrame,
                        managers: pd.DataFrame) -> None:
    """~4% of accounts become group parents ('X Holdings') with 1-3 subsidiaries each
    ('X Deutschland GmbH'), in distinct countries other than the parent's."""
    free = ~acc["cast"].to_numpy()
    big = np.isin(acc["tier"].to_numpy(), ["key", "strategic"])
    companies = ~np.isin(acc["industry"].to_numpy(), NO_LEGAL_SUFFIX)  # councils have no holdings
    parent_pool = np.flatnonzero(free & big & companies & (acc["status"].to_numpy() != "prospect"))
    groups = min(len(parent_pool), max(2, round(0.04 * len(acc))))
    parents = np.sort(rng.choice(parent_pool, groups, replace=False))
    sizes = rng.integers(1, 4, groups)
    children = rng.choice(np.setdiff1d(np.flatnonzero(free), parents), sizes.sum(), replace=False)
    group = np.repeat(np.arange(groups), sizes)
    slot = np.arange(len(children)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    countries = objects(list(COUNTRY_SUBSIDIARY_TAG))
    keys = rng.random((groups, len(countries)))
    keys[countries[None, :] == acc["country"].to_numpy()[parents][:, None]] = 2.0
    child_country = countries[np.argsort(keys, axis=1)[group, slot]]

    roots = pd.Series(acc["root"].to_numpy()[parents])
    group_base = np.where(roots.duplicated(keep=False), acc["base"].to_numpy()[parents], roots)
    acc["group_base"], acc["group_role"] = objects([""] * len(acc)), objects([""] * len(acc))
    acc.loc[parents, ["group_base", "group_role", "scope"]] = np.column_stack(
        [group_base, np.full(groups, "parent"), np.full(groups, "global")])
    acc.loc[children, "group_base"] = group_base[group]
    acc.loc[children, "group_role"] = "child"
    acc.loc[children, "industry"] = acc["industry"].to_numpy()[parents][group]
    acc.loc[children, "country"] = child_country
    acc.loc[children, "region"] = lookup(COUNTRY_REGION, child_country)
    parent_id = np.full(len(acc), -1)
    parent_id[children] = parents[group]
    acc["parent_id"] = pd.array(np.where(parent_id < 0, None, parent_id), dtype="Int64")
    is_child = np.zeros(len(acc), dtype=bool)
    is_child[children] = True
    _assign_owners(rng, acc, managers, is_child)  # subsidiaries are served locally


def _local_market_size(acc: pd.DataFrame) -> None:
    """Indian customers buy less in USD terms than their US and European peers (applied once
    the subsidiaries have their countries; the cast keeps its fixed sizes)."""
    indian = (acc["country"].to_numpy() == "India") & ~acc["cast"].to_numpy()
    acc.loc[indian, "base_usd"] *= 0.45


def _book_momentum(rng: np.random.Generator, acc: pd.DataFrame, managers: pd.DataFrame) -> None:
    """Stories 2 and 3: the ahead manager's whole book steps up from January of the story
    year, the behind manager's steps down. Their books are cleaned of account stories that
    would blur that (no churn or at-risk in the ahead book, no growth in the behind book)."""
    by_name = dict(zip(managers["name"], managers["id"]))
    owner, free = acc["owner_id"].to_numpy(), ~acc["cast"].to_numpy()
    ahead = owner == by_name[cast.AHEAD_MANAGER]
    calm = ahead & free & (acc["status"].to_numpy() != "prospect")
    acc.loc[calm, ["status", "story", "start_k", "churn_k"]] = ["active", "steady", 0, 10_000]
    acc.loc[calm, "growth"] = rng.uniform(0.02, 0.08, int(calm.sum()))
    behind = owner == by_name[cast.BEHIND_MANAGER]
    flat = behind & free & (acc["story"].to_numpy() == "growth")
    acc.loc[flat, ["story", "growth"]] = ["steady", 0.03]
    acc.loc[ahead, "momentum"] = cast.BOOK_MOMENTUM[cast.AHEAD_MANAGER]
    acc.loc[behind, "momentum"] = cast.BOOK_MOMENTUM[cast.BEHIND_MANAGER]


def _mark_promotions(rng: np.random.Generator, acc: pd.DataFrame, managers: pd.DataFrame) -> None:
    """~5% of today's key and strategic customers were once standard: they get a growth story
    (and tier history rows, see lib.demo.history). Not in the behind manager's book."""
    behind = managers.loc[managers["name"] == cast.BEHIND_MANAGER, "id"].iloc[0]
    eligible = (~acc["cast"].to_numpy() & (acc["status"].to_numpy() == "active")
                & (acc["start_k"].to_numpy() == 0) & (acc["owner_id"].to_numpy() != behind))
    picked = []
    for tier, at_least in (("key", 1), ("strategic", 2)):
        pool_ = np.flatnonzero(eligible & (acc["tier"].to_numpy() == tier))
        k = min(len(pool_), max(at_least, round(0.05 * len(pool_))))
        picked.append(rng.choice(pool_, k, replace=False))
    picked = np.concatenate(picked)
    acc["promoted"] = False
    acc.loc[picked, ["promoted", "story"]] = [True, "growth"]
    acc.loc[picked, "growth"] = rng.uniform(0.20, 0.40, len(picked))


def _finish_names(acc: pd.DataFrame) -> None:
    country = acc["country"].to_numpy()
    legal = lookup(COUNTRY_LEGAL, country)
    suffix = np.where(np.isin(acc["industry"].to_numpy(), NO_LEGAL_SUFFIX), "", " " + legal)
    name = acc["base"].to_numpy() + suffix
    role, group_base = acc["group_role"].to_numpy(), acc["group_base"].to_numpy()
    tags = lookup(COUNTRY_SUBSIDIARY_TAG, country)
    name = np.where(role == "parent", group_base + " Holdings", name)
    name = np.where(role == "child", group_base + " " + tags, name)
    stem = ascii_lower(np.where(role == "", acc["base"].to_numpy(), group_base))
    n_cast = len(cast.CAST_ACCOUNTS)
    name[:n_cast] = [c.name for c in cast.CAST_ACCOUNTS]
    stem[:n_cast] = [c.domain_base for c in cast.CAST_ACCOUNTS]
    acc["name"] = name
    acc["domain"] = stem + lookup(COUNTRY_TLD, country)
    if acc["name"].duplicated().any():  # a bug in the name pools, not a user error
        twins = acc["name"][acc["name"].duplicated()].tolist()[:5]
        raise RuntimeError(f"duplicate demo account names: {twins}")


def _billing_habits(rng: np.random.Generator, acc: pd.DataFrame) -> None:
    """How each customer pays: most on time; at-risk accounts slow or poor; the story
    account stopped paying."""
    n = len(acc)
    payer = choose(rng, ("prompt", "slow", "partial", "poor"), (0.62, 0.25, 0.07, 0.06), n)
    at_risk = acc["status"].to_numpy() == "at_risk"
    payer[at_risk] = choose(rng, ("slow", "poor"), (0.4, 0.6), int(at_risk.sum()))
    payer[acc["name"].to_numpy() == cast.AT_RISK_KEY] = "stopped"
    acc["payer"] = payer
    key = acc["tier"].to_numpy() == "key"
    acc["terms"] = np.where(key, rng.choice([30, 45, 60], n, p=[0.3, 0.4, 0.3]),
                            rng.choice([30, 45, 60], n, p=[0.6, 0.3, 0.1]))


def _natural_neglect(rng: np.random.Generator, acc: pd.DataFrame) -> None:
    """Days since the last contact where the story fixes it: the cast, plus ~2% of ordinary
    strategic and standard customers that simply slipped through (NaN: normal rhythm)."""
    silent = np.full(len(acc), np.nan)
    for i, c in enumerate(cast.CAST_ACCOUNTS):
        silent[i] = np.nan if c.silent_days is None else c.silent_days
    policy = acc["tier"].map(POLICY_DAYS).to_numpy()
    slipped = (~acc["cast"].to_numpy() & (acc["tier"].to_numpy() != "key")
               & (acc["status"].to_numpy() == "active") & (rng.random(len(acc)) < 0.02))
    silent[slipped] = policy[slipped] + rng.integers(10, 60, int(slipped.sum()))
    acc["silent_days"] = silent


def base_local(acc: pd.DataFrame) -> np.ndarray:
    """Monthly revenue at the last complete month in the account's own currency."""
    rate = acc["currency"].map(REF_USD_PER_UNIT).to_numpy()
    return acc["base_usd"].to_numpy() / rate

