-- The Model Registry side of a deployment: the registered model and alias the promotion
-- moved (models:/<registered_model>@<alias>), the version the alias named after it, and the
-- one it named before. Empty for promotions recorded before mlexp moved aliases.
ALTER TABLE deployments ADD COLUMN registered_model TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN alias TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN previous_version TEXT NOT NULL DEFAULT '';
