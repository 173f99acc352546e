-- Closed months. A locked month refuses every change to manager and account targets in it
-- (grid edits, spread totals, reverts) until someone allowed to lock periods unlocks it.
-- Locking and unlocking are recorded in audit_log; this table holds only what is locked now.
CREATE TABLE period_locks (
    month     DATE PRIMARY KEY CHECK (day(month) = 1),
    locked_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    locked_by INTEGER NOT NULL
);
