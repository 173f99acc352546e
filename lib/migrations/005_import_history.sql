-- Import history: what each batch did to each record, so a batch can be undone; and the
-- column mappings remembered per source (a signature of the file's headers).

-- One row per record a batch created or updated. `record_key` is JSON of the record's
-- identifying columns; `old_values` what an updated record held before (NULL for created);
-- `new_values` what the batch wrote, so undo can tell whether a later edit touched the record.
CREATE TABLE import_rows (
    batch_id    INTEGER NOT NULL,
    entity      VARCHAR NOT NULL,
    record_key  VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('created', 'updated')),
    source_rows INTEGER[] NOT NULL,
    old_values  JSON,
    new_values  JSON NOT NULL,
    PRIMARY KEY (batch_id, record_key)
);

CREATE TABLE import_mappings (
    signature  VARCHAR NOT NULL,
    entity     VARCHAR NOT NULL,
    name       VARCHAR,
    headers    JSON NOT NULL,
    mapping    JSON NOT NULL,
    constants  JSON NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by INTEGER NOT NULL,
    PRIMARY KEY (signature, entity)
);
