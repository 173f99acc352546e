-- The undo log in typed columns: one table per record table instead of import_rows' JSON text.
-- A million-row revenue file spent most of its commit storing three JSON texts per record
-- (key, values before, values after); typed columns store the same facts for a fifth of that.
--
-- import_rows_<table>: one row per record a batch created or updated, with the record's key,
-- the batch's source rows, `old_<column>` (what an updated record held before; NULL when
-- created) and `new_<column>` (what the batch left, so undo can tell whether a later edit
-- touched the record). `ref`: a record created because the batch's rows named it (an unknown
-- account or manager created on request), not one of the batch's own entity.
-- Reads are by batch_id, which only grows, so they skip other batches' row groups; a batch
-- lists each record once by construction (see 011).
CREATE TEMP MACRO j(doc, field) AS json_extract_string(doc, '$.' || field);

CREATE TABLE import_rows_revenue (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    account_id INTEGER NOT NULL,
    month DATE NOT NULL,
    old_amount DECIMAL(18,2), old_currency VARCHAR, old_import_batch_id INTEGER,
    old_version INTEGER,
    new_amount DECIMAL(18,2), new_currency VARCHAR, new_import_batch_id INTEGER,
    new_version INTEGER
);

INSERT INTO import_rows_revenue SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'account_id')::INTEGER,
    j(record_key, 'month')::DATE, j(old_values, 'amount')::DECIMAL(18,2),
    j(old_values, 'currency')::VARCHAR, j(old_values, 'import_batch_id')::INTEGER,
    j(old_values, 'version')::INTEGER, j(new_values, 'amount')::DECIMAL(18,2),
    j(new_values, 'currency')::VARCHAR, j(new_values, 'import_batch_id')::INTEGER,
    j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'revenue' ORDER BY batch_id;

CREATE TABLE import_rows_accounts (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    id INTEGER NOT NULL,
    old_name VARCHAR, old_external_id VARCHAR, old_tier VARCHAR, old_scope VARCHAR,
    old_industry VARCHAR, old_region VARCHAR, old_country VARCHAR, old_owner_id INTEGER,
    old_status VARCHAR, old_currency VARCHAR, old_version INTEGER,
    new_name VARCHAR, new_external_id VARCHAR, new_tier VARCHAR, new_scope VARCHAR,
    new_industry VARCHAR, new_region VARCHAR, new_country VARCHAR, new_owner_id INTEGER,
    new_status VARCHAR, new_currency VARCHAR, new_version INTEGER
);

INSERT INTO import_rows_accounts SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'id')::INTEGER,
    j(old_values, 'name')::VARCHAR, j(old_values, 'external_id')::VARCHAR,
    j(old_values, 'tier')::VARCHAR, j(old_values, 'scope')::VARCHAR,
    j(old_values, 'industry')::VARCHAR, j(old_values, 'region')::VARCHAR,
    j(old_values, 'country')::VARCHAR, j(old_values, 'owner_id')::INTEGER,
    j(old_values, 'status')::VARCHAR, j(old_values, 'currency')::VARCHAR,
    j(old_values, 'version')::INTEGER, j(new_values, 'name')::VARCHAR,
    j(new_values, 'external_id')::VARCHAR, j(new_values, 'tier')::VARCHAR,
    j(new_values, 'scope')::VARCHAR, j(new_values, 'industry')::VARCHAR,
    j(new_values, 'region')::VARCHAR, j(new_values, 'country')::VARCHAR,
    j(new_values, 'owner_id')::INTEGER, j(new_values, 'status')::VARCHAR,
    j(new_values, 'currency')::VARCHAR, j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'accounts' OR entity = 'ref:accounts' ORDER BY batch_id;

CREATE TABLE import_rows_invoices (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    id INTEGER NOT NULL,
    old_invoice_number VARCHAR, old_account_id INTEGER, old_issue_date DATE, old_due_date DATE,
    old_amount DECIMAL(18,2), old_currency VARCHAR, old_import_batch_id INTEGER,
    old_version INTEGER,
    new_invoice_number VARCHAR, new_account_id INTEGER, new_issue_date DATE, new_due_date DATE,
    new_amount DECIMAL(18,2), new_currency VARCHAR, new_import_batch_id INTEGER,
    new_version INTEGER
);

INSERT INTO import_rows_invoices SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'id')::INTEGER,
    j(old_values, 'invoice_number')::VARCHAR, j(old_values, 'account_id')::INTEGER,
    j(old_values, 'issue_date')::DATE, j(old_values, 'due_date')::DATE,
    j(old_values, 'amount')::DECIMAL(18,2), j(old_values, 'currency')::VARCHAR,
    j(old_values, 'import_batch_id')::INTEGER, j(old_values, 'version')::INTEGER,
    j(new_values, 'invoice_number')::VARCHAR, j(new_values, 'account_id')::INTEGER,
    j(new_values, 'issue_date')::DATE, j(new_values, 'due_date')::DATE,
    j(new_values, 'amount')::DECIMAL(18,2), j(new_values, 'currency')::VARCHAR,
    j(new_values, 'import_batch_id')::INTEGER, j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'invoices' ORDER BY batch_id;

