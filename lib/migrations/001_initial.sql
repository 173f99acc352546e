-- The Account Desk schema, first cut.
-- Conventions: money is DECIMAL(18,2) in the row's own currency; months are DATEs on the 1st;
-- rows people edit carry `version` (optimistic concurrency) and created/updated by/at;
-- timestamps are UTC. No FOREIGN KEY clauses: DuckDB refuses some updates of referenced rows,
-- so references are checked by lib and by lib.integrity instead.

CREATE SEQUENCE seq_users START 1;
CREATE TABLE users (
    id            INTEGER PRIMARY KEY DEFAULT nextval('seq_users'),
    email         VARCHAR NOT NULL UNIQUE,
    display_name  VARCHAR NOT NULL,
    role          VARCHAR NOT NULL CHECK (role IN ('admin', 'director', 'manager', 'viewer')),
    manager_id    INTEGER,              -- the account_managers row this person is, if any
    password_hash VARCHAR,
    active        BOOLEAN NOT NULL DEFAULT true,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by    INTEGER,
    updated_at    TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by    INTEGER
);
-- Id 0 is the app itself: migrations, command-line runs and the first demo load act as it.
INSERT INTO users (id, email, display_name, role, active)
VALUES (0, 'system@accountdesk.invalid', 'Account Desk (system)', 'admin', false);

CREATE SEQUENCE seq_account_managers START 1;
CREATE TABLE account_managers (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_account_managers'),
    name            VARCHAR NOT NULL,
    email           VARCHAR,
    role_title      VARCHAR NOT NULL,   -- Junior AM, Key Account Manager, Account Director ...
    level           VARCHAR,            -- junior / mid / senior / lead
    region          VARCHAR,
    country         VARCHAR,
    reports_to      INTEGER,
    hire_date       DATE,
    base_salary     DECIMAL(18,2),
    salary_currency VARCHAR(3),
    external_id     VARCHAR,
    active          BOOLEAN NOT NULL DEFAULT true,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by      INTEGER NOT NULL,
    updated_at      TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by      INTEGER NOT NULL
);

CREATE SEQUENCE seq_accounts START 1;
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_accounts'),
    external_id VARCHAR,
    name        VARCHAR NOT NULL,
    tier        VARCHAR NOT NULL CHECK (tier IN ('key', 'strategic', 'standard')),
    scope       VARCHAR NOT NULL CHECK (scope IN ('regional', 'national', 'global')),
    industry    VARCHAR,
    region      VARCHAR,
    country     VARCHAR,
    owner_id    INTEGER,
    parent_id   INTEGER,
    status      VARCHAR NOT NULL CHECK (status IN ('prospect', 'active', 'at_risk', 'churned')),
    currency    VARCHAR(3) NOT NULL,
    archived_at TIMESTAMP,
    archived_by INTEGER,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by  INTEGER NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by  INTEGER NOT NULL
);

-- Owner, tier and status changes: the history a team review and commission crediting need.
CREATE SEQUENCE seq_account_history START 1;
CREATE TABLE account_history (
    id         BIGINT PRIMARY KEY DEFAULT nextval('seq_account_history'),
    account_id INTEGER NOT NULL,
    field      VARCHAR NOT NULL CHECK (field IN ('owner_id', 'tier', 'status')),
    old_value  VARCHAR,
    new_value  VARCHAR,
    changed_on DATE NOT NULL,           -- effective date
    changed_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    changed_by INTEGER NOT NULL
);

CREATE SEQUENCE seq_contacts START 1;
CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_contacts'),
    account_id  INTEGER NOT NULL,
    name        VARCHAR NOT NULL,
    title       VARCHAR,
    email       VARCHAR,
    phone       VARCHAR,
    role        VARCHAR NOT NULL CHECK (role IN ('decision_maker', 'influencer', 'user', 'finance', 'technical')),
    is_primary  BOOLEAN NOT NULL DEFAULT false,
    archived_at TIMESTAMP,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by  INTEGER NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by  INTEGER NOT NULL
);

