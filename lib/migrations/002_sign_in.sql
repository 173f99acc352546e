-- Sign-in attempts, kept in the database (not in memory) so a lockout survives a restart.
-- `email` is what was typed, lower-cased, whether or not such a user exists: unknown emails lock
-- out like real ones, so the lockout itself does not reveal which accounts exist.
-- `session_key` is a SHA-256 of the browser session's key (the key itself never leaves memory);
-- NULL for attempts not made from the sign-in form (checking the current password on a change).
-- `outcome`: signed_in, wrong_password, unknown_email, no_password, inactive (these count toward
-- a lockout) or account_locked, session_locked (refused unchecked; they do not extend a lock).
CREATE SEQUENCE seq_login_attempts START 1;
CREATE TABLE login_attempts (
    id           BIGINT PRIMARY KEY DEFAULT nextval('seq_login_attempts'),
    email        VARCHAR NOT NULL,
    session_key  VARCHAR,
    attempted_at TIMESTAMP NOT NULL,     -- UTC; named so because AT is a keyword in DuckDB
    success      BOOLEAN NOT NULL,
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('signed_in', 'wrong_password', 'unknown_email',
                     'no_password', 'inactive', 'account_locked', 'session_locked')),
    user_id      INTEGER
);
