"""Countries written as codes or other names ("GB", "UK", "GBR", "United Kingdom of Great
Britain and Northern Ireland") take the spelling already in use for that country, so a re-import
that writes "UK" finds the account stored under "United Kingdom" instead of creating another,
and the filters do not list one country twice. A country no stored record names takes the
spelling the file uses most for it; one ISO 3166 does not know is imported as written. The
names and codes are ISO 3166's (pycountry); a few everyday names are added.
"""
from __future__ import annotations

from functools import cache

import duckdb
import pyarrow as pa
import pycountry

from lib.importing.spelling import as_pairs

# Names people write that ISO 3166 does not list -> the country's alpha-2 code
_EVERYDAY = {
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "usa": "US", "u.s.a.": "US",
    "u.s.": "US", "america": "US", "the united states": "US", "the netherlands": "NL",
    "holland": "NL", "russia": "RU", "korea": "KR", "czech republic": "CZ", "turkey": "TR",
    "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "frankreich": "FR",
    "espana": "ES", "españa": "ES", "italia": "IT", "schweiz": "CH", "suisse": "CH",
    "osterreich": "AT", "österreich": "AT", "nederland": "NL", "belgie": "BE", "belgië": "BE",
    "belgique": "BE", "uae": "AE", "emirates": "AE", "hong kong sar": "HK", "bharat": "IN",
    "republic of ireland": "IE", "eire": "IE", "éire": "IE",
}


@cache
def _keys() -> pa.Table:
    """alias (lower case) -> code, for every ISO name, code and everyday name."""
    found: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.alpha_2, c.alpha_3, c.name, getattr(c, "official_name", None),
                     getattr(c, "common_name", None)):
            if name:
                found.setdefault(name.casefold(), c.alpha_2)
    found.update(_EVERYDAY)
    return pa.table({"alias": list(found), "code": list(found.values())})


def prepare(cur: duckdb.DuckDBPyConnection) -> None:
    """The temp table `country_keys` (alias, code) and the view `country_spellings` (code, the
    spelling stored most often for that country in accounts and account managers, else the one
    the staged rows `staged_cells` use most)."""
    cur.register("_country_keys", _keys())
    cur.execute("CREATE OR REPLACE TEMP TABLE country_keys AS SELECT * FROM _country_keys")
    cur.unregister("_country_keys")
    cur.execute("""
        CREATE OR REPLACE TEMP VIEW country_spellings AS
        SELECT k.code, arg_max(u.country, u.stored * 1e12 + u.n) AS spelled
        FROM (SELECT country, 1 AS stored, count(*) AS n
              FROM (SELECT country FROM main.accounts UNION ALL SELECT country FROM main.account_managers)
              WHERE country IS NOT NULL GROUP BY 1
              UNION ALL
              SELECT trim(country), 0, count(*) FROM staged_cells WHERE country IS NOT NULL GROUP BY 1) u
        JOIN country_keys k ON k.alias = lower(trim(u.country))
        GROUP BY 1""")


# For the view `stage` over the staged rows `s`: the country as the spelling in use
SPELLED = "coalesce(cs.spelled, s.country) AS country"
JOINS = ("LEFT JOIN country_keys ck ON ck.alias = lower(trim(s.country)) "
         "LEFT JOIN country_spellings cs ON cs.code = ck.code")


def respelled_note(cur: duckdb.DuckDBPyConnection) -> str | None:
    """Which countries took the spelling in use, in words; None if none did."""
    rows = cur.execute("SELECT s.country, v.country, count(*) FROM staged_cells s JOIN stage v "
                       "USING (_pos) WHERE s.country <> v.country GROUP BY ALL ORDER BY 3 DESC, 1 "
                       "LIMIT 6").fetchall()
    if not rows:
        return None
    return f"Countries written another way take the name already in use: {as_pairs(rows)}."
