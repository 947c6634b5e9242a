-- mlexp's own database, beside MLflow's (POSTGRES_DB).
CREATE DATABASE mlexp OWNER mlexp;