-- One table for what happened and what is planned: a planned interaction has a date and no
-- outcome yet; completing it records the outcome.
CREATE SEQUENCE seq_interactions START 1;
CREATE TABLE interactions (
    id                 BIGINT PRIMARY KEY DEFAULT nextval('seq_interactions'),
    account_id         INTEGER NOT NULL,
    manager_id         INTEGER NOT NULL,
    type               VARCHAR NOT NULL CHECK (type IN ('call', 'meeting', 'visit', 'email', 'demo', 'qbr', 'escalation')),
    occurred_at        TIMESTAMP NOT NULL,
    is_planned         BOOLEAN NOT NULL DEFAULT false,
    subject            VARCHAR NOT NULL,
    notes              VARCHAR,
    outcome            VARCHAR,
    sentiment          VARCHAR CHECK (sentiment IN ('very_negative', 'negative', 'neutral', 'positive', 'very_positive')),
    products           VARCHAR,
    product_reaction   VARCHAR,
    next_step          VARCHAR,
    next_step_due      DATE,
    next_step_owner_id INTEGER,
    next_step_done_at  TIMESTAMP,
    severity           VARCHAR CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    escalation_status  VARCHAR CHECK (escalation_status IN ('open', 'in_progress', 'resolved')),
    escalated_to       VARCHAR,
    resolution_notes   VARCHAR,
    resolved_at        TIMESTAMP,
    deleted_at         TIMESTAMP,
    deleted_by         INTEGER,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by         INTEGER NOT NULL,
    updated_at         TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by         INTEGER NOT NULL
);

CREATE TABLE interaction_contacts (
    interaction_id BIGINT NOT NULL,
    contact_id     INTEGER NOT NULL,
    PRIMARY KEY (interaction_id, contact_id)
);

CREATE TABLE revenue (
    account_id      INTEGER NOT NULL,
    month           DATE NOT NULL,
    amount          DECIMAL(18,2) NOT NULL,
    currency        VARCHAR(3) NOT NULL,
    import_batch_id INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by      INTEGER NOT NULL,
    updated_at      TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by      INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
);

CREATE TABLE manager_targets (
    manager_id INTEGER NOT NULL,
    month      DATE NOT NULL,
    amount     DECIMAL(18,2) NOT NULL CHECK (amount >= 0),
    currency   VARCHAR(3) NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL,
    PRIMARY KEY (manager_id, month)
);

CREATE TABLE account_targets (
    account_id INTEGER NOT NULL,
    month      DATE NOT NULL,
    amount     DECIMAL(18,2) NOT NULL CHECK (amount >= 0),
    currency   VARCHAR(3) NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
);

-- Every target change with its reason, so one change can be reverted on its own.
CREATE SEQUENCE seq_target_changes START 1;
CREATE TABLE target_changes (
    id          BIGINT PRIMARY KEY DEFAULT nextval('seq_target_changes'),
    level       VARCHAR NOT NULL CHECK (level IN ('manager', 'account')),
    subject_id  INTEGER NOT NULL,
    month       DATE NOT NULL,
    old_amount  DECIMAL(18,2),
    new_amount  DECIMAL(18,2),
    reason      VARCHAR,
    reverts_id  BIGINT,
    changed_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    changed_by  INTEGER NOT NULL
);

CREATE TABLE budgets (
    account_id INTEGER NOT NULL,
    category   VARCHAR NOT NULL,
    month      DATE NOT NULL,
    budget     DECIMAL(18,2) NOT NULL DEFAULT 0,
    spend      DECIMAL(18,2) NOT NULL DEFAULT 0,
    currency   VARCHAR(3) NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL,
    PRIMARY KEY (account_id, category, month)
);

CREATE SEQUENCE seq_invoices START 1;
CREATE TABLE invoices (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_invoices'),
    invoice_number VARCHAR NOT NULL UNIQUE,
    account_id     INTEGER NOT NULL,
    issue_date     DATE NOT NULL,
    due_date       DATE NOT NULL,
    amount         DECIMAL(18,2) NOT NULL,
    currency       VARCHAR(3) NOT NULL,
    import_batch_id INTEGER,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by     INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by     INTEGER NOT NULL
);

CREATE SEQUENCE seq_payments START 1;
CREATE TABLE payments (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_payments'),
    invoice_id      INTEGER NOT NULL,
    paid_on         DATE NOT NULL,
    amount          DECIMAL(18,2) NOT NULL,
    reference       VARCHAR,
    import_batch_id INTEGER,
    created_at      TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by      INTEGER NOT NULL
);

