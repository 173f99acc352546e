-- The account health score's weights and at-risk threshold: data an admin changes.
-- One row per factor (lib.health_rules.FACTORS names them); a weight is how many points, out of
-- the sum of all weights, that factor can cost. The defaults sum to 100, so each weight reads as
-- "up to N points". `health_config` holds the single threshold and the one version the weights
-- form saves against (the weights and the threshold are edited together).
CREATE TABLE health_weights (
    factor VARCHAR PRIMARY KEY,
    weight DECIMAL(5,2) NOT NULL CHECK (weight BETWEEN 0 AND 100)
);
INSERT INTO health_weights (factor, weight) VALUES
    ('revenue_trend', 20), ('target_attainment', 20), ('overdue_invoices', 15),
    ('contact', 15), ('escalations', 10), ('budget', 5), ('sentiment', 15);

CREATE TABLE health_config (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    at_risk_below DECIMAL(5,2) NOT NULL CHECK (at_risk_below BETWEEN 0 AND 100),
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    updated_by    INTEGER NOT NULL
);
INSERT INTO health_config (id, at_risk_below, updated_by) VALUES (1, 50, 0);
