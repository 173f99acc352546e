-- Team reviews: each review a director starts keeps a snapshot of the figures as they stood,
-- so the next review can say what changed since (lib.review_diff). Amounts are in the review's
-- reporting currency, as DOUBLE: they are a record of what was shown, not money to add up again.
CREATE SEQUENCE seq_reviews START 1;
CREATE TABLE reviews (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('seq_reviews'),
    title                VARCHAR NOT NULL,
    held_on              DATE NOT NULL,
    currency             VARCHAR(3) NOT NULL,
    fiscal_year          VARCHAR NOT NULL,      -- the label of the fiscal year the figures cover
    notes                VARCHAR NOT NULL DEFAULT '',
    escalations_raised   INTEGER NOT NULL,      -- running totals at the snapshot
    escalations_resolved INTEGER NOT NULL,
    payments_received    DOUBLE NOT NULL,
    target_edits         INTEGER NOT NULL,
    open_escalations     INTEGER[] NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    started_at           TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    started_by           INTEGER NOT NULL,
    updated_at           TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by           INTEGER NOT NULL
);

-- Per manager at the snapshot: revenue and target of the accounts they owned, fiscal year to date.
CREATE TABLE review_managers (
    review_id  INTEGER NOT NULL,
    manager_id INTEGER NOT NULL,
    name       VARCHAR NOT NULL,
    revenue    DOUBLE NOT NULL,
    target     DOUBLE NOT NULL,
    PRIMARY KEY (review_id, manager_id)
);

-- Per live account at the snapshot.
CREATE TABLE review_accounts (
    review_id  INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    name       VARCHAR NOT NULL,
    owner_id   INTEGER,
    revenue    DOUBLE NOT NULL,     -- fiscal year to date
    last_month DOUBLE NOT NULL,     -- the last complete month with revenue uploaded
    at_risk    BOOLEAN NOT NULL,
    PRIMARY KEY (review_id, account_id)
);

-- Who does what by when, agreed in a review. The owner is an account manager; the item shows in
-- their My work until it is marked done.
CREATE SEQUENCE seq_review_actions START 1;
CREATE TABLE review_actions (
    id         INTEGER PRIMARY KEY DEFAULT nextval('seq_review_actions'),
    review_id  INTEGER NOT NULL,
    owner_id   INTEGER NOT NULL,
    what       VARCHAR NOT NULL,
    due_on     DATE,
    done_at    TIMESTAMP,
    done_by    INTEGER,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL
);
