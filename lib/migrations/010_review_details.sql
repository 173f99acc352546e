-- "Since last review" lists which escalations opened and closed and which payments came in, so a
-- review keeps each escalation's and each counted payment's details with its snapshot. A review
-- kept before this (details_kept false) has only the running totals: its comparisons show counts.
ALTER TABLE reviews ADD COLUMN details_kept BOOLEAN NOT NULL DEFAULT false;

-- Every escalation recorded at the snapshot (a deleted one with state 'deleted').
CREATE TABLE review_escalations (
    review_id      INTEGER NOT NULL,
    interaction_id BIGINT NOT NULL,
    account_id     INTEGER NOT NULL,
    account_name   VARCHAR NOT NULL,
    subject        VARCHAR NOT NULL,
    severity       VARCHAR,
    state          VARCHAR NOT NULL CHECK (state IN ('open', 'resolved', 'deleted')),
    PRIMARY KEY (review_id, interaction_id)
);

-- Every payment counted in the snapshot's running total, in the review's currency.
CREATE TABLE review_payments (
    review_id    INTEGER NOT NULL,
    payment_id   INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    account_name VARCHAR NOT NULL,
    paid_on      DATE NOT NULL,
    amount       DOUBLE NOT NULL,
    PRIMARY KEY (review_id, payment_id)
);
