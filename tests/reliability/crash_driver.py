"""The child the crash test kills: the app's real write paths in a loop on a demo database.

    python -m tests.reliability.crash_driver DB_FILE RUN

Prints READY once the database is open, then one line per write whose commit returned
(flushed before the next write starts), so the parent knows what was acknowledged:

    ACK interaction <idempotency key> <id>
    ACK target <account id> <YYYY-MM-01> <amount>
    ACK import <batch id> <records>
    ACK checkpoint

Values carry the run number, so every acknowledged write is unique across runs.
"""
from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from itertools import count

from lib import importing, interactions, target_edits
from lib.migrate import open_database
from lib.models import NewInteraction
from lib.target_rules import CellEdit
from lib.users import get_user

MAYA = "maya.thompson@demo.accountdesk.example"
FIONA = "fiona.finch@demo.accountdesk.example"
IMPORT_MONTHS = 8          # x 400 demo accounts = 3,200 revenue rows per import
IMPORT_YEAR = 2190         # far from the demo's own months, so imports touch only their rows
TARGET_MONTH = date(2190, 1, 1)


def revenue_csv(external_ids: list[str], run: int, n: int) -> bytes:
    """A revenue export whose amounts are new on every call (so each import updates them)."""
    lines = ["Account,Month,Amount"]
    for i, ext in enumerate(external_ids):
        for m in range(1, IMPORT_MONTHS + 1):
            lines.append(f"{ext},{IMPORT_YEAR}-{m:02d},{run * 1000 + n}.{(i + m) % 100:02d}")
    return ("\n".join(lines) + "\n").encode()


def ack(*parts: object) -> None:
    print("ACK", *parts, flush=True)


def main(path: str, run: int) -> None:
    db = open_database(path)
    maya = get_user(db, db.value("SELECT id FROM users WHERE email = ?", [MAYA]))
    fiona = get_user(db, db.value("SELECT id FROM users WHERE email = ?", [FIONA]))
    accounts = [r[0] for r in db.rows("SELECT id FROM accounts WHERE owner_id = ? ORDER BY id",
                                      [maya.manager_id])]
    external_ids = [r[0] for r in db.rows("SELECT external_id FROM accounts ORDER BY id")]
    print("READY", flush=True)
    for n in count(1):
        key = f"crash-{run}-{n}"
        item = NewInteraction.parse(account_id=accounts[n % len(accounts)], type="call",
                                    subject=key, notes="written by the crash test",
                                    occurred_at=datetime(2026, 1, 5, 10, 0))
        ack("interaction", key, interactions.record_interaction(db, maya, item, idempotency_key=key))

        account = accounts[(n * 7) % len(accounts)]
        loaded = {(account, TARGET_MONTH): db.value(
            "SELECT amount FROM account_targets WHERE account_id = ? AND month = ?",
            [account, TARGET_MONTH])}
        amount = Decimal(f"{run}{n:06d}.00")
        result = target_edits.save(db, fiona, "account", [CellEdit(account, TARGET_MONTH, amount)],
                                   loaded, reason=key)
        if result.written:
            ack("target", account, TARGET_MONTH.isoformat(), amount)

        if n % 3 == 1:
            data = revenue_csv(external_ids, run, n)
            name = f"revenue-{run}-{n}.csv"
            sheet = importing.read_upload(data, name).importable_sheets[0]
            headers = list(sheet.rows.columns)
            staged = importing.stage(sheet.rows, "revenue",
                                     importing.suggest_mapping(headers, "revenue"), {})
            done = importing.apply_import(db, fiona, staged, file_name=name,
                                          digest=importing.file_hash(data))
            ack("import", done.batch_id, done.created + done.updated)

        if n % 4 == 0:
            with db.cursor() as cur:
                cur.execute("CHECKPOINT")
            ack("checkpoint")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
