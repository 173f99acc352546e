-- Compensation plans change over time without rewriting the periods already paid.
-- A plan's rules are a chain of revisions: the first revision is the plan (assignments point at
-- its id); each later revision is a comp_plans row naming that id in revises_plan_id and the
-- first day it applies. A pay period is paid by the revision in force on its first day.
ALTER TABLE comp_plans ADD COLUMN revises_plan_id INTEGER;
ALTER TABLE comp_plans ADD COLUMN effective_from DATE NOT NULL DEFAULT DATE '2000-01-01';

-- One-off money a period pays or takes back beyond its bands: a bonus (a SPIF) adds `amount`;
-- a clawback takes back `amount` of revenue reversed after it was paid on (a credit note) at
-- `rate_pct`, the effective rate the original period paid, fixed when the clawback is recorded.
-- `period_start` is the first day of the pay period that pays or takes it; amounts are in the
-- currency of the manager's plan. Removing one marks it deleted, so statements can say why.
CREATE SEQUENCE seq_comp_adjustments START 1;
CREATE TABLE comp_adjustments (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('seq_comp_adjustments'),
    manager_id           INTEGER NOT NULL,
    period_start         DATE NOT NULL,
    kind                 VARCHAR NOT NULL CHECK (kind IN ('bonus', 'clawback')),
    amount               DECIMAL(18,2) NOT NULL CHECK (amount > 0),
    rate_pct             DECIMAL(12,8) CHECK (rate_pct BETWEEN 0 AND 100),
    original_period_start DATE,
    note                 VARCHAR NOT NULL,
    created_at           TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by           INTEGER NOT NULL,
    deleted_at           TIMESTAMP,
    deleted_by           INTEGER,
    CHECK ((kind = 'bonus') = (rate_pct IS NULL))
);

-- What the team's pay (base + commission) may cost in a fiscal year, in the reporting currency
-- it was set in; the team view compares the projection with it.
CREATE TABLE comp_budgets (
    fiscal_year INTEGER PRIMARY KEY,
    amount      DECIMAL(18,2) NOT NULL CHECK (amount >= 0),
    currency    VARCHAR(3) NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by  INTEGER NOT NULL
);
