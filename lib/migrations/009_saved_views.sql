-- Saved Explore views: a name and the view's spec (JSON, see lib.explore.ExploreSpec.to_dict).
-- A view is private to its creator unless shared with the team; only its creator deletes it.
-- Names are unique per creator among that creator's views (checked in lib.explore_views).
CREATE SEQUENCE seq_saved_views START 1;
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY DEFAULT nextval('seq_saved_views'),
    page       VARCHAR NOT NULL DEFAULT 'explore',
    name       VARCHAR NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 80),
    spec       JSON NOT NULL,
    shared     BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    created_by INTEGER NOT NULL
);