CREATE TABLE import_rows_payments (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    id INTEGER NOT NULL,
    old_invoice_id INTEGER, old_paid_on DATE, old_amount DECIMAL(18,2), old_reference VARCHAR,
    old_import_batch_id INTEGER,
    new_invoice_id INTEGER, new_paid_on DATE, new_amount DECIMAL(18,2), new_reference VARCHAR,
    new_import_batch_id INTEGER
);

INSERT INTO import_rows_payments SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'id')::INTEGER,
    j(old_values, 'invoice_id')::INTEGER, j(old_values, 'paid_on')::DATE,
    j(old_values, 'amount')::DECIMAL(18,2), j(old_values, 'reference')::VARCHAR,
    j(old_values, 'import_batch_id')::INTEGER, j(new_values, 'invoice_id')::INTEGER,
    j(new_values, 'paid_on')::DATE, j(new_values, 'amount')::DECIMAL(18,2),
    j(new_values, 'reference')::VARCHAR, j(new_values, 'import_batch_id')::INTEGER
FROM import_rows WHERE entity = 'payments' ORDER BY batch_id;

CREATE TABLE import_rows_contacts (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    id INTEGER NOT NULL,
    old_account_id INTEGER, old_name VARCHAR, old_title VARCHAR, old_email VARCHAR,
    old_phone VARCHAR, old_role VARCHAR, old_version INTEGER,
    new_account_id INTEGER, new_name VARCHAR, new_title VARCHAR, new_email VARCHAR,
    new_phone VARCHAR, new_role VARCHAR, new_version INTEGER
);

INSERT INTO import_rows_contacts SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'id')::INTEGER,
    j(old_values, 'account_id')::INTEGER, j(old_values, 'name')::VARCHAR,
    j(old_values, 'title')::VARCHAR, j(old_values, 'email')::VARCHAR,
    j(old_values, 'phone')::VARCHAR, j(old_values, 'role')::VARCHAR,
    j(old_values, 'version')::INTEGER, j(new_values, 'account_id')::INTEGER,
    j(new_values, 'name')::VARCHAR, j(new_values, 'title')::VARCHAR,
    j(new_values, 'email')::VARCHAR, j(new_values, 'phone')::VARCHAR,
    j(new_values, 'role')::VARCHAR, j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'contacts' ORDER BY batch_id;

CREATE TABLE import_rows_account_targets (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    account_id INTEGER NOT NULL,
    month DATE NOT NULL,
    old_amount DECIMAL(18,2), old_currency VARCHAR, old_version INTEGER,
    new_amount DECIMAL(18,2), new_currency VARCHAR, new_version INTEGER
);

INSERT INTO import_rows_account_targets SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'account_id')::INTEGER,
    j(record_key, 'month')::DATE, j(old_values, 'amount')::DECIMAL(18,2),
    j(old_values, 'currency')::VARCHAR, j(old_values, 'version')::INTEGER,
    j(new_values, 'amount')::DECIMAL(18,2), j(new_values, 'currency')::VARCHAR,
    j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'account_targets' ORDER BY batch_id;

CREATE TABLE import_rows_budgets (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    account_id INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    month DATE NOT NULL,
    old_budget DECIMAL(18,2), old_spend DECIMAL(18,2), old_currency VARCHAR, old_version INTEGER,
    new_budget DECIMAL(18,2), new_spend DECIMAL(18,2), new_currency VARCHAR, new_version INTEGER
);

INSERT INTO import_rows_budgets SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'account_id')::INTEGER,
    j(record_key, 'category')::VARCHAR, j(record_key, 'month')::DATE,
    j(old_values, 'budget')::DECIMAL(18,2), j(old_values, 'spend')::DECIMAL(18,2),
    j(old_values, 'currency')::VARCHAR, j(old_values, 'version')::INTEGER,
    j(new_values, 'budget')::DECIMAL(18,2), j(new_values, 'spend')::DECIMAL(18,2),
    j(new_values, 'currency')::VARCHAR, j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'budgets' ORDER BY batch_id;

