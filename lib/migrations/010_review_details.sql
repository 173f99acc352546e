-- "Since last review" lists which escalations opened and closed and which payments came in, so a
-- review keeps each escalation's details with its snapshot. A review kept before this
-- (details_kept false) has only the running totals: its comparisons show counts.
ALTER TABLE reviews ADD COLUMN details_kept BOOLEAN NOT NULL DEFAULT false;

-- The highest payment id when the review was started (0: no payment yet). Payment ids come
-- from a sequence and only grow, so the payments received between two reviews are those with
-- an id above the earlier one's and up to the later one's; nothing per payment is kept.
-- NULL in a review kept before this: against it only the total of payments compares.
ALTER TABLE reviews ADD COLUMN payments_through INTEGER;

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