-- Compensation: a plan holds the rules; an assignment says who is paid by which plan when.
CREATE SEQUENCE seq_comp_plans START 1;
CREATE TABLE comp_plans (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_comp_plans'),
    name             VARCHAR NOT NULL,
    role_title       VARCHAR,
    currency         VARCHAR(3) NOT NULL,
    period           VARCHAR NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    method           VARCHAR NOT NULL CHECK (method IN ('marginal', 'retroactive')),
    threshold_pct    DECIMAL(9,4),
    cap_kind         VARCHAR CHECK (cap_kind IN ('amount', 'multiple')),
    cap_value        DECIMAL(18,4) CHECK (cap_value >= 0),
    hard_stop_pct    DECIMAL(9,4),
    draw_amount      DECIMAL(18,2),
    draw_recoverable BOOLEAN,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by       INTEGER NOT NULL,
    updated_at       TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by       INTEGER NOT NULL
);

CREATE TABLE comp_plan_bands (
    plan_id   INTEGER NOT NULL,
    lower_pct DECIMAL(9,4) NOT NULL,    -- attainment %, inclusive
    upper_pct DECIMAL(9,4),             -- NULL: no upper bound
    rate_pct  DECIMAL(9,4) NOT NULL CHECK (rate_pct BETWEEN 0 AND 100),
    PRIMARY KEY (plan_id, lower_pct)
);

CREATE SEQUENCE seq_comp_assignments START 1;
CREATE TABLE comp_assignments (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_comp_assignments'),
    manager_id     INTEGER NOT NULL,
    plan_id        INTEGER NOT NULL,
    effective_from DATE NOT NULL,
    effective_to   DATE,
    base_salary    DECIMAL(18,2) NOT NULL,  -- per year, in the plan's currency
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by     INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by     INTEGER NOT NULL
);

-- usd_per_unit: what one unit of the currency is worth in USD in that month.
CREATE TABLE fx_rates (
    currency     VARCHAR(3) NOT NULL,
    month        DATE NOT NULL,
    usd_per_unit DECIMAL(18,8) NOT NULL CHECK (usd_per_unit > 0),
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by   INTEGER NOT NULL,
    PRIMARY KEY (currency, month)
);

-- How often each tier should hear from us; the portfolio and My work read it.
CREATE TABLE contact_policies (
    tier       VARCHAR PRIMARY KEY CHECK (tier IN ('key', 'strategic', 'standard')),
    max_days   INTEGER NOT NULL CHECK (max_days > 0),
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL
);
INSERT INTO contact_policies (tier, max_days, updated_by) VALUES ('key', 30, 0), ('strategic', 45, 0), ('standard', 90, 0);

CREATE TABLE settings (
    key        VARCHAR PRIMARY KEY,
    value      VARCHAR NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL
);
INSERT INTO settings (key, value, updated_by) VALUES
    ('fiscal_year_start_month', '1', 0),
    ('reporting_currency', 'USD', 0);

CREATE SEQUENCE seq_import_batches START 1;
CREATE TABLE import_batches (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_import_batches'),
    file_name      VARCHAR NOT NULL,
    file_hash      VARCHAR NOT NULL,
    entity         VARCHAR NOT NULL,
    mapping        JSON,
    rows_created   INTEGER NOT NULL DEFAULT 0,
    rows_updated   INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_rejected  INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by     INTEGER NOT NULL,
    undone_at      TIMESTAMP,
    undone_by      INTEGER
);

-- Append-only: one row per changed record; `changes` maps field -> [old, new].
CREATE SEQUENCE seq_audit_log START 1;
CREATE TABLE audit_log (
    id        BIGINT PRIMARY KEY DEFAULT nextval('seq_audit_log'),
    changed_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    actor_id  INTEGER NOT NULL,
    action    VARCHAR NOT NULL,
    entity    VARCHAR NOT NULL,
    entity_id VARCHAR,
    changes   JSON,
    batch_id  INTEGER
);

-- A user action that may be retried records its key here in the same transaction,
-- so a retry after an ambiguous failure cannot apply twice.
CREATE TABLE idempotency_keys (
    key      VARCHAR PRIMARY KEY,
    actor_id INTEGER NOT NULL,
    result   VARCHAR,                  -- JSON of what the first run returned
    created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP
);