CREATE TABLE import_rows_account_managers (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    id INTEGER NOT NULL,
    old_name VARCHAR, old_email VARCHAR, old_role_title VARCHAR, old_level VARCHAR,
    old_region VARCHAR, old_country VARCHAR, old_reports_to INTEGER, old_hire_date DATE,
    old_base_salary DECIMAL(18,2), old_salary_currency VARCHAR, old_external_id VARCHAR,
    old_version INTEGER,
    new_name VARCHAR, new_email VARCHAR, new_role_title VARCHAR, new_level VARCHAR,
    new_region VARCHAR, new_country VARCHAR, new_reports_to INTEGER, new_hire_date DATE,
    new_base_salary DECIMAL(18,2), new_salary_currency VARCHAR, new_external_id VARCHAR,
    new_version INTEGER
);

INSERT INTO import_rows_account_managers SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'id')::INTEGER,
    j(old_values, 'name')::VARCHAR, j(old_values, 'email')::VARCHAR,
    j(old_values, 'role_title')::VARCHAR, j(old_values, 'level')::VARCHAR,
    j(old_values, 'region')::VARCHAR, j(old_values, 'country')::VARCHAR,
    j(old_values, 'reports_to')::INTEGER, j(old_values, 'hire_date')::DATE,
    j(old_values, 'base_salary')::DECIMAL(18,2), j(old_values, 'salary_currency')::VARCHAR,
    j(old_values, 'external_id')::VARCHAR, j(old_values, 'version')::INTEGER,
    j(new_values, 'name')::VARCHAR, j(new_values, 'email')::VARCHAR,
    j(new_values, 'role_title')::VARCHAR, j(new_values, 'level')::VARCHAR,
    j(new_values, 'region')::VARCHAR, j(new_values, 'country')::VARCHAR,
    j(new_values, 'reports_to')::INTEGER, j(new_values, 'hire_date')::DATE,
    j(new_values, 'base_salary')::DECIMAL(18,2), j(new_values, 'salary_currency')::VARCHAR,
    j(new_values, 'external_id')::VARCHAR, j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'managers' OR entity = 'ref:managers' ORDER BY batch_id;

CREATE TABLE import_rows_interactions (
    batch_id INTEGER NOT NULL,
    ref BOOLEAN NOT NULL DEFAULT false,
    action VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    id INTEGER NOT NULL,
    old_account_id INTEGER, old_manager_id INTEGER, old_type VARCHAR, old_occurred_at TIMESTAMP,
    old_is_planned BOOLEAN, old_subject VARCHAR, old_notes VARCHAR, old_outcome VARCHAR,
    old_sentiment VARCHAR, old_next_step VARCHAR, old_next_step_due DATE, old_severity VARCHAR,
    old_escalation_status VARCHAR, old_version INTEGER,
    new_account_id INTEGER, new_manager_id INTEGER, new_type VARCHAR, new_occurred_at TIMESTAMP,
    new_is_planned BOOLEAN, new_subject VARCHAR, new_notes VARCHAR, new_outcome VARCHAR,
    new_sentiment VARCHAR, new_next_step VARCHAR, new_next_step_due DATE, new_severity VARCHAR,
    new_escalation_status VARCHAR, new_version INTEGER
);

INSERT INTO import_rows_interactions SELECT
    batch_id, entity LIKE 'ref:%', action, source_rows, j(record_key, 'id')::INTEGER,
    j(old_values, 'account_id')::INTEGER, j(old_values, 'manager_id')::INTEGER,
    j(old_values, 'type')::VARCHAR, j(old_values, 'occurred_at')::TIMESTAMP,
    j(old_values, 'is_planned')::BOOLEAN, j(old_values, 'subject')::VARCHAR,
    j(old_values, 'notes')::VARCHAR, j(old_values, 'outcome')::VARCHAR,
    j(old_values, 'sentiment')::VARCHAR, j(old_values, 'next_step')::VARCHAR,
    j(old_values, 'next_step_due')::DATE, j(old_values, 'severity')::VARCHAR,
    j(old_values, 'escalation_status')::VARCHAR, j(old_values, 'version')::INTEGER,
    j(new_values, 'account_id')::INTEGER, j(new_values, 'manager_id')::INTEGER,
    j(new_values, 'type')::VARCHAR, j(new_values, 'occurred_at')::TIMESTAMP,
    j(new_values, 'is_planned')::BOOLEAN, j(new_values, 'subject')::VARCHAR,
    j(new_values, 'notes')::VARCHAR, j(new_values, 'outcome')::VARCHAR,
    j(new_values, 'sentiment')::VARCHAR, j(new_values, 'next_step')::VARCHAR,
    j(new_values, 'next_step_due')::DATE, j(new_values, 'severity')::VARCHAR,
    j(new_values, 'escalation_status')::VARCHAR, j(new_values, 'version')::INTEGER
FROM import_rows WHERE entity = 'interactions' ORDER BY batch_id;

DROP TABLE import_rows;
DROP MACRO j;
