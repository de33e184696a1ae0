"""The plain baseline's one table (bench/plainhub.py), created by bench/hub_bench.py."""

TABLE_SQL = ("CREATE TABLE IF NOT EXISTS plain_package (id bigserial PRIMARY KEY, recipient int NOT NULL, "
             "body bytea NOT NULL, acked boolean NOT NULL DEFAULT false)")
