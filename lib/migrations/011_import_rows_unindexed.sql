-- import_rows without its primary key. A batch writes one row per record it touched (a
-- million for a large revenue file), and keeping a unique index over (batch_id, record_key)
-- for them cost more than writing the rows themselves. Uniqueness holds by construction: a
-- batch lists each record once (lib.importing.plan merges or refuses repeated records), and
-- the integrity check counts each batch's rows against its totals. Reads are by batch_id,
-- which only grows, so they skip other batches' row groups without an index.
CREATE TABLE import_rows_new (
    batch_id    INTEGER NOT NULL,
    entity      VARCHAR NOT NULL,
    record_key  VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    old_values  JSON,
    new_values  JSON NOT NULL
);
INSERT INTO import_rows_new SELECT batch_id, entity, record_key, action, source_rows, old_values,
                                   new_values FROM import_rows ORDER BY batch_id;
DROP TABLE import_rows;
ALTER TABLE import_rows_new RENAME TO import_rows;
